"""E-mail goes to the outbox first and is delivered over SMTP when configured."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from exchange.config import Settings
from exchange.notifications.email import REDACTED_BODY, deliver_pending, queue_email
from exchange.notifications.models import OutboxEmail
from tests.support.smtp import SmtpServer


def test_without_smtp_mail_stays_in_the_outbox(engine: Engine, settings: Settings) -> None:
    assert deliver_pending(engine, settings) == 0


def test_outbox_is_delivered_over_smtp_and_secrets_blanked(
    engine: Engine, settings: Settings, database_url: str
) -> None:
    with Session(engine) as session:
        queue_email(session, to="afreen@gigstaff.example", subject="Hello", body="Plain news")
        queue_email(session, to="afreen@gigstaff.example", subject="Reset",
                    body="link pie_r_secret", sensitive=True)
        session.commit()
    try:
        with SmtpServer() as smtp:
            configured = settings.model_copy(update={
                "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_starttls": False})
            assert deliver_pending(engine, configured) == 2
            assert smtp.received.recipients == ["afreen@gigstaff.example"] * 2
            assert "Plain news" in smtp.received.messages[0]
            assert "pie_r_secret" in smtp.received.messages[1]
            assert deliver_pending(engine, configured) == 0  # never twice
        with Session(engine) as session:
            rows = session.exec(select(OutboxEmail).order_by(OutboxEmail.id)).all()
            assert all(r.sent_at is not None for r in rows)
            assert rows[1].body_text == REDACTED_BODY
    finally:
        with Session(engine) as session:
            for row in session.exec(select(OutboxEmail)).all():
                session.delete(row)
            session.commit()


def test_failed_delivery_is_recorded_and_retried(engine: Engine, settings: Settings) -> None:
    with Session(engine) as session:
        queue_email(session, to="x@y.example", subject="S", body="B")
        session.commit()
    try:
        broken = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 1,
                                              "smtp_starttls": False})
        assert deliver_pending(engine, broken) == 0
        with Session(engine) as session:
            row = session.exec(select(OutboxEmail)).one()
            assert row.sent_at is None
            assert row.attempts == 1
            assert row.last_error
    finally:
        with Session(engine) as session:
            for row in session.exec(select(OutboxEmail)).all():
                session.delete(row)
            session.commit()


def test_a_leased_message_is_not_sent_by_a_second_sender(engine: Engine,
                                                          settings: Settings) -> None:
    """Two workers (or replicas) share the outbox: a message one of them leased is not sent by
    the other, and a lease whose holder died expires so the message still goes out."""
    from datetime import timedelta

    from exchange.db import utcnow
    from exchange.notifications import email

    with Session(engine) as session:
        queue_email(session, to="afreen@gigstaff.example", subject="Once", body="Only once")
        session.commit()
    try:
        assert len(email._lease(engine, 50)) == 1  # the first worker holds it
        with SmtpServer() as smtp:
            configured = settings.model_copy(update={
                "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_starttls": False})
            assert deliver_pending(engine, configured) == 0
            with Session(engine) as session:
                row = session.exec(select(OutboxEmail)).one()
                row.locked_until = utcnow() - timedelta(seconds=1)  # its holder died
                session.add(row)
                session.commit()
            assert deliver_pending(engine, configured) == 1
            assert deliver_pending(engine, configured) == 0
            assert smtp.received.recipients == ["afreen@gigstaff.example"]
    finally:
        with Session(engine) as session:
            for row in session.exec(select(OutboxEmail)).all():
                session.delete(row)
            session.commit()
