"""Issue 6's reference story, first half, in a real browser on the demo data: Afreen proposes an
internship from her suggestion of Rajeev's firm (focus and objectives pre-filled from the
explanation) and accepts it; Rajeev finds it in his inbox, names Arjun mentor and accepts; Meera
accepts from her own view; Arjun starts the internship and, at the end, marks it completed.
Every page passes the accessibility checks, and the pages fit a 390 px phone."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    DEMO_PASSWORD,
    PHONE,
    assert_accessible,
    log_in,
    screenshot,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

AFREEN_FIRM = "Afreen Talent Studio"
RAJEEV_FIRM = "Rajeev Design Consultancy"
ACCEPT = "Accept version 1 of the agreement"


def _state(page: Page) -> str:
    return page.locator(".in-state-line .in-state").inner_text()


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_proposal_from_a_suggestion_to_a_completed_internship(
    demo_data: LiveServer, make_page: Callable[..., Page]
) -> None:
    # -- Afreen proposes from the suggestion ---------------------------------------------------
    afreen = make_page()
    log_in(afreen, "afreen@example.com", DEMO_PASSWORD)
    afreen.goto("/businesses/afreen-talent-studio/suggestions")
    card = afreen.locator("ol.ms-list > li").filter(
        has=afreen.get_by_role("link", name=RAJEEV_FIRM, exact=True))
    card.get_by_role("link", name=f"Propose an internship at {RAJEEV_FIRM}").click()
    expect(afreen.get_by_role("heading", level=1)).to_have_text(
        f"Propose an internship at {RAJEEV_FIRM}")
    expect(afreen.get_by_role("checkbox", name=re.compile("^Content marketing"))).to_be_checked()
    expect(afreen.get_by_label("Objective 1", exact=True)).to_have_value(
        re.compile(f"Learn how {RAJEEV_FIRM} does"))
    expect(afreen.locator(".in-duration")).to_contain_text("Suggested length")
    screenshot(afreen, "internship-propose")
    assert_accessible(afreen)

    # Sent without choosing the intern: the form says so and keeps everything.
    afreen.get_by_role("button", name=f"Send the proposal to {RAJEEV_FIRM}").click()
    expect(afreen.get_by_role("alert")).to_contain_text("The intern must be a member")
    expect(afreen.get_by_label("Objective 1", exact=True)).to_have_value(
        re.compile(f"Learn how {RAJEEV_FIRM} does"))
    screenshot(afreen, "internship-propose-errors")
    assert_accessible(afreen)

    afreen.get_by_label(f"Intern from {AFREEN_FIRM}").select_option(label="Meera Joshi")
    afreen.get_by_label("Title").fill("Organic leads with content, the Rajeev way")
    afreen.get_by_role("button", name=f"Send the proposal to {RAJEEV_FIRM}").click()
    expect(afreen).to_have_url(re.compile(r"/internships/\d+$"))
    internship_url = afreen.url.removeprefix(demo_data.base_url)
    # Proposing does not accept for Afreen: the flash names everyone still to accept, her first.
    expect(afreen.get_by_role("status")).to_contain_text(
        f"Proposed to {RAJEEV_FIRM}. Still to accept version 1 of the agreement: you (for "
        f"{AFREEN_FIRM}), {RAJEEV_FIRM} (an owner or manager, who also names the mentor) and "
        "Meera Joshi (the intern).")
    expect(afreen.get_by_role("heading", level=1)).to_have_text(
        "Organic leads with content, the Rajeev way")
    assert _state(afreen) == "Proposed"
    afreen.get_by_role("button", name=ACCEPT).click()
    expect(afreen.get_by_role("status")).to_contain_text(
        "Still to accept: Rajeev Design Consultancy (an owner or manager, who also names the "
        "mentor) and Meera Joshi (the intern).")
    screenshot(afreen, "internship-detail-proposed")
    assert_accessible(afreen)

    # -- Rajeev: inbox, mentor, accept -----------------------------------------------------------
    rajeev = make_page()
    log_in(rajeev, "rajeev@example.com", DEMO_PASSWORD)
    expect(rajeev.locator(".nav-badge")).to_be_visible()
    rajeev.get_by_role("link", name=re.compile("^Inbox")).click()
    expect(rajeev.get_by_role("heading", level=1)).to_contain_text("Inbox")
    screenshot(rajeev, "inbox")
    assert_accessible(rajeev)
    rajeev.locator(f'.in-note a[href="{internship_url}"]').first.click()
    expect(rajeev).to_have_url(re.compile(re.escape(internship_url) + "$"))
    # Without a mentor the host cannot accept: a clear message on the page.
    rajeev.get_by_role("button", name=ACCEPT).click()
    expect(rajeev.get_by_role("alert")).to_contain_text("Name the mentor")
    assert_accessible(rajeev)
    rajeev.get_by_label("Mentor for Meera Joshi").select_option(label="Arjun Rao")
    rajeev.get_by_role("button", name=ACCEPT).click()
    expect(rajeev.get_by_role("status")).to_contain_text(
        "Still to accept: Meera Joshi (the intern).")
    expect(rajeev.locator(".in-facts")).to_contain_text("Arjun Rao")

    # -- Meera accepts from her own view ---------------------------------------------------------
    meera = make_page()
    log_in(meera, "meera@example.com", DEMO_PASSWORD)
    meera.get_by_role("link", name="Internships", exact=True).click()
    intern_section = meera.get_by_role("region", name=re.compile("^As intern"))
    intern_section.get_by_role("link", name="Organic leads with content, the Rajeev way").click()
    expect(meera.locator(".in-agreement")).not_to_contain_text("at level")
    meera.get_by_role("button", name=ACCEPT).click()
    expect(meera.get_by_role("status")).to_contain_text("the internship is agreed")
    assert _state(meera) == "Accepted"
    screenshot(meera, "internship-detail-intern")
    assert_accessible(meera)

    # -- Arjun starts it, then completes it ------------------------------------------------------
    arjun = make_page()
    log_in(arjun, "arjun@example.com", DEMO_PASSWORD)
    arjun.goto(internship_url)
    arjun.get_by_role("button", name="Start the internship").click()
    expect(arjun.get_by_role("status")).to_contain_text("Active")
    assert _state(arjun) == "Active"
    screenshot(arjun, "internship-detail-active")
    assert_accessible(arjun)
    arjun.get_by_role("button", name="Mark the internship completed").click()
    assert _state(arjun) == "Completed"
    timeline = arjun.get_by_role("region", name="Timeline")
    # Every event, in sentences: each acceptance, the naming of the mentor, start and end.
    for words in ("Afreen Sheikh proposed the internship",
                  f"Afreen Sheikh accepted version 1 of the agreement for {AFREEN_FIRM}.",
                  "Rajeev Menon named Arjun Rao as mentor.",
                  f"Rajeev Menon accepted version 1 of the agreement for {RAJEEV_FIRM}.",
                  "Meera Joshi accepted version 1 of the agreement as the intern.",
                  "Every party accepted version 1", "Arjun Rao started the internship.",
                  "Arjun Rao marked the internship completed."):
        expect(timeline).to_contain_text(words)
    screenshot(arjun, "internship-detail-completed")
    assert_accessible(arjun)

    # The inbox and the e-mail subjects say the same sentences.
    meera.goto("/inbox")
    expect(meera.locator(".in-inbox")).to_contain_text("Arjun Rao started the internship.")
    expect(meera.locator(".in-inbox")).to_contain_text("Arjun Rao marked the internship completed.")
    screenshot(meera, "inbox-intern")
    assert_accessible(meera)
    subjects = [json.loads(line)["subject"] for line in
                demo_data.run_cli("outbox", "list", "--limit", "200").stdout.splitlines()]
    title = "Organic leads with content, the Rajeev way"
    assert f"{title}: Arjun Rao started the internship." in subjects
    assert f"{title}: Rajeev Menon named Arjun Rao as mentor." in subjects
    assert not [s for s in subjects if s.endswith((": start", ": complete"))]

    # Afreen's page is stale: it still offers to withdraw the proposal. The product refuses with
    # the reason, changes nothing, and shows what is true now.
    afreen.get_by_text("Withdraw the proposal…").click()
    afreen.get_by_role("button", name="Withdraw the proposal").click()
    expect(afreen.get_by_role("alert")).to_contain_text("Nothing was changed.")
    expect(afreen.get_by_role("alert")).to_contain_text("Not possible now")
    assert _state(afreen) == "Completed"
    screenshot(afreen, "internship-detail-refused")
    assert_accessible(afreen)
    afreen.goto("/internships")
    screenshot(afreen, "internships-dashboard")
    assert_accessible(afreen)


def test_internship_pages_fit_a_phone(
    demo_data: LiveServer, make_page: Callable[..., Page]
) -> None:
    page = make_page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(page, "afreen@example.com", DEMO_PASSWORD)
    page.goto("/internships")
    screenshot(page, "internships-dashboard-phone")
    assert_accessible(page)
    _no_sideways_scroll(page)
    hosting = page.get_by_role("region", name=re.compile("^Hosting"))
    hosting.get_by_role("link", name="Recruiting designers the way Afreen's team does").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Recruiting designers the way Afreen's team does")
    screenshot(page, "internship-detail-phone")
    assert_accessible(page)
    _no_sideways_scroll(page)
    for name, path in [
        ("internship-propose-phone",
         "/businesses/afreen-talent-studio/internships/new?host=rajeev-design-consultancy"),
        ("internship-propose-search-phone",
         "/businesses/afreen-talent-studio/internships/new?host_q=design"),
        ("inbox-phone", "/inbox"),
    ]:
        page.goto(path)
        screenshot(page, name)
        assert_accessible(page)
        _no_sideways_scroll(page)
    page.goto("/internships")
    page.get_by_role("region", name=re.compile("^Hosting")).get_by_role(
        "link", name="Workforce planning for project peaks").click()
    page.get_by_role("link", name="Edit the agreement").click()
    screenshot(page, "internship-edit-phone")
    assert_accessible(page)
    _no_sideways_scroll(page)
