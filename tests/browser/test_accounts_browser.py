"""Accounts in a real browser: sign up, log out, log in, the errors people actually make, the
keyboard, phone-sized screens and the accessibility checks — against `exchange serve`."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    screenshot,
    unique_email,
)

pytestmark = pytest.mark.browser

PASSWORD = "a long enough passphrase"


def _sign_up(page: Page, name: str, email: str, password: str = PASSWORD) -> None:
    page.goto("/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Create account").click()


def _log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def _error_summary(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("alert").filter(has_text="Please fix")


# -- the happy path ----------------------------------------------------------------------------


def test_afreen_signs_up_logs_out_and_logs_in_again(page: Page) -> None:
    email = unique_email("afreen")
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/signup$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")

    page.get_by_label("Your name").fill("Afreen Sheikh")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Afreen Sheikh")
    expect(page.get_by_role("status")).to_contain_text("Welcome, Afreen Sheikh")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)dashboard$"))

    page.get_by_label("E-mail").fill(email.upper())  # e-mail is case-insensitive
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("status")).to_contain_text("Welcome back, Afreen Sheikh")


def test_sign_up_works_without_javascript(make_page: Callable[..., Page]) -> None:
    page = make_page(java_script_enabled=False)
    _sign_up(page, "Rajeev Menon", unique_email("rajeev"))
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Rajeev Menon")


# -- the mistakes people make ------------------------------------------------------------------


def test_short_password_is_explained_and_the_form_keeps_what_was_typed(page: Page) -> None:
    email = unique_email()
    _sign_up(page, "Afreen Sheikh", email, password="short")

    expect(page).to_have_url(re.compile(r"/signup$"))
    summary = _error_summary(page)
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Password")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile(r"at least 10 characters", re.I))
    expect(page.locator("#f-password-error")).to_be_visible()
    expect(password).to_have_value("")  # a password is never sent back into the page
    expect(page.get_by_label("Your name")).to_have_value("Afreen Sheikh")
    expect(page.get_by_label("E-mail")).to_have_value(email)
    # The message in the summary is a link to the field at fault.
    summary.get_by_role("link").first.click()
    expect(password).to_be_focused()
    assert_accessible(page)


def test_duplicate_email_is_refused_whatever_its_case(make_page: Callable[..., Page]) -> None:
    email = unique_email("rajeev")
    first = make_page()
    _sign_up(first, "Rajeev Menon", email)
    expect(first).to_have_url(re.compile(r"/dashboard$"))

    impostor = make_page()
    _sign_up(impostor, "Impostor", email.upper())

    expect(impostor).to_have_url(re.compile(r"/signup$"))
    expect(_error_summary(impostor)).to_contain_text("already exists")
    email_field = impostor.get_by_label("E-mail")
    expect(email_field).to_have_attribute("aria-invalid", "true")
    expect(email_field).to_have_accessible_description(re.compile("already exists"))
    expect(impostor.get_by_label("Your name")).to_have_value("Impostor")
    assert_accessible(impostor)


def test_wrong_password_is_a_clear_error_and_logs_nobody_in(
    make_page: Callable[..., Page],
) -> None:
    email = unique_email("meera")
    _sign_up(make_page(), "Meera Joshi", email)

    page = make_page()
    _log_in(page, email, "not the password")

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(_error_summary(page)).to_contain_text("E-mail or password is not right.")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("E-mail")).to_have_value(email)
    assert not any(c["name"] == "exchange_session" for c in page.context.cookies())
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/login"))
    assert_accessible(page)


def test_sign_up_reports_every_problem_at_once(page: Page) -> None:
    _sign_up(page, "Afreen Sheikh", "not-an-email", password="short")

    expect(page.get_by_label("E-mail")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute(
        "aria-invalid", "true", timeout=1000
    )
    expect(page.get_by_label("Your name")).not_to_have_attribute("aria-invalid", "true")
    expect(_error_summary(page)).to_contain_text("Please fix these 2 problems")
    expect(_error_summary(page).get_by_role("link")).to_have_count(2)


def test_focus_lands_on_the_error_summary_after_a_failed_submit(page: Page) -> None:
    _sign_up(page, "Afreen Sheikh", unique_email(), password="short")

    expect(_error_summary(page)).to_be_focused(timeout=1000)
    # From the summary, the next Tab goes to the link of the first problem.
    page.keyboard.press("Tab")
    expect(_error_summary(page).get_by_role("link").first).to_be_focused()


def test_focus_lands_on_the_error_summary_without_javascript(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(java_script_enabled=False)
    _log_in(page, unique_email("nobody"), "not the password")

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(_error_summary(page)).to_be_focused(timeout=1000)


# -- keyboard ----------------------------------------------------------------------------------


def test_skip_link_is_the_first_stop_and_jumps_to_the_content(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown when focused, not only read out

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the content, not back in the header
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_sign_up_form_can_be_filled_with_the_keyboard_alone(page: Page) -> None:
    page.goto("/signup")
    page.get_by_label("Your name").focus()
    page.keyboard.type("Arjun Rao")
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-mail")).to_be_focused()
    page.keyboard.type(unique_email("arjun"))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard$"))


# -- how the pages look, at desktop and phone size ----------------------------------------------


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_account_pages_are_accessible_and_fit_the_screen(
    make_page: Callable[..., Page], size: str
) -> None:
    if size == "phone":
        page = make_page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    else:
        page = make_page(DESKTOP)

    def check(name: str) -> None:
        screenshot(page, f"{name}-{size}")
        assert_accessible(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {size} size"

    page.goto("/")
    check("home")
    page.goto("/login")
    check("login")
    _sign_up(page, "Afreen Sheikh", "not-an-email", password="short")
    expect(_error_summary(page)).to_be_visible()
    check("signup-errors")
    _sign_up(page, "Afreen Sheikh", unique_email("afreen"))
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    check("dashboard")
