"""The real service in a subprocess, for tests that drive it from outside (a browser, an HTTP
client): `python -m exchange.cli serve` on a free local port, with its own data directory, SQLite
file and secret key, exactly as an operator would start it.

`run_cli` runs other `exchange` commands (`demo`, `users create-admin`, ...) against the same
database, before or while the server runs.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

READY_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_environment(data_dir: Path, port: int, **overrides: str) -> dict[str, str]:
    """The process environment minus any EXCHANGE_* of the developer's shell, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    env.update({
        "EXCHANGE_DATA_DIR": str(data_dir),
        "EXCHANGE_DATABASE_URL": f"sqlite:///{data_dir / 'e.sqlite3'}",
        "EXCHANGE_SECRET_KEY": secrets.token_urlsafe(48),
        "EXCHANGE_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(overrides)
    return env


@dataclass
class LiveServer:
    base_url: str
    data_dir: Path
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    serve_args: tuple[str, ...] = ()  # more options of `exchange serve`, e.g. ("--no-jobs",)

    @property
    def database_url(self) -> str:
        return self.env["EXCHANGE_DATABASE_URL"]

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def log(self) -> str:
        """What the server wrote to stdout and stderr so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def run_cli(
        self, *args: str, check: bool = True, timeout: float = 120, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`exchange <args>` with the server's settings, e.g. run_cli("demo")."""
        return run_cli(self.env, self.data_dir, *args, check=check, timeout=timeout, input=input)

    def start(self, ready_timeout: float = READY_TIMEOUT_SECONDS) -> None:
        host, port = self.base_url.removeprefix("http://").split(":")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "exchange.cli", "serve", "--host", host, "--port", port,
                 *self.serve_args],
                env=self.env,
                # Not the project root: a developer's .env there must not leak into the test.
                cwd=self.data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            self._wait_until_ready(ready_timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        last_problem = "no answer yet"
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(
                    f"`exchange serve` exited with code {code} before it was ready.\n"
                    f"--- server output ---\n{self.log()}"
                )
            try:
                with urllib.request.urlopen(self.url("/readyz"), timeout=2) as response:
                    if response.status == 200:
                        return
                    last_problem = f"/readyz answered {response.status}"
            except urllib.error.HTTPError as exc:  # 503 while migrations are pending
                last_problem = f"/readyz answered {exc.code}: {exc.read()[:500]!r}"
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                last_problem = f"/readyz: {exc}"
            time.sleep(0.1)
        raise RuntimeError(
            f"`exchange serve` was not ready within {timeout:.0f} s ({last_problem}).\n"
            f"--- server output ---\n{self.log()}"
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_SECONDS)


def run_cli(
    env: dict[str, str],
    cwd: Path,
    *args: str,
    check: bool = True,
    timeout: float = 120,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "exchange.cli", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, input=input,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"`exchange {' '.join(args)}` failed with code {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result


def start_live_server(
    data_dir: Path, *, configure_base_url: bool = True, **env_overrides: str
) -> LiveServer:
    """Start `exchange serve` on a free port with a fresh SQLite database in DATA_DIR and wait
    until /readyz says the schema is migrated. Call `.stop()` when done. With
    `configure_base_url=False` EXCHANGE_PUBLIC_BASE_URL stays unset, as in `scripts/start.sh`,
    and `serve` derives it from its own --host and --port."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = server_environment(data_dir, port, **env_overrides)
    if not configure_base_url:
        env.pop("EXCHANGE_PUBLIC_BASE_URL")
    server = LiveServer(
        base_url=f"http://127.0.0.1:{port}",
        data_dir=data_dir,
        env=env,
        log_path=data_dir / "server.log",
    )
    server.start()
    return server
