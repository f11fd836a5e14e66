"""No network reaches another's members, on every route of the inventory: the Mumbai guild's
all-scopes key gets 404 on each of Pune's addresses and changes nothing; a Pune key without the
route's scope gets 403; revoked, expired and personal tokens get 401."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, func, select

from exchange.config import Settings
from exchange.db import utcnow
from exchange.networks import keys as keys_service
from exchange.networks.models import (
    Network,
    NetworkApiKey,
    NetworkInvitation,
    NetworkMember,
    Scope,
    WebhookDelivery,
    WebhookEndpoint,
)
from exchange.profiles.models import Business
from tests.conftest import Client
from tests.networks.conftest import fill
from tests.networks.factories import make_key
from tests.networks.route_rules import BODIES, KEY_SCOPES


def _fingerprint(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    return (
        sorted((m.network_id, m.external_id, m.managed_by_network)
               for m in session.exec(select(NetworkMember))),
        sorted((b.name, str(b.updated_at)) for b in session.exec(select(Business))),
        session.exec(select(func.count()).select_from(NetworkInvitation)).one(),
        sorted(str(k.revoked_at) for k in session.exec(select(NetworkApiKey))),
        sorted((e.url, str(e.disabled_at)) for e in session.exec(select(WebhookEndpoint))),
        sorted((d.status, d.attempts, str(d.next_attempt_at))
               for d in session.exec(select(WebhookDelivery))),
    )


def _call(client: Client, method: str, path: str, values: dict[str, str]) -> Any:
    body = BODIES.get((method, path))
    return client.request(method, fill(path, values), json=body if method != "GET" else None)


def _is_problem(response: Any, status: int) -> bool:
    return response.status_code == status and response.headers["content-type"].startswith(
        "application/problem+json")


@pytest.mark.parametrize(("method", "path"), sorted(KEY_SCOPES))
def test_a_key_of_another_network_gets_404_and_changes_nothing(
    method: str, path: str, pune_world: dict[str, str], session: Session,
    key_client: Callable[[str], Client],
    mumbai_key: str,
) -> None:
    before = _fingerprint(session)
    response = _call(key_client(mumbai_key), method, path, pune_world)
    assert _is_problem(response, 404), (response.status_code, response.text)
    assert _fingerprint(session) == before


@pytest.mark.parametrize(("method", "path"),
                         sorted(k for k, scope in KEY_SCOPES.items() if scope is not None))
def test_a_key_without_the_scope_gets_403_and_changes_nothing(
    method: str, path: str, pune_world: dict[str, str], session: Session, settings: Settings,
    pune_chamber: Network, key_client: Callable[[str], Client],
) -> None:
    needed = KEY_SCOPES[(method, path)]
    others = [s for s in Scope if s is not needed]
    key = make_key(session, settings, pune_chamber, others, name="narrow")
    before = _fingerprint(session)
    response = _call(key_client(key), method, path, pune_world)
    assert _is_problem(response, 403), (response.status_code, response.text)
    assert _fingerprint(session) == before


@pytest.mark.parametrize(("method", "path"), sorted(KEY_SCOPES))
def test_revoked_expired_and_personal_tokens_get_401(
    method: str, path: str, pune_world: dict[str, str], session: Session, settings: Settings,
    pune_chamber: Network,
    key_client: Callable[[str], Client], world_token: str,
) -> None:
    revoked = make_key(session, settings, pune_chamber, list(Scope), name="revoked")
    record = session.exec(select(NetworkApiKey).where(NetworkApiKey.name == "revoked")).one()
    assert record.id is not None
    keys_service.revoke_key(session, pune_chamber, record.id)
    expired = make_key(session, settings, pune_chamber, list(Scope), name="expired",
                       expires_in_days=1)
    old = session.exec(select(NetworkApiKey).where(NetworkApiKey.name == "expired")).one()
    old.expires_at = utcnow()
    session.add(old)
    session.commit()
    before = _fingerprint(session)
    for token in (revoked, expired, world_token, "pie_net_forged-key-value"):
        response = _call(key_client(token), method, path, pune_world)
        assert _is_problem(response, 401), (token[:12], response.status_code, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
    assert _fingerprint(session) == before


@pytest.fixture
def world_token(session: Session, settings: Settings, afreen: Any) -> str:
    """Afreen's personal token: it authorises her own things, never a network's."""
    from exchange.accounts import service as accounts_service
    from exchange.accounts.models import ApiTokenCreate

    issued = accounts_service.create_api_token(session, settings, afreen,
                                               ApiTokenCreate(name="mine"))
    session.commit()
    return issued.token


def test_keys_are_stored_only_as_keyed_hashes(session: Session, pune_key: str) -> None:
    for record in session.exec(select(NetworkApiKey)):
        assert pune_key not in record.model_dump_json()
        assert record.display_prefix == pune_key[:12]


def test_a_key_is_rate_limited_with_retry_after(api: Client, app: Any) -> None:
    from exchange.networks.deps import KeyRateLimit

    app.state.network_rate_limit = KeyRateLimit("3/minute")
    answers = [api.get("/api/v1/networks/pune-chamber") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    # draft-ietf-httpapi-ratelimit-headers: the policy, and what is left of it
    assert {a.headers["ratelimit-policy"] for a in answers} == {'"per-key";q=3;w=60'}
    assert [a.headers["ratelimit"].split(";")[1] for a in answers] == ["r=2", "r=1", "r=0",
                                                                        "r=0"]
    last = api.get("/api/v1/networks/pune-chamber")
    assert _is_problem(last, 429)
    assert 1 <= int(last.headers["retry-after"]) <= 60
