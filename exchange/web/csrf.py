"""CSRF protection for every state-changing form (signed double-submit cookie)."""

from __future__ import annotations

from fastapi import Request

from exchange import security
from exchange.errors import PermissionDenied
from exchange.web.render import CSRF_COOKIE, CSRF_FIELD

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def verify_csrf(request: Request) -> None:
    """Router-level dependency of every page router, so no form can forget it."""
    if request.method in SAFE_METHODS:
        return
    submitted: str | None = None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    submitted = submitted or request.headers.get("x-csrf-token")
    nonce = request.cookies.get(CSRF_COOKIE)
    if not security.csrf_token_valid(request.app.state.settings.secret_key, nonce, submitted):
        raise PermissionDenied(
            "This form has expired or did not come from this site. "
            "Go back, reload the page and try again."
        )
