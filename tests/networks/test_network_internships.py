"""Network reads of internships and the network report: the Pune chamber's key follows the
internships its member Afreen's firm sends (to Rajeev's firm, not a member), and sees nothing of
an internship between non-members, nor anything the parties keep to themselves."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from exchange.accounts.models import BusinessRole, User
from exchange.config import Settings
from exchange.internships import feedback, report
from exchange.internships.models import FeedbackKind, Internship
from exchange.internships.progress_schemas import RatingIn
from exchange.internships.report_api import AggregateOut
from exchange.networks import service
from exchange.networks.models import Network, Scope
from exchange.profiles.models import Business
from tests.conftest import Client, _person
from tests.internships.conftest import TODAY, propose
from tests.internships.progress_helpers import plan_data
from tests.networks.factories import make_key
from tests.support.factories import AFREEN_CELLS, AFREEN_FIRM, add_member, make_business

BASE = "/api/v1/networks/pune-chamber"
INTERNSHIPS = f"{BASE}/internships"
SECRET_COMMENT = "Only for the parties: the mentor was late twice"


def _join(session: Session, network: Network, business: Business, external_id: str) -> None:
    service.add_member(session, network, business, external_id, managed=False)
    session.commit()


@pytest.fixture
def afreen_in_pune(session: Session, pune_chamber: Network, afreen_firm: Business) -> None:
    _join(session, pune_chamber, afreen_firm, "afreen")


@pytest.fixture
def outsiders_internship(session: Session, rajeev_firm: Business, rajeev: User) -> Internship:
    """Rajeev's firm sends Ian to a third firm: no member of the Pune chamber takes part."""
    tara = _person(session, "tara@third.example", "Tara Third")
    third = make_business(session, tara, AFREEN_CELLS,
                          **{**AFREEN_FIRM, "name": "Third Talent", "slug": "third-talent"})
    ian = _person(session, "ian@rajeev-ux.example", "Ian Intern")
    add_member(session, rajeev_firm, ian, BusinessRole.intern)
    return propose(session, rajeev, rajeev_firm, third, ian)


def _ids(client: Client, url: str, **params: Any) -> list[int]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_key_sees_the_internships_of_its_members_only(
    api: Client, afreen_in_pune: None, internship: Internship,
    outsiders_internship: Internship,
) -> None:
    response = api.get(INTERNSHIPS)
    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    assert item["id"] == internship.id and item["state"] == "proposed"
    assert item["home"] == {"external_id": "afreen", "slug": "afreen-talent-studio",
                            "name": "Afreen Talent Studio"}
    assert item["host"]["external_id"] is None  # Rajeev's firm is not a member
    assert item["host"]["slug"] == "rajeev-ux-consultancy"
    assert item["focus_processes"] == ["marketing.content_marketing",
                                       "marketing.lead_generation"]
    assert item["agreement_version"] == 1 and item["duration_days"] == 5
    assert api.get(f"{INTERNSHIPS}/{internship.id}").json() == item
    outside = api.get(f"{INTERNSHIPS}/{outsiders_internship.id}")
    assert outside.status_code == 404
    assert outside.headers["content-type"].startswith("application/problem+json")
    assert api.get(f"{INTERNSHIPS}/999999").json()["detail"] == outside.json()["detail"]


def test_the_host_side_counts_as_involving_a_member(
    api: Client, session: Session, pune_chamber: Network, rajeev_firm: Business,
    internship: Internship,
) -> None:
    _join(session, pune_chamber, rajeev_firm, "rajeev")
    (item,) = api.get(INTERNSHIPS).json()["items"]
    assert item["host"]["external_id"] == "rajeev" and item["home"]["external_id"] is None


def test_another_networks_key_sees_none_of_it(
    key_client: Callable[[str], Client], mumbai_key: str, afreen_in_pune: None,
    internship: Internship,
) -> None:
    mumbai = key_client(mumbai_key)
    for url in (INTERNSHIPS, f"{INTERNSHIPS}/{internship.id}", f"{BASE}/reports",
                f"{BASE}/reports.csv"):
        assert mumbai.get(url).status_code == 404, url
    own = "/api/v1/networks/mumbai-guild/internships"
    assert mumbai.get(f"{own}/{internship.id}").status_code == 404
    assert mumbai.get(own).json()["items"] == []


def test_a_key_without_the_scope_gets_403(
    session: Session, settings: Settings, pune_chamber: Network, afreen_in_pune: None,
    internship: Internship, key_client: Callable[[str], Client],
) -> None:
    members_only = key_client(make_key(session, settings, pune_chamber, [Scope.members_read],
                                       name="members only"))
    for url in (INTERNSHIPS, f"{INTERNSHIPS}/{internship.id}", f"{BASE}/reports"):
        assert members_only.get(url).status_code == 403, url
    internships_only = key_client(make_key(session, settings, pune_chamber,
                                           [Scope.internships_read], name="internships"))
    assert internships_only.get(INTERNSHIPS).status_code == 200
    assert internships_only.get(f"{BASE}/reports").status_code == 403


def test_pages_return_every_internship_exactly_once_newest_first(
    api: Client, session: Session, afreen_in_pune: None, internship: Internship,
    afreen: User, afreen_firm: Business, rajeev_firm: Business, meera: User,
) -> None:
    more = [propose(session, afreen, afreen_firm, rajeev_firm, meera, title=f"Round {n}")
            for n in range(6)]
    expected = sorted([internship.id, *(i.id for i in more)], reverse=True)
    seen: list[int] = []
    url: str | None = f"{INTERNSHIPS}?limit=3"
    pages = 0
    while url and pages < 10:
        page = api.get(url).json()
        seen += [item["id"] for item in page["items"]]
        url, pages = page["next"], pages + 1
    assert seen == expected
    assert pages == 3


def test_filters_by_state_and_member(
    api: Client, session: Session, afreen_in_pune: None, completed_internship: Internship,
    afreen: User, afreen_firm: Business, rajeev_firm: Business, meera: User,
) -> None:
    proposed = propose(session, afreen, afreen_firm, rajeev_firm, meera, title="Another one")
    assert _ids(api, INTERNSHIPS, state="completed") == [completed_internship.id]
    assert _ids(api, INTERNSHIPS, state=["proposed", "completed"]) == [
        proposed.id, completed_internship.id]
    assert _ids(api, INTERNSHIPS, member="afreen", state="proposed") == [proposed.id]
    unknown = api.get(INTERNSHIPS, params={"member": "nobody"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "member"
    bad_state = api.get(INTERNSHIPS, params={"state": "dreaming"})
    assert bad_state.status_code == 422
    forged = api.get(INTERNSHIPS, params={"cursor": "bTE"})  # a members-list cursor
    assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "cursor"


def test_one_internship_has_an_etag_and_answers_304_until_it_changes(
    api: Client, session: Session, afreen_in_pune: None, internship: Internship,
    afreen: User,
) -> None:
    from exchange.internships import service as internships_service

    url = f"{INTERNSHIPS}/{internship.id}"
    first = api.get(url)
    etag = first.headers["etag"]
    assert api.get(url, headers={"If-None-Match": etag}).status_code == 304
    internships_service.accept(session, internship, afreen)
    session.commit()
    changed = api.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


@pytest.fixture
def with_private_content(session: Session, plan_approved_internship: Internship,
                         meera: User) -> Internship:
    feedback.submit(session, plan_approved_internship, meera, FeedbackKind.intern_reaction,
                    RatingIn(rating=5, comment=SECRET_COMMENT))
    session.commit()
    return plan_approved_internship


def test_nothing_private_leaks(
    api: Client, afreen_in_pune: None, with_private_content: Internship, meera: User,
) -> None:
    plan = plan_data()
    private = [SECRET_COMMENT, plan["current_state"], plan["target_state"], plan["risks"],
               plan["steps"][0]["action"], plan["kpis"][0]["name"], meera.email,
               meera.display_name, "Client names and rates stay confidential",
               "Plan a monthly content calendar"]
    bodies = [api.get(INTERNSHIPS).text, api.get(f"{INTERNSHIPS}/{with_private_content.id}").text,
              api.get(f"{BASE}/reports").text, api.get(f"{BASE}/reports.csv").text]
    assert str(with_private_content.id) in bodies[0]  # the internship itself is listed
    for body in bodies:
        for text in private:
            assert text not in body, text


def test_the_report_matches_report_aggregate_for_the_members(
    api: Client, session: Session, pune_chamber: Network, afreen_in_pune: None,
    rajeev_firm: Business, afreen_firm: Business, with_private_content: Internship,
) -> None:
    _join(session, pune_chamber, rajeev_firm, "rajeev")  # a member that sent nothing
    response = api.get(f"{BASE}/reports")
    assert response.status_code == 200, response.text
    body = response.json()
    expected = AggregateOut.model_validate(
        report.aggregate(session, [afreen_firm.id or 0, rajeev_firm.id or 0])).model_dump(
        mode="json")
    assert body["totals"] == expected
    assert body["totals"]["internships"] == 1 and body["totals"]["intern_rating"] == 5
    by_member = {m["external_id"]: m for m in body["members"]}
    assert list(by_member) == ["afreen", "rajeev"]
    assert by_member["afreen"]["totals"] == expected
    assert by_member["rajeev"]["totals"]["internships"] == 0
    assert by_member["rajeev"]["totals"]["intern_rating"] is None


def test_the_report_filters_by_start_date_and_has_a_csv(
    api: Client, afreen_in_pune: None, with_private_content: Internship,
) -> None:
    start = with_private_content.start_date
    assert api.get(f"{BASE}/reports", params={"since": start.isoformat()}).json()[
        "totals"]["internships"] == 1
    assert api.get(f"{BASE}/reports", params={"until": TODAY.isoformat()}).json()[
        "totals"]["internships"] == (1 if start <= TODAY else 0)
    a_year_later = (start + timedelta(days=400)).isoformat()
    later = api.get(f"{BASE}/reports", params={"since": a_year_later}).json()
    assert later["totals"]["internships"] == 0
    assert later["members"][0]["totals"]["internships"] == 0
    upside_down = api.get(f"{BASE}/reports", params={"since": "2026-05-01",
                                                     "until": "2026-04-01"})
    assert upside_down.status_code == 422 and upside_down.json()["errors"][0]["field"] == "until"
    response = api.get(f"{BASE}/reports.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["external_id"] for r in rows] == ["afreen", "total"]
    assert rows[0]["internships"] == rows[1]["internships"] == "1"
    assert rows[0]["intern_rating"] == "5"
