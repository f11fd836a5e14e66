"""Issue 6's reference story, second half, in a real browser on the demo data: during the demo's
active internship (Rajeev's firm sends Vikram to Afreen's firm, Farah mentors) Farah adds a task
and Vikram completes it, Farah rates the objectives midway, completes the internship and rates
them again, Vikram gives his reaction and writes his implementation plan (adding rows without
script), Rajeev requests changes, Vikram resubmits, Rajeev sees the diff and approves, Vikram
records the 30-day follow-up, and Rajeev's report shows all four levels. Every page passes the
accessibility checks; the report also fits a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, PHONE, assert_accessible, log_in, screenshot
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

TITLE = "Recruiting designers the way Afreen's team does"


def _open(page: Page, who: str) -> str:
    """Logs `who` in and returns the internship's address."""
    log_in(page, who, DEMO_PASSWORD)
    page.goto("/internships")
    page.get_by_role("link", name=TITLE).first.click()
    page.wait_for_url(re.compile(r"/internships/\d+$"))
    return page.url.removeprefix(page.url.split("/internships/")[0])


def _rate_all(page: Page, phase: str, outcome: str, score: str) -> None:
    section = page.locator(f"#rate-{phase}")
    for fieldset in section.locator("fieldset.pg-objective").all():
        fieldset.get_by_label(outcome, exact=True).check()
        fieldset.get_by_label(score, exact=True).check()
    section.get_by_role("button", name=f"Submit the {phase} ratings").click()
    expect(page.locator(".flash")).to_contain_text(f"Your {phase} ratings are saved")


def test_tasks_feedback_plan_review_follow_up_and_report(
    demo_data: LiveServer, make_page: Callable[..., Page]
) -> None:
    today = date.today()
    # -- Farah sets a task, Vikram does it ------------------------------------------------------
    farah = make_page()
    base = _open(farah, "farah@example.com")
    farah.goto(base + "/tasks")
    farah.get_by_label("Title").fill("Screen ten portfolios with the scorecard")
    farah.get_by_label("Due date").fill(today.isoformat())
    farah.get_by_role("button", name="Add the task").click()
    expect(farah.locator(".flash")).to_contain_text("added")
    assert_accessible(farah)

    vikram = make_page()
    _open(vikram, "vikram@example.com")
    vikram.goto(base + "/tasks")
    vikram.get_by_label("Status").select_option("done")
    vikram.get_by_label("Note").fill("Scorecard filled in for all ten.")
    vikram.get_by_role("button", name="Save", exact=True).click()
    expect(vikram.locator(".pg-status-done")).to_have_text("Done")
    screenshot(vikram, "progress-tasks-intern")
    assert_accessible(vikram)

    # -- midway and final ratings around the end of the internship ---------------------------------
    farah.goto(base + "/feedback")
    assert_accessible(farah)
    _rate_all(farah, "midway", "Partly achieved", "3")
    farah.goto(base)
    farah.get_by_role("button", name="Mark the internship completed").click()
    expect(farah.locator(".in-state-line .in-state")).to_have_text("Completed")
    farah.goto(base + "/feedback")
    _rate_all(farah, "final", "Achieved", "5")

    vikram.goto(base + "/feedback")
    # The host's final ratings are in: the hint says the reaction now reaches the host at once.
    expect(vikram.get_by_text("The host has given its final ratings, so it sees your reaction "
                              "as soon as you submit it.")).to_be_visible()
    expect(vikram.get_by_text("only after it has given its final ratings")).to_have_count(0)
    vikram.get_by_label("5", exact=True).check()
    vikram.get_by_label(re.compile("What worked")).fill("Farah's scorecard changed how I read CVs.")
    vikram.get_by_role("button", name="Submit").click()
    expect(vikram.locator(".flash")).to_contain_text("feedback is saved")
    screenshot(vikram, "progress-feedback-intern")
    assert_accessible(vikram)

    # -- the plan: rows without script, changes requested, resubmitted, diff, approved -------------
    vikram.goto(base + "/plan")
    vikram.get_by_label("Current state").fill("We hire designers from referrals only.")
    vikram.get_by_label("Target state").fill("A scored pipeline with two sources per role.")
    soon = (today + timedelta(days=10)).isoformat()
    later = (today + timedelta(days=80)).isoformat()
    vikram.get_by_label("Action 1", exact=True).fill("Write the portfolio scorecard")
    vikram.get_by_label("Owner 1", exact=True).fill("Vikram")
    vikram.get_by_label("Due date 1", exact=True).fill(soon)
    vikram.get_by_role("button", name="Add step rows").click()
    expect(vikram.get_by_label("Action 6", exact=True)).to_be_visible()
    expect(vikram.get_by_label("Action 1", exact=True)).to_have_value(
        "Write the portfolio scorecard")
    vikram.get_by_label("Action 2", exact=True).fill("Post roles on two design boards")
    vikram.get_by_label("Owner 2", exact=True).fill("Rajeev")
    vikram.get_by_label("Due date 2", exact=True).fill(soon)
    vikram.get_by_label("KPI name 1", exact=True).fill("Qualified candidates per role")
    vikram.get_by_label("Unit 1", exact=True).fill("people")
    vikram.get_by_label("Baseline 1", exact=True).fill("1")
    vikram.get_by_label("Target 1", exact=True).fill("5")
    vikram.get_by_label("Target date 1", exact=True).fill(later)
    vikram.get_by_role("button", name="Submit the plan for review").click()
    expect(vikram.locator(".flash")).to_contain_text("Version 1 of your plan is submitted")
    assert_accessible(vikram)

    rajeev = make_page()
    _open(rajeev, "rajeev@example.com")
    rajeev.goto(base + "/plan")
    rajeev.get_by_label("Comment for the intern").fill("Who posts the roles when I travel?")
    rajeev.get_by_role("button", name="Request changes").click()
    expect(rajeev.locator(".flash")).to_contain_text("Changes requested")

    vikram.goto(base + "/plan")
    expect(vikram.get_by_label("Owner 2", exact=True)).to_have_value("Rajeev")
    vikram.get_by_label("Owner 2", exact=True).fill("Rajeev, Vikram when he travels")
    vikram.get_by_role("button", name="Submit the plan for review").click()
    expect(vikram.locator(".flash")).to_contain_text("Version 2")

    rajeev.goto(base + "/plan")
    review = rajeev.locator("#review")
    expect(review).to_contain_text("What changed since version 1")
    expect(review.locator("ins")).to_have_text("Rajeev, Vikram when he travels")
    screenshot(rajeev, "progress-plan-review")
    assert_accessible(rajeev)
    rajeev.get_by_role("button", name="Approve the plan").click()
    expect(rajeev.locator(".flash")).to_contain_text("approved")

    # -- the 30-day follow-up, then the report ---------------------------------------------
    vikram.goto(base + "/follow-ups")
    form = vikram.locator("#record")
    form.get_by_label("Status of step 1").select_option("done")
    form.get_by_label(re.compile("^Qualified candidates per role")).fill("3")
    form.get_by_role("button", name="Record the follow-up").click()
    expect(vikram.locator(".flash")).to_contain_text("30-day follow-up is recorded")
    assert_accessible(vikram)

    rajeev.goto(base + "/report")
    for level in ("1 · Reaction", "2 · Learning", "3 · Behaviour", "4 · Results"):
        expect(rajeev.get_by_role("heading", name=level, exact=True)).to_be_visible()
    cards = rajeev.locator(".pg-kpi-cards li")
    expect(cards.nth(0)).to_contain_text("5 / 5")
    expect(cards.nth(1)).to_contain_text("100 %")
    expect(cards.nth(2)).to_contain_text("100 %")  # step 1 done on time; step 2 not due yet
    expect(cards.nth(3)).to_contain_text("50 %")  # 1 → 3 of 5
    expect(rajeev.locator("svg.chart")).to_have_count(4)
    screenshot(rajeev, "progress-report")
    assert_accessible(rajeev)
    csv = rajeev.request.get(base + "/report.csv")
    assert csv.ok and "results,Qualified candidates per role,actual,3" in csv.text()

    phone = make_page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(phone, "rajeev@example.com", DEMO_PASSWORD)
    phone.goto(base + "/report")
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the report scrolls sideways by {overflow}px on a phone"
    screenshot(phone, "progress-report-phone")


def test_the_demo_report_of_the_reference_story(demo_data: LiveServer,
                                               page: Page) -> None:
    log_in(page, "afreen@example.com", DEMO_PASSWORD)
    page.goto("/businesses/afreen-talent-studio/internship-report")
    expect(page.get_by_role("heading", level=1)).to_contain_text("brought home")
    page.get_by_role("link", name="Organic lead generation with content").click()
    expect(page.get_by_role("heading", name="4 · Results", exact=True)).to_be_visible()
    expect(page.locator(".pg-kpi-cards li").nth(3)).to_contain_text("40 %")
    screenshot(page, "progress-demo-report")
    assert_accessible(page)
