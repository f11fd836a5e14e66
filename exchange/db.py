"""Engine, sessions and the constraint naming convention shared by models and migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel, create_engine

from exchange import security
from exchange.config import Settings

log = logging.getLogger("exchange.db")

# Named constraints make migrations reproducible across SQLite and PostgreSQL and let Alembic
# drop or alter a constraint by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    """Aware UTC; SQLModel stores it as UTC on SQLite and as timestamptz on PostgreSQL."""
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    # pysqlite's own implicit transactions break SAVEPOINT and transactional DDL; with the driver
    # in autocommit mode (set in _sqlite_pragmas) SQLAlchemy emits BEGIN itself, so nested
    # transactions and rollbacks behave as on PostgreSQL.
    connection.exec_driver_sql("BEGIN")


READ_ONLY_OPTION = "sqlite_deferred"


def _sqlite_begin_immediate(connection: Any) -> None:
    # A deferred transaction that reads and then writes fails at once with "database is locked"
    # (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not wait out) when another connection wrote
    # in between — a log-in racing the webhook worker, say. Taking the write lock at BEGIN makes
    # writers queue behind each other for up to busy_timeout instead; WAL readers never block.
    # Reading requests (GET) say so (READ_ONLY_OPTION) and stay deferred, so that they never
    # queue behind writers; their only writes are best-effort stamps (`touch`).
    if connection.get_execution_options().get(READ_ONLY_OPTION):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, sqlite_immediate: bool = True, **kwargs: Any) -> Engine:
    """`sqlite_immediate`: every SQLite transaction takes the write lock when it begins (see
    `_sqlite_begin_immediate`); the service, its workers and the CLI use it. PostgreSQL needs
    nothing of the kind (row locks and MVCC)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            security.create_private_file(Path(parsed.database))  # 0600, not the umask's 0644
        else:
            # An in-memory database lives in one connection (SingletonThreadPool), which takes
            # no queue-pool sizing: the schema-only apps of the fuzz tests use one.
            for option in ("pool_size", "max_overflow", "pool_timeout"):
                kwargs.pop(option, None)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin",
                     _sqlite_begin_immediate if sqlite_immediate else _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def pool_options(settings: Settings) -> dict[str, Any]:
    """The pool of one process, sized for its request limit (exchange/loadshed.py): one
    connection per running request, overflow for the second connection of an Idempotency-Key
    claim, and a short timeout so that a pool that is exhausted anyway answers 503 at once."""
    return {"pool_size": settings.max_concurrent_requests,
            "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout_seconds}


def engine_for(settings: Settings) -> Engine:
    """The engine of a service or worker process."""
    return make_engine(settings.database_url, **pool_options(settings))


def make_test_engine(url: str) -> Engine:
    # The in-process tests wrap each test in one outer transaction on one connection (see
    # tests/conftest.py); an immediate write lock there would block every other connection a
    # test opens for its whole duration, so these stay deferred.
    return make_engine(url, poolclass=NullPool, sqlite_immediate=False)


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; the request boundary commits once, services only flush."""
    with Session(get_engine(request), expire_on_commit=False) as session:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            session.connection(execution_options={READ_ONLY_OPTION: True})
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        else:
            session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def touch(session: Session, row: Any, **values: Any) -> None:
    """A best-effort bookkeeping write (a last-used time) that must never fail the request it
    rides on: in a savepoint, so that if SQLite refuses it (a reading request's transaction that
    another connection wrote past), it is skipped and the next request stamps it instead."""
    from sqlalchemy.exc import OperationalError

    try:
        with session.begin_nested():
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)
    except OperationalError:
        log.info("skipped a bookkeeping write on %s (database busy)", type(row).__name__)
