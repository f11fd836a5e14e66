"""Issue 17, points 3 and 11, on the internship API: the inputs that answered 500 (an id beyond
the database's integer, a success criterion the schema let through and the model refused) and
the lax ones (ids as text or booleans, control and bidi-override characters) answer 422
problem+json naming the field — on SQLite and PostgreSQL alike — and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.internships.models import Internship, Objective
from exchange.profiles.models import Business
from tests.conftest import Client
from tests.internships.conftest import proposal_data

BEYOND_BIGINT = 9223372036854775808  # the audit's value: one past a signed 64-bit integer


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


def _internships(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Internship)).one()


def test_a_cursor_beyond_the_database_integer_is_refused(
        api: Callable[[User], Client], afreen: User) -> None:
    r = api(afreen).get("/api/v1/internships", params={"cursor": str(BEYOND_BIGINT)})
    assert "cursor" in fields_of(r)


@pytest.mark.parametrize("intern_id", [BEYOND_BIGINT, 2**31, True, "12"])
def test_an_intern_id_must_be_a_real_id(
        api: Callable[[User], Client], session: Session, afreen: User,
        afreen_firm: Business, rajeev_firm: Business, intern_id: Any) -> None:
    body = proposal_data(host=rajeev_firm.slug, intern_id=intern_id)
    r = api(afreen).post(f"/api/v1/businesses/{afreen_firm.slug}/internships", json=body)
    assert "intern_id" in fields_of(r)
    assert _internships(session) == 0


def test_a_mentor_id_beyond_the_database_integer_is_refused(
        api: Callable[[User], Client], rajeev: User, internship: Internship) -> None:
    r = api(rajeev).post(f"/api/v1/internships/{internship.id}/mentor",
                         json={"mentor_id": BEYOND_BIGINT})
    assert "mentor_id" in fields_of(r)


def test_a_success_criterion_of_blanks_is_measured_after_trimming(
        api: Callable[[User], Client], session: Session, afreen: User,
        internship: Internship) -> None:
    """The schema checked the length of "  a  " (5), the service's model that of "a" (1): 500."""
    body = proposal_data(objectives=[{"statement": "Plan a monthly content calendar",
                                      "success_criterion": "  a  "}])
    del body["host"]
    r = api(afreen).put(f"/api/v1/internships/{internship.id}/agreement", json=body)
    assert fields_of(r) == {
        "objectives[0].success_criterion":
            "Objective 1: the success criterion must be at least 3 characters."}
    session.expire_all()
    assert session.get(Internship, internship.id).agreement_version == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "code"), [("Calendar\x00plan", "U+0000"),
                                            ("Calendar \u202egnp.exe", "U+202E")])
def test_control_and_bidi_override_characters_are_refused_in_every_text_field(
        api: Callable[[User], Client], session: Session, afreen: User,
        afreen_firm: Business, rajeev_firm: Business, meera: User, text: str,
        code: str) -> None:
    """PostgreSQL itself refuses NUL (it was a 500 there); SQLite stored it. Both answer 422."""
    client = api(afreen)
    url = f"/api/v1/businesses/{afreen_firm.slug}/internships"
    for field in ("title", "schedule_notes", "confidentiality_terms"):
        body = proposal_data(host=rajeev_firm.slug, intern_id=meera.id, **{field: text})
        assert code in fields_of(client.post(url, json=body))[field]
    objective = {"statement": text, "success_criterion": "A calendar approved by Afreen"}
    body = proposal_data(host=rajeev_firm.slug, intern_id=meera.id, objectives=[objective])
    assert code in fields_of(client.post(url, json=body))["objectives[0].statement"]
    assert _internships(session) == 0
    assert session.exec(select(func.count()).select_from(Objective)).one() == 0


def test_expected_version_is_a_number_not_text_or_a_boolean(
        api: Callable[[User], Client], afreen: User, internship: Internship) -> None:
    url = f"/api/v1/internships/{internship.id}/actions"
    for value in ("1", True):
        r = api(afreen).post(url, json={"action": "withdraw", "expected_version": value})
        assert "expected_version" in fields_of(r)


def test_dates_are_iso_text_not_a_count_of_seconds(
        api: Callable[[User], Client], afreen: User, afreen_firm: Business,
        rajeev_firm: Business, meera: User) -> None:
    body = proposal_data(host=rajeev_firm.slug, intern_id=meera.id, start_date=0)
    r = api(afreen).post(f"/api/v1/businesses/{afreen_firm.slug}/internships", json=body)
    assert fields_of(r)["start_date"] == "must be an ISO 8601 date (YYYY-MM-DD)"
