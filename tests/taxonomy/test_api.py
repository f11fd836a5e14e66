"""/api/v1/industries and /api/v1/taxonomy: public reading, admin-only changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.taxonomy.models import Department, Process
from tests.conftest import Client

WEBINARS = {"department": "marketing", "key": "webinars", "name": "Webinars",
            "description": "Running live online sessions that turn attendees into leads.",
            "complexity": 2}


def _token(session: Session, settings: Settings, user: User) -> str:
    issued = accounts_service.create_api_token(session, settings, user,
                                               ApiTokenCreate(name="taxonomy"))
    session.commit()
    return issued.token


@pytest.fixture
def as_ada(client: Client, session: Session, settings: Settings, ada: User) -> Client:
    return client.use_token(_token(session, settings, ada))


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _problem_fields(response: Any) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# -- industries --------------------------------------------------------------------------------


def test_anyone_can_search_industries_without_a_token(client: Client) -> None:
    r = client.get("/api/v1/industries", params={"q": "design"})
    assert r.status_code == 200
    body = r.json()
    assert body["items"][0] == {"code": "7410", "level": "class",
                                "title": "Specialized design activities",
                                "parent_code": "741", "section": "M"}
    assert body["total"] == 1 and body["next"] is None


def test_industry_search_by_code_prefix(client: Client) -> None:
    r = client.get("/api/v1/industries", params={"q": "74"})
    assert [i["code"] for i in r.json()["items"]] == ["7410", "7420", "7490"]


def test_industry_search_at_another_level(client: Client) -> None:
    r = client.get("/api/v1/industries", params={"q": "design", "level": "group"})
    assert [i["code"] for i in r.json()["items"]] == ["741"]


def test_industries_without_a_query_list_a_level(client: Client) -> None:
    body = client.get("/api/v1/industries", params={"level": "section", "limit": 50}).json()
    assert body["total"] == 21 and len(body["items"]) == 21
    assert body["items"][0]["code"] == "A" and body["items"][0]["section"] == "A"


def test_industry_list_pages_with_a_next_link(client: Client) -> None:
    first = client.get("/api/v1/industries", params={"q": "7", "limit": 10}).json()
    assert len(first["items"]) == 10 and first["next"]
    second = client.get(first["next"]).json()
    assert second["total"] == first["total"]
    assert {i["code"] for i in first["items"]}.isdisjoint(i["code"] for i in second["items"])


@pytest.mark.parametrize(("params", "field"), [
    ({"q": "x" * 101}, "q"),
    ({"q": "design", "level": "subclass"}, "level"),
    ({"q": "design", "limit": 0}, "limit"),
    ({"q": "design", "limit": 101}, "limit"),
    ({"q": "design", "offset": -1}, "offset"),
])  # fmt: skip
def test_bad_industry_queries_are_problems_naming_the_parameter(
    client: Client, params: dict[str, Any], field: str
) -> None:
    r = client.get("/api/v1/industries", params=params)
    assert r.status_code == 422
    assert field in _problem_fields(r)


def test_one_industry_with_its_path(client: Client) -> None:
    r = client.get("/api/v1/industries/7410")
    assert r.status_code == 200
    body = r.json()
    assert body["title"] == "Specialized design activities"
    assert [p["code"] for p in body["path"]] == ["M", "74", "741", "7410"]
    assert body["children"] == []


def test_a_section_lists_its_divisions(client: Client) -> None:
    body = client.get("/api/v1/industries/m").json()
    assert body["code"] == "M"
    assert [c["code"] for c in body["children"]] == ["69", "70", "71", "72", "73", "74", "75"]


def test_an_unknown_industry_is_a_404_problem(client: Client) -> None:
    r = client.get("/api/v1/industries/7499")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "7499" in r.json()["detail"]


# -- reading the taxonomy ----------------------------------------------------------------------


def test_anyone_can_read_the_taxonomy(client: Client) -> None:
    r = client.get("/api/v1/taxonomy")
    assert r.status_code == 200
    body = r.json()
    assert len(body["departments"]) >= 10
    processes = [p for d in body["departments"] for p in d["processes"]]
    assert len(processes) >= 90
    seo = next(p for p in processes if p["key"] == "marketing.seo")
    assert seo["department"] == "marketing" and 1 <= seo["complexity"] <= 3
    assert seo["description"] and seo["version"] == 1 and seo["retired"] is False
    assert [s["name"] for s in body["levels"]][5] == "leading — can teach"
    assert [s["value"] for s in body["needs"]] == [0, 1, 2, 3]
    assert [s["value"] for s in body["complexities"]] == [1, 2, 3]


def test_one_process_by_its_dotted_key(client: Client) -> None:
    r = client.get("/api/v1/taxonomy/processes/marketing.seo")
    assert r.status_code == 200
    assert r.json()["name"] == "Search engine optimisation"
    assert client.get("/api/v1/taxonomy/processes/marketing.astrology").status_code == 404


def test_process_list_filters_by_department_and_pages(client: Client) -> None:
    first = client.get("/api/v1/taxonomy/processes",
                       params={"department": "marketing", "limit": 3}).json()
    assert len(first["items"]) == 3 and first["total"] >= 8
    assert all(p["department"] == "marketing" for p in first["items"])
    second = client.get(first["next"]).json()
    assert second["items"][0]["key"] != first["items"][0]["key"]


# -- admins change it --------------------------------------------------------------------------


def test_admin_adds_a_process(as_ada: Client, session: Session) -> None:
    r = as_ada.post("/api/v1/taxonomy/processes", json=WEBINARS)
    assert r.status_code == 201
    assert r.json()["key"] == "marketing.webinars" and r.json()["version"] == 1
    assert as_ada.get("/api/v1/taxonomy/processes/marketing.webinars").status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"key": "seo"}, "key"),
    ({"key": "Bad Key"}, "key"),
    ({"complexity": 0}, "complexity"),
    ({"complexity": 4}, "complexity"),
    ({"description": "x" * 301}, "description"),
    ({"description": "Two sentences. Not one."}, "description"),
    ({"department": "astrology"}, "department"),
    ({"colour": "blue"}, "colour"),
])  # fmt: skip
def test_adding_a_bad_process_is_a_problem_and_stores_nothing(
    as_ada: Client, session: Session, change: dict[str, Any], field: str
) -> None:
    before = _count(session, Process)
    r = as_ada.post("/api/v1/taxonomy/processes", json={**WEBINARS, **change})
    assert r.status_code == 422, r.text
    assert field in _problem_fields(r)
    assert _count(session, Process) == before


def test_admin_edits_a_process_and_its_version_goes_up(as_ada: Client) -> None:
    r = as_ada.patch("/api/v1/taxonomy/processes/marketing.seo",
                     json={"name": "SEO", "complexity": 2})
    assert r.status_code == 200
    assert (r.json()["key"], r.json()["name"], r.json()["version"]) == ("marketing.seo", "SEO", 2)
    again = as_ada.patch("/api/v1/taxonomy/processes/marketing.seo", json={"name": "SEO"})
    assert again.json()["version"] == 2  # nothing changed: same version


def test_a_process_key_never_changes(as_ada: Client) -> None:
    r = as_ada.patch("/api/v1/taxonomy/processes/marketing.seo", json={"key": "marketing.sem"})
    assert r.status_code == 422
    assert "never changes" in _problem_fields(r)["key"]
    assert as_ada.get("/api/v1/taxonomy/processes/marketing.seo").json()["version"] == 1


def test_editing_with_bad_input_changes_nothing(as_ada: Client) -> None:
    r = as_ada.patch("/api/v1/taxonomy/processes/marketing.seo",
                     json={"name": "Fine", "description": "No full stop"})
    assert r.status_code == 422
    assert set(_problem_fields(r)) == {"description"}
    assert as_ada.get("/api/v1/taxonomy/processes/marketing.seo").json()["name"] == (
        "Search engine optimisation")


def test_admin_retires_and_restores_a_process(as_ada: Client) -> None:
    r = as_ada.post("/api/v1/taxonomy/processes/marketing.seo/retire")
    assert r.status_code == 200 and r.json()["retired"] is True
    listed = {p["key"] for d in as_ada.get("/api/v1/taxonomy").json()["departments"]
              for p in d["processes"]}
    assert "marketing.seo" not in listed
    with_retired = as_ada.get("/api/v1/taxonomy", params={"include_retired": True}).json()
    assert "marketing.seo" in {p["key"] for d in with_retired["departments"]
                               for p in d["processes"]}
    assert as_ada.get("/api/v1/taxonomy/processes/marketing.seo").json()["retired"] is True
    r = as_ada.post("/api/v1/taxonomy/processes/marketing.seo/restore")
    assert r.status_code == 200 and r.json()["retired"] is False


def test_admin_adds_and_renames_a_department(as_ada: Client, session: Session) -> None:
    r = as_ada.post("/api/v1/taxonomy/departments", json={
        "key": "legal", "name": "Legal", "description": "Contracts, compliance and IP."})
    assert r.status_code == 201 and r.json()["key"] == "legal"
    r = as_ada.post("/api/v1/taxonomy/processes", json={**WEBINARS, "department": "legal",
                                                         "key": "contracts", "name": "Contracts"})
    assert r.json()["key"] == "legal.contracts"
    r = as_ada.patch("/api/v1/taxonomy/departments/legal", json={"name": "Legal and compliance"})
    assert r.json()["name"] == "Legal and compliance"


def test_a_duplicate_department_is_a_problem(as_ada: Client, session: Session) -> None:
    before = _count(session, Department)
    r = as_ada.post("/api/v1/taxonomy/departments", json={
        "key": "marketing", "name": "Marketing 2", "description": "Again."})
    assert r.status_code == 422 and "key" in _problem_fields(r)
    assert _count(session, Department) == before


def test_owners_cannot_change_the_taxonomy_and_are_told_nothing_exists(
    client: Client, session: Session, settings: Settings, afreen: User
) -> None:
    client.use_token(_token(session, settings, afreen))
    before = _count(session, Process)
    for method, url, body in [
        ("POST", "/api/v1/taxonomy/processes", WEBINARS),
        ("PATCH", "/api/v1/taxonomy/processes/marketing.seo", {"name": "Mine"}),
        ("POST", "/api/v1/taxonomy/processes/marketing.seo/retire", None),
        ("POST", "/api/v1/taxonomy/departments",
         {"key": "legal", "name": "Legal", "description": "Contracts."}),
    ]:
        r = client.request(method, url, json=body)
        assert r.status_code == 404, (url, r.status_code)
    assert _count(session, Process) == before
    assert client.get("/api/v1/taxonomy/processes/marketing.seo").json()["retired"] is False


def test_the_openapi_schema_documents_the_problems(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    create = schema["paths"]["/api/v1/taxonomy/processes"]["post"]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert "201" in create["responses"]
    assert create["summary"]
