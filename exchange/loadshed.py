"""Load shedding: a saturated process answers a fast 503 with `Retry-After`, never a long wait
that ends in a traceback.

Each web worker process lets at most `max_concurrent_requests` requests run at once (each holds
one database connection from a pool sized for exactly that, see `db.pool_options`) and up to
`max_queued_requests` more wait, each for at most `queue_timeout_seconds`. A request that
finds the queue full, or waits longer, gets `503 Service busy` (problem+json on /api, a short
page elsewhere) with `Retry-After: 1`, in microseconds and without touching the database.
Before this, 50 concurrent clients exhausted the default pool (5 + 10 overflow) and every
further request waited 30 s for a connection and failed with a traceback.

Why a limit in front of the pool rather than a bigger pool: the work is CPU-bound Python on few
cores, so more concurrency past a handful only lengthens every request; a bounded queue keeps
the latency of the requests we accept near their service time and tells the rest, at once, to
come back. `/healthz` is exempt so that a busy process is not mistaken for a dead one.
"""

from __future__ import annotations

import asyncio
import json
import logging

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Receive, Scope, Send

from exchange.config import Settings
from exchange.errors import PROBLEM_BASE, PROBLEM_JSON, ExchangeError, ServiceUnavailable

log = logging.getLogger("exchange.loadshed")

EXEMPT_PATHS = frozenset({"/healthz"})
RETRY_AFTER_SECONDS = 1
BUSY_DETAIL = "The service is busy; please try again in a second."


class LoadShedding:
    """Pure ASGI (no per-request task or body buffering), outermost in the stack."""

    def __init__(self, app: ASGIApp, *, max_concurrent: int, max_queued: int,
                 queue_timeout: float) -> None:
        self.app = app
        self.max_queued, self.queue_timeout = max_queued, queue_timeout
        self.slots = asyncio.Semaphore(max_concurrent)
        self.queued = 0
        self.shed = 0  # requests answered 503 so far (tests, logs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        if self.slots.locked():
            if self.queued >= self.max_queued:
                await self._busy(scope, send)
                return
            self.queued += 1
            try:
                await asyncio.wait_for(self.slots.acquire(), self.queue_timeout)
            except TimeoutError:
                await self._busy(scope, send)
                return
            finally:
                self.queued -= 1
        else:
            await self.slots.acquire()
        try:
            await self.app(scope, receive, send)
        finally:
            self.slots.release()

    async def _busy(self, scope: Scope, send: Send) -> None:
        self.shed += 1
        if self.shed % 1000 == 1:
            log.warning("shedding load: %s requests answered 503 so far", self.shed)
        if scope["path"].startswith("/api/"):
            content_type = PROBLEM_JSON
            body = json.dumps({"type": PROBLEM_BASE + ServiceUnavailable.slug,
                               "title": ServiceUnavailable.title, "status": 503,
                               "detail": BUSY_DETAIL}).encode()
        else:
            content_type = "text/html; charset=utf-8"
            body = (f"<!doctype html><title>{ServiceUnavailable.title}</title>"
                    f"<h1>{ServiceUnavailable.title}</h1><p>{BUSY_DETAIL}</p>").encode()
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
        ]})
        await send({"type": "http.response.body", "body": body})


def install_load_shedding(app: FastAPI, settings: Settings) -> None:
    """Add last, so that it is the outermost middleware and sheds before any other work."""
    app.add_middleware(LoadShedding, max_concurrent=settings.max_concurrent_requests,
                       max_queued=settings.max_queued_requests,
                       queue_timeout=settings.queue_timeout_seconds)

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> Response:
        # Should not happen with the pool sized for the limit above (a job runner or a long
        # POST could still hold extra connections): answer busy, never a 500.
        log.warning("database pool exhausted on %s %s: %s", request.method, request.url.path,
                    exc)
        render = app.exception_handlers[ExchangeError]
        return await render(request, ServiceUnavailable(BUSY_DETAIL,  # type: ignore[no-any-return]
                                                        retry_after=RETRY_AFTER_SECONDS))
