"""No N+1 on the read endpoints: the number of SQL statements a request runs does not grow with
the number of rows it returns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, event
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.profiles.models import Business
from tests.conftest import Client, _person
from tests.internships.conftest import TODAY, propose
from tests.support.factories import RAJEEV_CELLS, RAJEEV_FIRM, make_business


@contextmanager
def _counting(connection: Connection) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def _queries(client: Client, connection: Connection, path: str) -> int:
    client.get(path)  # warm: the matching index, the token's last-used stamp
    with _counting(connection) as statements:
        response = client.get(path)
    assert response.status_code == 200, response.text
    return len(statements)


def _token_client(client: Client, session: Session, settings: Settings, user: User) -> Client:
    issued = accounts_service.create_api_token(session, settings, user,
                                               ApiTokenCreate(name="query count"))
    session.commit()
    return client.use_token(issued.token)


def test_the_internships_list_costs_the_same_for_one_or_four(
        client: Client, session: Session, settings: Settings, connection: Connection,
        afreen: User, afreen_firm: Business, rajeev_firm: Business, meera: User,
        arjun: User) -> None:
    api = _token_client(client, session, settings, afreen)
    propose(session, afreen, afreen_firm, rajeev_firm, meera, arjun)
    one = _queries(api, connection, "/api/v1/internships")
    for n in range(3):
        start = TODAY + timedelta(days=30 * (n + 1))
        propose(session, afreen, afreen_firm, rajeev_firm, meera, arjun,
                title=f"Round {n} of content work", start_date=start.isoformat(),
                end_date=(start + timedelta(days=4)).isoformat())
    assert len(api.get("/api/v1/internships").json()["items"]) == 4
    assert _queries(api, connection, "/api/v1/internships") == one


def test_the_directory_and_suggestions_cost_the_same_for_few_or_many_firms(
        client: Client, session: Session, settings: Settings, connection: Connection,
        afreen: User, afreen_firm: Business, rajeev_firm: Business) -> None:
    api = _token_client(client, session, settings, afreen)
    paths = ["/api/v1/businesses?limit=20", f"/api/v1/businesses/{afreen_firm.slug}",
             f"/api/v1/businesses/{afreen_firm.slug}/matrix",
             f"/api/v1/businesses/{afreen_firm.slug}/suggestions?limit=20"]
    few = [_queries(api, connection, p) for p in paths]
    for n in range(4):
        owner = _person(session, f"owner{n}@ux.example", f"Owner {n}")
        make_business(session, owner, RAJEEV_CELLS,
                      **{**RAJEEV_FIRM, "name": f"UX Studio {n}",
                         "website": f"https://ux{n}.example"})
    session.commit()
    assert len(api.get("/api/v1/businesses?limit=20").json()["items"]) >= 6
    assert len(api.get(f"/api/v1/businesses/{afreen_firm.slug}/suggestions?limit=20")
               .json()["items"]) >= 2
    many = [_queries(api, connection, p) for p in paths]
    assert many == few
