"""Every route the app registers is listed with the rule that protects it, and the rule is
tried: an anonymous caller, a logged-in stranger and a user of the wrong role are turned away and
change nothing.

A new route that is not listed fails `test_every_route_is_classified`; listing it as protected
without a real check fails the denial tests. Public routes are an explicit allow-list. Rules live
next to each domain's tests in `route_rules.py` files.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.routing import Route

import tests
from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiToken, ApiTokenCreate, User
from exchange.config import Settings
from exchange.main import ROUTERS
from exchange.profiles.models import Business, BusinessMembership, MatrixCell
from tests.conftest import Client
from tests.support.inventory import Rule


def _gather() -> tuple[set[tuple[str, str]], dict[tuple[str, str], Rule], dict[str, Callable]]:
    public: set[tuple[str, str]] = set()
    protected: dict[tuple[str, str], Rule] = {}
    params: dict[str, Callable[..., Any]] = {}
    names = ["tests.route_rules"] + [
        m.name + ".route_rules" for m in pkgutil.iter_modules(tests.__path__, "tests.") if m.ispkg
    ]
    for name in names:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        public |= getattr(module, "PUBLIC", set())
        protected.update(getattr(module, "PROTECTED", {}))
        params.update(getattr(module, "PARAMS", {}))
        # A domain may add rules of its own: who the intruders are (`INTRUDERS`: rule name →
        # world → users) and what they must not change (`FINGERPRINTS`: world → value).
        EXTRA_INTRUDERS.update(getattr(module, "INTRUDERS", {}))
        EXTRA_FINGERPRINTS.extend(getattr(module, "FINGERPRINTS", []))
    return public, protected, params


EXTRA_INTRUDERS: dict[str, Callable[[Any], list[User]]] = {}
EXTRA_FINGERPRINTS: list[Callable[[Any], Any]] = []
PUBLIC, PROTECTED, PARAMS = _gather()


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
    assert not unlisted, f"routes without a permission rule in the inventory: {unlisted}"
    stale = [r for r in [*PUBLIC, *PROTECTED] if r not in _routes(app)]
    assert not stale, f"the inventory lists routes the app no longer has: {stale}"


@dataclass
class World:
    """The personas and what they own, to fill path parameters (see PARAMS)."""

    session: Session
    afreen: User
    rajeev: User
    meera: User
    farah: User
    charlie: User
    afreen_firm: Business
    rajeev_firm: Business
    afreen_token: ApiToken
    tokens: dict[str, str]

    def fingerprint(self) -> tuple[Any, ...]:
        """What a turned-away caller must not have changed."""
        s = self.session
        extra = tuple(fingerprint(self) for fingerprint in EXTRA_FINGERPRINTS)
        s.expire_all()
        firm = s.get(Business, self.afreen_firm.id)
        token = s.get(ApiToken, self.afreen_token.id)
        assert firm is not None and token is not None
        return (
            firm.model_dump(), token.revoked_at,
            s.exec(select(func.count()).select_from(BusinessMembership)).one(),
            s.exec(select(func.count()).select_from(Business)).one(),
            sorted((c.process_id, c.level, c.need, c.offer) for c in s.exec(select(MatrixCell))),
            extra,
        )


@pytest.fixture
def world(session: Session, settings: Settings, afreen: User, rajeev: User, meera: User,
          farah: User, charlie: User, afreen_firm: Business, rajeev_firm: Business) -> World:
    own = accounts_service.create_api_token(session, settings, afreen, ApiTokenCreate(name="crm"))
    tokens = {}
    for user in (afreen, rajeev, meera, farah, charlie):
        issued = accounts_service.create_api_token(session, settings, user,
                                                   ApiTokenCreate(name="inventory"))
        tokens[user.email] = issued.token
    session.commit()
    return World(session, afreen, rajeev, meera, farah, charlie, afreen_firm, rajeev_firm,
                 own.record, tokens)


def _url(path: str, world: World) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(PARAMS[m.group(1)](world)), path)


def _call(client: Client, method: str, path: str, rule: Rule, world: World) -> Any:
    url = _url(path, world)
    if path.startswith("/api/"):
        body = rule.body if rule.body is not None else ({} if method != "GET" else None)
        return client.request(method, url, json=body if method != "GET" else None)
    if method == "GET":
        return client.get(url)
    return client.submit(url, rule.body or {})


def _is_denied(response: Any, api: bool) -> bool:
    if api:
        return response.status_code in {401, 403, 404} and response.headers[
            "content-type"].startswith("application/problem+json")
    if response.status_code == 303:
        return response.headers["location"].startswith("/login")
    return response.status_code in {401, 403, 404}


def _as(make_client: Any, world: World, user: User, api: bool) -> Client:
    client: Client = make_client(user)
    if api:
        if user.email not in world.tokens:  # a persona a domain's rules brought in
            world.tokens[user.email] = accounts_service.create_api_token(
                world.session, client.settings, user, ApiTokenCreate(name="inventory")).token
            world.session.commit()
        client.use_token(world.tokens[user.email])
    return client


@pytest.mark.parametrize(("method", "path"), sorted(PROTECTED))
def test_anonymous_is_turned_away(method: str, path: str, make_client: Any, world: World) -> None:
    before = world.fingerprint()
    response = _call(make_client(), method, path, PROTECTED[(method, path)], world)
    assert _is_denied(response, path.startswith("/api/")), (response.status_code, response.text)
    assert world.fingerprint() == before


def _intruders(rule: Rule, world: World) -> list[User]:
    if rule.who in EXTRA_INTRUDERS:
        return EXTRA_INTRUDERS[rule.who](world)
    return {
        "user": [],
        "admin": [world.charlie, world.afreen],
        "owner": [world.charlie],
        "visible": [world.charlie],
        "intern": [world.charlie, world.rajeev],
        "manager": [world.charlie, world.rajeev, world.meera],
        "business_owner": [world.charlie, world.rajeev, world.meera, world.farah],
    }[rule.who]


@pytest.mark.parametrize(
    ("method", "path"), sorted(k for k, rule in PROTECTED.items() if rule.who != "user")
)
def test_strangers_and_wrong_roles_are_turned_away(
    method: str, path: str, make_client: Any, world: World
) -> None:
    rule = PROTECTED[(method, path)]
    if rule.who == "visible":
        world.afreen_firm.visibility = "networks"
        world.session.add(world.afreen_firm)
        world.session.commit()
    api = path.startswith("/api/")
    for intruder in _intruders(rule, world):
        before = world.fingerprint()
        response = _call(_as(make_client, world, intruder, api), method, path, rule, world)
        assert _is_denied(response, api), (intruder.display_name, response.status_code,
                                           response.text[:500])
        assert world.fingerprint() == before, f"{intruder.display_name} changed something"


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
