"""Issue 15 in a real browser: what a small-business owner hits in the first hour.

Each test walks one of the issue's points the way an owner (or intern, or admin) would, looks
at the page on a desktop and on a 390 px phone (screenshots in test-artifacts/screenshots/) and
runs the accessibility checks on every state it visits."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    DEFAULT_TIMEOUT_MS,
    DEMO_PASSWORD,
    DESKTOP,
    PHONE,
    assert_accessible,
    log_in,
    screenshot,
    unique_email,
)
from tests.browser.test_profiles_browser import PASSWORD, _list_business, _sign_up
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.browser


_TOO_WIDE_JS = """
() => { const limit = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll('body *'))
    .filter((el) => el.getBoundingClientRect().right > limit + 1)
    .slice(-5).map((el) => `${el.tagName.toLowerCase()}.${el.className}`
      + ` (right edge ${Math.round(el.getBoundingClientRect().right)}px)`); }
"""


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, (f"{page.url} scrolls sideways by {overflow}px; too wide: "
                           f"{page.evaluate(_TOO_WIDE_JS)}")


# -- 1 and 2: links point at the served address; the owner copies the invitation link ---------


@pytest.fixture
def unconfigured_server(tmp_path: Path) -> Iterator[LiveServer]:
    """`exchange serve --port <free port>` with EXCHANGE_PUBLIC_BASE_URL unset, as
    scripts/start.sh runs it."""
    server = start_live_server(tmp_path / "server", configure_base_url=False)
    yield server
    server.stop()


def test_the_owner_copies_the_invitation_link_of_the_served_address_and_the_intern_joins(
    unconfigured_server: LiveServer, browser: Browser
) -> None:
    base = unconfigured_server.base_url
    assert not base.endswith(":8000")
    contexts = []

    def new_page(viewport: dict[str, int], **options: object) -> Page:
        context = browser.new_context(base_url=base, viewport=viewport,  # type: ignore[arg-type]
                                      locale="en-GB", **options)  # type: ignore[arg-type]
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        owner = new_page(DESKTOP, permissions=["clipboard-read", "clipboard-write"])
        _sign_up(owner, "Lalitha Rao")
        slug = _list_business(owner, "Rao Print Works", size="first-hour")
        owner.goto(f"/businesses/{slug}/members")
        intern_email = unique_email("intern")
        owner.get_by_label("E-mail address").fill(intern_email)
        owner.get_by_role("radio", name="Intern").check()
        owner.get_by_role("button", name="Send invitation").click()

        issued = owner.get_by_role("status").filter(has_text="Invitation sent")
        expect(issued).to_contain_text(f"Invitation sent to {intern_email}")
        expect(issued).to_contain_text("shown only this once")
        link_field = owner.get_by_label(f"Invitation link for {intern_email}")
        link = link_field.input_value()
        # The served address (host and port), not the default http://127.0.0.1:8000.
        assert re.fullmatch(re.escape(base) + r"/invitations/pie_inv_[\w-]+", link), link
        owner.get_by_role("button", name="Copy invitation link").click()
        expect(owner.locator("#invitation-link-copied")).to_have_text(re.compile("^Copied"))
        assert owner.evaluate("navigator.clipboard.readText()") == link
        screenshot(owner, "ux-invitation-link-desktop")
        assert_accessible(owner)
        owner.set_viewport_size(PHONE)
        screenshot(owner, "ux-invitation-link-phone")
        _no_sideways_scroll(owner)

        # The e-mail carries the same served address.
        outbox = unconfigured_server.run_cli("outbox", "list", "--show-secrets")
        mails = [json.loads(line) for line in outbox.stdout.splitlines()]
        invitation_mail = next(m for m in mails if m["to"] == intern_email)
        assert link in invitation_mail["body"]

        # Shown once: the members page afterwards lists the invitation, not the link.
        owner.goto(f"/businesses/{slug}/members")
        expect(owner.get_by_role("heading", name=re.compile("^Pending invitations"))
               ).to_be_visible()
        assert link not in owner.content()

        # The intern opens the copied link on a phone, signs up there and is in.
        intern = new_page(PHONE, is_mobile=True, has_touch=True)
        intern.goto(link.removeprefix(base))
        expect(intern.get_by_role("heading", level=1)).to_have_text("Join Rao Print Works")
        intern.get_by_label("Your name").fill("Irfan Khan")
        intern.get_by_label("Password", exact=True).fill(PASSWORD)
        intern.get_by_role("button", name=re.compile("Create account and join")).click()
        expect(intern.get_by_role("status").first).to_contain_text("joined Rao Print Works")
        _no_sideways_scroll(intern)
    finally:
        for context in contexts:
            context.close()


# -- 3: page errors name the field in the user's words and link to it --------------------------


def test_form_errors_name_the_field_in_words_and_link_to_it(
    demo_data: LiveServer, make_page: Callable[..., Page]
) -> None:
    afreen = make_page()
    log_in(afreen, "afreen@example.com", DEMO_PASSWORD)
    afreen.goto("/businesses/afreen-talent-studio/internships/new"
                "?host=rajeev-design-consultancy")
    afreen.get_by_label("Intern from Afreen Talent Studio").select_option(label="Meera Joshi")
    afreen.get_by_label("Objective 2", exact=True).fill("Run a monthly video series")
    afreen.get_by_label("How you measure objective 2", exact=True).fill("")
    afreen.get_by_role("button", name="Send the proposal to Rajeev Design Consultancy").click()

    summary = afreen.get_by_role("alert")
    expect(summary).to_contain_text("Objective 2: the success criterion is missing.")
    expect(summary).not_to_contain_text("Field required")
    link = summary.get_by_role("link", name="Objective 2: the success criterion is missing.")
    link.click()
    expect(afreen.get_by_label("How you measure objective 2", exact=True)).to_be_focused()
    # What was typed is kept.
    expect(afreen.get_by_label("Objective 2", exact=True)).to_have_value(
        "Run a monthly video series")
    screenshot(afreen, "ux-propose-errors-desktop")
    assert_accessible(afreen)
    afreen.set_viewport_size(PHONE)
    screenshot(afreen, "ux-propose-errors-phone", full_page=False)

    # A number that is not one: the KPI's own name and the reason, no parser jargon.
    meera = make_page()
    log_in(meera, "meera@example.com", DEMO_PASSWORD)
    meera.goto("/internships")
    meera.get_by_role("link", name="Organic lead generation with content").first.click()
    meera.goto(meera.url + "/follow-ups")
    meera.get_by_label(re.compile("^Organic leads per month")).fill("lots")
    meera.get_by_role("button", name="Record the follow-up").click()
    summary = meera.get_by_role("alert")
    expect(summary).to_contain_text("Organic leads per month: the value now must be a number.")
    expect(summary).not_to_contain_text("unable to parse")
    summary.get_by_role("link", name=re.compile("^Organic leads per month")).click()
    expect(meera.get_by_label(re.compile("^Organic leads per month"))).to_be_focused()
    screenshot(meera, "ux-follow-up-errors-desktop")
    assert_accessible(meera)


# -- 7: each role's dashboard shows what that role does next ----------------------------------


def test_each_roles_dashboard_shows_what_it_does_next(
    demo_data: LiveServer, make_page: Callable[..., Page]
) -> None:
    # Rajeev, owner: Kiran's accepted internship waits for the host to start it; all Rajeev
    # could do is cancel, so it is not "waiting for you".
    rajeev = make_page()
    log_in(rajeev, "rajeev@example.com", DEMO_PASSWORD)
    waiting = rajeev.get_by_role("region", name="Waiting for you")
    expect(waiting).not_to_contain_text("Workforce planning for project peaks")
    for card in waiting.locator(".dash-waiting > li").all():
        steps = card.locator(".dash-steps a")
        assert steps.count() >= 1
        assert not [t for t in steps.all_inner_texts() if t.startswith("Cancel")]
    business = rajeev.get_by_role("region", name="Your businesses")
    business.get_by_role("link", name="Find partners for Rajeev Design Consultancy").click()
    expect(rajeev).to_have_url(re.compile("/businesses/rajeev-design-consultancy/suggestions$"))
    rajeev.goto("/dashboard")
    expect(rajeev.get_by_role("link", name="List another business")).to_be_visible()
    expect(rajeev.locator("a.button", has_text="List a")).to_have_count(0)
    screenshot(rajeev, "ux-dashboard-owner-desktop")
    assert_accessible(rajeev)
    rajeev.set_viewport_size(PHONE)
    screenshot(rajeev, "ux-dashboard-owner-phone")
    _no_sideways_scroll(rajeev)

    # Afreen, owner: what waits for her is a step forward, linked, the first one a button.
    afreen = make_page()
    log_in(afreen, "afreen@example.com", DEMO_PASSWORD)
    cards = afreen.locator(".dash-waiting > li")
    expect(cards.first).to_be_visible()
    for card in cards.all():
        first = card.locator(".dash-steps a").first
        expect(first).to_have_class(re.compile("button"))
        assert not first.inner_text().startswith(("Cancel", "Withdraw"))
    screenshot(afreen, "ux-dashboard-owner-waiting-desktop")
    assert_accessible(afreen)

    # Meera, intern: her internships, nothing about listing a business.
    meera = make_page()
    log_in(meera, "meera@example.com", DEMO_PASSWORD)
    expect(meera.locator(".lead")).to_contain_text("You are an intern")
    expect(meera.get_by_role("link", name=re.compile("List a|List another"))).to_have_count(0)
    expect(meera.get_by_role("region", name="Your employer")).to_contain_text(
        "Afreen Talent Studio")
    expect(meera.get_by_role("link", name="Your internships")).to_be_visible()
    screenshot(meera, "ux-dashboard-intern-desktop")
    assert_accessible(meera)

    # The platform admin: administration links, the taxonomy among them; no "List a business".
    admin = make_page()
    log_in(admin, "admin@example.com", DEMO_PASSWORD)
    administration = admin.get_by_role("region", name="Platform administration")
    expect(administration.get_by_role("link", name="Process taxonomy")).to_have_attribute(
        "href", "/admin/taxonomy")
    expect(admin.get_by_role("link", name=re.compile("List a|List another"))).to_have_count(0)
    screenshot(admin, "ux-dashboard-admin-desktop")
    assert_accessible(admin)
    administration.get_by_role("link", name="Process taxonomy").click()
    expect(admin).to_have_url(re.compile("/admin/taxonomy$"))


# -- 6: phone layouts -----------------------------------------------------------------------


_CHART_TEXT_PX = """
() => Array.from(document.querySelectorAll('svg.chart text.chart-label'))
  .map((t) => t.getBoundingClientRect().height)
"""


def test_follow_up_form_report_charts_and_filters_fit_a_phone(
    demo_data: LiveServer, make_page: Callable[..., Page]
) -> None:
    meera = make_page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(meera, "meera@example.com", DEMO_PASSWORD)
    meera.goto("/internships")
    meera.get_by_role("link", name="Organic lead generation with content").first.click()
    base = meera.url
    meera.goto(base + "/follow-ups")
    expect(meera.get_by_role("button", name="Record the follow-up")).to_be_visible()
    _no_sideways_scroll(meera)
    # The step labels, hidden in the desktop table, are shown above each control.
    expect(meera.get_by_label("Status of step 1")).to_be_visible()
    screenshot(meera, "ux-follow-up-form-phone")
    assert_accessible(meera)

    afreen = make_page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(afreen, "afreen@example.com", DEMO_PASSWORD)
    afreen.goto(base.removeprefix(demo_data.base_url) + "/report")
    expect(afreen.locator("svg.chart").first).to_be_visible()
    heights = afreen.evaluate(_CHART_TEXT_PX)
    assert heights, "the report has chart labels"
    assert min(heights) >= 11, f"chart labels are {min(heights):.1f} px high on a phone"
    _no_sideways_scroll(afreen)
    screenshot(afreen, "ux-report-phone")
    assert_accessible(afreen)

    afreen.goto("/businesses/afreen-talent-studio/suggestions")
    depth = afreen.get_by_label("Treat as competitors firms in")
    expect(depth).to_be_visible()
    box, form = depth.bounding_box(), afreen.locator("form.ms-filters").bounding_box()
    assert box is not None and form is not None
    assert box["x"] >= form["x"] and box["x"] + box["width"] <= form["x"] + form["width"], (
        "the competitor-depth select sticks out of its form")
    # Its chosen option is not cut: the select is as wide as its text needs.
    assert afreen.evaluate("""() => {
      const s = document.getElementById('f-isic_depth');
      return s.scrollWidth <= s.clientWidth + 1; }""")
    _no_sideways_scroll(afreen)
    screenshot(afreen, "ux-suggestions-filters-phone", full_page=False)
    assert_accessible(afreen)

    # The same report on a desktop keeps its labels at a comfortable size, not huge.
    desktop = make_page()
    log_in(desktop, "afreen@example.com", DEMO_PASSWORD)
    desktop.goto(base.removeprefix(demo_data.base_url) + "/report")
    heights = desktop.evaluate(_CHART_TEXT_PX)
    assert min(heights) >= 12 and max(heights) <= 24
    screenshot(desktop, "ux-report-desktop")


# -- 5: the matrix by department, the ones the business runs first ---------------------------


def _grid(page: Page, control: str, process: str):  # type: ignore[no-untyped-def]
    return page.get_by_label(f"{control}, {process}", exact=True)


def test_the_matrix_shows_the_departments_run_first_filters_and_saves_per_department(
    make_page: Callable[..., Page]
) -> None:
    page = make_page()
    _sign_up(page, "Kavya Menon")
    slug = _list_business(page, "Menon Logistics", size="matrix")
    # Nothing recorded yet: the whole grid, saved together, as the first fill.
    expect(page.locator(".mx-viewswitch")).to_contain_text("Nothing recorded yet")
    _grid(page, "Level today", "Content marketing").select_option("5")
    _grid(page, "Need to learn", "Recruitment").select_option("3")
    page.get_by_role("button", name="Save strengths and needs").click()
    expect(page.get_by_role("status").first).to_contain_text("Matrix saved: 2 cells changed")

    # Now Marketing and Human resources come first, open; the other departments are folded.
    page.goto(f"/businesses/{slug}/matrix")
    departments = page.locator("fieldset.mx-dept > legend").all_inner_texts()
    assert departments[:2] == ["Marketing", "Human resources"]
    finance = page.locator("details.mx-fold").filter(has_text="Finance")
    expect(finance).not_to_have_attribute("open", "")
    expect(_grid(page, "Level today", "Bookkeeping")).to_be_hidden()
    folded_height = page.evaluate("document.documentElement.scrollHeight")
    screenshot(page, "ux-matrix-by-department-desktop")
    assert_accessible(page)

    # The one-page grid is still there, and much longer.
    page.get_by_role("link", name="The whole grid on one page").click()
    expect(page.get_by_role("button", name="Save strengths and needs")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * folded_height
    page.goto(f"/businesses/{slug}/matrix")

    # Save one department; what was changed in another (opened) one is kept, not lost.
    finance.locator("summary").click()
    _grid(page, "Level today", "Bookkeeping").select_option("3")
    _grid(page, "Level today", "Search engine optimisation").select_option("2")
    expect(page.locator("#mx-changes-marketing")).to_have_text(
        "1 process changed, not saved yet")
    page.get_by_role("button", name=re.compile("^Save Marketing")).click()
    expect(page).to_have_url(re.compile(rf"/businesses/{slug}/matrix#dept-marketing$"))
    expect(page.get_by_role("status").first).to_contain_text(
        "Matrix saved: 2 cells changed; the rest is as it was.")
    expect(_grid(page, "Level today", "Search engine optimisation")).to_have_value("2")
    expect(_grid(page, "Level today", "Bookkeeping")).to_have_value("3")  # Finance runs now
    expect(_grid(page, "Need to learn", "Recruitment")).to_have_value("3")  # untouched

    # The filter box and "only what I recorded".
    page.get_by_label("Find a process").fill("search engine")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("table.mx-table tbody tr")).to_have_count(1)
    expect(page.get_by_role("status").filter(has_text="processes shown")).to_contain_text(
        "1 of ")
    page.get_by_label("Find a process").fill("")
    page.get_by_label("Only what I recorded").check()
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("table.mx-table tbody tr")).to_have_count(4)
    screenshot(page, "ux-matrix-recorded-desktop")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    page.goto(f"/businesses/{slug}/matrix")
    _no_sideways_scroll(page)
    screenshot(page, "ux-matrix-by-department-phone")
    page.locator("#fold-sales").scroll_into_view_if_needed()
    screenshot(page, "ux-matrix-folded-phone", full_page=False)
