"""Guards every request passes before any route runs: a bounded body and the security headers.

Both are pure ASGI middleware (no `BaseHTTPMiddleware`), so they see the raw byte stream and the
raw response start, whatever the route or the middleware inside them does. Only load shedding
(exchange/loadshed.py) stands outside them.

**Body limit.** A request whose `Content-Length` is over `EXCHANGE_MAX_BODY_BYTES` is answered
413 at once: no byte of the body is read, no credential checked, no database touched. A body
without `Content-Length` (chunked) is counted as it arrives; the chunk that crosses the limit
ends the request with the same 413, so at most the limit (plus one chunk) is ever held in memory.

**Headers.** Every answer gets `X-Content-Type-Options: nosniff`, `Referrer-Policy` and a
`Content-Security-Policy` that forbids framing; pages get the strict policy below (scripts and
styles only from our own /static, no inline code), the interactive API docs a looser one (they
load Swagger UI / ReDoc from their CDN and start them with an inline script; they show no user
content).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange.errors import PROBLEM_BASE, PROBLEM_JSON

# -- body limit ---------------------------------------------------------------------------------

_TOO_LARGE = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


def _too_large_detail(limit: int) -> str:
    return (f"The request body is larger than this service accepts ({limit:,} bytes). "
            "Send less at once, e.g. split a member sync into several calls.")


def _problem_413(limit: int) -> tuple[list[tuple[bytes, bytes]], bytes]:
    body = json.dumps({
        "type": PROBLEM_BASE + "content-too-large",
        "title": "Content too large", "status": int(_TOO_LARGE),
        "detail": _too_large_detail(limit),
    }).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()),
               (b"content-length", str(len(body)).encode()),
               # The unread rest of the body makes the connection unusable for another request.
               (b"connection", b"close")]
    return headers, body


class BodyLimitMiddleware:
    """413 for a declared `Content-Length` over the limit before the app is called; for a
    chunked body, the moment the count crosses the limit.

    In the chunked case the app is already running (it asked for the body), so the 413 is sent
    from inside `receive`, and the app is told the client went away: whatever it does next
    (an error about the broken body, an exception) is dropped, never sent or re-raised.
    Raising from `receive` instead would not do: `BaseHTTPMiddleware` wraps the exception in an
    exception group and FastAPI's body parsing turns that into a 400."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.limit = max_body_bytes

    async def _refuse(self, send: Send) -> None:
        headers, body = _problem_413(self.limit)
        await send({"type": "http.response.start", "status": int(_TOO_LARGE), "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return

        received = 0
        started = cut = refused = False

        async def counted_receive() -> Message:
            nonlocal received, cut, refused
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    cut = True
                    if not started:
                        refused = True
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # we have answered already
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            if not refused:
                raise
            # The app's reaction to the body we cut off (e.g. ClientDisconnect): expected.


def document_body_limit(app: FastAPI, limit: int) -> None:
    """The served schema lists the 413 on every operation that takes a body."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        has_problem = "Problem" in document.get("components", {}).get("schemas", {})
        content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
                   if has_problem else {}}
        for item in document.get("paths", {}).values():
            for operation in item.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    operation.setdefault("responses", {}).setdefault("413", {
                        "description": f"The body is larger than {limit:,} bytes",
                        "content": content,
                    })
        return document

    app.openapi = openapi  # type: ignore[method-assign]


# -- security headers ---------------------------------------------------------------------------

PAGE_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# /api/docs and /api/redoc: FastAPI's pages load Swagger UI and ReDoc from jsDelivr and start them
# with an inline script. They show the schema only, never user content.
_DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = "; ".join([
    "default-src 'self'",
    f"script-src 'self' 'unsafe-inline' {_DOCS_CDN}",
    f"style-src 'self' 'unsafe-inline' {_DOCS_CDN} https://fonts.googleapis.com",
    "font-src 'self' https://fonts.gstatic.com",
    "img-src 'self' data: https://fastapi.tiangolo.com",
    f"worker-src 'self' blob: {_DOCS_CDN}",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])
# Anything that is not a page (JSON, CSV, static files) needs no power at all.
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATHS = frozenset({"/api/docs", "/api/redoc", "/api/docs/oauth2-redirect"})


def _policy_for(path: str, content_type: str) -> str:
    if path in DOCS_PATHS:
        return DOCS_CSP
    if content_type.startswith("text/html") or content_type.startswith("image/svg"):
        return PAGE_CSP
    return OTHER_CSP


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")  # for browsers without CSP 2
                headers.setdefault("Content-Security-Policy",
                                   _policy_for(path, headers.get("content-type", "")))
            await send(message)

        await self.app(scope, receive, with_headers)


def install_guards(app: FastAPI, max_body_bytes: int) -> None:
    """Call after every middleware that reads a body (the idempotency one does): the guards
    must wrap them. Only load shedding, which reads nothing, stands outside."""
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    document_body_limit(app, max_body_bytes)
