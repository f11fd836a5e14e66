"""Each request's id (`X-Request-ID`, taken from the caller or made up) and its log line.

Pure ASGI: a `BaseHTTPMiddleware` (what `@app.middleware("http")` builds) runs every request in
an extra task and streams every response through a memory channel — measured with py-spy as a
tenth of a small API read's CPU time under load (benchmarks/load.py)."""

from __future__ import annotations

import logging
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange.config import public_base_url_var

log = logging.getLogger("exchange.requests")


class RequestId:
    def __init__(self, app: ASGIApp, *, public_base_url: str) -> None:
        self.app, self.public_base_url = app, public_base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex
        # Links in e-mails written deep inside services use the app's own base URL.
        public_base_url_var.set(self.public_base_url)
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-ID"] = rid
                log.info("%s %s %s rid=%s", scope["method"], scope["path"],
                         message["status"], rid)
            await send(message)

        await self.app(scope, receive, send_with_id)
