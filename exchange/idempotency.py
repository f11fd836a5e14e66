"""`Idempotency-Key` for every POST under /api/ — one ASGI middleware, so routes added by any
domain, now or later, get it without doing anything.

The rule (the convention Stripe made common, and the IETF draft "The Idempotency-Key HTTP
Header Field" describes):

- A POST with `Idempotency-Key: <1–255 printable characters>` claims that key for its caller
  (a keyed hash of the `Authorization` header, so two callers never share keys and no credential
  is stored). The first complete response is stored and **replayed for 24 hours** to every
  repeat of the same request, with `Idempotent-Replayed: true`.
- The same key with a different request (method, path, query or body) is **422**.
- A repeat while the first is still running is **409** with `Retry-After: 1`: the claim is
  committed before the route runs, in its own short transaction, so a concurrent request on
  another worker sees it.
- Responses that say "not done, try again" are not stored, so a retry runs for real: 5xx,
  401, 409 and 429 (and a crash). A claim whose request died without answering is taken over
  after :data:`STALE_CLAIM` so a key is never stuck for a day.
- POSTs without the header behave as before, and so do POSTs whose caller is not
  authenticated (no `Authorization`, or a token or key that is unknown, revoked or expired):
  authentication comes first, so they get the route's 401, never a stored answer or a
  "key reused" 422 that anonymous callers would share.
- A stored answer may hold a secret shown once (a new API key, a webhook secret), so the body
  is kept encrypted (AES-GCM, key derived from the server secret, bound to caller and key) and
  deleted after the 24 hours (the job runner purges, exchange/jobs.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import FastAPI
from sqlalchemy import JSON, Column, Text, UniqueConstraint, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange import security
from exchange.accounts import service as accounts_service
from exchange.db import get_session, utcnow
from exchange.errors import PROBLEM_BASE, PROBLEM_JSON
from exchange.networks import keys as network_keys

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
STALE_CLAIM = timedelta(minutes=2)
KEY_MAX_LENGTH = 255
# A concurrent duplicate is told to come back this much later (409 `Retry-After`): most
# requests finish well within it, and the repeat then gets the stored answer.
BUSY_RETRY_AFTER_SECONDS = 1
_NOT_STORED = frozenset({401, 409, 429})
# Headers a replay must not copy: they describe the original exchange, not the answer.
_SKIPPED_HEADERS = frozenset({"content-length", "date", "server", "x-request-id", "set-cookie"})


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a POST with an `Idempotency-Key`."""

    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("caller_hash", "key", name="uq_idempotency_records_caller_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    caller_hash: str = Field(max_length=64)
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    completed: bool = False
    response_status: int | None = None
    response_headers: list[Any] = Field(default_factory=list,
                                        sa_column=Column(JSON, nullable=False))
    response_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


# -- the store ----------------------------------------------------------------------------------


def _cipher(app: FastAPI) -> AESGCM:
    secret: str = app.state.settings.secret_key
    return AESGCM(hmac.new(secret.encode(), b"idempotency-store", hashlib.sha256).digest())


def _seal(app: FastAPI, record_key: str, body: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher(app).encrypt(nonce, body.encode(), record_key.encode())
    return base64.b64encode(nonce + sealed).decode()


def _open(app: FastAPI, record_key: str, stored: str) -> str | None:
    try:
        raw = base64.b64decode(stored)
        return _cipher(app).decrypt(raw[:12], raw[12:], record_key.encode()).decode()
    except (InvalidTag, ValueError):
        return None  # sealed under another server secret: as if it were not there


@dataclass(frozen=True)
class Proceed:
    record_id: int


@dataclass(frozen=True)
class Replay:
    status: int
    headers: list[list[str]]
    body: str


@dataclass(frozen=True)
class Busy:
    pass


@dataclass(frozen=True)
class Mismatch:
    pass


Outcome = Proceed | Replay | Busy | Mismatch


@contextmanager
def _session(app: FastAPI) -> Iterator[Session]:
    """A short transaction of its own. When the app's session dependency is overridden (the test
    harness runs every request on the test's connection) the same override is used, so the
    store sees and writes what the requests do."""
    override = app.dependency_overrides.get(get_session)
    if override is None:
        with Session(app.state.engine, expire_on_commit=False) as session:
            yield session
            session.commit()
        return
    generator = override()
    session = next(generator)
    try:
        yield session
    except BaseException as exc:
        generator.throw(exc)
        raise
    else:
        with suppress(StopIteration):
            next(generator)


def caller_is_authenticated(app: FastAPI, authorization: str) -> bool:
    """Whether the bearer credential is a live personal token or network key (the same lookups
    the routes' own authentication makes)."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    settings = app.state.settings
    with _session(app) as session:
        if token.startswith(network_keys.KEY_PREFIX):
            return network_keys.key_for_token(session, settings, token) is not None
        return accounts_service.user_for_api_token(session, settings, token) is not None


def claim(app: FastAPI, caller_hash: str, key: str, request_hash: str) -> Outcome:
    """Insert first, look second: on SQLite a transaction that read before it writes can
    deadlock with another doing the same; an INSERT just waits for the other to commit and then
    meets the unique constraint."""
    for _ in range(3):
        now = utcnow()
        with _session(app) as session:
            record = IdempotencyRecord(caller_hash=caller_hash, key=key,
                                       request_hash=request_hash, expires_at=now + RETENTION)
            session.add(record)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
            else:
                assert record.id is not None
                return Proceed(record.id)
            found = session.exec(select(IdempotencyRecord).where(
                IdempotencyRecord.caller_hash == caller_hash, IdempotencyRecord.key == key,
            )).first()
            if found is None:  # the other request gave its claim up meanwhile: try again
                continue
            expired = found.expires_at <= now
            stale = not found.completed and found.created_at <= now - STALE_CLAIM
            if expired or stale:
                session.delete(found)
                continue
            if found.request_hash != request_hash:
                return Mismatch()
            if not found.completed:
                return Busy()
            body = _open(app, f"{caller_hash}:{key}", found.response_body or "")
            if body is None:
                session.delete(found)
                continue
            return Replay(found.response_status or 200, found.response_headers, body)
    return Busy()


def finish(app: FastAPI, record_id: int, status: int, headers: list[list[str]], body: str
           ) -> None:
    with _session(app) as session:
        record = session.get(IdempotencyRecord, record_id)
        if record is not None:
            record.completed = True
            record.response_status = status
            record.response_headers = headers
            record.response_body = _seal(app, f"{record.caller_hash}:{record.key}", body)
            session.add(record)


def abandon(app: FastAPI, record_id: int) -> None:
    with _session(app) as session:
        session.exec(delete(IdempotencyRecord).where(  # type: ignore[call-overload]
            col(IdempotencyRecord.id) == record_id))


def purge_expired(session: Session) -> int:
    """Remove records past their 24 hours (the job runner calls this every 5 minutes)."""
    result = session.exec(delete(IdempotencyRecord).where(  # type: ignore[call-overload]
        col(IdempotencyRecord.expires_at) <= utcnow()))
    return int(result.rowcount or 0)


# -- the middleware -----------------------------------------------------------------------------


def _problem(status: int, slug: str, title: str, detail: str,
             errors: list[dict[str, str]] | None = None) -> tuple[int, list[list[str]], bytes]:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status,
                            "detail": detail}
    if errors:
        body["errors"] = errors
    return status, [["content-type", PROBLEM_JSON]], json.dumps(body).encode()


def _key_problem(key: str) -> str | None:
    if not 1 <= len(key) <= KEY_MAX_LENGTH:
        return f"must be 1 to {KEY_MAX_LENGTH} characters"
    if not all(32 < ord(c) < 127 for c in key):
        return "must be printable ASCII without spaces (a UUID is a good choice)"
    return None


async def _send_whole(send: Send, status: int, headers: list[list[str]], body: bytes) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers
           if k.lower() != "content-length"]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "POST"
                or not scope["path"].startswith("/api/")):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        app: FastAPI = scope["app"]
        authorization = headers.get("authorization", "")
        if not authorization or not await run_in_threadpool(
                caller_is_authenticated, app, authorization):
            await self.app(scope, receive, send)  # the route answers 401 before anything else
            return
        problem = _key_problem(key)
        if problem is not None:
            await _send_whole(send, *_problem(
                422, "validation-error", "Invalid input", f"{HEADER} {problem}.",
                [{"field": HEADER, "message": problem}]))
            return

        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        settings = app.state.settings
        caller_hash = security.keyed_hash(settings.secret_key,
                                          "idempotency:" + authorization)
        request_hash = hashlib.sha256(b"\n".join([
            scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""),
            body,
        ])).hexdigest()

        outcome = await run_in_threadpool(claim, app, caller_hash, key, request_hash)
        if isinstance(outcome, Mismatch):
            await _send_whole(send, *_problem(
                422, "idempotency-key-reused", "Idempotency key reused",
                f"This {HEADER} was used for a different request in the last 24 hours. "
                "Use a new key for a new request.",
                [{"field": HEADER, "message": "was already used for a different request"}]))
            return
        if isinstance(outcome, Busy):
            status, headers, problem_body = _problem(
                409, "idempotency-key-in-use", "Request in progress",
                f"A request with this {HEADER} is still being processed; retry after "
                f"{BUSY_RETRY_AFTER_SECONDS} s (the stored answer is replayed then).")
            await _send_whole(send, status,
                              [*headers, ["retry-after", str(BUSY_RETRY_AFTER_SECONDS)]],
                              problem_body)
            return
        if isinstance(outcome, Replay):
            await _send_whole(send, outcome.status,
                              [*outcome.headers, [REPLAYED_HEADER, "true"]],
                              outcome.body.encode())
            return

        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 500
        response_headers: list[list[str]] = []
        response_chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = [[k.decode("latin-1"), v.decode("latin-1")]
                                    for k, v in message.get("headers", [])
                                    if k.decode("latin-1").lower() not in _SKIPPED_HEADERS]
            elif message["type"] == "http.response.body":
                response_chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await run_in_threadpool(abandon, app, outcome.record_id)
            raise
        text: str | None
        try:
            text = b"".join(response_chunks).decode()
        except UnicodeDecodeError:
            text = None
        if status >= 500 or status in _NOT_STORED or text is None:
            await run_in_threadpool(abandon, app, outcome.record_id)
        else:
            await run_in_threadpool(finish, app, outcome.record_id, status, response_headers,
                                    text)


# -- documentation ------------------------------------------------------------------------------

PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Makes this POST safe to retry: the first complete response is stored and replayed "
        "for 24 hours (with `Idempotent-Replayed: true`). The same key with a different request "
        "is 422; a repeat while the first is running is 409. Use a new UUID per operation."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH,
               "pattern": "^[!-~]+$"},
    "example": "5f0c8f7e-2b1d-4c55-9a57-0d7b9b8c1e42",
}


def install_idempotency(app: FastAPI) -> None:
    """Add the middleware and document the header on every /api/ POST of the served schema.
    Call after `install_openapi`, so this wraps its builder."""
    app.add_middleware(IdempotencyMiddleware)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        schemas = document.get("components", {}).get("schemas", {})
        content: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/Problem"}} if (
            "Problem" in schemas) else {}
        for path, item in document.get("paths", {}).items():
            operation = item.get("post") if path.startswith("/api/") else None
            if operation is None:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == HEADER for p in parameters):
                parameters.append(dict(PARAMETER))
            responses = operation.setdefault("responses", {})
            for code, description in (("409", "A request with this Idempotency-Key is still "
                                              "running"),
                                      ("422", "Invalid input, or an Idempotency-Key reused for "
                                              "a different request")):
                responses.setdefault(code, {"description": description,
                                            "content": {PROBLEM_JSON: content}})
        return document

    app.openapi = openapi  # type: ignore[method-assign]
