"""Network API keys: `pie_net_…`, shown once, stored as a keyed hash (exchange/security.py, as
personal tokens are), scoped, optionally expiring, revocable, with a coarse last-used time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import field_validator
from sqlmodel import Field, Session, SQLModel, col, select

from exchange import security
from exchange.accounts.models import User
from exchange.config import Settings
from exchange.db import touch, utcnow
from exchange.errors import NotFound
from exchange.fields import Line
from exchange.networks.models import Network, NetworkApiKey, Scope

KEY_PREFIX = "pie_net_"


class ApiKeyCreate(SQLModel):
    name: Line = Field(max_length=100)  # no control or bidi-override characters
    scopes: list[Scope] = Field(min_length=1, description="What the key may do")
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be blank")
        return value


class ApiKeyPublic(SQLModel):
    id: int
    name: str
    display_prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedKey:
    record: NetworkApiKey
    key: str


def create_key(session: Session, settings: Settings, network: Network, creator: User | None,
               data: ApiKeyCreate) -> IssuedKey:
    assert network.id is not None
    key = security.new_secret_token(KEY_PREFIX)
    record = NetworkApiKey(
        network_id=network.id, name=data.name,
        display_prefix=key[: len(KEY_PREFIX) + 4],
        token_hash=security.keyed_hash(settings.secret_key, key),
        scopes=sorted({s.value for s in data.scopes}),
        created_by_id=creator.id if creator else None,
        expires_at=utcnow() + timedelta(days=data.expires_in_days)
        if data.expires_in_days else None,
    )
    session.add(record)
    session.flush()
    return IssuedKey(record, key)


def keys_of(session: Session, network: Network) -> list[NetworkApiKey]:
    return list(session.exec(select(NetworkApiKey).where(
        NetworkApiKey.network_id == network.id).order_by(col(NetworkApiKey.id).desc())).all())


def revoke_key(session: Session, network: Network, key_id: int) -> NetworkApiKey:
    record = session.get(NetworkApiKey, key_id)
    if record is None or record.network_id != network.id:
        raise NotFound("No such key.")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        session.add(record)
        session.flush()
    return record


def key_for_token(session: Session, settings: Settings, token: str
                  ) -> tuple[NetworkApiKey, Network] | None:
    """The live key behind a bearer token and its network, or None (unknown, revoked, expired)."""
    if not token.startswith(KEY_PREFIX):
        return None
    row = session.exec(
        select(NetworkApiKey, Network).join(Network, col(Network.id) == NetworkApiKey.network_id)
        .where(NetworkApiKey.token_hash == security.keyed_hash(settings.secret_key, token))
    ).first()
    if row is None:
        return None
    record, network = row
    now = utcnow()
    if record.revoked_at is not None or (record.expires_at and record.expires_at <= now):
        return None
    # Coarse last-used time: at most one write a minute keeps reads cheap.
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=1):
        touch(session, record, last_used_at=now)
    return record, network
