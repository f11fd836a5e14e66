"""No password, token or reset secret is stored or logged in clear."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import Connection, inspect, text
from sqlmodel import Session, select

from exchange.accounts.deps import SESSION_COOKIE
from exchange.notifications.email import REDACTED_BODY, mark_delivered
from exchange.notifications.models import OutboxEmail
from tests.conftest import Client


def _all_stored_text(connection: Connection) -> str:
    dump = []
    for table in inspect(connection).get_table_names():
        for row in connection.execute(text(f'SELECT * FROM "{table}"')):
            dump.extend(str(value) for value in row)
    return "\n".join(dump)


def test_no_secret_is_stored_or_logged_in_clear(
    client: Client, session: Session, connection: Connection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "Unique-Password-4711"
    new_password = "Another-Password-0815"
    r = client.submit("/signup", {"email": "owner@shop.example", "display_name": "Owner",
                                  "password": password})
    session_token = r.cookies.get(SESSION_COOKIE) or client.cookies.get(SESSION_COOKIE)
    assert session_token
    r = client.submit("/account/tokens", {"name": "script"})
    api_token = re.search(r"pie_pat_[A-Za-z0-9_\-]+", r.text).group(0)  # type: ignore[union-attr]
    client.submit("/logout")
    client.submit("/forgot-password", {"email": "owner@shop.example"})
    mail = session.exec(select(OutboxEmail)).one()
    reset_path = re.search(r"/reset-password/(\S+)", mail.body_text)
    assert reset_path
    reset_token = reset_path.group(1)
    client.get(f"/reset-password/{reset_token}")
    client.submit(f"/reset-password/{reset_token}", {"new_password": new_password})

    stored = _all_stored_text(connection)
    for secret in (password, new_password, session_token, api_token):
        assert secret not in stored
    # The reset link lives only in the mailbox row that must carry it, flagged as sensitive...
    assert stored.count(reset_token) == 1
    assert mail.sensitive
    # ...and is blanked once the e-mail has been handed to SMTP.
    mark_delivered(mail)
    session.add(mail)
    session.commit()
    assert reset_token not in _all_stored_text(connection)
    assert mail.body_text == REDACTED_BODY

    # The test's own HTTP client logs the URLs it calls; that is the caller's side, not ours.
    server_records = [r for r in caplog.records if not r.name.startswith("httpx")]
    logged = "\n".join(record.getMessage() for record in server_records)
    assert "/reset-password/pie_***" in logged  # the request was logged, the secret masked
    for secret in (password, new_password, session_token, api_token, reset_token):
        assert secret not in logged
