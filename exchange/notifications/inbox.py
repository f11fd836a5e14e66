"""In-app notifications: written in the caller's transaction, read on the inbox page."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from exchange.db import utcnow
from exchange.notifications.models import Notification


def notify(
    session: Session, user_ids: Iterable[int], *, kind: str, title: str, body: str = "",
    link: str = "",
) -> list[Notification]:
    """One notification per distinct user; nothing when the list is empty."""
    made = []
    for user_id in sorted(set(user_ids)):
        note = Notification(user_id=user_id, kind=kind, title=title[:200], body=body[:2000],
                            link=link[:300])
        session.add(note)
        made.append(note)
    session.flush()
    return made


def unread_count(session: Session, user_id: int) -> int:
    return int(session.exec(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == user_id, col(Notification.read_at).is_(None))
    ).one())


def recent(session: Session, user_id: int, limit: int = 50) -> list[Notification]:
    return list(session.exec(
        select(Notification).where(Notification.user_id == user_id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit)
    ).all())


def mark_read(session: Session, user_id: int, notification_ids: Iterable[int] | None = None
              ) -> int:
    """Marks the user's notifications read (all of them when no ids are given); other people's
    ids are ignored, so a crafted id marks nothing."""
    statement = update(Notification).where(
        col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
    if notification_ids is not None:
        statement = statement.where(col(Notification.id).in_(list(notification_ids)))
    result = session.execute(statement.values(read_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
