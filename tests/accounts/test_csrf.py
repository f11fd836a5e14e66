"""Issue 17, point 7: the CSRF token is bound to the session, and cross-site POSTs are refused
by `Origin` / `Sec-Fetch-Site` (exchange/web/csrf.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import Session, func, select

from exchange.accounts.models import ApiToken, User
from exchange.web.csrf import origin_of
from exchange.web.render import CSRF_COOKIE
from tests.conftest import PASSWORD, Client


def _tokens(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(ApiToken)).one())


def _form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def test_an_anonymous_token_and_cookie_pair_does_not_work_with_a_session(
    make_client: Any, afreen: User, session: Session
) -> None:
    """The audit's attack: the attacker takes a token+cookie pair from an anonymous GET /login,
    plants the cookie in Afreen's browser and submits the token with her session."""
    attacker = make_client()
    page = attacker.get("/login")
    planted_nonce = page.cookies.get(CSRF_COOKIE) or attacker.cookies.get(CSRF_COOKIE)
    planted_token = _form_token(page.text)

    victim = make_client(afreen)
    victim.cookies.set(CSRF_COOKIE, planted_nonce)
    r = victim.post("/account/tokens", data={"csrf_token": planted_token, "name": "evil"})
    assert r.status_code == 403
    assert _tokens(session) == 0


def test_a_token_from_another_session_does_not_work(make_client: Any, afreen: User,
                                                    charlie: User, session: Session) -> None:
    charlie_client = make_client(charlie)
    token = _form_token(charlie_client.get("/account").text)
    afreen_client = make_client(afreen)
    # Both browsers have the same nonce cookie in the test harness: only the session differs.
    r = afreen_client.post("/account/tokens", data={"csrf_token": token, "name": "evil"})
    assert r.status_code == 403
    assert _tokens(session) == 0


def test_the_token_of_afreens_own_page_works(make_client: Any, afreen: User,
                                             session: Session) -> None:
    client = make_client(afreen)
    token = _form_token(client.get("/account/tokens").text)
    r = client.post("/account/tokens", data={"csrf_token": token, "name": "mine"})
    assert r.status_code == 201
    assert _tokens(session) == 1


def test_after_logging_in_the_next_page_has_a_token_that_works(client: Client, afreen: User,
                                                               session: Session) -> None:
    login_token = _form_token(client.get("/login").text)
    r = client.post("/login", data={"csrf_token": login_token, "email": afreen.email,
                                    "password": PASSWORD})
    assert r.status_code == 303
    # The anonymous token is spent: the session it is bound to (none) is gone.
    r = client.post("/account/tokens", data={"csrf_token": login_token, "name": "x"})
    assert r.status_code == 403
    fresh = _form_token(client.get("/account/tokens").text)
    r = client.post("/account/tokens", data={"csrf_token": fresh, "name": "x"})
    assert r.status_code == 201


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "http://testserver.evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
])
def test_cross_site_posts_are_refused_even_with_a_good_token(
    make_client: Any, afreen: User, session: Session, headers: dict[str, str]
) -> None:
    client = make_client(afreen)
    r = client.submit("/account/tokens", {"name": "evil"}, headers=headers)
    assert r.status_code == 403
    assert "another site" in r.text
    assert _tokens(session) == 0


@pytest.mark.parametrize("headers", [
    {},  # an old browser or a script: the token alone decides
    {"Origin": "http://testserver"},
    {"Origin": "HTTP://TestServer:80"},
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    {"Sec-Fetch-Site": "none"},
])
def test_same_origin_posts_are_accepted(make_client: Any, afreen: User, session: Session,
                                        headers: dict[str, str]) -> None:
    r = make_client(afreen).submit("/account/tokens", {"name": "mine"}, headers=headers)
    assert r.status_code == 201


def test_the_public_base_url_counts_as_our_origin_behind_a_proxy(
    make_client: Any, afreen: User, session: Session
) -> None:
    client = make_client(afreen)
    client.settings.public_base_url = "https://exchange.example"
    r = client.submit("/account/tokens", {"name": "mine"},
                      headers={"Origin": "https://exchange.example"})
    assert r.status_code == 201


def test_log_in_from_another_site_is_refused(client: Client, afreen: User) -> None:
    """Login CSRF: another site must not log a visitor in to an account it chose."""
    r = client.submit("/login", {"email": afreen.email, "password": PASSWORD},
                      headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


def test_origin_of_normalises_like_a_browser() -> None:
    assert origin_of("http://Example.COM:80/path?q=1") == "http://example.com"
    assert origin_of("https://example.com:443") == "https://example.com"
    assert origin_of("https://example.com:8443/") == "https://example.com:8443"
    assert origin_of("http://[::1]:8000/") == "http://[::1]:8000"
