"""Personal API tokens: shown once, stored as a keyed hash, revocable, with a last-used time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from exchange.accounts import service
from exchange.accounts.models import ApiToken, ApiTokenCreate, User
from exchange.config import Settings
from exchange.db import utcnow
from tests.conftest import Client


def _issue(session: Session, settings: Settings, user: User, **kw: Any) -> str:
    issued = service.create_api_token(session, settings, user, ApiTokenCreate(name="script", **kw))
    session.commit()
    return issued.token


def test_token_authenticates_the_api(
    client: Client, session: Session, settings: Settings, afreen: User
) -> None:
    token = _issue(session, settings, afreen)
    assert token.startswith("pie_pat_")
    r = client.use_token(token).get("/api/v1/me")
    assert r.status_code == 200
    assert r.json()["email"] == afreen.email
    record = session.exec(select(ApiToken)).one()
    session.refresh(record)
    assert record.last_used_at is not None
    assert record.token_hash != token and token not in record.token_hash
    assert record.display_prefix == token[:12]


def test_create_token_over_the_api_shows_it_once(
    client: Client, session: Session, settings: Settings, afreen: User
) -> None:
    client.use_token(_issue(session, settings, afreen))
    r = client.post("/api/v1/me/tokens", json={"name": "CRM sync", "expires_in_days": 30})
    assert r.status_code == 201
    new = r.json()["token"]
    listed = client.get("/api/v1/me/tokens").json()
    assert {t["name"] for t in listed} == {"script", "CRM sync"}
    assert all("token" not in t for t in listed)
    assert client.use_token(new).get("/api/v1/me").status_code == 200


def test_revoked_token_stops_working(
    client: Client, session: Session, settings: Settings, afreen: User
) -> None:
    token = _issue(session, settings, afreen)
    other = _issue(session, settings, afreen)
    token_id = session.exec(select(ApiToken)).first().id  # type: ignore[union-attr]
    client.use_token(other)
    assert client.delete(f"/api/v1/me/tokens/{token_id}").status_code == 200
    r = client.use_token(token).get("/api/v1/me")
    assert r.status_code == 401
    assert r.json()["detail"] == "The token is invalid, expired or revoked."


def test_expired_token_stops_working(
    client: Client, session: Session, settings: Settings, afreen: User
) -> None:
    token = _issue(session, settings, afreen, expires_in_days=1)
    record = session.exec(select(ApiToken)).one()
    record.expires_at = utcnow() - timedelta(minutes=1)
    session.add(record)
    session.commit()
    assert client.use_token(token).get("/api/v1/me").status_code == 401


def test_create_token_with_bad_input_is_a_problem_naming_the_field(
    client: Client, session: Session, settings: Settings, afreen: User
) -> None:
    client.use_token(_issue(session, settings, afreen))
    for body, field in [({"name": ""}, "name"), ({"name": "x" * 101}, "name"),
                        ({"name": "ok", "expires_in_days": "soon"}, "expires_in_days"),
                        ({}, "name")]:
        r = client.post("/api/v1/me/tokens", json=body)
        assert r.status_code == 422, body
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["status"] == 422
        assert problem["errors"][0]["field"] == field, problem
    assert len(service.list_api_tokens(session, afreen)) == 1


def test_token_page_shows_new_token_once(client: Client, session: Session, afreen: User) -> None:
    client.login(afreen)
    r = client.submit("/account/tokens", {"name": "Spreadsheet", "expires_in_days": ""})
    assert r.status_code == 201
    record = session.exec(select(ApiToken)).one()
    assert record.display_prefix in r.text and "shown only this once" in r.text
    again = client.get("/account/tokens")
    assert "shown only this once" not in again.text
    assert "Spreadsheet" in again.text


def test_token_page_rejects_bad_expiry(client: Client, session: Session, afreen: User) -> None:
    client.login(afreen)
    r = client.submit("/account/tokens", {"name": "x", "expires_in_days": "soon"})
    assert r.status_code == 422
    assert "whole number of days" in r.text
    r = client.submit("/account/tokens", {"name": "", "expires_in_days": ""})
    assert r.status_code == 422
    assert session.exec(select(ApiToken)).first() is None


def test_revoke_from_the_page(client: Client, session: Session, settings: Settings,
                              afreen: User) -> None:
    token = _issue(session, settings, afreen)
    record = session.exec(select(ApiToken)).one()
    client.login(afreen)
    r = client.submit(f"/account/tokens/{record.id}/revoke")
    assert r.status_code == 303
    assert client.use_token(token).get("/api/v1/me").status_code == 401
