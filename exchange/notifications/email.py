"""The e-mail sender every notification uses.

Messages are stored in the outbox inside the caller's transaction, so an e-mail exists exactly
when the change that caused it was committed. Delivery over SMTP happens afterwards
(`deliver_pending`), from the server's background sender (`OutboxSender`, started by `serve` when
SMTP is configured) or `exchange outbox send`; without SMTP
settings (development and tests) the outbox is the mailbox, readable on /admin/outbox and with
`exchange outbox list`.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage

from sqlalchemy import Engine
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


def deliver_pending(engine: Engine, settings: Settings, limit: int = 50) -> int:
    """Send unsent messages over SMTP; returns how many were sent. No-op without SMTP."""
    if not settings.smtp_host:
        return 0
    sent = 0
    with Session(engine) as session:
        pending = session.exec(
            select(OutboxEmail)
            .where(col(OutboxEmail.sent_at).is_(None), OutboxEmail.attempts < 5)
            .order_by(col(OutboxEmail.id))
            .limit(limit)
        ).all()
        for message in pending:
            message.attempts += 1
            try:
                _send_smtp(settings, message)
            except (OSError, smtplib.SMTPException) as exc:
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning("e-mail %s to %s failed: %s", message.id, message.to_address, exc)
            else:
                mark_delivered(message)
                sent += 1
            session.add(message)
            session.commit()
    return sent


class OutboxSender:
    """Delivers the outbox every few seconds in a daemon thread. Restart-safe: the outbox is
    the queue, so a message queued before a crash is sent after the restart."""

    def __init__(self, engine: Engine, settings: Settings, interval_seconds: float = 10.0):
        self.engine, self.settings, self.interval = engine, settings, interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.settings.smtp_host or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                deliver_pending(self.engine, self.settings)
            except Exception:  # the loop must survive a database hiccup
                log.exception("outbox delivery failed")


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
