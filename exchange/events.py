"""Domain events: the one place every lifecycle announces what happened.

A service calls `emit(session, DomainEvent(...))` inside its own transaction; every subscriber
runs synchronously in that same transaction, so an in-app notification, an outbox e-mail or a
webhook delivery row exists exactly when the change that caused it was committed, and disappears
with it on a rollback. Subscribers only *write rows* (outboxes); nothing here does network I/O.

Who subscribes: the notifications inbox, and the partner-network webhooks (which turn events
about member businesses into signed deliveries). Emitters do not know their subscribers, so the
internship workflow needs no change when networks arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from exchange.db import utcnow


@dataclass(frozen=True)
class DomainEvent:
    """`type` is dotted, e.g. `internship.accepted`, `member.updated`, `round.cleared`.

    `data` is JSON-ready (it becomes a webhook body); `business_ids` are the businesses the event
    concerns, so that subscribers can route it (a network hears about its own members only);
    `actor_id` is the user who caused it, if any.
    """

    type: str
    data: dict[str, Any]
    business_ids: tuple[int, ...] = ()
    actor_id: int | None = None
    occurred_at: datetime = field(default_factory=utcnow)


Subscriber = Callable[[Session, DomainEvent], None]

_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Register a subscriber (usable as a decorator); registering twice has no effect."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def emit(session: Session, event: DomainEvent) -> None:
    for subscriber in list(_subscribers):
        subscriber(session, event)
