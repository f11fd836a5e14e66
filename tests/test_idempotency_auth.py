"""Issue 17, point 13: authentication comes before `Idempotency-Key` (exchange/idempotency.py).

Anonymous callers all share an empty `Authorization`, so a key one of them used must not turn
another's POST into a replay or a "key reused" 422: a POST without valid credentials gets the
route's 401, and nothing is stored for it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.idempotency import IdempotencyRecord

TOKENS = "/api/v1/me/tokens"
KEY = {"Idempotency-Key": "fuzz-key-1"}


def _records(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(IdempotencyRecord)).one())


def test_anonymous_posts_with_a_key_are_401_not_key_reused(make_client: Any,
                                                           session: Session) -> None:
    stranger = make_client()
    # A body FastAPI cannot even parse (it parses before any dependency runs, so this is its
    # 422): before the fix that answer was stored under the key...
    stranger.post(TOKENS, content=b"{not json", headers={**KEY, "Content-Type": "application/json"})
    assert _records(session) == 0
    # ...and every later anonymous POST with that key got "Idempotency key reused".
    second = make_client().post(TOKENS, json={"name": "other"}, headers=KEY)
    assert second.status_code == 401, second.text
    assert second.headers["content-type"].startswith("application/problem+json")
    assert second.headers.get("idempotent-replayed") is None
    assert _records(session) == 0


def test_a_revoked_token_with_a_key_is_401(make_client: Any, afreen: User,
                                           session: Session) -> None:
    issued = accounts_service.create_api_token(session, make_client().settings, afreen,
                                               ApiTokenCreate(name="old script"))
    accounts_service.revoke_api_token(session, afreen, issued.record.id or 0)
    session.commit()
    client = make_client().use_token(issued.token)
    client.post(TOKENS, content=b"{not json", headers={**KEY, "Content-Type": "application/json"})
    r = client.post(TOKENS, json={"name": "again"}, headers=KEY)
    assert r.status_code == 401, r.text
    assert _records(session) == 0


def test_an_anonymous_post_with_a_malformed_key_is_401_too(make_client: Any) -> None:
    r = make_client().post(TOKENS, json={"name": "x"}, headers={"Idempotency-Key": "has space"})
    assert r.status_code == 401


def test_a_live_token_still_gets_idempotency(make_client: Any, afreen: User,
                                             session: Session) -> None:
    issued = accounts_service.create_api_token(session, make_client().settings, afreen,
                                               ApiTokenCreate(name="script"))
    session.commit()
    client = make_client().use_token(issued.token)
    first = client.post(TOKENS, json={"name": "crm"}, headers=KEY)
    again = client.post(TOKENS, json={"name": "crm"}, headers=KEY)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert client.post(TOKENS, json={"name": "other"}, headers=KEY).status_code == 422
