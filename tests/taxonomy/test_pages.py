"""Reference pages (/industries, /taxonomy), the industry picker without JavaScript, and the
admins' taxonomy pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.profiles.models import Business
from exchange.taxonomy import service
from exchange.taxonomy.models import Department, Process
from exchange.web.render import templates
from tests.conftest import Client

WEBINARS = {"department": "marketing", "key": "webinars", "name": "Webinars",
            "description": "Running live online sessions that turn attendees into leads.",
            "complexity": "2"}


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _radios(html: str, name: str = "isic_class") -> list[tuple[str, bool]]:
    """(value, checked) of every radio button called `name`, in page order."""
    found = []
    for tag in re.findall(r"<input[^>]*type=\"radio\"[^>]*>", html):
        if f'name="{name}"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            assert value is not None
            found.append((value.group(1), " checked" in tag))
    return found


# -- public reference pages --------------------------------------------------------------------


def test_anyone_can_search_industries(client: Client) -> None:
    r = client.get("/industries", params={"q": "design"})
    assert r.status_code == 200
    assert "1 match for “design”" in r.text
    assert 'href="/industries/7410"' in r.text


def test_industries_without_query_show_the_21_sections(client: Client) -> None:
    r = client.get("/industries")
    assert r.status_code == 200
    assert len(re.findall(r'href="/industries/[A-U]"', r.text)) == 21


def test_a_too_long_industry_search_says_why(client: Client) -> None:
    r = client.get("/industries", params={"q": "x" * 150})
    assert r.status_code == 422
    assert "at most 100 characters" in r.text


def test_an_industry_page_shows_its_path_and_children(client: Client) -> None:
    r = client.get("/industries/741")
    assert r.status_code == 200
    assert 'href="/industries/M"' in r.text and 'href="/industries/74"' in r.text
    assert 'href="/industries/7410"' in r.text
    assert client.get("/industries/7499").status_code == 404


def test_anyone_can_read_the_taxonomy_page(client: Client) -> None:
    r = client.get("/taxonomy")
    assert r.status_code == 200
    for text in ("Search engine optimisation", "marketing.seo", "Leading — can teach",
                 "Not practised", "Human resources", "Complexity 3"):
        assert text in r.text
    assert "Manage the taxonomy" not in r.text


def test_the_taxonomy_page_hides_retired_processes(client: Client, session: Session) -> None:
    service.retire_process(session, "marketing.seo")
    session.commit()
    assert "marketing.seo" not in client.get("/taxonomy").text


def test_admins_see_a_link_to_manage_the_taxonomy(client: Client, ada: User) -> None:
    assert "Manage the taxonomy" in client.login(ada).get("/taxonomy").text


# -- the picker, inside the business form, without JavaScript ------------------------------------


def _new_business_form(**fields: str) -> dict[str, str]:
    return {"name": "Afreen Talent Studio", "country": "IN", "city": "Pune",
            "market_reach": "national", "size_band": "10-49", "hosting_capacity": "1",
            "visibility": "public", "languages": "en", **fields}


def test_search_button_re_renders_the_form_with_results_and_saves_nothing(
    client: Client, session: Session, afreen: User
) -> None:
    client.login(afreen)
    r = client.submit("/businesses/new", _new_business_form(isic_q="design",
                                                            action="search_isic"))
    assert r.status_code == 200
    assert _radios(r.text) == [("7410", False)]
    assert "7410 — Specialized design activities" in r.text
    assert 'value="Afreen Talent Studio"' in r.text  # what was typed is kept
    assert 'value="design"' in r.text
    assert _count(session, Business) == 0


def test_the_chosen_class_survives_another_search(
    client: Client, session: Session, afreen: User
) -> None:
    client.login(afreen)
    r = client.submit("/businesses/new", _new_business_form(
        isic_q="software", isic_class="7830", action="search_isic"))
    radios = _radios(r.text)
    assert radios[0] == ("7830", True)
    assert "current choice" in r.text
    assert ("5820", False) in radios


def test_saving_after_a_search_stores_the_chosen_class(
    client: Client, session: Session, afreen: User
) -> None:
    client.login(afreen)
    r = client.submit("/businesses/new", _new_business_form(
        isic_q="design", isic_class="7410", action="save"))
    assert r.status_code == 303
    assert session.exec(select(Business)).one().isic_class == "7410"


def test_a_search_that_finds_nothing_says_so_and_focuses_the_search_box(
    client: Client, afreen: User
) -> None:
    client.login(afreen)
    r = client.submit("/businesses/new", _new_business_form(isic_q="xyzzyq",
                                                            action="search_isic"))
    assert r.status_code == 200
    assert "No industry matches “xyzzyq”" in r.text
    assert re.search(r'<input type="search" id="f-isic_q"[^>]*autofocus', r.text)


# -- the picker include on its own (its contract) ----------------------------------------------


def _render_picker(session: Session, query: str, selected: str | None,
                   errors: dict[str, str] | None = None, **names: Any) -> str:
    picker = service.picker_context(session, query, selected, **names)
    return templates.get_template("taxonomy/_industry_picker.html").render(
        picker=picker, errors=errors or {})


def test_picker_include_submits_the_documented_fields(session: Session) -> None:
    html = _render_picker(session, "74", "7420")
    assert 'name="isic_q" value="74"' in html
    assert re.search(r'<button type="submit" name="action" value="search_isic"', html)
    assert _radios(html) == [("7410", False), ("7420", True), ("7490", False)]
    assert 'id="f-isic_class"' in html  # the error summary's link target
    assert "<form" not in html  # it lives inside the caller's form


def test_picker_include_labels_each_class_with_its_code_title_and_place(
    session: Session,
) -> None:
    html = _render_picker(session, "design", None)
    assert "7410 — Specialized design activities" in html
    assert "M Professional, scientific and technical activities › 74 Other" in html
    assert "<legend>1 class matches “design” — choose yours</legend>" in html


def test_picker_include_shows_the_forms_error_for_its_field(session: Session) -> None:
    html = _render_picker(session, "", None, errors={"isic_class": "Choose your industry."})
    assert 'class="field-error" id="f-isic_class-error">Choose your industry.' in html
    assert "No industry chosen yet" in html


def test_picker_include_escapes_the_query(session: Session) -> None:
    html = _render_picker(session, '<script>alert("x")</script>', None)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_two_pickers_can_live_in_one_form(session: Session) -> None:
    html = _render_picker(session, "design", None, field_name="previous_isic",
                          query_name="previous_q", action_value="search_previous")
    assert _radios(html, "previous_isic") == [("7410", False)]
    assert 'name="previous_q"' in html and 'value="search_previous"' in html


# -- admins: the taxonomy pages ----------------------------------------------------------------


@pytest.fixture
def admin(client: Client, ada: User) -> Client:
    return client.login(ada)


def test_admin_sees_every_process_with_its_actions(admin: Client) -> None:
    r = admin.get("/admin/taxonomy")
    assert r.status_code == 200
    assert 'action="/admin/taxonomy/processes/marketing.seo/retire"' in r.text
    assert 'href="/admin/taxonomy/processes/marketing.seo/edit"' in r.text


def test_admin_adds_a_process(admin: Client, session: Session) -> None:
    assert admin.get("/admin/taxonomy/processes/new?department=marketing").status_code == 200
    r = admin.submit("/admin/taxonomy/processes/new", WEBINARS)
    assert r.status_code == 303
    assert r.headers["location"] == "/admin/taxonomy#p-marketing-webinars"
    process = service.get_process(session, "marketing.webinars")
    assert (process.name, process.complexity, process.version) == ("Webinars", 2, 1)


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"key": "seo"}, "key", "already exists"),
    ({"key": "Web Inars"}, "key", "snake_case"),
    ({"complexity": "0"}, "complexity", "1, 2 or 3"),
    ({"complexity": "4"}, "complexity", "1, 2 or 3"),
    ({"complexity": ""}, "complexity", "1, 2 or 3"),
    ({"description": "x" * 301}, "description", "at most 300"),
    ({"department": "astrology"}, "department", "no department"),
])  # fmt: skip
def test_adding_a_bad_process_re_renders_the_form_and_stores_nothing(
    admin: Client, session: Session, change: dict[str, str], field: str, words: str
) -> None:
    before = _count(session, Process)
    r = admin.submit("/admin/taxonomy/processes/new", {**WEBINARS, **change})
    assert r.status_code == 422
    assert words in r.text
    assert f'href="#f-{field}"' in r.text  # the summary links to the field
    assert 'value="Webinars"' in r.text  # what was typed is kept
    assert _count(session, Process) == before


def test_admin_edits_a_process(admin: Client, session: Session) -> None:
    page = admin.get("/admin/taxonomy/processes/marketing.seo/edit")
    assert page.status_code == 200 and "marketing.seo" in page.text
    r = admin.submit("/admin/taxonomy/processes/marketing.seo/edit", {
        "name": "SEO", "description": "Getting found on search engines without ads.",
        "complexity": "2"})
    assert r.status_code == 303
    session.expire_all()
    process = service.get_process(session, "marketing.seo")
    assert (process.key, process.name, process.complexity, process.version) == (
        "marketing.seo", "SEO", 2, 2)


def test_editing_with_bad_input_changes_nothing(admin: Client, session: Session) -> None:
    r = admin.submit("/admin/taxonomy/processes/marketing.seo/edit", {
        "name": "SEO", "description": "Two sentences. Not one.", "complexity": "3"})
    assert r.status_code == 422
    assert "single sentence" in r.text
    session.expire_all()
    process = service.get_process(session, "marketing.seo")
    assert (process.name, process.version) == ("Search engine optimisation", 1)


def test_admin_retires_and_restores_a_process(admin: Client, session: Session) -> None:
    r = admin.submit("/admin/taxonomy/processes/marketing.seo/retire")
    assert r.status_code == 303
    session.expire_all()
    assert service.get_process(session, "marketing.seo").retired_at is not None
    page = admin.get("/admin/taxonomy")
    assert 'action="/admin/taxonomy/processes/marketing.seo/restore"' in page.text
    admin.submit("/admin/taxonomy/processes/marketing.seo/restore")
    session.expire_all()
    assert service.get_process(session, "marketing.seo").retired_at is None


def test_admin_adds_and_edits_a_department(admin: Client, session: Session) -> None:
    assert admin.get("/admin/taxonomy/departments/new").status_code == 200
    r = admin.submit("/admin/taxonomy/departments/new", {
        "key": "legal", "name": "Legal", "description": "Contracts, compliance and IP."})
    assert r.status_code == 303
    assert r.headers["location"] == "/admin/taxonomy/processes/new?department=legal"
    assert admin.get("/admin/taxonomy/departments/legal/edit").status_code == 200
    r = admin.submit("/admin/taxonomy/departments/legal/edit", {
        "name": "Legal and compliance", "description": "Contracts and compliance."})
    assert r.status_code == 303
    session.expire_all()
    assert service.get_department(session, "legal").name == "Legal and compliance"


def test_a_duplicate_department_re_renders_the_form(admin: Client, session: Session) -> None:
    before = _count(session, Department)
    r = admin.submit("/admin/taxonomy/departments/new", {
        "key": "marketing", "name": "Marketing", "description": "Again."})
    assert r.status_code == 422
    assert "Key a department “marketing” already exists" in r.text
    assert _count(session, Department) == before


@pytest.mark.parametrize("url", [
    "/admin/taxonomy", "/admin/taxonomy/processes/new",
    "/admin/taxonomy/processes/marketing.seo/edit", "/admin/taxonomy/departments/new",
    "/admin/taxonomy/departments/marketing/edit",
])  # fmt: skip
def test_owners_get_404_on_admin_pages(client: Client, afreen: User, url: str) -> None:
    assert client.login(afreen).get(url).status_code == 404


def test_owners_cannot_retire_a_process(client: Client, session: Session, afreen: User) -> None:
    r = client.login(afreen).submit("/admin/taxonomy/processes/marketing.seo/retire")
    assert r.status_code == 404
    session.expire_all()
    assert service.get_process(session, "marketing.seo").retired_at is None


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    r = client.get("/admin/taxonomy")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
