"""Issue 17, points 5, 8 and 9: the account-takeover paths the audit found.

- Reset links: issuing or using one kills every older one; a reset ends every session and
  revokes the personal API tokens; a password change ends every other session and offers to
  revoke the tokens.
- Log-in throttling per (account, address) and per address: a stranger's wrong guesses cannot
  lock Afreen out from her own machine.
- Weak passwords are refused with the reason and how to do better (NIST SP 800-63B).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from exchange import security
from exchange.accounts import service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.notifications.models import OutboxEmail
from tests.conftest import PASSWORD, Client

NEW_PASSWORD = "reset passphrase here"


def _reset_links(session: Session, to: str) -> list[str]:
    mails = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == to)
                         .order_by(OutboxEmail.id)).all()  # type: ignore[arg-type]
    return [m.group(1) for mail in mails
            if (m := re.search(r"http://testserver(/reset-password/\S+)", mail.body_text))]


def _api_token(session: Session, settings: Settings, user: User) -> str:
    issued = service.create_api_token(session, settings, user, ApiTokenCreate(name="crm"))
    session.commit()
    return issued.token


def _api_works(make_client: Any, token: str) -> bool:
    return bool(make_client().use_token(token).get("/api/v1/me").status_code == 200)


# -- reset links ---------------------------------------------------------------------------------


def test_a_new_reset_link_kills_the_older_one(client: Client, session: Session,
                                              afreen: User) -> None:
    client.submit("/forgot-password", {"email": afreen.email})
    client.submit("/forgot-password", {"email": afreen.email})
    t1, t2 = _reset_links(session, afreen.email)
    assert client.get(t1).status_code == 400
    r = client.submit(t1, {"new_password": NEW_PASSWORD})
    assert r.status_code == 422 and "invalid, used or expired" in r.text
    assert client.get(t2).status_code == 200


def test_using_a_reset_link_kills_every_other_one(client: Client, session: Session,
                                                  afreen: User) -> None:
    """The audit's case: t1 and t2 issued, t2 used — t1 must not work afterwards. (t1 was
    already killed by issuing t2; a link issued alongside in the same instant is too.)"""
    client.submit("/forgot-password", {"email": afreen.email})
    client.submit("/forgot-password", {"email": afreen.email})
    t1, t2 = _reset_links(session, afreen.email)
    assert client.submit(t2, {"new_password": NEW_PASSWORD}).status_code == 303
    r = client.submit(t1, {"new_password": "an attacker's passphrase"})
    assert r.status_code == 422
    assert client.submit("/login", {"email": afreen.email,
                                    "password": NEW_PASSWORD}).status_code == 303


def test_a_reset_ends_every_session_and_revokes_personal_tokens(
    make_client: Any, session: Session, settings: Settings, afreen: User
) -> None:
    elsewhere = make_client(afreen)
    token = _api_token(session, settings, afreen)
    assert _api_works(make_client, token)
    anon = make_client()
    form = anon.get("/forgot-password")
    assert form.status_code == 200
    anon.submit("/forgot-password", {"email": afreen.email})
    (link,) = _reset_links(session, afreen.email)
    page = anon.get(link)
    assert "revokes your personal API tokens" in page.text  # the page says what will happen
    r = anon.submit(link, {"new_password": NEW_PASSWORD})
    assert r.status_code == 303
    assert elsewhere.get("/dashboard").status_code == 303  # logged out
    assert not _api_works(make_client, token)


def test_a_password_change_ends_every_other_session_but_this_one(
    make_client: Any, session: Session, settings: Settings, afreen: User
) -> None:
    here, elsewhere = make_client(afreen), make_client(afreen)
    token = _api_token(session, settings, afreen)
    r = here.submit("/account/password", {"current_password": PASSWORD,
                                          "new_password": "brand new passphrase"})
    assert r.status_code == 303
    assert here.get("/dashboard").status_code == 200
    assert elsewhere.get("/dashboard").status_code == 303
    assert _api_works(make_client, token)  # not asked to revoke them


def test_a_password_change_offers_to_revoke_tokens(
    make_client: Any, session: Session, settings: Settings, afreen: User
) -> None:
    here = make_client(afreen)
    token = _api_token(session, settings, afreen)
    page = here.get("/account")
    assert 'name="revoke_tokens"' in page.text and "1 personal API token" in page.text
    r = here.submit("/account/password", {"current_password": PASSWORD,
                                          "new_password": "brand new passphrase",
                                          "revoke_tokens": "1"})
    assert r.status_code == 303
    assert not _api_works(make_client, token)


def test_a_password_change_kills_open_reset_links(client: Client, session: Session,
                                                  afreen: User) -> None:
    client.submit("/forgot-password", {"email": afreen.email})
    (link,) = _reset_links(session, afreen.email)
    client.login(afreen)
    client.submit("/account/password", {"current_password": PASSWORD,
                                        "new_password": "brand new passphrase"})
    assert client.get(link).status_code == 400


# -- throttling ----------------------------------------------------------------------------------


def test_a_strangers_guesses_do_not_lock_afreen_out_from_her_own_address(
    app: FastAPI, settings: Settings, session: Session, afreen: User
) -> None:
    attacker = Client(app, settings, session, address="198.51.100.66")
    for _ in range(settings.login_max_failures_per_account + 3):
        attacker.submit("/login", {"email": afreen.email, "password": "guess guess"})
    assert attacker.submit("/login", {"email": afreen.email,
                                      "password": PASSWORD}).status_code == 429
    afreen_at_home = Client(app, settings, session, address="203.0.113.7")
    r = afreen_at_home.submit("/login", {"email": afreen.email, "password": PASSWORD})
    assert r.status_code == 303


def test_one_address_guessing_many_accounts_is_throttled(
    app: FastAPI, settings: Settings, session: Session, afreen: User
) -> None:
    sprayer = Client(app, settings, session, address="198.51.100.66")
    for i in range(settings.login_max_failures_per_address):
        sprayer.submit("/login", {"email": f"user{i}@nowhere.example", "password": "Summer2026"})
    r = sprayer.submit("/login", {"email": afreen.email, "password": PASSWORD})
    assert r.status_code == 429
    # Afreen, elsewhere, is not affected.
    home = Client(app, settings, session, address="203.0.113.7")
    assert home.submit("/login", {"email": afreen.email, "password": PASSWORD}).status_code == 303


# -- weak passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["1234567890", "password12", "qwertyuiop", "Password1!",
                                  "afreensheikh", "exchange2026"])
def test_weak_passwords_are_refused_with_how_to_do_better(client: Client, session: Session,
                                                          weak: str) -> None:
    r = client.submit("/signup", {"email": "afreen.s@gigstaff.example",
                                  "display_name": "Afreen Sheikh", "password": weak})
    assert r.status_code == 422, weak
    assert 'id="f-password-error"' in r.text
    assert "too easy to guess" in r.text
    assert "unrelated words" in r.text  # how to do better, not only "no"
    assert session.exec(select(User)).first() is None


@pytest.mark.parametrize("strong", [PASSWORD, "exchange-demo-2026", "Unique-Password-4711",
                                    "tamarind kettle orbit"])
def test_good_passwords_pass(strong: str) -> None:
    assert security.password_problem(strong, related=("afreen@gigstaff.example",)) is None


def test_the_reason_names_the_weakness(afreen: User) -> None:
    problem = security.password_problem("1234567890")
    assert problem is not None and "common password" in problem


def test_a_weak_new_password_is_refused_on_change_and_reset(
    make_client: Any, session: Session, afreen: User
) -> None:
    here = make_client(afreen)
    r = here.submit("/account/password", {"current_password": PASSWORD,
                                          "new_password": "password12"})
    assert r.status_code == 422 and "too easy to guess" in r.text
    anon = make_client()
    anon.submit("/forgot-password", {"email": afreen.email})
    (link,) = _reset_links(session, afreen.email)
    r = anon.submit(link, {"new_password": "qwertyuiop"})
    assert r.status_code == 422 and "too easy to guess" in r.text
    assert anon.get(link).status_code == 200  # a refused attempt does not spend the link
