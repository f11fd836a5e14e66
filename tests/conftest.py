"""Test harness: the schema is built by the Alembic migrations, once per backend (SQLite and a
real PostgreSQL server), and every test runs inside a transaction that is rolled back.

Personas (Healthchecks style): Afreen owns the gig-staffing firm (`afreen_firm`), where Farah is
a manager and Meera an intern; Rajeev owns the UI/UX consultancy (`rajeev_firm`), where Arjun is a
manager; Charlie is a stranger with an account, and Ada is a platform admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlmodel import Session

from exchange import migrate, security
from exchange.accounts import service as accounts_service
from exchange.accounts.deps import SESSION_COOKIE
from exchange.accounts.models import BusinessRole, User
from exchange.config import Settings
from exchange.db import get_session, make_test_engine
from exchange.jobs import wire
from exchange.main import create_app
from exchange.profiles.models import Business
from exchange.web.render import CSRF_COOKIE
from tests.support.factories import (
    AFREEN_CELLS,
    AFREEN_FIRM,
    RAJEEV_CELLS,
    RAJEEV_FIRM,
    add_member,
    make_business,
)
from tests.support.postgres import PostgresServer, start_postgres

BACKENDS = ["sqlite", "postgresql"]
PASSWORD = "correct horse battery staple"
TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
CSRF_NONCE = "test-csrf-nonce"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Still argon2id, with tiny costs: hashing speed is not what the tests check."""
    original = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = original


@pytest.fixture(scope="session", autouse=True)
def _wired() -> None:
    """Event subscribers, as every process entry point installs them (exchange.jobs.wire)."""
    wire()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A database built by running every migration; one per backend for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database("exchange_test")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_test_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


def _savepoint_session(connection: Connection) -> Session:
    # Commits inside the code under test release a SAVEPOINT; the outer transaction is rolled
    # back after the test, so every test starts from the migrated, empty schema.
    return Session(bind=connection, join_transaction_mode="create_savepoint",
                   expire_on_commit=False)


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with _savepoint_session(connection) as s:
        yield s


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        data_dir=tmp_path,
        public_base_url="http://testserver",
    )


@pytest.fixture
def app(settings: Settings, engine: Engine, connection: Connection) -> FastAPI:
    app = create_app(settings, engine=engine)

    def session_on_test_connection() -> Iterator[Session]:
        with _savepoint_session(connection) as s:
            try:
                yield s
            except BaseException:
                s.rollback()
                raise
            else:
                s.commit()

    app.dependency_overrides[get_session] = session_on_test_connection
    return app


class Client(TestClient):
    """A browser-like client: knows the CSRF token and can log a persona in."""

    def __init__(self, app: FastAPI, settings: Settings, session: Session,
                 address: str = "testclient"):
        # `address`: the client's IP as the server sees it (log-in throttling counts by it).
        super().__init__(app, base_url="http://testserver", follow_redirects=False,
                         client=(address, 50000))
        self.settings = settings
        self.db = session
        self.cookies.set(CSRF_COOKIE, CSRF_NONCE)

    @property
    def csrf_token(self) -> str:
        """What the pages render for this browser: bound to its session cookie, if any."""
        sessions = [c.value for c in self.cookies.jar if c.name == SESSION_COOKIE]
        return security.csrf_token_for(self.settings.secret_key, CSRF_NONCE,
                                       (sessions[-1] if sessions else None) or "")

    def login(self, user: User) -> Client:
        token = accounts_service.start_session(self.db, self.settings, user)
        self.db.commit()
        self.cookies.set(SESSION_COOKIE, token)
        return self

    def use_token(self, token: str) -> Client:
        self.headers["Authorization"] = f"Bearer {token}"
        return self

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form the way the page would, CSRF token included."""
        return self.post(url, data={"csrf_token": self.csrf_token, **(data or {})}, **kwargs)


@pytest.fixture
def client(app: FastAPI, settings: Settings, session: Session) -> Iterator[Client]:
    with Client(app, settings, session) as c:
        yield c


@pytest.fixture
def make_client(app: FastAPI, settings: Settings, session: Session) -> Iterator[Any]:
    """For tests that need several people at once: make_client(afreen), make_client(None)."""
    clients: list[Client] = []

    def _make(user: User | None = None) -> Client:
        c = Client(app, settings, session)
        c.__enter__()
        clients.append(c)
        return c.login(user) if user is not None else c

    yield _make
    for c in clients:
        c.__exit__(None, None, None)


def _person(session: Session, email: str, name: str, *, admin: bool = False) -> User:
    user = accounts_service.sign_up(
        session, email=email, display_name=name, password=PASSWORD, is_admin=admin
    )
    session.commit()
    return user


@pytest.fixture
def afreen(session: Session) -> User:
    return _person(session, "afreen@gigstaff.example", "Afreen Sheikh")


@pytest.fixture
def rajeev(session: Session) -> User:
    return _person(session, "rajeev@uxconsult.example", "Rajeev Menon")


@pytest.fixture
def meera(session: Session) -> User:
    return _person(session, "meera@gigstaff.example", "Meera Joshi")


@pytest.fixture
def charlie(session: Session) -> User:
    return _person(session, "charlie@stranger.example", "Charlie Stranger")


@pytest.fixture
def ada(session: Session) -> User:
    return _person(session, "ada@platform.example", "Ada Admin", admin=True)


@pytest.fixture
def farah(session: Session) -> User:
    return _person(session, "farah@gigstaff.example", "Farah Khan")


@pytest.fixture
def arjun(session: Session) -> User:
    return _person(session, "arjun@uxconsult.example", "Arjun Rao")


@pytest.fixture
def afreen_firm(session: Session, afreen: User, farah: User, meera: User) -> Business:
    firm = make_business(session, afreen, AFREEN_CELLS, **AFREEN_FIRM)
    add_member(session, firm, farah, BusinessRole.manager)
    add_member(session, firm, meera, BusinessRole.intern)
    return firm


@pytest.fixture
def rajeev_firm(session: Session, rajeev: User, arjun: User) -> Business:
    firm = make_business(session, rajeev, RAJEEV_CELLS, **RAJEEV_FIRM)
    add_member(session, firm, arjun, BusinessRole.manager)
    return firm
