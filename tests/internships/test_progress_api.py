"""/api/v1 progress routes: who may call each one, and the reference story through the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, BusinessRole, User
from exchange.config import Settings
from exchange.internships import service
from exchange.internships.models import Internship
from exchange.profiles.models import Business
from tests.conftest import _person
from tests.internships.progress_helpers import TODAY, plan_data
from tests.support.factories import add_member

PERSONAS = ("afreen", "farah", "rajeev", "arjun", "meera", "other_intern", "charlie", None)
HOME = {"afreen", "farah"}
HOST = {"rajeev", "arjun"}
EVERYONE = HOME | HOST | {"meera"}
PLAN = HOME | {"meera"}


@pytest.fixture
def other_intern(session: Session, afreen_firm: Business) -> User:
    """Another intern of Afreen's firm with an internship of his own elsewhere: he sees his,
    never Meera's."""
    person = _person(session, "ishaan@gigstaff.example", "Ishaan Patel")
    add_member(session, afreen_firm, person, BusinessRole.intern)
    return person


@pytest.fixture
def api(make_client: Any, settings: Settings, session: Session) -> Callable[[User | None], Any]:
    """One API client per person (bearer token, no cookie), made once per test."""
    made: dict[int | None, Any] = {}

    def _client(user: User | None) -> Any:
        key = user.id if user else None
        if key not in made:
            c = make_client()
            if user is not None:
                issued = accounts_service.create_api_token(session, settings, user,
                                                           ApiTokenCreate(name="test"))
                session.commit()
                c.use_token(issued.token)
            made[key] = c
        return made[key]
    return _client


def _base(internship: Internship) -> str:
    return f"/api/v1/internships/{internship.id}"


# (method, path under the internship, body, who may) — the body is valid enough that a person
# who may call the route is not turned away for their input before their role is checked.
ROUTES: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
    ("GET", "/tasks", None, EVERYONE),
    ("POST", "/tasks", {"title": "Shadow the team"}, HOST),
    ("PATCH", "/tasks/1", {"mentor_comment": "Good"}, HOST),
    ("DELETE", "/tasks/1", None, HOST),
    ("POST", "/tasks/1/progress", {"status": "done"}, {"meera"}),
    ("GET", "/feedback", None, EVERYONE),
    ("POST", "/feedback/objectives", {"phase": "final", "ratings": [
        {"objective_id": 1, "outcome": "achieved", "score": 4}]}, HOST),
    ("POST", "/feedback/reaction", {"rating": 5}, {"meera"}),
    ("POST", "/feedback/home-partnership", {"rating": 5}, HOME),
    ("POST", "/feedback/host-partnership", {"rating": 5}, HOST),
    ("GET", "/plan", None, PLAN),
    ("GET", "/plan/versions/1", None, PLAN),
    ("GET", "/plan/diff", None, PLAN),
    ("POST", "/plan", plan_data(), {"meera"}),
    ("POST", "/plan/approve", {}, HOME),
    ("POST", "/plan/request-changes", {"comment": "More detail"}, HOME),
    ("GET", "/follow-ups", None, PLAN),
    ("POST", "/follow-ups/30", {"steps": [], "kpis": []}, PLAN),
    ("GET", "/report", None, HOME),
    ("GET", "/report.csv", None, HOME),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_each_route_admits_exactly_its_roles(
        method: str, path: str, body: dict[str, Any] | None, allowed: set[str],
        request: pytest.FixtureRequest, completed_internship: Internship,
        other_intern: User, api: Callable[[User | None], Any]) -> None:
    for name in PERSONAS:
        user = request.getfixturevalue(name) if name else None
        response = api(user).request(method, _base(completed_internship) + path, json=body)
        if name in allowed:
            assert response.status_code not in {401, 403}, (name, response.text)
            # 404 may only mean "no such task/version" for someone who may see the internship
            if response.status_code == 404:
                assert "internship" not in response.json()["detail"].split(" ")[-1]
        else:
            expected = {None: 401, "other_intern": 404, "charlie": 404}.get(name, 403)
            assert response.status_code == expected, (name, method, path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")


def test_a_mentor_who_is_not_a_host_manager_cannot_rate_the_partnership(
        session: Session, completed_internship: Internship, rajeev: User,
        rajeev_firm: Business, api: Callable[[User | None], Any]) -> None:
    maya = _person(session, "maya@uxconsult.example", "Maya Iyer")
    add_member(session, rajeev_firm, maya, BusinessRole.intern)
    service.set_mentor(session, completed_internship, rajeev, maya.id or 0)
    session.commit()
    client = api(maya)
    assert client.get(_base(completed_internship) + "/tasks").status_code == 200
    r = client.post(_base(completed_internship) + "/feedback/host-partnership",
                    json={"rating": 4})
    assert r.status_code == 403


def test_the_reference_story_through_the_api(
        session: Session, active_internship: Internship, api: Callable[[User | None], Any],
        afreen: User, rajeev: User, arjun: User, meera: User) -> None:
    base = _base(active_internship)
    as_arjun, as_meera, as_afreen, as_rajeev = api(arjun), api(meera), api(afreen), api(rajeev)

    due = (active_internship.start_date + timedelta(days=1)).isoformat()
    task = as_arjun.post(base + "/tasks", json={"title": "Draft a content calendar",
                                                "due_date": due})
    assert task.status_code == 201 and task.json()["status"] == "todo"
    task_id = task.json()["id"]
    done = as_meera.post(f"{base}/tasks/{task_id}/progress",
                         json={"status": "done", "note": "Shared in the drive."})
    assert done.json()["status"] == "done" and done.json()["overdue"] is False
    assert as_arjun.patch(f"{base}/tasks/{task_id}", json={
        "mentor_comment": "Nice work"}).json()["mentor_comment"] == "Nice work"

    objectives = [o.id for o in service.objectives_of(session, active_internship)]
    ratings = [{"objective_id": i, "outcome": "achieved", "score": 5} for i in objectives]
    assert as_arjun.post(base + "/feedback/objectives",
                         json={"phase": "midway", "ratings": ratings}).status_code == 201
    assert as_arjun.post(base + "/actions", json={"action": "complete"}).status_code == 200
    assert as_meera.post(base + "/feedback/reaction",
                         json={"rating": 5, "comment": "Superb"}).status_code == 201
    host_view = as_rajeev.get(base + "/feedback").json()
    assert host_view["feedback"] == [] and host_view["hidden"][0]["kind"] == "intern_reaction"
    assert as_arjun.post(base + "/feedback/objectives",
                         json={"phase": "final", "ratings": ratings}).status_code == 201
    assert [f["kind"] for f in as_rajeev.get(base + "/feedback").json()["feedback"]] == [
        "intern_reaction"]

    first = as_meera.post(base + "/plan", json=plan_data())
    assert first.status_code == 201 and first.json()["version"] == 1
    assert as_afreen.post(base + "/plan/request-changes",
                          json={"comment": "Name who writes the articles."}).status_code == 200
    data = plan_data()
    data["steps"][1]["owner"] = "Meera with Farah"
    assert as_meera.post(base + "/plan", json=data).json()["version"] == 2
    diff = as_afreen.get(base + "/plan/diff").json()
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    assert diff["changes"] == [{"field": "steps[1].owner", "change": "changed",
                                "before": "Meera", "after": "Meera with Farah"}]
    assert [p["version"] for p in as_meera.get(base + "/plan").json()] == [2, 1]
    approved = as_afreen.post(base + "/plan/approve", json={"comment": "Go"})
    assert approved.json()["status"] == "approved"

    follow_ups = as_meera.get(base + "/follow-ups").json()
    assert [(f["day"], f["status"]) for f in follow_ups] == [
        (30, "upcoming"), (60, "upcoming"), (90, "upcoming")]
    plan = as_meera.get(base + "/plan/versions/2").json()
    recorded = as_meera.post(base + "/follow-ups/30", json={
        "steps": [{"step_id": s["id"], "status": "done" if i == 0 else "not_started",
                   "done_on": TODAY.isoformat() if i == 0 else None}
                  for i, s in enumerate(plan["steps"])],
        "kpis": [{"kpi_id": k["id"], "actual": k["baseline"] + (k["target"] - k["baseline"]) / 4}
                 for k in plan["kpis"]],
        "notes": "Blog is live."})
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["status"] == "recorded"

    r = as_afreen.get(base + "/report").json()
    assert r["reaction"]["intern_rating"] == 5
    assert r["learning"]["achieved_share"] == 1.0
    assert r["behaviour"]["on_time_share"] == 1.0
    assert r["results"]["mean_progress"] == 0.25
    csv_response = as_afreen.get(base + "/report.csv")
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert {row["level"] for row in csv.DictReader(io.StringIO(csv_response.text))} == {
        "reaction", "learning", "behaviour", "results"}


def test_bad_input_names_the_field(completed_internship: Internship, meera: User,
                                   api: Callable[[User | None], Any]) -> None:
    data = plan_data()
    data["kpis"][0]["target"] = data["kpis"][0]["baseline"]
    data["steps"][0]["action"] = ""
    r = api(meera).post(_base(completed_internship) + "/plan", json=data)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert "steps[0].action" in fields
    r = api(meera).post(_base(completed_internship) + "/plan", json=plan_data(
        kpis=[{**plan_data()["kpis"][0], "target": 2}]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kpis[0].target"
    assert api(meera).get(_base(completed_internship) + "/plan").json() == []


def test_an_illegal_transition_is_a_409_problem(plan_approved_internship: Internship,
                                                afreen: User,
                                                api: Callable[[User | None], Any]) -> None:
    r = api(afreen).post(_base(plan_approved_internship) + "/plan/approve", json={})
    assert r.status_code == 409 and r.json()["type"].endswith("invalid-transition")


def test_the_diff_needs_two_versions(plan_submitted_internship: Internship, meera: User,
                                     api: Callable[[User | None], Any]) -> None:
    r = api(meera).get(_base(plan_submitted_internship) + "/plan/diff")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "from_version"


# -- business reports ---------------------------------------------------------------------------


def test_the_business_report_is_for_its_owners_and_managers(
        plan_approved_internship: Internship, afreen_firm: Business, afreen: User,
        farah: User, meera: User, rajeev: User, charlie: User,
        api: Callable[[User | None], Any]) -> None:
    url = f"/api/v1/businesses/{afreen_firm.slug}/internship-report"
    for user in (afreen, farah):
        body = api(user).get(url).json()
        assert body["totals"]["internships"] == 1
        assert body["internships"][0]["internship"]["id"] == plan_approved_internship.id
    assert api(meera).get(url).status_code == 403
    assert api(rajeev).get(url).status_code == 403
    assert api(None).get(url).status_code == 401
    rows = list(csv.DictReader(io.StringIO(api(farah).get(url + ".csv").text)))
    assert [r["internship_id"] for r in rows] == [str(plan_approved_internship.id), "total"]

