"""Rate limits that several processes share, and the headers that tell a client where it is.

Counting: the `limits` package, moving window. The store is `EXCHANGE_RATE_LIMIT_STORAGE`:
`memory://` (the default) counts in each process — right for one `exchange serve` with one
worker; with `--workers N` or several replicas each process would allow the full rate, so point
them all at one Redis (`redis://host:6379/0`) and the limit holds for the deployment.

Headers (draft-ietf-httpapi-ratelimit-headers): every answer to a limited caller carries
`RateLimit-Policy: "per-key";q=600;w=60` (the quota and its window in seconds) and
`RateLimit: "per-key";r=<remaining>;t=<seconds until the window frees a request>`; a refused
request is `429` with the same headers and `Retry-After`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATE_KEY = "rate_limit_headers"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    headers: dict[str, str]
    retry_after: int  # seconds; 0 when allowed


class RateLimit:
    """One named limit (`name` becomes the policy's name in the headers)."""

    def __init__(self, name: str, rate: str, storage: Storage) -> None:
        self.name = name
        self.item: RateLimitItem = parse(rate)
        self.limiter = MovingWindowRateLimiter(storage)

    def hit(self, identity: str) -> Verdict:
        allowed = self.limiter.hit(self.item, self.name, identity)
        stats = self.limiter.get_window_stats(self.item, self.name, identity)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        policy = f'"{self.name}";q={self.item.amount};w={self.item.get_expiry()}'
        headers = {"RateLimit-Policy": policy,
                   "RateLimit": f'"{self.name}";r={stats.remaining};t={reset}'}
        if allowed:
            return Verdict(True, headers, 0)
        return Verdict(False, headers, max(1, reset))


def storage(uri: str) -> Storage:
    """`memory://`, `redis://…` (or any store `limits` knows)."""
    return storage_from_string(uri)


def remember_headers(scope_state: Any, headers: dict[str, str]) -> None:
    """Called by the limiting dependency; `RateLimitHeaders` adds them to the answer, whatever
    the route returns (a model, a Response, a 304)."""
    scope_state[STATE_KEY] = headers


class RateLimitHeaders:
    """Pure ASGI: copies the headers a limit left in the request state onto the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                found = scope.get("state", {}).get(STATE_KEY)
                if found:
                    headers = MutableHeaders(scope=message)
                    for name, value in found.items():
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
