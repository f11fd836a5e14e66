"""Server-rendered pages: the template environment, flash messages and the CSRF cookie."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer

from exchange import security
from exchange.accounts.deps import SESSION_COOKIE
from exchange.db import utcnow
from exchange.paths import templates_dir

CSRF_COOKIE = "exchange_csrf"
FLASH_COOKIE = "exchange_flash"
CSRF_FIELD = "csrf_token"

templates = Jinja2Templates(directory=str(templates_dir()))


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.settings.secret_key, salt="flash")


def csrf_nonce(request: Request) -> str:
    """The nonce of this browser, created on first use and set as a cookie by `render`."""
    nonce = getattr(request.state, "csrf_nonce", None) or request.cookies.get(CSRF_COOKIE)
    if not nonce:
        nonce = secrets.token_urlsafe(24)
        request.state.csrf_nonce_new = True
    request.state.csrf_nonce = nonce
    return nonce


def csrf_token(request: Request) -> str:
    return security.csrf_token_for(request.app.state.settings.secret_key, csrf_nonce(request),
                                   request.cookies.get(SESSION_COOKIE, ""))


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.uses_https or request.url.scheme == "https",
        path="/",
    )


def _finish(request: Request, response: Response) -> Response:
    if getattr(request.state, "csrf_nonce_new", False):
        set_cookie(response, request, CSRF_COOKIE, request.state.csrf_nonce, 60 * 60 * 24 * 30)
    if getattr(request.state, "flash_consumed", False):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def flash(response: Response, request: Request, message: str, kind: str = "info") -> None:
    existing = _read_flashes(request) if not getattr(request.state, "flash_consumed", False) else []
    value = _serializer(request).dumps([*existing, [kind, message]])
    set_cookie(response, request, FLASH_COOKIE, value, 300)


def _read_flashes(request: Request) -> list[list[str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        data = _serializer(request).loads(raw)
    except BadSignature:
        return []
    return [list(item) for item in data if isinstance(item, list) and len(item) == 2]


def redirect(
    request: Request, url: str, message: str | None = None, kind: str = "success"
) -> Response:
    """POST-redirect-GET with an optional flash message for the next page."""
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(response, request, message, kind)
    return _finish(request, response)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    no_store: bool = False,
) -> HTMLResponse:
    """`no_store` for a page that shows a secret once (a new token, key, webhook secret or
    invitation link) or carries one (a reset link): no browser or proxy cache keeps a copy."""
    flashes = _read_flashes(request)
    if flashes:
        request.state.flash_consumed = True
    ctx: dict[str, Any] = {
        "current_user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "flashes": flashes,
        "errors": errors or {},
        "form": form or {},
        "settings": request.app.state.settings,
        "now": utcnow(),
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    if no_store:
        response.headers["Cache-Control"] = "no-store"
    _finish(request, response)
    return response
