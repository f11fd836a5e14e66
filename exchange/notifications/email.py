"""The e-mail sender every notification uses.

Messages are stored in the outbox inside the caller's transaction, so an e-mail exists exactly
when the change that caused it was committed. Delivery over SMTP happens afterwards
(`deliver_pending`, leased per message), by the `email` job of the job runner (exchange/jobs.py:
`exchange worker`, or in-process in `serve`) or `exchange outbox send`; without SMTP
settings (development and tests) the outbox is the mailbox, readable on /admin/outbox and with
`exchange outbox list`.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from exchange.config import Settings
from exchange.db import utcnow
from exchange.notifications.models import OutboxEmail

log = logging.getLogger("exchange.email")


REDACTED_BODY = "[This message held a secret link; its text was removed after delivery.]"


def queue_email(
    session: Session, *, to: str, subject: str, body: str, sensitive: bool = False
) -> OutboxEmail:
    message = OutboxEmail(to_address=to, subject=subject[:200], body_text=body, sensitive=sensitive)
    session.add(message)
    session.flush()
    return message


# A message is leased to one sender for this long; one whose sender died is sent by another
# after it. Longer than one SMTP exchange (timeout 20 s) with margin.
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5


def _lease(engine: Engine, limit: int) -> list[int]:
    """Claim up to `limit` unsent messages with a compare-and-set on `locked_until`, committed
    before anything is sent: two senders (workers, replicas) never send the same message."""
    now = utcnow()
    leased: list[int] = []
    with Session(engine) as session:
        candidates = session.exec(
            select(OutboxEmail.id)
            .where(col(OutboxEmail.sent_at).is_(None), OutboxEmail.attempts < MAX_ATTEMPTS,
                   col(OutboxEmail.locked_until).is_(None)
                   | (col(OutboxEmail.locked_until) <= now))
            .order_by(col(OutboxEmail.id))
            .limit(limit)
        ).all()
        for message_id in candidates:
            won = session.execute(
                update(OutboxEmail)
                .where(col(OutboxEmail.id) == message_id, col(OutboxEmail.sent_at).is_(None),
                       col(OutboxEmail.locked_until).is_(None)
                       | (col(OutboxEmail.locked_until) <= now))
                .values(locked_until=now + LEASE)
            ).rowcount  # type: ignore[attr-defined]
            if won and message_id is not None:
                leased.append(message_id)
        session.commit()
    return leased


def deliver_pending(engine: Engine, settings: Settings, limit: int = 50) -> int:
    """Send unsent messages over SMTP, each leased first and recorded in its own transaction;
    returns how many were sent. No-op without SMTP."""
    if not settings.smtp_host:
        return 0
    sent = 0
    for message_id in _lease(engine, limit):
        with Session(engine) as session:
            message = session.get(OutboxEmail, message_id)
            if message is None or message.sent_at is not None:
                continue
            message.attempts += 1
            try:
                _send_smtp(settings, message)
            except (OSError, smtplib.SMTPException) as exc:
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning("e-mail %s to %s failed: %s", message.id, message.to_address, exc)
            else:
                mark_delivered(message)
                sent += 1
            message.locked_until = None
            session.add(message)
            session.commit()
    return sent


def mark_delivered(message: OutboxEmail) -> None:
    message.sent_at = utcnow()
    message.last_error = None
    if message.sensitive:
        # The recipient has it now; the database need not keep a live secret link.
        message.body_text = REDACTED_BODY


def _send_smtp(settings: Settings, message: OutboxEmail) -> None:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body_text)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(email)
