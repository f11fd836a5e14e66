"""Webhooks: endpoints per network, a durable outbox of deliveries, and the worker sending them.

- **Events → deliveries.** `route_event` is subscribed to the domain-event hub
  (exchange/events.py). It runs inside the emitting transaction and writes one
  `webhook_deliveries` row per interested endpoint of each network the event concerns: the
  network named in a `member.*` event, or every network one of `business_ids` belongs to. So a
  delivery exists exactly when the change is committed, and a rollback takes it away.
- **Signing.** Standard Webhooks headers (signing.py). The endpoint secret is never stored:
  it is HMAC(server key, `secret_salt`), shown once when the endpoint is created.
- **Sending.** `deliver_due` leases due rows with a compare-and-set on `locked_until` (a lease
  of :data:`LEASE`, so two workers never send the same row at once), POSTs each to its checked
  address (targets.py), logs every attempt (status, latency, a short excerpt of an error) and
  records success at once. A failed delivery is tried again after each wait of
  :data:`RETRY_SCHEDULE` (Svix's: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — about
  27 hours) with ±20 % jitter, then it is `failed` (redeliverable by hand). An answer carrying
  `webhook-delivery: abort-message` stops the retries of that one message. A restart loses
  nothing: the rows are the queue. The guarantee is at least once — a crash between the
  receiver's 2xx and our commit resends after the lease — so receivers deduplicate by
  `webhook-id`, as the convention says.
- **Outages** (the policy of :class:`WorkerConfig`). An endpoint is disabled only when every
  attempt to it has failed for :data:`DISABLE_AFTER` (5 days); that clock starts once
  :data:`OUTAGE_AFTER_FAILURES` attempts in a row failed within 24 hours, and any success stops
  it. The network's admins get an e-mail; pending deliveries are kept. The first success after
  failures, and enabling an endpoint again, make everything pending for it due at once, so a
  receiver back from an outage gets its backlog in minutes, not at the end of each backoff.
"""

from __future__ import annotations

import hmac
import json
import logging
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import event as sa_event
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from exchange.config import Settings
from exchange.db import utcnow
from exchange.errors import FieldError, NotFound, ValidationFailed
from exchange.events import DomainEvent
from exchange.networks import service, targets
from exchange.networks.models import (
    DeliveryStatus,
    Network,
    NetworkMember,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from exchange.networks.signing import headers_for, secret_from_key
from exchange.notifications.email import queue_email

log = logging.getLogger("exchange.webhooks")

EVENT_TYPES = (
    "member.updated", "member.removed",
    "internship.proposed", "internship.accepted", "internship.completed",
    "internship.plan_submitted", "internship.closed",
    "round.cleared", "round.proposal_updated",
)
# Attempt n (1-based) waits RETRY_SCHEDULE[n-1] after the previous one: ~27 hours in all.
RETRY_SCHEDULE = (timedelta(0), timedelta(seconds=5), timedelta(minutes=5),
                  timedelta(minutes=30), timedelta(hours=2), timedelta(hours=5),
                  timedelta(hours=10), timedelta(hours=10))
DISABLE_AFTER = timedelta(days=5)
OUTAGE_AFTER_FAILURES = 3
OUTAGE_WINDOW = timedelta(hours=24)
LEASE = timedelta(minutes=2)
# A receiver's answer header asking us to stop retrying one message (as Svix honours it).
ABORT_HEADER, ABORT_VALUE = "webhook-delivery", "abort-message"
TIMEOUT_SECONDS = 10.0
MAX_ENDPOINTS = 10


# -- endpoints ----------------------------------------------------------------------------------


def endpoint_secret(settings: Settings, endpoint: WebhookEndpoint) -> str:
    key = hmac.new(settings.secret_key.encode(), b"webhook:" + endpoint.secret_salt.encode(),
                   sha256).digest()
    return secret_from_key(key)


def validate_endpoint(url: str, event_types: list[str], *, allow_private: bool = False
                      ) -> tuple[str, list[str]]:
    errors = []
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(url) > 500:
        errors.append(("url", "must be an http(s) address of at most 500 characters"))
    elif not allow_private and (reason := targets.refusal_for_url(url)):
        errors.append(("url", f"must be a public internet address: {reason}"))
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        errors.append(("event_types", f"unknown event types: {', '.join(unknown)}; known: "
                                      f"{', '.join(EVENT_TYPES)}"))
    if errors:
        raise ValidationFailed([FieldError(f, m) for f, m in errors])
    return url, sorted(set(event_types))


def create_endpoint(session: Session, settings: Settings, network: Network, *, url: str,
                    event_types: list[str], description: str = "") -> tuple[WebhookEndpoint,
                                                                             str]:
    url, event_types = validate_endpoint(
        url, event_types, allow_private=settings.webhook_allow_private_targets)
    if len(endpoints_of(session, network)) >= MAX_ENDPOINTS:
        raise ValidationFailed.single("url", f"a network has at most {MAX_ENDPOINTS} endpoints")
    assert network.id is not None
    endpoint = WebhookEndpoint(network_id=network.id, url=url, event_types=event_types,
                               description=description.strip()[:200],
                               secret_salt=secrets.token_hex(16))
    session.add(endpoint)
    session.flush()
    _forget(session)
    return endpoint, endpoint_secret(settings, endpoint)


def endpoints_of(session: Session, network: Network) -> list[WebhookEndpoint]:
    return list(session.exec(select(WebhookEndpoint).where(
        WebhookEndpoint.network_id == network.id).order_by(col(WebhookEndpoint.id))).all())


def endpoint_of(session: Session, network: Network, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.network_id != network.id:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def delete_endpoint(session: Session, network: Network, endpoint_id: int) -> None:
    session.delete(endpoint_of(session, network, endpoint_id))
    session.flush()
    _forget(session)


def set_enabled(session: Session, network: Network, endpoint_id: int, enabled: bool
                ) -> WebhookEndpoint:
    endpoint = endpoint_of(session, network, endpoint_id)
    if enabled:
        was_disabled = endpoint.disabled_at is not None
        endpoint.disabled_at = endpoint.disabled_reason = None
        endpoint.consecutive_failures = 0
        endpoint.first_failure_at = endpoint.failing_since = None
        if was_disabled:
            _release_pending(session, endpoint)
    else:
        endpoint.disabled_at = endpoint.disabled_at or utcnow()
        endpoint.disabled_reason = "disabled by an admin"
    session.add(endpoint)
    session.flush()
    return endpoint


def _release_pending(session: Session, endpoint: WebhookEndpoint) -> int:
    """Everything pending for the endpoint becomes due now (after an outage ended)."""
    return session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.endpoint_id) == endpoint.id,
               col(WebhookDelivery.status) == DeliveryStatus.pending.value,
               col(WebhookDelivery.next_attempt_at) > utcnow())
        .values(next_attempt_at=utcnow())
    ).rowcount


def deliveries_of(session: Session, endpoint: WebhookEndpoint, *, before_id: int | None = None,
                  limit: int = 50) -> list[WebhookDelivery]:
    """Newest first."""
    statement = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if before_id is not None:
        statement = statement.where(col(WebhookDelivery.id) < before_id)
    return list(session.exec(statement.order_by(col(WebhookDelivery.id).desc()).limit(limit)))


def attempts_of(session: Session, deliveries: list[WebhookDelivery]
                ) -> dict[int, list[WebhookAttempt]]:
    ids = [d.id for d in deliveries]
    out: dict[int, list[WebhookAttempt]] = {}
    if ids:
        for attempt in session.exec(select(WebhookAttempt).where(
                col(WebhookAttempt.delivery_id).in_(ids)).order_by(col(WebhookAttempt.id))):
            out.setdefault(attempt.delivery_id, []).append(attempt)
    return out


def redeliver(session: Session, network: Network, endpoint_id: int, delivery_id: int
              ) -> WebhookDelivery:
    """Send again from the start of the schedule (even after success: the receiver asked)."""
    endpoint = endpoint_of(session, network, endpoint_id)  # 404 unless it is this network's
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound("No such delivery.")
    delivery.status = DeliveryStatus.pending.value
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.locked_until = None
    session.add(delivery)
    session.flush()
    return delivery


# -- events → deliveries ------------------------------------------------------------------------


_CACHE = "exchange.webhooks.endpoints"


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_endpoints(session: Session, _transaction: Any) -> None:
    session.info.pop(_CACHE, None)


@dataclass
class _Listening:
    endpoints: dict[int, list[WebhookEndpoint]]  # by network id
    networks: dict[str, Network]  # the networks with endpoints, by slug


def _listening(session: Session) -> _Listening:
    """Every endpoint and its network, read once per transaction: a sync of 1,000 members emits
    1,000 events, and each must not cost queries. Endpoint changes clear it (and so does the
    end of the transaction). Disabled endpoints still collect deliveries: they wait."""
    cached: _Listening | None = session.info.get(_CACHE)
    if cached is None:
        cached = _Listening({}, {})
        for endpoint, network in session.exec(
                select(WebhookEndpoint, Network)
                .join(Network, col(Network.id) == WebhookEndpoint.network_id)
                .order_by(col(WebhookEndpoint.id))):
            cached.endpoints.setdefault(endpoint.network_id, []).append(endpoint)
            cached.networks[network.slug] = network
        session.info[_CACHE] = cached
    return cached


def _forget(session: Session) -> None:
    session.info.pop(_CACHE, None)


def _networks_for(session: Session, event: DomainEvent, listening: _Listening
                  ) -> list[tuple[Network, list[str]]]:
    """The networks an event concerns, each with its own ids of the businesses involved."""
    named = event.data.get("network") if event.type.startswith("member.") else None
    if named:
        # A member event names its network and member (a removed member is no longer in the
        # membership table, so it could not be looked up there anyway).
        network = listening.networks.get(str(named))
        return [(network, [str(event.data.get("external_id", ""))])] if network else []
    ids = [i for i in event.business_ids if i]
    statement = (select(Network, NetworkMember.external_id)
                 .join(NetworkMember, col(NetworkMember.network_id) == Network.id)
                 .where(col(NetworkMember.business_id).in_(ids)))
    found: dict[int, tuple[Network, list[str]]] = {}
    for network, external_id in session.exec(statement):
        found.setdefault(network.id or 0, (network, []))[1].append(external_id)
    if event.type.startswith("round."):
        # A round belongs to one network: only that network hears of it, even when its members
        # also belong to other networks (they must not learn of another network's round).
        owner = str((event.data.get("round") or {}).get("network") or "")
        return [(n, ids) for n, ids in found.values() if n.slug == owner]
    return list(found.values())


def route_event(session: Session, event: DomainEvent) -> None:
    if event.type not in EVENT_TYPES or not event.business_ids:
        return
    listening = _listening(session)
    if not listening.endpoints:
        return
    for network, external_ids in _networks_for(session, event, listening):
        endpoints = [e for e in listening.endpoints.get(network.id or 0, [])
                     if not e.event_types or event.type in e.event_types]
        if not endpoints:
            continue
        message_id = "msg_" + secrets.token_urlsafe(18)
        body = json.dumps({
            "id": message_id, "type": event.type, "timestamp": event.occurred_at.isoformat(),
            "network": network.slug, "members": sorted(set(external_ids)), "data": event.data,
        }, sort_keys=True, default=str)
        for endpoint in endpoints:
            assert endpoint.id is not None
            session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id=message_id,
                                        event_type=event.type, body=body))


# -- the worker ---------------------------------------------------------------------------------


@dataclass
class WorkerConfig:
    schedule: tuple[timedelta, ...] = RETRY_SCHEDULE
    disable_after: timedelta = DISABLE_AFTER
    outage_after_failures: int = OUTAGE_AFTER_FAILURES
    outage_window: timedelta = OUTAGE_WINDOW
    timeout: float = TIMEOUT_SECONDS
    jitter: float = 0.2


def _next_wait(config: WorkerConfig, attempts: int) -> timedelta | None:
    """The wait before the next attempt after `attempts` attempts, or None: give up."""
    if attempts >= len(config.schedule):
        return None
    base = config.schedule[attempts].total_seconds()
    return timedelta(seconds=base * (1 + random.uniform(-config.jitter, config.jitter)))  # noqa: S311


SessionFactory = Callable[[], Session]


def _lease(sessions: SessionFactory, limit: int) -> list[tuple[WebhookDelivery,
                                                                WebhookEndpoint]]:
    now = utcnow()
    leased = []
    with sessions() as session:
        due = session.exec(
            select(WebhookDelivery, WebhookEndpoint)
            .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.status == DeliveryStatus.pending.value,
                   col(WebhookDelivery.next_attempt_at) <= now,
                   col(WebhookEndpoint.disabled_at).is_(None))
            .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
            .limit(limit)
        ).all()
        for delivery, endpoint in due:
            if delivery.locked_until is not None and delivery.locked_until > now:
                continue
            # Compare-and-set: only one worker wins each row.
            won = session.execute(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id) == delivery.id,
                       col(WebhookDelivery.locked_until).is_(None)
                       | (col(WebhookDelivery.locked_until) <= now))
                .values(locked_until=now + LEASE)
            ).rowcount
            if won:
                leased.append((delivery, endpoint))
        session.commit()
    return leased


def _record(sessions: SessionFactory, config: WorkerConfig, delivery_id: int, *,
            status: int | None, latency_ms: int, error: str | None,
            aborted: bool = False) -> None:
    succeeded = status is not None and 200 <= status < 300
    now = utcnow()
    with sessions() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:  # the endpoint was deleted meanwhile
            return
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        assert endpoint is not None
        session.add(WebhookAttempt(delivery_id=delivery_id, response_status=status,
                                   latency_ms=latency_ms, error=(error or None) and error[:500],
                                   succeeded=succeeded, attempted_at=now))
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.locked_until = None
        if succeeded:
            delivery.status = DeliveryStatus.succeeded.value
            delivery.succeeded_at = now
            if endpoint.consecutive_failures:
                # The receiver is back: what waited out its backoff goes now.
                _release_pending(session, endpoint)
            endpoint.consecutive_failures = 0
            endpoint.first_failure_at = endpoint.failing_since = None
        elif aborted:
            # The receiver answered, and asked us to drop this message: not an outage.
            delivery.status = DeliveryStatus.failed.value
        else:
            wait = _next_wait(config, delivery.attempts)
            if wait is None:
                delivery.status = DeliveryStatus.failed.value
            else:
                delivery.next_attempt_at = now + wait
            _count_failure(session, config, endpoint, now)
        session.add_all([delivery, endpoint])
        session.commit()


def _count_failure(session: Session, config: WorkerConfig, endpoint: WebhookEndpoint,
                   now: datetime) -> None:
    """The outage policy: the clock starts once `outage_after_failures` attempts of this run of
    failures fell within `outage_window` (one stray failure a day is no outage); the endpoint
    is disabled when the clock has run `disable_after` with no success."""
    endpoint.consecutive_failures += 1
    endpoint.first_failure_at = endpoint.first_failure_at or now
    if endpoint.failing_since is None:
        since = max(endpoint.first_failure_at, now - config.outage_window)
        recent = session.exec(
            select(func.count()).select_from(WebhookAttempt)
            .join(WebhookDelivery, col(WebhookDelivery.id) == WebhookAttempt.delivery_id)
            .where(WebhookDelivery.endpoint_id == endpoint.id,
                   col(WebhookAttempt.succeeded).is_(False),
                   col(WebhookAttempt.attempted_at) >= since)).one()
        if recent >= config.outage_after_failures:
            endpoint.failing_since = now
    if (endpoint.disabled_at is None and endpoint.failing_since is not None
            and now - endpoint.failing_since >= config.disable_after):
        _disable(session, endpoint, now)


def _disable(session: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    assert endpoint.failing_since is not None
    days = (now - endpoint.failing_since).total_seconds() / 86400
    endpoint.disabled_at = now
    endpoint.disabled_reason = (f"every attempt failed for {days:.1f} days "
                                f"({endpoint.consecutive_failures} in a row)")
    network = session.get(Network, endpoint.network_id)
    assert network is not None
    for admin in service.admins_of(session, network):
        queue_email(
            session, to=admin.email,
            subject=f"Webhook endpoint disabled for {network.name}",
            body=(f"We stopped sending events to {endpoint.url} because every attempt failed "
                  f"for {days:.1f} days ({endpoint.consecutive_failures} in a row). Pending "
                  "events are kept. Fix the receiver, then enable the endpoint again on the "
                  "network's Webhooks page (or with POST …/webhooks/{id}/enable); everything "
                  "pending is sent at once.\n"),
        )
    log.warning("webhook endpoint %s disabled after %s failures", endpoint.id,
                endpoint.consecutive_failures)


# Bytes of a receiver's answer read at most (the log keeps a short excerpt of them).
ANSWER_READ_LIMIT = 1024


@dataclass
class _Outcome:
    status: int | None  # None: no HTTP answer
    error: str | None = None  # for the log
    aborted: bool = False  # the receiver asked us to stop retrying this message


def _send(http: httpx.Client, settings: Settings, endpoint: WebhookEndpoint,
          delivery: WebhookDelivery) -> _Outcome:
    """One attempt. The target is resolved and checked now (targets.py) and the request goes
    to exactly that address; redirects are answers like any other non-2xx, never followed."""
    try:
        target = targets.resolve(endpoint.url,
                                 allow_private=settings.webhook_allow_private_targets)
    except targets.TargetRefused as exc:
        return _Outcome(None, f"refused: {exc}")
    headers = headers_for(endpoint_secret(settings, endpoint), delivery.event_id,
                          int(time.time()), delivery.body)
    headers["user-agent"] = "PeerInternshipExchange-Webhooks/1"
    request = targets.pinned_request(http, target, content=delivery.body.encode(),
                                     headers=headers)
    try:
        response = http.send(request, follow_redirects=False, stream=True)
        try:
            status = response.status_code
            if 200 <= status < 300:
                return _Outcome(status)
            aborted = response.headers.get(ABORT_HEADER, "").strip().lower() == ABORT_VALUE
            answer = b""
            for chunk in response.iter_raw():
                answer += chunk
                if len(answer) >= ANSWER_READ_LIMIT:
                    break
            text = targets.excerpt(answer[:ANSWER_READ_LIMIT].decode("utf-8", "replace"))
            error = f"HTTP {status}: {text}" if text else f"HTTP {status}"
            if aborted:
                error = f"{error} (the receiver asked not to retry: {ABORT_HEADER}: "\
                        f"{ABORT_VALUE})"
            return _Outcome(status, error, aborted)
        finally:
            response.close()
    except httpx.HTTPError as exc:
        return _Outcome(None, targets.excerpt(f"{type(exc).__name__}: {exc}", limit=300))


def deliver_due(sessions: SessionFactory, settings: Settings, *, limit: int = 50,
                client: httpx.Client | None = None, config: WorkerConfig | None = None) -> int:
    """Send what is due; returns how many attempts were made. `sessions` opens a session for
    one short transaction (each lease and each attempt commits on its own). A `client` given
    is used as is (its redirects are never followed either); ours ignores proxy variables so
    the connection goes to the checked address itself."""
    config = config or WorkerConfig()
    leased = _lease(sessions, limit)
    if not leased:
        return 0
    own_client = client is None
    http = client or httpx.Client(timeout=config.timeout, follow_redirects=False,
                                  trust_env=False)
    try:
        for delivery, endpoint in leased:
            assert delivery.id is not None
            started = time.perf_counter()
            outcome = _send(http, settings, endpoint, delivery)
            latency = int((time.perf_counter() - started) * 1000)
            _record(sessions, config, delivery.id, status=outcome.status, latency_ms=latency,
                    error=outcome.error, aborted=outcome.aborted)
    finally:
        if own_client:
            http.close()
    return len(leased)
