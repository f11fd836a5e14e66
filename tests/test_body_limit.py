"""Issue 17, point 2: request bodies are bounded before they are read (exchange/guards.py).

The audit sent an anonymous 100 MB `PATCH /api/v1/businesses/x`: it was read and parsed before
the 401. Now a declared `Content-Length` over the limit is answered 413 without reading a byte,
and a chunked body without `Content-Length` is cut off at the chunk that crosses the limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.demo.generator import generate_businesses
from exchange.guards import BodyLimitMiddleware
from exchange.main import create_app
from tests.conftest import Client
from tests.support import aio

LIMIT = 4096
CHUNK = b"x" * 1024


@pytest.fixture
def small_app(app: FastAPI, settings: Settings, engine: Engine) -> FastAPI:
    """The app with a 4 KiB limit, on the test's connection like `app`."""
    small = create_app(settings.model_copy(update={"max_body_bytes": LIMIT}), engine=engine)
    small.dependency_overrides = app.dependency_overrides
    return small


@pytest.fixture
def small_client(small_app: FastAPI, settings: Settings, session: Session) -> Iterator[Client]:
    with Client(small_app, settings, session) as c:
        yield c


class Wire:
    """The client side of one ASGI request: counts what the app pulled from the body."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pulled = 0
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        chunk = next(self.chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        self.pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def body(self) -> dict[str, Any]:
        return dict(json.loads(b"".join(m.get("body", b"") for m in self.sent[1:])))


def _scope(method: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "server": ("testserver", 80), "client": ("203.0.113.9", 50000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }


def _endless() -> Iterator[bytes]:
    while True:
        yield CHUNK


def _call(app: Any, method: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]
          ) -> Wire:
    wire = Wire(chunks)
    aio.run(app(_scope(method, path, headers), wire.receive, wire.send))
    return wire


def test_a_declared_oversize_body_is_413_before_a_byte_is_read(small_app: FastAPI) -> None:
    wire = _call(small_app, "PATCH", "/api/v1/businesses/x",
                 {"content-type": "application/json", "content-length": str(100 * 1024 * 1024)},
                 _endless())
    assert wire.status == 413  # not the 401 of the anonymous caller: nothing ran
    assert wire.pulled == 0
    assert dict(wire.sent[0]["headers"])[b"content-type"] == b"application/problem+json"
    assert wire.body["status"] == 413
    assert f"{LIMIT:,} bytes" in wire.body["detail"]


def test_a_chunked_body_is_cut_off_at_the_limit(small_app: FastAPI) -> None:
    """No Content-Length: the body is counted as it arrives and never read far past the limit."""
    wire = _call(small_app, "PATCH", "/api/v1/businesses/x",
                 {"content-type": "application/json", "transfer-encoding": "chunked"},
                 _endless())
    assert wire.status == 413
    assert wire.pulled <= LIMIT + len(CHUNK)
    assert wire.body["status"] == 413


def test_a_chunked_body_with_an_idempotency_key_is_cut_off_too(
    small_app: FastAPI, afreen: User, session: Session, settings: Settings
) -> None:
    """The idempotency middleware reads the body itself, before any route: still a 413."""
    issued = accounts_service.create_api_token(session, settings, afreen,
                                               ApiTokenCreate(name="script"))
    session.commit()
    wire = _call(small_app, "POST", "/api/v1/me/tokens",
                 {"content-type": "application/json", "transfer-encoding": "chunked",
                  "authorization": f"Bearer {issued.token}", "idempotency-key": "k-1"},
                 _endless())
    assert wire.status == 413
    assert wire.pulled <= LIMIT + len(CHUNK)


def test_a_chunked_form_on_a_page_is_413(small_client: Client) -> None:
    r = small_client.post("/login", content=_endless_limited(8),
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


def _endless_limited(n: int) -> Iterator[bytes]:
    # httpx sends a generator chunked, without Content-Length.
    for _ in range(n):
        yield b"a=" + CHUNK


def test_the_api_answers_413_as_problem_json_through_http(small_client: Client) -> None:
    r = small_client.patch("/api/v1/businesses/x", content=b"{" + b" " * (LIMIT * 2) + b"}",
                           headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    r = small_client.patch("/api/v1/businesses/x", content=_endless_limited(8),
                           headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")


def test_a_body_under_the_limit_reaches_the_route(small_client: Client) -> None:
    r = small_client.patch("/api/v1/businesses/x", json={"name": "Small"})
    assert r.status_code == 401  # the anonymous caller's ordinary answer


def test_the_default_limit_lets_a_1000_member_sync_through() -> None:
    """The default must carry the largest call the API invites: a 1,000-member sync (the
    generator of benchmarks/network_sync.py), indented JSON, sent in 64 KiB chunks."""
    body = json.dumps({"members": generate_businesses(1000, seed=2026)}, indent=2).encode()
    default = Settings.model_fields["max_body_bytes"].default
    seen = bytearray()

    async def route(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            seen.extend(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    chunks = iter([body[i:i + 65536] for i in range(0, len(body), 65536)])
    wire = _call(BodyLimitMiddleware(route, default), "PUT", "/api/v1/networks/n/members",
                 {"content-type": "application/json", "transfer-encoding": "chunked"}, chunks)
    assert wire.status == 200
    assert bytes(seen) == body
    assert len(body) < default / 2  # room for long descriptions and evidence texts


def test_the_schema_documents_the_413(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    patch = schema["paths"]["/api/v1/businesses/{slug}"]["patch"]
    assert "413" in patch["responses"]
