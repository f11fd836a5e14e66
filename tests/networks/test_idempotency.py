"""`Idempotency-Key` on POSTs (exchange/idempotency.py): replayed for 24 hours, 422 for the same
key with another body, 409 while the first is still running; POSTs without it unchanged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlmodel import Session, func, select

from exchange.accounts.models import ApiToken, User
from exchange.db import utcnow
from exchange.idempotency import Busy, IdempotencyRecord, Proceed, claim
from tests.conftest import Client

TOKENS = "/api/v1/me/tokens"


def _tokens(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(ApiToken)).one())


def _me(make_client: Any, user: User, session: Session) -> Client:
    from exchange.accounts import service as accounts_service
    from exchange.accounts.models import ApiTokenCreate

    client: Client = make_client()
    issued = accounts_service.create_api_token(session, client.settings, user,
                                               ApiTokenCreate(name="script"))
    session.commit()
    return client.use_token(issued.token)


def test_a_repeated_post_is_replayed_not_run_again(make_client: Any, afreen: User,
                                                   session: Session) -> None:
    client = _me(make_client, afreen, session)
    headers = {"Idempotency-Key": "key-1"}
    first = client.post(TOKENS, json={"name": "crm"}, headers=headers)
    assert first.status_code == 201
    count = _tokens(session)
    again = client.post(TOKENS, json={"name": "crm"}, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()  # the same token, shown again to the same caller
    assert again.headers["idempotent-replayed"] == "true"
    assert _tokens(session) == count


def test_the_same_key_with_another_body_is_422(make_client: Any, afreen: User,
                                               session: Session) -> None:
    client = _me(make_client, afreen, session)
    client.post(TOKENS, json={"name": "crm"}, headers={"Idempotency-Key": "key-1"})
    r = client.post(TOKENS, json={"name": "other"}, headers={"Idempotency-Key": "key-1"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"


def test_keys_belong_to_their_caller(make_client: Any, afreen: User, rajeev: User,
                                     session: Session) -> None:
    mine = _me(make_client, afreen, session)
    theirs = _me(make_client, rajeev, session)
    a = mine.post(TOKENS, json={"name": "crm"}, headers={"Idempotency-Key": "shared"})
    b = theirs.post(TOKENS, json={"name": "crm"}, headers={"Idempotency-Key": "shared"})
    assert a.status_code == b.status_code == 201
    assert a.json()["token"] != b.json()["token"]
    assert "idempotent-replayed" not in b.headers


def test_a_running_request_with_the_key_makes_the_repeat_409(
    make_client: Any, afreen: User, session: Session, app: FastAPI,
) -> None:
    client = _me(make_client, afreen, session)
    # Simulate the first request still running: its claim exists, not completed.
    import hashlib

    from exchange import security

    auth = client.headers["Authorization"]
    caller = security.keyed_hash(client.settings.secret_key, "idempotency:" + auth)
    body = b'{"name":"crm"}'
    request_hash = hashlib.sha256(b"\n".join([b"POST", TOKENS.encode(), b"", body])).hexdigest()
    assert isinstance(claim(app, caller, "busy-key", request_hash), Proceed)
    assert isinstance(claim(app, caller, "busy-key", request_hash), Busy)
    r = client.post(TOKENS, content=body, headers={"Idempotency-Key": "busy-key",
                                                   "Content-Type": "application/json"})
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["retry-after"] == "1"  # come back when the first has answered


def test_errors_that_mean_try_again_are_not_stored(make_client: Any, session: Session) -> None:
    client: Client = make_client().use_token("pie_pat_not-a-real-token")
    r = client.post(TOKENS, json={"name": "crm"}, headers={"Idempotency-Key": "k"})
    assert r.status_code == 401
    assert session.exec(select(func.count()).select_from(IdempotencyRecord)).one() == 0


def test_an_expired_record_is_not_replayed(make_client: Any, afreen: User,
                                           session: Session) -> None:
    client = _me(make_client, afreen, session)
    first = client.post(TOKENS, json={"name": "crm"}, headers={"Idempotency-Key": "old"})
    record = session.exec(select(IdempotencyRecord)).one()
    record.expires_at = utcnow() - timedelta(seconds=1)
    session.add(record)
    session.commit()
    again = client.post(TOKENS, json={"name": "crm"}, headers={"Idempotency-Key": "old"})
    assert again.status_code == 201 and again.json()["token"] != first.json()["token"]


def test_a_malformed_key_is_a_field_error(make_client: Any, afreen: User,
                                          session: Session) -> None:
    client = _me(make_client, afreen, session)
    r = client.post(TOKENS, json={"name": "crm"}, headers={"Idempotency-Key": "has space"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "Idempotency-Key"


def test_every_api_post_documents_the_header(app: FastAPI) -> None:
    document = app.openapi()
    posts = [(path, item["post"]) for path, item in document["paths"].items()
             if path.startswith("/api/") and "post" in item]
    assert posts
    for path, operation in posts:
        names = [p["name"] for p in operation.get("parameters", [])]
        assert "Idempotency-Key" in names, path
