"""Rules of the foundation's routes. Each domain adds a `tests/<domain>/route_rules.py` with its
own `PUBLIC`, `PROTECTED` and `PARAMS`; tests/test_route_inventory.py gathers them all."""

from __future__ import annotations

from tests.support.inventory import ADMIN, OWNER, USER, Rule

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

PARAMS = {
    "token_id": lambda w: w.afreen_token.id,
    "token": lambda w: "pie_r_not-a-real-token",
}
