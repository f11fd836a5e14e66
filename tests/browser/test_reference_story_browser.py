"""Issue 6's whole reference story as ONE browser test on ONE internship, with the real server and
the demo data: Afreen proposes an internship at Rajeev's firm from her suggestion; Rajeev names
Arjun mentor and accepts, the intern and Afreen accept; Arjun starts it, sets tasks, the intern
completes them, Arjun rates the objectives midway, completes the internship and rates them again;
the intern gives her reaction and Afreen rates the partnership; the intern submits her plan,
Afreen requests changes, the intern resubmits, Afreen sees what changed and approves; the intern
records the 30-day follow-up, and Afreen's report of this internship shows all four Kirkpatrick
levels with their values. Every page visited passes the accessibility checks.

The intern is Isha, an intern of Afreen's firm seeded for this test alone, not the demo's Meera:
test_internships_browser.py takes Meera through her own internship at Rajeev's firm on the same
session-wide server, and an intern has at most one accepted or active internship — sharing her
would make each test depend on the other one having passed (and on the order they run in).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import BusinessRole
from exchange.db import make_engine
from exchange.profiles.models import Business, BusinessMembership
from tests.browser.conftest import DEMO_PASSWORD, assert_accessible, log_in, screenshot
from tests.browser.test_internships_browser import ACCEPT, AFREEN_FIRM, RAJEEV_FIRM
from tests.browser.test_internships_browser import _state as internship_state
from tests.browser.test_progress_browser import _rate_all as rate_all_objectives
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

TITLE = "Content that brings leads home: the whole reference story"
INTERN_NAME = "Isha Kulkarni"
INTERN_PASSWORD = "reference-story-password-2026"


def _seed_intern(server: LiveServer) -> str:
    """An intern member of Afreen's firm in the live server's database, through the account
    service (invite-free); returns her e-mail."""
    email = f"isha-{uuid.uuid4().hex[:8]}@story.example"
    engine = make_engine(server.database_url)
    with Session(engine) as s:
        intern = accounts_service.sign_up(s, email=email, display_name=INTERN_NAME,
                                          password=INTERN_PASSWORD)
        afreen_firm = s.exec(select(Business).where(Business.name == AFREEN_FIRM)).one()
        s.add(BusinessMembership(business_id=afreen_firm.id or 0, user_id=intern.id or 0,
                                 role=BusinessRole.intern.value))
        s.commit()
    engine.dispose()
    return email


def test_the_whole_reference_story_on_one_internship(
    demo_data: LiveServer, make_page: Callable[..., Page]
) -> None:
    today = date.today()
    intern_email = _seed_intern(demo_data)

    # -- Afreen proposes from her suggestion of Rajeev's firm ----------------------------------
    afreen = make_page()
    log_in(afreen, "afreen@example.com", DEMO_PASSWORD)
    afreen.goto("/businesses/afreen-talent-studio/suggestions")
    card = afreen.locator("ol.ms-list > li").filter(
        has=afreen.get_by_role("link", name=RAJEEV_FIRM, exact=True))
    card.get_by_role("link", name=f"Propose an internship at {RAJEEV_FIRM}").click()
    expect(afreen.get_by_role("heading", level=1)).to_have_text(
        f"Propose an internship at {RAJEEV_FIRM}")
    expect(afreen.get_by_role("checkbox", name=re.compile("^Content marketing"))).to_be_checked()
    assert_accessible(afreen)
    afreen.get_by_label(f"Intern from {AFREEN_FIRM}").select_option(label=INTERN_NAME)
    afreen.get_by_label("Title").fill(TITLE)
    afreen.get_by_role("button", name=f"Send the proposal to {RAJEEV_FIRM}").click()
    expect(afreen).to_have_url(re.compile(r"/internships/\d+$"))
    base = afreen.url.removeprefix(demo_data.base_url)
    expect(afreen.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert internship_state(afreen) == "Proposed"
    afreen.get_by_role("button", name=ACCEPT).click()
    expect(afreen.get_by_role("status")).to_contain_text(
        f"Still to accept: Rajeev Design Consultancy (an owner or manager, who also names the "
        f"mentor) and {INTERN_NAME} (the intern).")
    assert_accessible(afreen)

    # -- Rajeev names Arjun mentor and accepts; the intern accepts: agreed ---------------------
    rajeev = make_page()
    log_in(rajeev, "rajeev@example.com", DEMO_PASSWORD)
    rajeev.goto("/inbox")
    rajeev.locator(f'.in-note a[href="{base}"]').first.click()
    expect(rajeev).to_have_url(re.compile(re.escape(base) + "$"))
    rajeev.get_by_label(f"Mentor for {INTERN_NAME}").select_option(label="Arjun Rao")
    rajeev.get_by_role("button", name=ACCEPT).click()
    expect(rajeev.get_by_role("status")).to_contain_text(
        f"Still to accept: {INTERN_NAME} (the intern).")
    expect(rajeev.locator(".in-facts")).to_contain_text("Arjun Rao")
    assert_accessible(rajeev)

    intern = make_page()
    log_in(intern, intern_email, INTERN_PASSWORD)
    intern.get_by_role("link", name="Internships", exact=True).click()
    intern.get_by_role("region", name=re.compile("^As intern")).get_by_role(
        "link", name=TITLE).click()
    expect(intern).to_have_url(re.compile(re.escape(base) + "$"))
    intern.get_by_role("button", name=ACCEPT).click()
    expect(intern.get_by_role("status")).to_contain_text("the internship is agreed")
    assert internship_state(intern) == "Accepted"
    assert_accessible(intern)

    # -- Arjun starts it and sets two tasks; the intern completes both -------------------------
    arjun = make_page()
    log_in(arjun, "arjun@example.com", DEMO_PASSWORD)
    arjun.goto(base)
    arjun.get_by_role("button", name="Start the internship").click()
    expect(arjun.get_by_role("status")).to_contain_text("Active")
    assert internship_state(arjun) == "Active"
    assert_accessible(arjun)

    arjun.goto(base + "/tasks")
    first_day = arjun.get_by_label(re.compile("^Due date")).get_attribute("min")
    assert first_day, "the due date field names the internship's first day as its minimum"
    tasks = ["Draft one article from a client question", "Plan a month of social posts"]
    for title in tasks:
        arjun.get_by_label("Title").fill(title)
        arjun.get_by_label(re.compile("^Due date")).fill(first_day)
        arjun.get_by_role("button", name="Add the task").click()
        expect(arjun.locator(".flash")).to_contain_text("added")
    expect(arjun.locator(".pg-task")).to_have_count(2)
    assert_accessible(arjun)

    intern.goto(base + "/tasks")
    for title in tasks:
        task = intern.locator(".pg-task").filter(
            has=intern.get_by_role("heading", name=title, exact=True))
        task.get_by_label("Status").select_option("done")
        task.get_by_label("Note").fill(f"Done with Arjun: {title.lower()}.")
        task.get_by_role("button", name="Save", exact=True).click()
        expect(intern.locator(".pg-task").filter(
            has=intern.get_by_role("heading", name=title, exact=True)
        ).locator(".pg-status-done")).to_have_text("Done")
    assert_accessible(intern)

    # -- Arjun's midway ratings, completion, final ratings ---------------------------------
    arjun.goto(base + "/feedback")
    assert_accessible(arjun)
    rate_all_objectives(arjun, "midway", "Partly achieved", "3")
    arjun.goto(base)
    arjun.get_by_role("button", name="Mark the internship completed").click()
    assert internship_state(arjun) == "Completed"
    arjun.goto(base + "/feedback")
    rate_all_objectives(arjun, "final", "Achieved", "5")
    assert_accessible(arjun)

    # -- the intern's reaction, Afreen's rating of the partnership --------------------------
    intern.goto(base + "/feedback")
    intern.get_by_label("5", exact=True).check()
    intern.get_by_label(re.compile("What worked")).fill("Arjun's editorial calendar is gold.")
    intern.get_by_role("button", name="Submit").click()
    expect(intern.locator(".flash")).to_contain_text("feedback is saved")
    assert_accessible(intern)

    afreen.goto(base + "/feedback")
    give = afreen.locator("#give")
    expect(give.get_by_role("heading")).to_have_text(f"Rate the partnership with {RAJEEV_FIRM}")
    give.get_by_label("4", exact=True).check()
    give.get_by_label(re.compile("What worked")).fill("Generous hosts; we would go again.")
    give.get_by_role("button", name="Submit").click()
    expect(afreen.locator(".flash")).to_contain_text("feedback is saved")
    assert_accessible(afreen)

    # -- the plan: submitted, changes requested, resubmitted, diff, approved ---------------------
    soon = (today + timedelta(days=10)).isoformat()
    later = (today + timedelta(days=80)).isoformat()
    intern.goto(base + "/plan")
    intern.get_by_label("Current state").fill("New clients come from paid ads only.")
    intern.get_by_label("Target state").fill("A blog and a newsletter bring leads every week.")
    intern.get_by_label("Action 1", exact=True).fill("Set up the blog on our website")
    intern.get_by_label("Owner 1", exact=True).fill("Isha")
    intern.get_by_label("Due date 1", exact=True).fill(soon)
    intern.get_by_label("Action 2", exact=True).fill("Publish an article every week")
    intern.get_by_label("Owner 2", exact=True).fill("Isha")
    intern.get_by_label("Due date 2", exact=True).fill(later)
    intern.get_by_label("KPI name 1", exact=True).fill("Organic leads per month")
    intern.get_by_label("Unit 1", exact=True).fill("leads")
    intern.get_by_label("Baseline 1", exact=True).fill("2")
    intern.get_by_label("Target 1", exact=True).fill("12")
    intern.get_by_label("Target date 1", exact=True).fill(later)
    assert_accessible(intern)
    intern.get_by_role("button", name="Submit the plan for review").click()
    expect(intern.locator(".flash")).to_contain_text("Version 1 of your plan is submitted")
    intern.goto(base)
    assert internship_state(intern) == "Plan submitted"
    assert_accessible(intern)

    afreen.goto(base + "/plan")
    afreen.get_by_label("Comment for the intern").fill(
        "Who writes the articles when you run the ad campaigns? Name a backup.")
    assert_accessible(afreen)
    afreen.get_by_role("button", name="Request changes").click()
    expect(afreen.locator(".flash")).to_contain_text("Changes requested")

    intern.goto(base + "/plan")
    expect(intern.get_by_label("Owner 2", exact=True)).to_have_value("Isha")
    intern.get_by_label("Owner 2", exact=True).fill("Isha, Farah as backup")
    intern.get_by_role("button", name="Submit the plan for review").click()
    expect(intern.locator(".flash")).to_contain_text("Version 2")

    afreen.goto(base + "/plan")
    review = afreen.locator("#review")
    expect(review).to_contain_text("What changed since version 1")
    expect(review.locator("ins")).to_have_text("Isha, Farah as backup")
    screenshot(afreen, "reference-story-plan-review")
    assert_accessible(afreen)
    afreen.get_by_role("button", name="Approve the plan").click()
    expect(afreen.locator(".flash")).to_contain_text("approved")

    # -- the 30-day follow-up ------------------------------------------------------------------
    intern.goto(base + "/follow-ups")
    form = intern.locator("#record")
    expect(form.get_by_role("heading")).to_have_text("Record the 30-day follow-up")
    form.get_by_label("Status of step 1").select_option("done")
    form.get_by_label(re.compile("^Organic leads per month")).fill("7")
    assert_accessible(intern)
    form.get_by_role("button", name="Record the follow-up").click()
    expect(intern.locator(".flash")).to_contain_text("30-day follow-up is recorded")
    assert_accessible(intern)
    intern.goto(base)
    assert internship_state(intern) == "Following up"

    # -- Afreen's report: the four levels, each with its value -----------------------------
    afreen.goto(base + "/report")
    expect(afreen.get_by_role("heading", level=1)).to_have_text(TITLE)
    for level in ("1 · Reaction", "2 · Learning", "3 · Behaviour", "4 · Results"):
        expect(afreen.get_by_role("heading", name=level, exact=True)).to_be_visible()
    cards = afreen.locator(".pg-kpi-cards li")
    expect(cards.nth(0)).to_contain_text("5 / 5")  # the intern's reaction
    expect(cards.nth(1)).to_contain_text("100 %")  # every objective achieved at the end
    expect(cards.nth(2)).to_contain_text("100 %")  # step 1 done on time; step 2 not due yet
    expect(cards.nth(3)).to_contain_text("50 %")  # 2 → 7 of 12 leads
    reaction = afreen.locator("section[aria-labelledby=l1]")
    expect(reaction.get_by_role("row", name=re.compile(f"^{AFREEN_FIRM}, on the partnership"))
           ).to_contain_text("4 / 5")
    expect(afreen.locator("section[aria-labelledby=l2]").get_by_role("row").filter(
        has_text="Partly achieved")).not_to_have_count(0)
    expect(afreen.locator("section[aria-labelledby=l3]")).to_contain_text(
        "As of the 30-day follow-up: 1 of 1 steps that were due are done on time.")
    expect(afreen.locator("section[aria-labelledby=l4]").get_by_role(
        "row", name=re.compile("^Organic leads per month"))).to_contain_text("7")
    expect(afreen.locator("svg.chart")).to_have_count(4)
    screenshot(afreen, "reference-story-report")
    assert_accessible(afreen)
    csv = afreen.request.get(base + "/report.csv")
    assert csv.ok and "results,Organic leads per month,actual,7" in csv.text()
