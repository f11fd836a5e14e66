"""Issue 17, points 3 and 11, across the API: strict types (no text or booleans as numbers),
every integer within the database's range, no control or bidi-override character in any text —
in a body, a path or a query — and the same 422 problem+json naming the field on SQLite and
PostgreSQL (PostgreSQL refused NUL itself: a 500 there, a stored NUL on SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiToken, ApiTokenCreate, User
from exchange.config import Settings
from exchange.profiles.models import Business
from tests.conftest import Client

BEYOND_BIGINT = "9223372036854775808"
NEW_BUSINESS: dict[str, Any] = {
    "name": "Kavya Logistics", "isic_class": "4923", "country": "IN", "region": "Maharashtra",
    "city": "Pune", "market_reach": "regional", "size_band": "10-49", "languages": ["en"],
    "hosting_capacity": 2,
}


@pytest.fixture
def api(make_client: Callable[..., Client], session: Session,
        settings: Settings) -> Callable[[User], Client]:
    def _as(user: User) -> Client:
        issued = accounts_service.create_api_token(session, settings, user,
                                                   ApiTokenCreate(name="tests"))
        session.commit()
        return make_client().use_token(issued.token)

    return _as


def fields_of(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _businesses(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Business)).one()


@pytest.mark.parametrize("capacity", ["2", True, 2.5])
def test_hosting_capacity_is_a_json_integer(api: Callable[[User], Client], session: Session,
                                            afreen: User, capacity: Any) -> None:
    r = api(afreen).post("/api/v1/businesses", json={**NEW_BUSINESS,
                                                     "hosting_capacity": capacity})
    assert "hosting_capacity" in fields_of(r)
    assert _businesses(session) == 0


def test_hosting_capacity_as_text_is_refused_on_patch_too(
        api: Callable[[User], Client], afreen: User, afreen_firm: Business) -> None:
    r = api(afreen).patch(f"/api/v1/businesses/{afreen_firm.slug}",
                          json={"hosting_capacity": True})
    assert fields_of(r) == {"hosting_capacity": "must be an integer, not true or false"}


@pytest.mark.parametrize(("name", "code"), [("Kavya\x00Logistics", "U+0000"),
                                            ("Kavya \u202escitsigoL", "U+202E"),
                                            ("Kavya\x1bLogistics", "U+001B")])
def test_names_with_control_or_bidi_override_characters_are_refused(
        api: Callable[[User], Client], session: Session, afreen: User, name: str,
        code: str) -> None:
    for field in ("name", "city", "region", "description"):
        r = api(afreen).post("/api/v1/businesses", json={**NEW_BUSINESS, field: name})
        assert code in fields_of(r)[field]
    assert _businesses(session) == 0


def test_a_token_lifetime_is_a_number_of_days(api: Callable[[User], Client], session: Session,
                                              afreen: User) -> None:
    client = api(afreen)
    before = session.exec(select(func.count()).select_from(ApiToken)).one()
    for days in (True, "30"):
        r = client.post("/api/v1/me/tokens", json={"name": "ci", "expires_in_days": days})
        assert "expires_in_days" in fields_of(r)
    assert session.exec(select(func.count()).select_from(ApiToken)).one() == before


@pytest.mark.parametrize("slug", ["afreen%00talent", "afreen%E2%80%AEtalent"])
def test_control_characters_in_a_path_are_refused_before_any_lookup(
        api: Callable[[User], Client], afreen: User, slug: str) -> None:
    r = api(afreen).get(f"/api/v1/businesses/{slug}")
    assert "slug" in fields_of(r)


def test_control_characters_in_a_query_are_refused(api: Callable[[User], Client],
                                                   afreen: User) -> None:
    r = api(afreen).get("/api/v1/businesses", params={"q": "kav\x00ya"})
    assert "U+0000" in fields_of(r)["q"]
    r = api(afreen).get("/api/v1/internships", params={"business": "x\u202ey"})
    assert "U+202E" in fields_of(r)["business"]


def test_a_page_address_with_nul_is_not_a_server_error(make_client: Callable[..., Client],
                                                       afreen: User) -> None:
    assert make_client(afreen).get("/businesses/afreen%00talent").status_code == 422


def test_offsets_beyond_the_database_integer_are_refused(api: Callable[[User], Client],
                                                         ada: User) -> None:
    r = api(ada).get("/api/v1/taxonomy/processes", params={"offset": BEYOND_BIGINT})
    assert "offset" in fields_of(r)


def test_a_body_nested_50000_deep_is_a_client_error(api: Callable[[User], Client],
                                                    afreen: User) -> None:
    r = api(afreen).post("/api/v1/businesses", content="[" * 50_000 + "]" * 50_000,
                         headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, r.text


def test_text_in_a_path_is_bounded(api: Callable[[User], Client], afreen: User) -> None:
    r = api(afreen).get("/api/v1/businesses/" + "a" * 5_000)
    assert fields_of(r) == {"slug": "must be at most 200 characters"}


def test_a_method_not_allowed_lists_every_method_of_the_path(
        api: Callable[[User], Client], afreen: User) -> None:
    """RFC 9110: `Allow` names what the resource supports — GET and POST of /me/tokens are two
    routes, and Starlette named only the first."""
    r = api(afreen).put("/api/v1/me/tokens")
    assert r.status_code == 405
    assert {"GET", "POST"} <= set(r.headers["allow"].split(", "))
    assert "allow" in {k.lower() for k in api(afreen).request("TRACE", "/healthz").headers}
