"""Issue 4's acceptance in a real browser: an owner signs up, lists a business with an ISIC class
found by search, fills part of the strengths-and-needs grid, sees the heatmap, downloads the
matrix as CSV, edits it, imports it and sees the change; a bad CSV is refused with line-numbered
errors and changes nothing. Every page visited passes the accessibility checks, and the profile
pages fit a phone screen."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PHONE,
    SCREENSHOT_DIR,
    assert_accessible,
    screenshot,
    unique_email,
)

pytestmark = pytest.mark.browser

PASSWORD = "a long enough passphrase"


def _sign_up(page: Page, name: str) -> None:
    page.goto("/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail").fill(unique_email("owner"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def _list_business(page: Page, name: str, size: str = "desktop") -> str:
    """Creates a business through the form, choosing the ISIC class by searching "design"
    (the server-side picker, a full round trip). Returns the business's address (slug)."""
    page.get_by_role("link", name="List a business").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("List your business")
    assert_accessible(page)
    page.get_by_label("Business name").fill(name)
    page.get_by_label("What you do").fill("Product design for start-ups: research, UI, tests.")
    page.get_by_label("Find your industry").fill("design")
    page.get_by_role("button", name="Search", exact=True).click()

    # The form comes back with the matches and keeps what was typed.
    expect(page.get_by_label("Business name")).to_have_value(name)
    choice = page.get_by_role("radio", name=re.compile(r"^7410 — Specialized design activities"))
    expect(choice).to_be_visible()
    screenshot(page, f"profile-new-industry-search-{size}")
    assert_accessible(page)
    choice.check()
    page.get_by_label("Country", exact=True).select_option(label="India")
    page.get_by_label("Region or state", exact=True).fill("Karnataka")
    page.get_by_label("City", exact=True).fill("Bengaluru")
    page.get_by_role("radio", name=re.compile(r"^International")).check()
    page.get_by_role("button", name="Create the profile").click()

    expect(page).to_have_url(re.compile(r"/businesses/[a-z0-9-]+/matrix$"))
    expect(page.get_by_role("status").first).to_contain_text(f"{name} is listed")
    match = re.search(r"/businesses/([a-z0-9-]+)/matrix$", page.url)
    assert match
    return match.group(1)


def _grid_control(page: Page, control: str, process: str):  # type: ignore[no-untyped-def]
    # Each control's label is its column plus the process, e.g. "Level today, Content marketing".
    return page.get_by_label(f"{control}, {process}", exact=True)


def _read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def test_owner_lists_a_business_fills_the_matrix_and_round_trips_it_as_csv(
    page: Page, tmp_path: Path
) -> None:
    _sign_up(page, "Nisha Kapoor")
    name = f"Kapoor Product Studio {uuid.uuid4().hex[:6]}"
    slug = _list_business(page, name)

    # -- the grid editor: fill part of it and save ------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Strengths and needs")
    assert_accessible(page)
    _grid_control(page, "Level today", "Content marketing").select_option("5")
    _grid_control(page, "Offers to host", "Content marketing").check()
    _grid_control(page, "Evidence", "Content marketing").fill("Blog brings 30 leads a month")
    _grid_control(page, "Level today", "Recruitment").select_option("1")
    _grid_control(page, "Need to learn", "Recruitment").select_option("3")
    _grid_control(page, "Target level", "Recruitment").select_option("4")
    # The small script counts what is not saved yet.
    expect(page.locator("#mx-changes")).to_have_text("2 processes changed, not saved yet")
    screenshot(page, "matrix-editor-filled")
    page.get_by_role("button", name="Save strengths and needs").click()

    expect(page).to_have_url(re.compile(rf"/businesses/{slug}/matrix$"))
    expect(page.get_by_role("status").first).to_contain_text(
        "Matrix saved: 2 cells changed; the rest is as it was.")
    expect(_grid_control(page, "Level today", "Content marketing")).to_have_value("5")
    expect(_grid_control(page, "Offers to host", "Content marketing")).to_be_checked()
    expect(_grid_control(page, "Need to learn", "Recruitment")).to_have_value("3")
    screenshot(page, "matrix-editor-saved")
    assert_accessible(page)

    # -- the heatmap -------------------------------------------------------------------------
    page.get_by_role("link", name="See the heatmap").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strengths and needs at a glance")
    content = page.locator(".hm-tile").filter(has_text="Content marketing")
    expect(content).to_contain_text("Level 5")
    expect(content).to_contain_text("Hosts")
    expect(page.locator(".hm-tile").filter(has_text="Recruitment")).to_contain_text("Need: high")
    expect(page.get_by_text("2 processes recorded")).to_be_visible()
    screenshot(page, "heatmap")
    assert_accessible(page)

    # -- the profile page summarises strengths and needs ------------------------------------
    page.goto(f"/businesses/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".profile-facts")).to_contain_text("7410 Specialized design activities")
    teach = page.get_by_role("region", name="Can teach")
    expect(teach).to_contain_text("Content marketing")
    expect(teach).to_contain_text("Blog brings 30 leads a month")
    expect(page.get_by_role("region", name="Wants to learn")).to_contain_text("Recruitment")
    screenshot(page, "profile-detail")
    assert_accessible(page)

    # -- export as CSV, edit it in a "spreadsheet", import it -------------------------------
    page.goto(f"/businesses/{slug}/matrix")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"{slug}-matrix.csv"
    exported = tmp_path / download.suggested_filename
    download.save_as(exported)
    rows = _read_csv(exported)
    assert {r["process"] for r in rows} == {"marketing.content_marketing", "hr.recruitment"}
    columns = list(rows[0].keys())

    for row in rows:
        if row["process"] == "hr.recruitment":
            row["level"] = "2"  # hired two people since: recruitment is repeatable now
    rows.append({"process": "finance.bookkeeping", "level": "4", "offer": "yes", "need": "0",
                 "target_level": "", "evidence": "Books closed by the 5th of every month"})
    edited = tmp_path / "edited.csv"
    _write_csv(edited, rows, columns)

    page.get_by_role("link", name="Import a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import strengths and needs")
    assert_accessible(page)
    page.get_by_label("CSV or JSON file").set_input_files(str(edited))
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/businesses/{slug}/matrix$"))
    expect(page.get_by_role("status").first).to_contain_text("Imported edited.csv")
    expect(_grid_control(page, "Level today", "Recruitment")).to_have_value("2")
    expect(_grid_control(page, "Level today", "Bookkeeping")).to_have_value("4")
    expect(_grid_control(page, "Offers to host", "Bookkeeping")).to_be_checked()
    expect(_grid_control(page, "Level today", "Content marketing")).to_have_value("5")

    # -- a bad CSV: every problem with its line, nothing changed ------------------------------
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "process,level,offer,need\n"
        "marketing.content_marketing,1,no,0\n"   # line 2: valid, but must not be applied
        "marketing.not_a_process,3,no,0\n"       # line 3: unknown process
        "hr.recruitment,9,no,0\n",               # line 4: level out of range
        encoding="utf-8",
    )
    page.get_by_role("link", name="Import a file").click()
    page.get_by_label("CSV or JSON file").set_input_files(str(bad))
    page.get_by_role("button", name="Import", exact=True).click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing was imported: 2 problems in the file")
    expect(summary.get_by_role("listitem").nth(0)).to_contain_text(re.compile(r"^Line 3"))
    expect(summary.get_by_role("listitem").nth(0)).to_contain_text("marketing.not_a_process")
    expect(summary.get_by_role("listitem").nth(1)).to_contain_text(re.compile(r"^Line 4"))
    expect(summary).not_to_contain_text("Line 2")
    screenshot(page, "matrix-import-errors")
    assert_accessible(page)

    page.goto(f"/businesses/{slug}/matrix")
    expect(_grid_control(page, "Level today", "Content marketing")).to_have_value("5")
    expect(_grid_control(page, "Level today", "Recruitment")).to_have_value("2")
    with page.expect_download() as again_info:
        page.get_by_role("link", name="Download CSV").click()
    again = tmp_path / "again.csv"
    again_info.value.save_as(again)
    assert sorted(_read_csv(again), key=lambda r: r["process"]) == sorted(
        rows, key=lambda r: r["process"])


def test_the_grid_shows_a_bad_cell_and_keeps_what_was_typed(page: Page) -> None:
    _sign_up(page, "Imran Qureshi")
    slug = _list_business(page, f"Qureshi Design {uuid.uuid4().hex[:6]}")

    # A target level at or below today's level is refused, with the row marked.
    _grid_control(page, "Level today", "Paid advertising").select_option("4")
    _grid_control(page, "Target level", "Paid advertising").select_option("3")
    _grid_control(page, "Level today", "Recruitment").select_option("2")
    page.get_by_role("button", name="Save strengths and needs").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing was saved")
    expect(summary).to_contain_text("Paid advertising")
    target = _grid_control(page, "Target level", "Paid advertising")
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(target).to_have_value("3")
    expect(_grid_control(page, "Level today", "Recruitment")).to_have_value("2")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(target).to_be_focused()
    screenshot(page, "matrix-editor-errors")
    assert_accessible(page)

    page.goto(f"/businesses/{slug}/matrix")  # nothing was saved
    expect(_grid_control(page, "Level today", "Recruitment")).to_have_value("0")


def test_profile_pages_fit_a_phone(make_page: Callable[..., Page]) -> None:
    page = make_page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    _sign_up(page, "Leela Iyer")
    slug = _list_business(page, f"Iyer Studio {uuid.uuid4().hex[:6]}", "phone")
    _grid_control(page, "Level today", "Content marketing").select_option("5")
    _grid_control(page, "Offers to host", "Content marketing").check()
    _grid_control(page, "Need to learn", "Recruitment").select_option("2")
    page.get_by_role("button", name="Save strengths and needs").click()
    expect(page.get_by_role("status").first).to_contain_text("Matrix saved")

    for name, path in [
        ("directory", "/businesses"),
        ("profile-detail", f"/businesses/{slug}"),
        ("matrix-editor", f"/businesses/{slug}/matrix"),
        ("heatmap", f"/businesses/{slug}/heatmap"),
        ("matrix-import", f"/businesses/{slug}/matrix/import"),
        ("profile-edit", f"/businesses/{slug}/edit"),
    ]:
        page.goto(path)
        screenshot(page, f"{name}-phone")
        assert_accessible(page)
        if name == "matrix-editor":  # the whole grid is too tall to look at: one department
            page.locator("#dept-marketing").screenshot(
                path=str(SCREENSHOT_DIR / "matrix-editor-marketing-phone.png"))
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
