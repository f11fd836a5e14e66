"""One settings object for the whole service, read from ``EXCHANGE_*`` environment variables."""

from __future__ import annotations

import secrets
from contextvars import ContextVar
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from exchange.paths import project_root


class Mode(StrEnum):
    development = "development"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EXCHANGE_", env_file=".env", extra="ignore")

    mode: Mode = Mode.development
    data_dir: Path = Field(default_factory=lambda: project_root() / "data")
    database_url: str = ""
    secret_key: str = ""
    # Unset: `exchange serve` derives it from the address it serves (served_base_url); other
    # commands (tick, outbox) fall back to the default address of `serve`.
    public_base_url: str = "http://127.0.0.1:8000"

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_from: str = "Peer Internship Exchange <no-reply@exchange.invalid>"

    # Largest request body read, in bytes; larger ones are answered 413 before they are read.
    # A 1,000-member sync of generated members is 2.2 MB as compact JSON (3.5 MB indented).
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)

    # Failed log-ins tolerated inside the window before further attempts are refused.
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_failure_window_seconds: int = 900
    password_reset_ttl_seconds: int = 3600
    session_ttl_seconds: int = 14 * 24 * 3600
    # Webhooks may go to loopback/private addresses: local development and the tests only
    # (exchange/networks/targets.py); refused in production mode.
    webhook_allow_private_targets: bool = False

    # Capacity of each web worker process (exchange/loadshed.py, db.pool_options): requests
    # running at once (each holds one pooled database connection), requests waiting for a
    # slot, and how long one may wait before it is answered 503 with Retry-After. 8: the work
    # is CPU-bound under one GIL; more at once only makes each admitted request slower (at 16,
    # a saturated 2-core machine let an admitted request run past 5 s).
    max_concurrent_requests: int = Field(default=8, ge=1)
    max_queued_requests: int = Field(default=64, ge=0)
    queue_timeout_seconds: float = Field(default=1.0, gt=0)
    # Connections beyond the running requests: an Idempotency-Key claim is a second one.
    db_max_overflow: int = Field(default=8, ge=0)
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0)

    # Network API keys: requests per key (a `limits` rate string), counted in this store:
    # `memory://` per process, `redis://host:6379/0` shared by every worker and replica.
    network_key_rate_limit: str = "600/minute"
    rate_limit_storage: str = "memory://"

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite:///{self.data_dir / 'exchange.sqlite3'}"
        if not self.secret_key:
            if self.mode is Mode.production:
                raise ValueError(
                    "EXCHANGE_SECRET_KEY must be set in production mode "
                    "(at least 32 random characters)"
                )
            self.secret_key = _persisted_secret(self.data_dir)
        elif self.mode is Mode.production and len(self.secret_key) < 32:
            raise ValueError("EXCHANGE_SECRET_KEY must be at least 32 characters in production")
        if self.mode is Mode.production and self.webhook_allow_private_targets:
            raise ValueError("EXCHANGE_WEBHOOK_ALLOW_PRIVATE_TARGETS is for local development "
                             "only and is refused in production mode")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_https(self) -> bool:
        return self.public_base_url.startswith("https://")


def served_base_url(settings: Settings, host: str, port: int) -> str | None:
    """The base URL for links when none is configured: the host and port `serve` listens on
    (a wildcard address becomes the loopback one). None when EXCHANGE_PUBLIC_BASE_URL is set,
    as it must be behind a proxy or when the service is reached under another name."""
    if "public_base_url" in settings.model_fields_set:
        return None
    if host in {"", "0.0.0.0"}:  # noqa: S104 - compared, not bound
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal in a URL
    return f"http://{host}:{port}"


def _persisted_secret(data_dir: Path) -> str:
    """A development secret generated once and kept, so sessions survive a restart."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()


# The public base URL for links in e-mails written deep inside services (notifications), set
# per request from the app's settings by a middleware (exchange/main.py) and by the CLI.
public_base_url_var: ContextVar[str] = ContextVar(
    "public_base_url", default=Settings.model_fields["public_base_url"].default
)
