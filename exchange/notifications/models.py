"""Outgoing e-mail: every message is written to the outbox first, then sent if SMTP is set."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from exchange.db import utcnow


class OutboxEmail(SQLModel, table=True):
    __tablename__ = "outbox_emails"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=200)
    body_text: str
    created_at: datetime = Field(default_factory=utcnow, index=True)
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    # Leased to one sender until then (exchange/notifications/email.py), so that several
    # workers never send a message twice.
    locked_until: datetime | None = None
    # Carries a secret link (password reset, invitation): its body is blanked once delivered.
    sensitive: bool = False


class OutboxEmailPublic(SQLModel):
    id: int
    to_address: str
    subject: str
    body_text: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


class Notification(SQLModel, table=True):
    """One in-app notification (the inbox with an unread count)."""

    __tablename__ = "notifications"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=48)  # the domain event type, e.g. internship.accepted
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=2000)
    link: str = Field(default="", max_length=300)  # a path inside the app
    created_at: datetime = Field(default_factory=utcnow, index=True)
    read_at: datetime | None = None
