"""Every route the app registers is listed here with the rule that protects it, and the rule is
tried: an anonymous caller, a logged-in stranger and a user of the wrong role are turned away.

A new route that is not listed fails `test_every_route_is_classified`; listing it as protected
without a real check fails the denial tests. Public routes are an explicit allow-list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.routing import Route

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiToken, ApiTokenCreate, User
from exchange.config import Settings
from exchange.main import ROUTERS
from tests.conftest import Client

PUBLIC: set[tuple[str, str]] = {
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/signup"),
    ("POST", "/signup"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/forgot-password"),
    ("POST", "/forgot-password"),
    ("GET", "/reset-password/{token}"),
    ("POST", "/reset-password/{token}"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/api/docs/oauth2-redirect"),
    ("GET", "/api/redoc"),
}


@dataclass(frozen=True)
class Rule:
    """who: "user" (any signed-in person, acting on their own things), "admin" (platform admin),
    "owner" (the persona who owns the resource named in the path)."""

    who: str


USER, ADMIN, OWNER = Rule("user"), Rule("admin"), Rule("owner")

PROTECTED: dict[tuple[str, str], Rule] = {
    ("GET", "/dashboard"): USER,
    ("GET", "/account"): USER,
    ("POST", "/account/password"): USER,
    ("GET", "/account/tokens"): USER,
    ("POST", "/account/tokens"): USER,
    ("POST", "/account/tokens/{token_id}/revoke"): OWNER,
    ("GET", "/admin/outbox"): ADMIN,
    ("GET", "/api/v1/me"): USER,
    ("GET", "/api/v1/me/tokens"): USER,
    ("POST", "/api/v1/me/tokens"): USER,
    ("DELETE", "/api/v1/me/tokens/{token_id}"): OWNER,
}


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    routes = [*app.routes, *(r for router in ROUTERS for r in router.routes)]
    for route in routes:
        if isinstance(route, APIRoute | Route):
            methods = route.methods or set()
            found.extend((method, route.path) for method in sorted(methods - {"HEAD"}))
    return found


def test_every_route_is_classified(app: FastAPI) -> None:
    unlisted = [r for r in _routes(app) if r not in PUBLIC and r not in PROTECTED]
    assert not unlisted, f"routes without a permission rule in this inventory: {unlisted}"
    stale = [r for r in [*PUBLIC, *PROTECTED] if r not in _routes(app)]
    assert not stale, f"inventory lists routes the app no longer has: {stale}"


@dataclass
class World:
    """What the owner persona (Afreen) owns, to fill path parameters."""

    afreen: User
    afreen_token: ApiToken
    charlie_api_token: str
    afreen_api_token: str


@pytest.fixture
def world(session: Session, settings: Settings, afreen: User, charlie: User) -> World:
    own = accounts_service.create_api_token(session, settings, afreen, ApiTokenCreate(name="crm"))
    afreen_api = accounts_service.create_api_token(session, settings, afreen,
                                                   ApiTokenCreate(name="mine"))
    charlie_api = accounts_service.create_api_token(session, settings, charlie,
                                                    ApiTokenCreate(name="c"))
    session.commit()
    return World(afreen, own.record, charlie_api.token, afreen_api.token)


PARAMS = {
    "token_id": lambda w: w.afreen_token.id,
    "token": lambda w: "pie_r_not-a-real-token",
}


def _url(path: str, world: World) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(PARAMS[m.group(1)](world)), path)


def _call(client: Client, method: str, path: str, world: World) -> Any:
    url = _url(path, world)
    if path.startswith("/api/"):
        body = {"name": "x"} if method == "POST" else None
        return client.request(method, url, json=body)
    if method == "GET":
        return client.get(url)
    return client.submit(url, {})


def _is_denied(response: Any, api: bool) -> bool:
    if api:
        return response.status_code in {401, 403, 404} and response.headers[
            "content-type"
        ].startswith("application/problem+json")
    if response.status_code == 303:
        return response.headers["location"].startswith("/login")
    return response.status_code in {401, 403, 404}


@pytest.mark.parametrize(("method", "path"), sorted(PROTECTED))
def test_anonymous_is_turned_away(
    method: str, path: str, make_client: Any, world: World, session: Session
) -> None:
    response = _call(make_client(), method, path, world)
    assert _is_denied(response, path.startswith("/api/")), (response.status_code, response.text)
    session.refresh(world.afreen_token)
    assert world.afreen_token.revoked_at is None


@pytest.mark.parametrize(
    ("method", "path"), sorted(k for k, rule in PROTECTED.items() if rule in {ADMIN, OWNER})
)
def test_stranger_and_wrong_role_are_turned_away(
    method: str, path: str, make_client: Any, world: World, charlie: User, session: Session
) -> None:
    client = make_client(charlie)
    if path.startswith("/api/"):
        client.use_token(world.charlie_api_token)
    response = _call(client, method, path, world)
    assert _is_denied(response, path.startswith("/api/")), (response.status_code, response.text)
    session.refresh(world.afreen_token)
    assert world.afreen_token.revoked_at is None, "a stranger changed Afreen's token"


def test_invalid_bearer_token_is_401_problem(client: Client) -> None:
    client.use_token("pie_pat_forged")
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"] == "Bearer"


def test_session_cookie_does_not_authorise_the_api(client: Client, afreen: User) -> None:
    client.login(afreen)
    assert client.get("/dashboard").status_code == 200
    assert client.get("/api/v1/me").status_code == 401
