"""A throw-away PostgreSQL server for the test run.

Uses EXCHANGE_TEST_DATABASE_URL when set (a server you run); otherwise starts the Debian
PostgreSQL binaries on a free local port in a temporary directory. PostgreSQL refuses to run as
root, so as root the server runs as the `postgres` user through `runuser`. A missing server is
an error, never a silent skip: the suite promises to run on PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


@dataclass
class PostgresServer:
    admin_url: str  # psycopg conninfo URL to the `postgres` database
    host: str
    port: int
    user: str
    password: str
    data_dir: Path | None = None
    _as_user: list[str] | None = None

    def sqlalchemy_url(self, database: str) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{suffix}')
        return self.sqlalchemy_url(name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.data_dir is None:
            return
        subprocess.run(
            [*(self._as_user or []), _pg_bin("pg_ctl"), "-D", str(self.data_dir), "-m", "immediate",
             "stop"],
            check=False, capture_output=True,
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def _pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise RuntimeError(
            f"PostgreSQL's `{name}` is not installed. Run `bash scripts/test.sh` (it installs "
            "the `postgresql` package) or set EXCHANGE_TEST_DATABASE_URL to a server you run."
        )
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_postgres() -> PostgresServer:
    url = os.environ.get("EXCHANGE_TEST_DATABASE_URL")
    if url:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        admin = parsed.set(drivername="postgresql", database="postgres")
        return PostgresServer(
            admin_url=admin.render_as_string(hide_password=False),
            host=parsed.host or "127.0.0.1", port=parsed.port or 5432,
            user=parsed.username or "postgres", password=parsed.password or "",
        )

    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="exchange-pg-"))
    data_dir = root / "data"
    if as_user:
        shutil.chown(root, "postgres")
    root.chmod(0o755)
    subprocess.run(
        [*as_user, _pg_bin("initdb"), "-D", str(data_dir), "-U", "postgres", "-A", "trust",
         "-E", "UTF8", "--no-sync"],
        check=True, capture_output=True,
    )
    port = _free_port()
    log = root / "server.log"
    subprocess.run(
        [*as_user, _pg_bin("pg_ctl"), "-D", str(data_dir), "-l", str(log), "-w", "-t", "60",
         "-o", f"-p {port} -k {root} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200",
         "start"],
        check=True, capture_output=True,
    )
    server = PostgresServer(
        admin_url=f"postgresql://postgres@127.0.0.1:{port}/postgres",
        host="127.0.0.1", port=port, user="postgres", password="",
        data_dir=data_dir, _as_user=as_user,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(server.admin_url).close()
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    return server
