"""Sign-up, log-in, log-out, password change and reset through the pages."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts.deps import SESSION_COOKIE
from exchange.accounts.models import LoginFailure, PasswordResetToken, User, UserSession
from exchange.notifications.models import OutboxEmail
from tests.conftest import PASSWORD, Client


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_signup_creates_account_and_logs_in(client: Client, session: Session) -> None:
    r = client.submit("/signup", {"email": "New.Owner@Example.com", "display_name": "New Owner",
                                  "password": "a long enough passphrase"})
    assert r.status_code == 303
    assert r.headers["location"] == "/dashboard"
    cookie = r.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Hello, New Owner" in page.text
    user = session.exec(select(User).where(User.email_normalized == "new.owner@example.com")).one()
    assert user.email == "New.Owner@example.com"  # the domain part is normalised


def test_signup_rejects_duplicate_email_in_any_case(
    client: Client, session: Session, afreen: User
) -> None:
    before = _count(session, User)
    r = client.submit("/signup", {"email": afreen.email.upper(), "display_name": "Impostor",
                                  "password": "another long passphrase"})
    assert r.status_code == 422
    assert "already exists" in r.text
    assert 'value="Impostor"' in r.text  # the form keeps what was typed
    assert _count(session, User) == before


def test_signup_rejects_bad_input_and_stores_nothing(client: Client, session: Session) -> None:
    cases = [
        ({"email": "", "display_name": "X", "password": "long enough pass"}, "email"),
        ({"email": "not-an-email", "display_name": "X", "password": "long enough pass"}, "email"),
        ({"email": "a@b.example", "display_name": "", "password": "long enough pass"},
         "display_name"),
        ({"email": "a@b.example", "display_name": "X" * 121, "password": "long enough pass"},
         "display_name"),
        ({"email": "a@b.example", "display_name": "X", "password": "short"}, "password"),
        ({"email": "a@b.example", "display_name": "X", "password": "x" * 300}, "password"),
        ({"email": "a@b.example", "display_name": "X", "password": "aaaaaaaaaaaa"}, "password"),
    ]
    for data, field in cases:
        r = client.submit("/signup", data)
        assert r.status_code == 422, data
        assert f'id="f-{field}-error"' in r.text, (data, r.text[:2000])
    assert _count(session, User) == 0


def test_signup_reports_every_problem_at_once(
    client: Client, session: Session, afreen: User
) -> None:
    before = _count(session, User)
    r = client.submit("/signup", {"email": "not-an-email", "display_name": "", "password": "short"})
    assert r.status_code == 422
    for field in ("email", "display_name", "password"):
        assert f'id="f-{field}-error"' in r.text, field
    assert "Please fix these 3 problems" in r.text
    # A taken e-mail is reported together with the other problems, not on the next submit.
    r = client.submit("/signup", {"email": afreen.email, "display_name": "X", "password": "short"})
    assert r.status_code == 422
    assert "already exists" in r.text and 'id="f-password-error"' in r.text
    assert _count(session, User) == before


def test_error_summary_takes_the_focus_without_script(client: Client) -> None:
    r = client.submit("/signup", {"email": "", "display_name": "X", "password": "short"})
    summary = re.search(r'<div class="error-summary"[^>]*>', r.text)
    assert summary, r.text[:2000]
    assert "autofocus" in summary.group(0) and 'tabindex="-1"' in summary.group(0)


def test_signup_without_csrf_token_is_refused(client: Client, session: Session) -> None:
    r = client.post("/signup", data={"email": "a@b.example", "display_name": "A",
                                     "password": "long enough pass"})
    assert r.status_code == 403
    assert "form has expired" in r.text
    assert _count(session, User) == 0


def test_wrong_csrf_token_is_refused(client: Client, session: Session) -> None:
    r = client.post("/signup", data={"csrf_token": "forged", "email": "a@b.example",
                                     "display_name": "A", "password": "long enough pass"})
    assert r.status_code == 403
    assert _count(session, User) == 0


def test_afreen_logs_in_and_out(client: Client, afreen: User) -> None:
    r = client.submit("/login", {"email": "AFREEN@gigstaff.example", "password": PASSWORD,
                                 "next": "/account"})
    assert r.status_code == 303
    assert r.headers["location"] == "/account"
    assert client.get("/account").status_code == 200
    r = client.submit("/logout")
    assert r.status_code == 303
    assert client.get("/account").status_code == 303  # back to the log-in page


def test_logout_ends_the_session_on_the_server(
    client: Client, session: Session, afreen: User
) -> None:
    client.login(afreen)
    token = client.cookies.get(SESSION_COOKIE)
    client.submit("/logout")
    client.cookies.set(SESSION_COOKIE, token)  # a stolen copy of the cookie is now useless
    assert client.get("/dashboard").status_code == 303
    assert _count(session, UserSession) == 0


def test_login_refuses_open_redirect(client: Client, afreen: User) -> None:
    r = client.submit("/login", {"email": afreen.email, "password": PASSWORD,
                                 "next": "//evil.example/steal"})
    assert r.headers["location"] == "/dashboard"


def test_wrong_password_is_a_clear_error(client: Client, afreen: User) -> None:
    r = client.submit("/login", {"email": afreen.email, "password": "not the password"})
    assert r.status_code == 422
    assert "E-mail or password is not right." in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_unknown_email_gets_the_same_answer(client: Client) -> None:
    r = client.submit("/login", {"email": "nobody@nowhere.example", "password": "whatever pw"})
    assert r.status_code == 422
    assert "E-mail or password is not right." in r.text


def test_failed_logins_are_throttled_per_account_and_address(
    client: Client, session: Session, afreen: User
) -> None:
    for _ in range(client.settings.login_max_failures_per_account):
        r = client.submit("/login", {"email": afreen.email, "password": "wrong"})
        assert r.status_code == 422
    r = client.submit("/login", {"email": afreen.email, "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert "Too many failed log-ins" in r.text
    # Another account from the same address is not locked yet.
    assert _count(session, LoginFailure) == 2 * client.settings.login_max_failures_per_account


def test_failed_logins_are_throttled_per_address(
    client: Client, afreen: User, rajeev: User
) -> None:
    limit = client.settings.login_max_failures_per_address
    for i in range(limit):
        client.submit("/login", {"email": f"guess{i}@nowhere.example", "password": "wrong"})
    r = client.submit("/login", {"email": rajeev.email, "password": PASSWORD})
    assert r.status_code == 429


def test_successful_login_clears_account_failures(client: Client, afreen: User) -> None:
    for _ in range(client.settings.login_max_failures_per_account - 1):
        client.submit("/login", {"email": afreen.email, "password": "wrong"})
    assert client.submit("/login", {"email": afreen.email, "password": PASSWORD}).status_code == 303
    client.submit("/logout")
    for _ in range(client.settings.login_max_failures_per_account - 1):
        client.submit("/login", {"email": afreen.email, "password": "wrong"})
    assert client.submit("/login", {"email": afreen.email, "password": PASSWORD}).status_code == 303


def test_change_password(client: Client, afreen: User) -> None:
    client.login(afreen)
    r = client.submit("/account/password", {"current_password": "wrong one",
                                            "new_password": "brand new passphrase"})
    assert r.status_code == 422
    assert "Current password is not right." in r.text
    r = client.submit("/account/password", {"current_password": PASSWORD, "new_password": "short"})
    assert r.status_code == 422
    # Both mistakes at once.
    r = client.submit("/account/password", {"current_password": "wrong one",
                                            "new_password": "short"})
    assert r.status_code == 422
    assert 'id="f-current_password-error"' in r.text and 'id="f-new_password-error"' in r.text
    r = client.submit("/account/password", {"current_password": PASSWORD,
                                            "new_password": "brand new passphrase"})
    assert r.status_code == 303
    client.submit("/logout")
    assert client.submit("/login", {"email": afreen.email, "password": PASSWORD}).status_code == 422
    assert client.submit("/login", {"email": afreen.email,
                                    "password": "brand new passphrase"}).status_code == 303


def _reset_link(session: Session, to: str) -> str:
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == to)).all()[-1]
    match = re.search(r"http://testserver(/reset-password/\S+)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


def test_password_reset_by_emailed_single_use_link(
    client: Client, session: Session, afreen: User
) -> None:
    r = client.submit("/forgot-password", {"email": afreen.email})
    assert r.status_code == 303
    link = _reset_link(session, afreen.email)
    assert client.get(link).status_code == 200
    r = client.submit(link, {"new_password": "reset passphrase here"})
    assert r.status_code == 303
    assert client.submit("/login", {"email": afreen.email,
                                    "password": "reset passphrase here"}).status_code == 303
    client.submit("/logout")
    # Used once: the same link no longer works.
    r = client.submit(link, {"new_password": "another passphrase!"})
    assert r.status_code == 422
    assert "invalid, used or expired" in r.text


def test_expired_reset_token_is_refused(client: Client, session: Session, afreen: User) -> None:
    from datetime import timedelta

    from exchange.db import utcnow

    client.submit("/forgot-password", {"email": afreen.email})
    link = _reset_link(session, afreen.email)
    row = session.exec(select(PasswordResetToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert client.get(link).status_code == 400
    r = client.submit(link, {"new_password": "reset passphrase here"})
    assert r.status_code == 422
    assert "invalid, used or expired" in r.text
    assert client.submit("/login", {"email": afreen.email, "password": PASSWORD}).status_code == 303


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(
    client: Client, session: Session
) -> None:
    r = client.submit("/forgot-password", {"email": "nobody@nowhere.example"})
    assert r.status_code == 303
    assert _count(session, OutboxEmail) == 0


def test_reset_ends_other_sessions(
    make_client: object, session: Session, afreen: User
) -> None:
    elsewhere = make_client(afreen)  # type: ignore[operator]
    anon = make_client()  # type: ignore[operator]
    anon.submit("/forgot-password", {"email": afreen.email})
    anon.submit(_reset_link(session, afreen.email), {"new_password": "reset passphrase here"})
    assert elsewhere.get("/dashboard").status_code == 303


def test_secure_cookie_under_https(client: Client, afreen: User) -> None:
    client.settings.public_base_url = "https://exchange.example"
    r = client.submit("/login", {"email": afreen.email, "password": PASSWORD})
    assert "Secure" in r.headers["set-cookie"]
