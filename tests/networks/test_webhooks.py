"""Webhooks: the sync's `member.updated` and other domain events become signed deliveries in the
same transaction; the worker sends them to a real local receiver, logs every attempt, retries
with backoff, disables a failing endpoint with a notice to the admins, and redelivers on ask."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import standardwebhooks
from sqlalchemy import Connection
from sqlmodel import Session, col, select

from exchange.config import Settings
from exchange.db import utcnow
from exchange.events import DomainEvent, emit
from exchange.networks import webhooks
from exchange.networks.models import (
    Network,
    NetworkMember,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from exchange.networks.signing import WebhookVerificationError, sign, verify
from exchange.notifications.models import OutboxEmail
from tests.conftest import Client, _savepoint_session
from tests.networks.conftest import member_record
from tests.networks.receiver import Receiver, receiver

BASE = "/api/v1/networks/pune-chamber"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """These receivers listen on 127.0.0.1: allow private targets, as local development does
    (the refusals are tested in test_webhook_targets.py)."""
    return settings.model_copy(update={"webhook_allow_private_targets": True})


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def _register(api: Client, url: str, **extra: Any) -> dict[str, Any]:
    r = api.post(f"{BASE}/webhooks", json={"url": url, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _deliver(connection: Connection, settings: Settings, **config: Any) -> int:
    with httpx.Client(timeout=5) as client:
        return webhooks.deliver_due(lambda: _savepoint_session(connection), settings,
                                    client=client, config=webhooks.WorkerConfig(**config))


def _make_due(session: Session) -> None:
    """Skip the backoff wait (tests never sleep)."""
    for delivery in session.exec(select(WebhookDelivery)):
        delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
        session.add(delivery)
    session.commit()


def test_our_signatures_verify_with_the_standard_webhooks_library() -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"type":"member.updated"}'
    wh = standardwebhooks.Webhook(secret)
    now = int(time.time())  # the library checks the timestamp against its own clock
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now),
               "webhook-signature": sign(secret, "msg_1", now, body)}
    assert wh.verify(body, headers) == {"type": "member.updated"}
    verify(headers, body, secret)


def test_verification_refuses_tampering_old_messages_and_other_secrets() -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    headers = {"webhook-id": "msg_1", "webhook-timestamp": "1000",
               "webhook-signature": sign(secret, "msg_1", 1000, "{}")}
    verify(headers, "{}", secret, now=1100)
    with pytest.raises(WebhookVerificationError):
        verify(headers, '{"x":1}', secret, now=1100)
    with pytest.raises(WebhookVerificationError):
        verify(headers, "{}", secret, now=1000 + 301)
    with pytest.raises(WebhookVerificationError):
        verify(headers, "{}", "whsec_" + "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==", now=1100)


def test_the_secret_is_shown_once_and_never_stored(api: Client, session: Session) -> None:
    created = _register(api, "http://127.0.0.1:9/hook")
    assert created["secret"].startswith("whsec_")
    endpoint = session.exec(select(WebhookEndpoint)).one()
    assert created["secret"] not in endpoint.model_dump_json()
    assert "secret" not in api.get(f"{BASE}/webhooks/{created['id']}").json()


def test_a_bad_endpoint_names_its_fields(api: Client) -> None:
    r = api.post(f"{BASE}/webhooks", json={"url": "ftp://x", "event_types": ["nope"]})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"url", "event_types"}


def test_the_sync_turns_changes_into_signed_deliveries(
    api: Client, hook: Receiver, connection: Connection, settings: Settings, session: Session,
) -> None:
    secret = _register(api, hook.url, event_types=["member.updated"])["secret"]
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1"),
                                                 member_record("crm-2")]})
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1"),
                                                 member_record("crm-2")]})  # unchanged
    assert len(session.exec(select(WebhookDelivery)).all()) == 2
    assert _deliver(connection, settings) == 2
    assert len(hook.accepted) == 2
    payloads = []
    for received in hook.accepted:
        verify(received.headers, received.body, secret)
        payloads.append(json.loads(received.body))
    assert sorted(p["members"][0] for p in payloads) == ["crm-1", "crm-2"]
    assert {p["type"] for p in payloads} == {"member.updated"}
    assert {p["data"]["change"] for p in payloads} == {"created"}
    assert _deliver(connection, settings) == 0  # nothing twice after success


def test_a_rolled_back_change_leaves_no_delivery(
    api: Client, session: Session, pune_chamber: Network,
) -> None:
    _register(api, "http://127.0.0.1:9/hook")
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    before = len(session.exec(select(WebhookDelivery)).all())
    member = session.exec(select(NetworkMember)).one()
    emit(session, DomainEvent("member.updated", {"network": "pune-chamber",
                                                 "external_id": "crm-1"},
                              business_ids=(member.business_id,)))
    session.rollback()
    assert len(session.exec(select(WebhookDelivery)).all()) == before


def test_internship_events_reach_the_networks_of_the_businesses(
    api: Client, session: Session, mumbai_guild: Network, hook: Receiver,
) -> None:
    _register(api, hook.url)
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    member = session.exec(select(NetworkMember)).one()
    before = len(session.exec(select(WebhookDelivery)).all())
    emit(session, DomainEvent("internship.accepted", {"internship": 7},
                              business_ids=(member.business_id, 999_999)))
    emit(session, DomainEvent("internship.accepted", {"internship": 8},
                              business_ids=(999_999,)))  # no member of any network
    session.commit()
    new = session.exec(select(WebhookDelivery).where(
        WebhookDelivery.event_type == "internship.accepted")).all()
    assert len(session.exec(select(WebhookDelivery)).all()) == before + 1
    assert json.loads(new[0].body)["members"] == ["crm-1"]


def test_failures_retry_with_backoff_and_every_attempt_is_logged(
    api: Client, hook: Receiver, connection: Connection, settings: Settings, session: Session,
) -> None:
    _register(api, hook.url)
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    hook.fail_next = 2
    started = utcnow()
    assert _deliver(connection, settings) == 1
    delivery = session.exec(select(WebhookDelivery)).one()
    session.refresh(delivery)
    assert delivery.status == "pending" and delivery.attempts == 1
    # The second attempt waits about 5 s (±20 % jitter).
    wait = (delivery.next_attempt_at - started).total_seconds()
    assert 3.9 <= wait <= 6.5
    assert _deliver(connection, settings) == 0  # not due yet
    for _ in range(2):
        _make_due(session)
        _deliver(connection, settings)
    session.refresh(delivery)
    assert delivery.status == "succeeded" and delivery.attempts == 3
    attempts = session.exec(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
    assert [(a.response_status, a.succeeded) for a in attempts] == [
        (503, False), (503, False), (204, True)]
    assert all(a.latency_ms >= 0 for a in attempts) and attempts[0].error
    assert len(hook.accepted) == 1  # exactly once in the end
    log = api.get(f"{BASE}/webhooks/{delivery.endpoint_id}/deliveries").json()
    assert [a["response_status"] for a in log["items"][0]["attempts"]] == [503, 503, 204]


def test_an_unreachable_receiver_is_an_attempt_with_an_error(
    api: Client, connection: Connection, settings: Settings, session: Session,
) -> None:
    _register(api, "http://127.0.0.1:9/closed-port")
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    _deliver(connection, settings)
    attempt = session.exec(select(WebhookAttempt)).one()
    assert attempt.response_status is None and attempt.error and not attempt.succeeded


def test_a_delivery_gives_up_after_the_schedule(
    api: Client, hook: Receiver, connection: Connection, settings: Settings, session: Session,
) -> None:
    _register(api, hook.url)
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    hook.fail_next = 10
    schedule = (timedelta(0), timedelta(seconds=1), timedelta(seconds=1))
    for _ in range(5):
        _make_due(session)
        _deliver(connection, settings, schedule=schedule)
    delivery = session.exec(select(WebhookDelivery)).one()
    session.refresh(delivery)
    assert delivery.status == "failed" and delivery.attempts == 3


def _fail_for(session: Session, endpoint_id: int, days: float) -> None:
    """As if the endpoint's outage clock had started `days` ago (tests never sleep)."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    assert endpoint is not None and endpoint.failing_since is not None
    endpoint.failing_since = utcnow() - timedelta(days=days)
    endpoint.first_failure_at = endpoint.failing_since
    session.add(endpoint)
    session.commit()


def test_a_failing_endpoint_is_disabled_only_after_days_and_the_admins_told(
    api: Client, hook: Receiver, connection: Connection, settings: Settings, session: Session,
    nina: Any,
) -> None:
    created = _register(api, hook.url)
    api.put(f"{BASE}/members", json={"members": [member_record(f"crm-{i}") for i in range(3)]})
    hook.fail_next = 1000
    for _ in range(5):  # 15 failed attempts in a row, all within minutes
        _make_due(session)
        _deliver(connection, settings)
    endpoint = session.get(WebhookEndpoint, created["id"])
    assert endpoint is not None
    session.refresh(endpoint)
    assert endpoint.consecutive_failures == 15 and endpoint.failing_since is not None
    assert endpoint.disabled_at is None  # minutes of failure are no reason to give up
    _fail_for(session, created["id"], days=4.9)
    _make_due(session)
    _deliver(connection, settings)
    session.refresh(endpoint)
    assert endpoint.disabled_at is None
    _fail_for(session, created["id"], days=5.1)
    _make_due(session)
    _deliver(connection, settings)
    session.refresh(endpoint)
    assert endpoint.disabled_at is not None
    assert "every attempt failed for 5.1 days" in (endpoint.disabled_reason or "")
    notice = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == nina.email)).one()
    assert "disabled" in notice.subject
    # Disabled: nothing is sent, pending events wait.
    _make_due(session)
    sent_before = len(hook.requests)
    assert _deliver(connection, settings) == 0 and len(hook.requests) == sent_before
    # The receiver fixed and the endpoint enabled: every pending event is due at once,
    # however long its backoff had still to run.
    hook.fail_next = 0
    for delivery in session.exec(select(WebhookDelivery)):
        delivery.next_attempt_at = utcnow() + timedelta(hours=5)
        session.add(delivery)
    session.commit()
    assert api.post(f"{BASE}/webhooks/{created['id']}/enable").json()["enabled"] is True
    assert _deliver(connection, settings) == 3
    assert len(hook.accepted) == 3


def test_failures_a_day_apart_do_not_start_the_outage_clock(
    api: Client, hook: Receiver, connection: Connection, settings: Settings, session: Session,
) -> None:
    created = _register(api, hook.url)
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    hook.fail_next = 1000
    for _ in range(4):
        _make_due(session)
        _deliver(connection, settings)
        for attempt in session.exec(select(WebhookAttempt)):  # a day passes
            attempt.attempted_at -= timedelta(hours=25)
            session.add(attempt)
        session.commit()
    endpoint = session.get(WebhookEndpoint, created["id"])
    assert endpoint is not None
    session.refresh(endpoint)
    assert endpoint.consecutive_failures == 4 and endpoint.failing_since is None


def test_a_receiver_back_from_an_outage_gets_every_event_once_and_promptly(
    api: Client, hook: Receiver, connection: Connection, settings: Settings, session: Session,
) -> None:
    """Issue 14's outage: 32 events while the receiver refuses; it recovers while every
    delivery is deep in its backoff. The first success releases the rest at once."""
    created = _register(api, hook.url)
    api.put(f"{BASE}/members", json={"members": [member_record(f"crm-{i}")
                                                 for i in range(32)]})
    hook.fail_next = 10_000  # down
    assert _deliver(connection, settings) == 32  # immediately: all fail
    _make_due(session)  # 5 s later
    assert _deliver(connection, settings) == 32  # all fail again, next try in ~5 minutes
    waiting = session.exec(select(WebhookDelivery).order_by(
        col(WebhookDelivery.next_attempt_at))).all()
    assert all(d.next_attempt_at > utcnow() + timedelta(minutes=3) for d in waiting)
    hook.fail_next = 0  # the receiver is back
    first = waiting[0]
    first.next_attempt_at = utcnow() - timedelta(seconds=1)  # the earliest retry falls due
    session.add(first)
    session.commit()
    assert _deliver(connection, settings) == 1  # succeeds, and releases the others
    assert _deliver(connection, settings) == 31  # at once, not in 5 minutes
    ids = [r.headers["webhook-id"] for r in hook.accepted]
    assert len(ids) == len(set(ids)) == 32  # every event, exactly once
    endpoint = session.get(WebhookEndpoint, created["id"])
    assert endpoint is not None
    session.refresh(endpoint)
    assert endpoint.disabled_at is None and endpoint.consecutive_failures == 0
    assert endpoint.failing_since is None
    session.expire_all()
    assert {d.status for d in session.exec(select(WebhookDelivery))} == {"succeeded"}


def test_a_receiver_can_abort_one_message(
    api: Client, hook: Receiver, connection: Connection, settings: Settings, session: Session,
) -> None:
    created = _register(api, hook.url)
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    hook.status, hook.answer_headers = 422, {"webhook-delivery": "abort-message"}
    _deliver(connection, settings)
    delivery = session.exec(select(WebhookDelivery)).one()
    session.refresh(delivery)
    assert delivery.status == "failed" and delivery.attempts == 1
    endpoint = session.get(WebhookEndpoint, created["id"])
    assert endpoint is not None
    session.refresh(endpoint)
    assert endpoint.consecutive_failures == 0  # it answered: no outage
    _make_due(session)
    assert _deliver(connection, settings) == 0


def test_manual_redelivery_sends_again(
    api: Client, hook: Receiver, connection: Connection, settings: Settings, session: Session,
) -> None:
    created = _register(api, hook.url)
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    _deliver(connection, settings)
    delivery = session.exec(select(WebhookDelivery)).one()
    r = api.post(f"{BASE}/webhooks/{created['id']}/deliveries/{delivery.id}/redeliver")
    assert r.status_code == 202 and r.json()["status"] == "pending"
    _deliver(connection, settings)
    assert len(hook.accepted) == 2
    assert hook.accepted[0].headers["webhook-id"] == hook.accepted[1].headers["webhook-id"]


def test_a_delivery_of_another_endpoint_is_404(api: Client, session: Session) -> None:
    first = _register(api, "http://127.0.0.1:9/a", event_types=["member.updated"])
    second = _register(api, "http://127.0.0.1:9/b", event_types=["member.removed"])
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    delivery = session.exec(select(WebhookDelivery)).one()
    assert delivery.endpoint_id == first["id"]
    r = api.post(f"{BASE}/webhooks/{second['id']}/deliveries/{delivery.id}/redeliver")
    assert r.status_code == 404


def test_a_leased_delivery_is_not_sent_by_a_second_worker(
    api: Client, hook: Receiver, connection: Connection, settings: Settings, session: Session,
) -> None:
    _register(api, hook.url)
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    leased = webhooks._lease(lambda: _savepoint_session(connection), 10)
    assert len(leased) == 1
    assert _deliver(connection, settings) == 0  # another worker finds it leased
    assert hook.requests == []
