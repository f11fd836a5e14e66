"""/api/v1/internships with personal tokens: proposing, reading, the agreement, acting, the
timeline and the inbox. Refusals are problem+json (409 for the state, 403 for the role, 404 for
people who do not take part, 422 naming the field) and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, BusinessRole, User
from exchange.config import Settings
from exchange.internships.models import Internship, InternshipEvent
from exchange.notifications.models import Notification
from exchange.profiles.models import Business
from tests.conftest import PASSWORD, Client
from tests.internships.conftest import TODAY, proposal_data
from tests.support.factories import add_member

PROBLEM = "application/problem+json"


@pytest.fixture
def api(make_client: Callable[..., Client], session: Session,
        settings: Settings) -> Callable[[User], Client]:
    def _as(user: User) -> Client:
        issued = accounts_service.create_api_token(session, settings, user,
                                                   ApiTokenCreate(name="tests"))
        session.commit()
        return make_client().use_token(issued.token)

    return _as


def _state(session: Session, internship: Internship) -> tuple[str, int, int]:
    session.expire_all()
    row = session.get(Internship, internship.id)
    assert row is not None
    return row.state, row.version, row.agreement_version


def _events(session: Session, internship: Internship) -> int:
    return session.exec(select(func.count()).select_from(InternshipEvent).where(
        InternshipEvent.internship_id == internship.id)).one()


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


# -- proposing ---------------------------------------------------------------------------------


def test_owner_proposes_and_every_party_sees_it(
        api: Callable[[User], Client], afreen: User, rajeev: User, meera: User, arjun: User,
        farah: User, afreen_firm: Business, rajeev_firm: Business, session: Session) -> None:
    body = proposal_data(host=rajeev_firm.slug, intern_id=meera.id)
    r = api(farah).post(f"/api/v1/businesses/{afreen_firm.slug}/internships", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["state"] == "proposed"
    assert created["home"]["slug"] == afreen_firm.slug
    assert created["host"]["slug"] == rajeev_firm.slug
    assert created["mentor"] is None
    assert created["your_roles"] == ["home_owner"]
    assert created["your_actions"] == ["edit_agreement", "accept", "withdraw"]
    assert [o["statement"] for o in created["objectives"]] == [
        o["statement"] for o in body["objectives"]]
    assert {f["key"] for f in created["focus_processes"]} == set(body["focus_processes"])
    assert created["duration_days"] == 5
    for person, roles in ((rajeev, ["host_owner"]), (meera, ["intern"]),
                          (arjun, ["host_owner"]), (afreen, ["home_owner"])):
        seen = api(person).get(f"/api/v1/internships/{created['id']}")
        assert seen.status_code == 200, seen.text
        assert seen.json()["your_roles"] == roles
    # The intern sees nothing of either business's matrix.
    mine = api(meera).get(f"/api/v1/internships/{created['id']}").json()
    assert all(f["home_level_at_proposal"] is None and f["host_level_at_proposal"] is None
               for f in mine["focus_processes"])
    owners = api(afreen).get(f"/api/v1/internships/{created['id']}").json()
    assert {f["key"]: f["home_level_at_proposal"] for f in owners["focus_processes"]} == {
        "marketing.content_marketing": 1, "marketing.lead_generation": 1}
    # Rajeev, Arjun and Meera were told; Farah (the actor) was not.
    notified = set(session.exec(select(Notification.user_id)).all())
    assert notified == {rajeev.id, arjun.id, meera.id, afreen.id}


def test_proposal_errors_name_the_fields_and_write_nothing(
        api: Callable[[User], Client], afreen: User, meera: User, farah: User,
        afreen_firm: Business, rajeev_firm: Business, session: Session) -> None:
    body = proposal_data(host=rajeev_firm.slug, intern_id=farah.id,
                         start_date=(TODAY + timedelta(days=20)).isoformat(),
                         end_date=(TODAY + timedelta(days=10)).isoformat(),
                         focus_processes=["marketing.nonexistent"])
    r = api(afreen).post(f"/api/v1/businesses/{afreen_firm.slug}/internships", json=body)
    fields = {e["field"] for e in _problem(r, 422)["errors"]}
    assert fields == {"intern_id", "end_date", "focus_processes[0]"}
    r = api(afreen).post(f"/api/v1/businesses/{afreen_firm.slug}/internships",
                         json=proposal_data(host="no-such-firm", intern_id=meera.id))
    assert [e["field"] for e in _problem(r, 422)["errors"]] == ["host"]
    r = api(afreen).post(f"/api/v1/businesses/{afreen_firm.slug}/internships",
                         json=proposal_data(host=rajeev_firm.slug, intern_id=meera.id,
                                            objectives=[]))
    assert [e["field"] for e in _problem(r, 422)["errors"]] == ["objectives"]
    assert session.exec(select(func.count()).select_from(Internship)).one() == 0


def test_only_owners_and_managers_of_the_home_business_propose(
        api: Callable[[User], Client], meera: User, rajeev: User, charlie: User,
        afreen_firm: Business, rajeev_firm: Business, session: Session) -> None:
    body = proposal_data(host=rajeev_firm.slug, intern_id=meera.id)
    _problem(api(meera).post(f"/api/v1/businesses/{afreen_firm.slug}/internships", json=body),
             403)
    _problem(api(rajeev).post(f"/api/v1/businesses/{afreen_firm.slug}/internships", json=body),
             403)
    afreen_firm.visibility = "networks"
    session.add(afreen_firm)
    session.commit()
    _problem(api(charlie).post(f"/api/v1/businesses/{afreen_firm.slug}/internships",
                               json=body), 404)
    assert session.exec(select(func.count()).select_from(Internship)).one() == 0


# -- the lifecycle -----------------------------------------------------------------------------


def test_accept_start_complete_over_the_api(
        api: Callable[[User], Client], internship: Internship, afreen: User, rajeev: User,
        meera: User, arjun: User, session: Session) -> None:
    url = f"/api/v1/internships/{internship.id}"
    r = api(afreen).post(f"{url}/accept", json={"agreement_version": 1})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "proposed"
    assert {a["party"]: a["accepted"] for a in r.json()["acceptances"]} == {
        "home_owner": True, "host_owner": False, "intern": False}
    # Accepting twice is a conflict and changes nothing.
    before = _state(session, internship)
    _problem(api(afreen).post(f"{url}/accept", json={}), 409)
    assert _state(session, internship) == before
    assert api(rajeev).post(f"{url}/accept", json={"mentor_id": arjun.id}).status_code == 200
    r = api(meera).post(f"{url}/accept", json={})
    assert r.json()["state"] == "accepted"
    assert r.json()["mentor"]["display_name"] == arjun.display_name
    version = r.json()["version"]
    # The intern cannot start it (403); the mentor can, with the version he saw.
    before = _state(session, internship)
    body = _problem(api(meera).post(f"{url}/actions", json={"action": "start"}), 403)
    assert body["type"].endswith("/transition-not-allowed")
    assert _state(session, internship) == before
    _problem(api(arjun).post(f"{url}/actions",
                             json={"action": "start", "expected_version": version - 1}), 409)
    assert _state(session, internship) == before
    r = api(arjun).post(f"{url}/actions", json={"action": "start", "expected_version": version})
    assert r.json()["state"] == "active", r.text
    # Illegal in this state: 409, nothing written.
    before, events = _state(session, internship), _events(session, internship)
    body = _problem(api(afreen).post(f"{url}/actions", json={"action": "withdraw"}), 409)
    assert body["type"].endswith("/invalid-transition")
    assert (_state(session, internship), _events(session, internship)) == (before, events)
    r = api(arjun).post(f"{url}/actions", json={"action": "complete", "note": "Great week"})
    assert r.json()["state"] == "completed"
    assert r.json()["your_actions"] == []
    timeline = api(meera).get(f"{url}/timeline").json()
    # Every acceptance is on the timeline, the last one too (the mentor was proposed already,
    # so naming him again changes nothing and says nothing).
    assert [e["type"] for e in timeline] == [
        "internship.proposed", "internship.acceptance_recorded",
        "internship.acceptance_recorded", "internship.acceptance_recorded",
        "internship.accepted", "internship.started", "internship.completed"]
    assert timeline[-1]["actor"]["display_name"] == arjun.display_name
    summaries = [e["summary"] for e in timeline]
    assert summaries[3] == (f"{meera.display_name} accepted version 1 of the agreement as the "
                            "intern.")
    assert summaries[5] == f"{arjun.display_name} started the internship."
    assert summaries[6] == f"{arjun.display_name} marked the internship completed: “Great week”"


def test_host_must_name_a_mentor_and_only_the_host_names_one(
        api: Callable[[User], Client], afreen: User, rajeev: User, meera: User, arjun: User,
        afreen_firm: Business, rajeev_firm: Business, session: Session) -> None:
    r = api(afreen).post(f"/api/v1/businesses/{afreen_firm.slug}/internships",
                         json=proposal_data(host=rajeev_firm.slug, intern_id=meera.id))
    url = f"/api/v1/internships/{r.json()['id']}"
    problem = _problem(api(rajeev).post(f"{url}/accept", json={}), 422)
    assert [e["field"] for e in problem["errors"]] == ["mentor_id"]
    _problem(api(afreen).post(f"{url}/mentor", json={"mentor_id": meera.id}), 403)
    problem = _problem(api(rajeev).post(f"{url}/mentor", json={"mentor_id": meera.id}), 422)
    assert [e["field"] for e in problem["errors"]] == ["mentor_id"]
    r = api(rajeev).post(f"{url}/mentor", json={"mentor_id": arjun.id})
    assert r.status_code == 200, r.text
    assert r.json()["mentor"]["id"] == arjun.id
    # Naming the mentor is on the timeline, in words.
    named = api(afreen).get(f"{url}/timeline").json()[-1]
    assert named["type"] == "internship.mentor_named"
    assert named["summary"] == f"{rajeev.display_name} named {arjun.display_name} as mentor."


def test_editing_the_agreement_makes_a_new_version_everyone_accepts_again(
        api: Callable[[User], Client], accepted_internship: Internship, afreen: User,
        rajeev: User, meera: User, session: Session) -> None:
    url = f"/api/v1/internships/{accepted_internship.id}"
    current = api(afreen).get(url).json()
    body = {k: v for k, v in proposal_data().items() if k != "host"}
    body["schedule_notes"] = "Mornings only."
    # Meera may not edit the agreement.
    _problem(api(meera).put(f"{url}/agreement", json=body), 403)
    _problem(api(rajeev).put(f"{url}/agreement",
                             json={**body, "expected_version": current["version"] - 1}), 409)
    r = api(rajeev).put(f"{url}/agreement", json={**body, "expected_version": current["version"]})
    assert r.status_code == 200, r.text
    edited = r.json()
    assert (edited["state"], edited["agreement_version"]) == ("proposed", 2)
    assert not any(a["accepted"] for a in edited["acceptances"])
    # Saving the same content again changes nothing.
    again = api(rajeev).put(f"{url}/agreement", json=body).json()
    assert (again["agreement_version"], again["version"]) == (2, edited["version"])
    versions = api(meera).get(f"{url}/agreement/versions").json()
    assert [(v["version"], v["accepted_by"]) for v in versions] == [
        (1, ["home_owner", "host_owner", "intern"]), (2, [])]
    assert versions[1]["content"]["schedule_notes"] == "Mornings only."
    # An acceptance of the version one read before the edit is refused.
    _problem(api(meera).post(f"{url}/accept", json={"agreement_version": 1}), 409)
    bad = _problem(api(rajeev).put(f"{url}/agreement", json={**body, "title": ""}), 422)
    assert [e["field"] for e in bad["errors"]] == ["title"]


def test_people_who_do_not_take_part_get_404(
        api: Callable[[User], Client], internship: Internship, charlie: User,
        session: Session, rajeev_firm: Business) -> None:
    nila = accounts_service.sign_up(session, email="nila@uxconsult.example",
                                    display_name="Nila Intern", password=PASSWORD)
    session.commit()
    add_member(session, rajeev_firm, nila, BusinessRole.intern)
    url = f"/api/v1/internships/{internship.id}"
    for stranger in (charlie, nila):
        client = api(stranger)
        for method, path, body in (("GET", "", None), ("GET", "/timeline", None),
                                   ("GET", "/agreement/versions", None),
                                   ("POST", "/accept", {}),
                                   ("POST", "/actions", {"action": "decline"})):
            r = client.request(method, url + path, json=body)
            _problem(r, 404)
        assert client.get("/api/v1/internships").json()["items"] == []
    _problem(api(charlie).get("/api/v1/internships/999999"), 404)
    assert _state(session, internship)[0] == "proposed"


def test_actions_that_carry_content_need_their_own_route(
        api: Callable[[User], Client], completed_internship: Internship, meera: User) -> None:
    r = api(meera).post(f"/api/v1/internships/{completed_internship.id}/actions",
                        json={"action": "submit_plan"})
    assert [e["field"] for e in _problem(r, 422)["errors"]] == ["action"]
    r = api(meera).post(f"/api/v1/internships/{completed_internship.id}/actions",
                        json={"action": "fly"})
    assert [e["field"] for e in _problem(r, 422)["errors"]] == ["action"]


# -- the list ----------------------------------------------------------------------------------


def test_list_filters_and_cursor_pages(
        api: Callable[[User], Client], afreen: User, rajeev: User, meera: User,
        afreen_firm: Business, rajeev_firm: Business, session: Session) -> None:
    from tests.internships.conftest import propose

    made = [propose(session, afreen, afreen_firm, rajeev_firm, meera,
                    title=f"Internship number {n}") for n in range(5)]
    ids = sorted((i.id for i in made), reverse=True)
    client = api(afreen)
    first = client.get("/api/v1/internships", params={"limit": 2}).json()
    assert [i["id"] for i in first["items"]] == ids[:2]
    second = client.get(first["next"]).json()
    assert "limit=2" in first["next"]
    third = client.get(second["next"]).json()
    assert [i["id"] for i in second["items"] + third["items"]] == ids[2:]
    assert third["next"] is None
    # A new internship does not shift the pages already read.
    propose(session, afreen, afreen_firm, rajeev_firm, meera, title="Internship number 6")
    assert [i["id"] for i in client.get(first["next"]).json()["items"]] == ids[2:4]

    assert len(client.get("/api/v1/internships", params={"role": "home_owner"}).json()[
        "items"]) == 6
    assert client.get("/api/v1/internships", params={"role": "host_owner"}).json()[
        "items"] == []
    assert len(api(rajeev).get("/api/v1/internships", params={
        "role": "host_owner", "business": rajeev_firm.slug}).json()["items"]) == 6
    assert client.get("/api/v1/internships", params={"business": "elsewhere"}).json()[
        "items"] == []
    assert client.get("/api/v1/internships", params={"state": ["accepted", "active"]}).json()[
        "items"] == []
    assert len(client.get("/api/v1/internships", params={"state": "proposed"}).json()[
        "items"]) == 6
    bad = _problem(client.get("/api/v1/internships", params={"state": "flying"}), 422)
    assert bad["errors"][0]["field"].startswith("state")
    _problem(client.get("/api/v1/internships", params={"limit": 0}), 422)


def test_state_is_an_enum_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    states = schema["components"]["schemas"]["InternshipState"]["enum"]
    assert "plan_approved" in states and "withdrawn" in states
    public = schema["components"]["schemas"]["InternshipPublic"]["properties"]["state"]
    assert public == {"$ref": "#/components/schemas/InternshipState"}
    act = schema["paths"]["/api/v1/internships/{internship_id}/actions"]["post"]
    assert {"403", "404", "409", "422"} <= set(act["responses"])
    assert act["tags"] == ["internships"]


# -- duration ----------------------------------------------------------------------------------


def test_duration_suggestion(api: Callable[[User], Client], meera: User,
                             session: Session) -> None:
    from exchange.internships import service
    from exchange.taxonomy.models import Process

    keys = ["marketing.content_marketing", "marketing.lead_generation"]
    complexities = [session.exec(select(Process.complexity).where(Process.key == k)).one()
                    for k in keys]
    r = api(meera).get("/api/v1/internships/duration-suggestion",
                       params={"process": keys})
    assert r.status_code == 200, r.text
    assert r.json()["days"] == service.suggest_duration_days(complexities)
    assert r.json()["processes"] == keys
    assert "most complex" in r.json()["rule"]
    bad = _problem(api(meera).get("/api/v1/internships/duration-suggestion",
                                  params={"process": ["nope.nope"]}), 422)
    assert bad["errors"][0]["field"] == "process"
    _problem(api(meera).get("/api/v1/internships/duration-suggestion"), 422)


# -- the inbox ---------------------------------------------------------------------------------


def test_inbox_lists_and_marks_read_only_your_own(
        api: Callable[[User], Client], internship: Internship, rajeev: User, meera: User,
        session: Session) -> None:
    client = api(rajeev)
    inbox = client.get("/api/v1/me/notifications").json()
    assert inbox["unread"] == 1
    (note,) = inbox["items"]
    assert note["link"] == f"/internships/{internship.id}"
    assert note["kind"] == "internship.proposed"
    assert note["read"] is False
    meera_note = api(meera).get("/api/v1/me/notifications").json()["items"][0]
    # Rajeev cannot mark Meera's notification read.
    r = client.post("/api/v1/me/notifications/read", json={"ids": [meera_note["id"]]})
    assert r.json() == {"marked": 0, "unread": 1}
    assert api(meera).get("/api/v1/me/notifications").json()["unread"] == 1
    r = client.post("/api/v1/me/notifications/read", json={"ids": [note["id"]]})
    assert r.json() == {"marked": 1, "unread": 0}
    assert client.get("/api/v1/me/notifications").json()["items"][0]["read"] is True
    assert api(meera).post("/api/v1/me/notifications/read", json={}).json() == {
        "marked": 1, "unread": 0}
    _problem(client.post("/api/v1/me/notifications/read", json={"ids": "all"}), 422)


def test_a_plain_mentor_runs_the_internship_but_not_the_agreement(
        api: Callable[[User], Client], afreen: User, rajeev: User, meera: User,
        afreen_firm: Business, rajeev_firm: Business, session: Session) -> None:
    """A mentor who is neither owner nor manager of the host: starts and completes, may not
    accept, edit the agreement or name another mentor."""
    from tests.internships.conftest import accept_all, propose

    devi = accounts_service.sign_up(session, email="devi@uxconsult.example",
                                    display_name="Devi Mentor", password=PASSWORD)
    session.commit()
    add_member(session, rajeev_firm, devi, BusinessRole.intern)
    internship = propose(session, afreen, afreen_firm, rajeev_firm, meera, devi)
    url = f"/api/v1/internships/{internship.id}"
    mentor = api(devi)
    seen = mentor.get(url).json()
    assert (seen["your_roles"], seen["your_actions"]) == (["mentor"], [])
    _problem(mentor.post(f"{url}/accept", json={}), 403)
    body = {k: v for k, v in proposal_data().items() if k != "host"}
    _problem(mentor.put(f"{url}/agreement", json=body), 403)
    _problem(mentor.post(f"{url}/mentor", json={"mentor_id": devi.id}), 403)
    accept_all(session, internship, afreen, rajeev, meera)
    assert mentor.get(url).json()["your_actions"] == ["start"]
    assert mentor.post(f"{url}/actions", json={"action": "start"}).json()["state"] == "active"
    _problem(mentor.post(f"{url}/actions", json={"action": "cancel"}), 403)
    done = mentor.post(f"{url}/actions", json={"action": "complete"})
    assert done.json()["state"] == "completed"
    assert _state(session, internship)[0] == "completed"
