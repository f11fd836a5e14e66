"""No password, token or reset secret is stored or logged in clear."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, inspect, text
from sqlmodel import Session, select

from exchange.accounts.deps import SESSION_COOKIE
from exchange.accounts.models import User
from exchange.db import make_engine
from exchange.notifications.email import REDACTED_BODY, mark_delivered, queue_email
from exchange.notifications.models import OutboxEmail
from exchange.profiles.models import Business
from tests.conftest import Client
from tests.support.live_server import free_port, run_cli, server_environment


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


# -- issue 17, point 6: no live secret link for admins; the database file is private -------------


def test_the_admin_outbox_hides_reset_and_invitation_links(
    make_client: Any, session: Session, ada: User, afreen: User, afreen_firm: Business
) -> None:
    make_client().submit("/forgot-password", {"email": afreen.email})
    make_client(afreen).submit(f"/businesses/{afreen_firm.slug}/invitations",
                               {"email": "nadia@newhire.example", "role": "manager"})
    secrets = [m.group(0) for mail in session.exec(select(OutboxEmail)).all()
               for m in re.finditer(r"pie_[a-z]+_[A-Za-z0-9_\-]{8,}", mail.body_text)]
    assert len(secrets) == 2  # the reset link and the invitation link

    page = make_client(ada).get("/admin/outbox")
    assert page.status_code == 200
    for secret in secrets:
        assert secret not in page.text
    assert "/reset-password/pie_r_[secret hidden]" in page.text
    assert "/invitations/pie_inv_[secret hidden]" in page.text
    assert "Reset your Peer Internship Exchange password" in page.text  # still readable


def _cli_env(tmp_path: Path) -> dict[str, str]:
    return server_environment(tmp_path, free_port())


def test_outbox_list_hides_secrets_unless_asked(tmp_path: Path) -> None:
    env = _cli_env(tmp_path)
    run_cli(env, tmp_path, "db", "upgrade")
    engine = make_engine(env["EXCHANGE_DATABASE_URL"])
    link = "http://127.0.0.1/reset-password/pie_r_" + "S3cr3t" * 6
    with Session(engine) as db:
        queue_email(db, to="afreen@gigstaff.example", subject="Reset", body=f"Open {link}\n",
                    sensitive=True)
        db.commit()
    engine.dispose()
    hidden = json.loads(run_cli(env, tmp_path, "outbox", "list").stdout.splitlines()[0])
    assert link not in hidden["body"]
    assert "/reset-password/pie_r_[secret hidden]" in hidden["body"]
    shown = json.loads(run_cli(env, tmp_path, "outbox", "list", "--show-secrets")
                       .stdout.splitlines()[0])
    assert link in shown["body"]


def test_the_sqlite_file_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    """`exchange db upgrade` on a fresh data directory, with the usual umask (022)."""
    env = _cli_env(tmp_path)
    previous = os.umask(0o022)
    try:
        run_cli(env, tmp_path, "db", "upgrade")
    finally:
        os.umask(previous)
    database = Path(env["EXCHANGE_DATABASE_URL"].removeprefix("sqlite:///"))
    files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
    assert database in files
    for path in files:  # the database and its -wal / -shm companions, if any are left
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
