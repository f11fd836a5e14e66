"""Issue 13, point 5, in a real browser on the demo data: a gig-staffing agency in Pune (Afreen's
line of business, Afreen's city) is listed by its owner; Afreen's view of its profile offers no
"Propose an internship" and says why, and the propose form for it has no send button — both in
the sentence the API refuses with. Desktop and 390 px phone, accessibility checks on each."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    DEMO_PASSWORD,
    PHONE,
    assert_accessible,
    log_in,
    screenshot,
    unique_email,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

PASSWORD = "a long enough passphrase"
REASON = re.compile(r"No internship is possible: Afreen Talent Studio and Pune Gig Crew [0-9a-f]+ "
                    r"compete \(same ISIC group 783; both serve Pune\)\.")


def _list_competitor(page: Page) -> str:
    page.goto("/signup")
    page.get_by_label("Your name").fill("Vikram Joshi")
    page.get_by_label("E-mail").fill(unique_email("competitor"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    page.goto("/businesses/new")
    page.get_by_label("Business name").fill(f"Pune Gig Crew {uuid.uuid4().hex[:6]}")
    page.get_by_label("What you do").fill("Temporary staff for events and shops in Pune.")
    page.get_by_label("Find your industry").fill("human resources provision")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("radio", name=re.compile(r"^7830 — ")).check()
    page.get_by_label("Country", exact=True).select_option(label="India")
    page.get_by_label("Region or state", exact=True).fill("Maharashtra")
    page.get_by_label("City", exact=True).fill("Pune")
    page.get_by_role("radio", name=re.compile(r"^Local")).check()
    page.get_by_role("button", name="Create the profile").click()
    expect(page).to_have_url(re.compile(r"/businesses/[a-z0-9-]+/matrix$"))
    match = re.search(r"/businesses/([a-z0-9-]+)/matrix$", page.url)
    assert match
    return match.group(1)


def test_a_competitor_is_offered_no_proposal_and_told_why(
    demo_data: LiveServer, make_page: Callable[..., Page]
) -> None:
    slug = _list_competitor(make_page())
    for size, viewport in (("desktop", None), ("phone", PHONE)):
        afreen = make_page(viewport)
        log_in(afreen, "afreen@example.com", DEMO_PASSWORD)

        afreen.goto(f"/businesses/{slug}")
        section = afreen.locator("section[aria-labelledby=propose-internship]")
        expect(section).to_contain_text(REASON)
        propose = afreen.get_by_role("link", name=re.compile("Propose an internship"))
        expect(propose).to_have_count(0)
        screenshot(afreen, f"competitor-profile-{size}")
        assert_accessible(afreen)

        afreen.goto(f"/businesses/afreen-talent-studio/internships/new?host={slug}")
        expect(afreen.get_by_role("status").filter(has_text=REASON)).to_be_visible()
        expect(afreen.get_by_role("button", name=re.compile("Send the proposal"))).to_have_count(0)
        expect(afreen.locator("main button[type=submit]")).to_have_count(0)
        screenshot(afreen, f"competitor-propose-form-{size}")
        assert_accessible(afreen)
        overflow = afreen.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the propose form scrolls sideways by {overflow}px"

        # A firm that does not compete keeps its send button.
        afreen.goto("/businesses/afreen-talent-studio/internships/new?host=rajeev-design-consultancy")
        expect(afreen.get_by_role("button", name=re.compile("Send the proposal"))).to_be_visible()
