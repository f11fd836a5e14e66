"""Issue 17, point 10: every answer carries the security headers (exchange/guards.py); pages a
strict Content-Security-Policy they can live with (no inline script or style in any template);
pages that show a secret once are never cached."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import User
from exchange.notifications.models import OutboxEmail
from exchange.paths import templates_dir
from exchange.profiles.models import Business
from tests.conftest import Client, _person
from tests.networks.factories import make_network


def _directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def _assert_page_policy(policy: str) -> None:
    d = _directives(policy)
    assert d["script-src"] == ["'self'"]
    assert d["style-src"] == ["'self'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert d["object-src"] == ["'none'"]
    assert d["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


@pytest.mark.parametrize("path", ["/", "/login", "/signup", "/forgot-password", "/nowhere"])
def test_anonymous_pages_carry_the_strict_policy(client: Client, path: str) -> None:
    r = client.get(path)
    assert r.headers["content-type"].startswith("text/html")
    _assert_page_policy(r.headers["content-security-policy"])
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["x-frame-options"] == "DENY"


def test_logged_in_pages_carry_the_strict_policy(make_client: Any, afreen: User,
                                                 afreen_firm: Business) -> None:
    client = make_client(afreen)
    for path in ("/dashboard", "/account", f"/businesses/{afreen_firm.slug}/matrix",
                 f"/businesses/{afreen_firm.slug}/suggestions"):
        r = client.get(path)
        assert r.status_code == 200, path
        _assert_page_policy(r.headers["content-security-policy"])


def test_the_api_and_static_files_get_no_powers(client: Client) -> None:
    for path in ("/api/v1/me", "/api/v1/openapi.json", "/static/app.css"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert r.headers["x-content-type-options"] == "nosniff"


def test_the_api_docs_may_load_their_cdn_but_not_be_framed(client: Client) -> None:
    r = client.get("/api/docs")
    d = _directives(r.headers["content-security-policy"])
    assert "https://cdn.jsdelivr.net" in d["script-src"]
    assert d["frame-ancestors"] == ["'none'"]


TEMPLATES = sorted(Path(templates_dir()).rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(templates_dir())))
def test_no_template_holds_what_the_policy_blocks(template: Path) -> None:
    """Inline scripts, style attributes, <style> and on…= handlers would silently stop
    working under `script-src 'self'; style-src 'self'`: they belong in /static files."""
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/*.js"
    assert not STYLE_ATTRIBUTE.search(text), "style attribute: use a class from app.css"
    assert "<style" not in text.lower(), "<style> element: move it to static/app.css"
    assert not EVENT_HANDLER.search(text), "on…= handler: add the listener from static/*.js"


# -- secrets shown once --------------------------------------------------------------------------


def test_a_new_personal_token_page_is_not_cached(make_client: Any, afreen: User) -> None:
    client = make_client(afreen)
    r = client.submit("/account/tokens", {"name": "script"})
    assert r.status_code == 201 and "pie_pat_" in r.text
    assert r.headers["cache-control"] == "no-store"
    # The ordinary list of tokens may be cached as usual.
    assert "no-store" not in client.get("/account/tokens").headers.get("cache-control", "")


def test_new_network_keys_and_webhook_secrets_are_not_cached(make_client: Any, session: Session,
                                                             ada: User) -> None:
    nina = _person(session, "nina@pune-chamber.example", "Nina Network")
    make_network(session, ada, "Pune Chamber", "pune-chamber", admins=[nina])
    client = make_client(nina)
    r = client.submit("/networks/pune-chamber/keys", {"name": "CRM", "scopes": ["members:read"]})
    assert r.status_code == 201 and "pie_net_" in r.text
    assert r.headers["cache-control"] == "no-store"
    r = client.submit("/networks/pune-chamber/webhooks",
                      {"url": "https://crm.example.org/hooks", "event_types": ["member.updated"]})
    assert r.status_code == 201 and "whsec_" in r.text
    assert r.headers["cache-control"] == "no-store"


def test_an_invitation_link_shown_to_the_owner_is_not_cached(make_client: Any, afreen: User,
                                                             afreen_firm: Business) -> None:
    r = make_client(afreen).submit(f"/businesses/{afreen_firm.slug}/invitations",
                                   {"email": "nadia@newhire.example", "role": "manager"})
    assert r.status_code == 200 and "/invitations/pie_" in r.text
    assert r.headers["cache-control"] == "no-store"


def test_a_reset_link_page_is_not_cached(client: Client, session: Session, afreen: User) -> None:
    accounts_service.request_password_reset(session, client.settings, afreen.email)
    session.commit()
    body = session.exec(select(OutboxEmail)).one().body_text
    path = re.search(r"/reset-password/\S+", body).group(0)  # type: ignore[union-attr]
    assert client.get(path).headers["cache-control"] == "no-store"
