"""Members and invitations through the pages: Afreen (owner) invites, people join through the
e-mailed link, owners change roles and remove members, anyone leaves — and the last owner stays."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import Connection, func, inspect, text
from sqlmodel import Session, select

from exchange import security
from exchange.accounts.deps import SESSION_COOKIE
from exchange.accounts.models import BusinessRole, User
from exchange.config import Settings
from exchange.db import utcnow
from exchange.notifications.models import OutboxEmail
from exchange.profiles import members
from exchange.profiles.models import Business, BusinessMembership, Invitation
from tests.conftest import PASSWORD, Client

NEW_PERSON = "Nadia.Kapoor@Newhire.example"
LINK = re.compile(r"http://testserver/invitations/(pie_inv_[A-Za-z0-9_\-]+)")


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _role(session: Session, firm: Business, user: User) -> str | None:
    session.expire_all()
    row = session.exec(select(BusinessMembership).where(
        BusinessMembership.business_id == firm.id, BusinessMembership.user_id == user.id)).first()
    return row.role if row else None


def _invite(session: Session, settings: Settings, firm: Business, inviter: User, email: str,
            role: str = "manager") -> str:
    issued = members.invite(session, settings, firm, inviter, email=email, role=role)
    session.commit()
    return issued.token


def _token_from_outbox(session: Session, to: str) -> str:
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == to)
                        .order_by(OutboxEmail.id.desc())).first()  # type: ignore[union-attr]
    assert mail is not None, f"no e-mail to {to}"
    found = LINK.search(mail.body_text)
    assert found, mail.body_text
    return found.group(1)


def _members_url(firm: Business) -> str:
    return f"/businesses/{firm.slug}/members"


# -- inviting -------------------------------------------------------------------------------


def test_afreen_invites_a_manager_and_the_link_is_emailed(
    client: Client, session: Session, settings: Settings, afreen: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    r = client.submit(f"/businesses/{afreen_firm.slug}/invitations",
                      {"email": NEW_PERSON, "role": "manager"})
    # Rendered, not redirected: the page shows the link once, beside the e-mail.
    assert r.status_code == 200

    invitation = session.exec(select(Invitation)).one()
    assert invitation.email == "Nadia.Kapoor@newhire.example"
    assert invitation.email_normalized == "nadia.kapoor@newhire.example"
    assert invitation.role == "manager"
    assert invitation.invited_by_id == afreen.id
    assert timedelta(days=6, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=7)

    mail = session.exec(select(OutboxEmail)).one()
    assert mail.to_address == invitation.email
    assert mail.sensitive
    assert "Afreen Sheikh invites you to join Afreen Talent Studio" in mail.subject
    assert "as a manager" in mail.body_text
    token = _token_from_outbox(session, invitation.email)
    assert invitation.token_hash == security.keyed_hash(settings.secret_key, token)
    assert "Invitation sent to Nadia.Kapoor@newhire.example" in r.text
    assert f'value="http://testserver/invitations/{token}"' in r.text
    assert "Pending invitations <span class=\"count\">(1)</span>" in r.text

    # Shown only this once: the members page afterwards has no link.
    page = client.get(_members_url(afreen_firm))
    assert token not in page.text
    assert "Pending invitations <span class=\"count\">(1)</span>" in page.text


def test_the_invitation_token_is_stored_only_as_a_keyed_hash(
    session: Session, connection: Connection, settings: Settings, afreen: User,
    afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, NEW_PERSON)
    assert token.startswith("pie_inv_")
    tables = inspect(connection).get_table_names()
    holders = []
    for table in tables:
        for row in connection.execute(text(f'SELECT * FROM "{table}"')):
            if any(token in str(value) for value in row):
                holders.append(table)
    # Only the e-mail that must carry the link holds it (flagged sensitive: blanked once sent).
    assert holders == ["outbox_emails"]


def test_new_person_signs_up_from_the_link_and_becomes_manager(
    make_client: Callable[..., Client], session: Session, settings: Settings, afreen: User,
    afreen_firm: Business,
) -> None:
    owner = make_client(afreen)
    owner.submit(f"/businesses/{afreen_firm.slug}/invitations",
                 {"email": NEW_PERSON, "role": "manager"})
    token = _token_from_outbox(session, "Nadia.Kapoor@newhire.example")

    visitor: Client = make_client()
    page = visitor.get(f"/invitations/{token}")
    assert page.status_code == 200
    assert "Join Afreen Talent Studio" in page.text
    assert "Afreen Sheikh</strong> invites you" in page.text
    assert "Manager</span>" in page.text
    assert 'value="Nadia.Kapoor@newhire.example"' in page.text and "readonly" in page.text
    assert "Create account and join" in page.text

    r = visitor.submit(f"/invitations/{token}/signup",
                       {"display_name": "Nadia Kapoor", "password": "a long enough passphrase",
                        "email": "someone.else@evil.example"})  # ignored: the invited address
    assert r.status_code == 303
    assert r.headers["location"] == f"/businesses/{afreen_firm.slug}"
    assert SESSION_COOKIE in r.headers["set-cookie"]

    nadia = session.exec(select(User).where(
        User.email_normalized == "nadia.kapoor@newhire.example")).one()
    assert nadia.display_name == "Nadia Kapoor"
    assert _role(session, afreen_firm, nadia) == "manager"
    invitation = session.exec(select(Invitation)).one()
    assert invitation.accepted_at is not None and invitation.accepted_by_id == nadia.id
    assert _count(session, User) == 4  # afreen, farah, meera + nadia; nobody else
    # She is logged in and sees her team; Afreen hears that she joined.
    assert visitor.get(_members_url(afreen_firm)).status_code == 200
    told = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == afreen.email)).one()
    assert "Nadia Kapoor joined Afreen Talent Studio" in told.subject


def test_the_link_works_only_once(
    client: Client, session: Session, settings: Settings, afreen: User, afreen_firm: Business
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, NEW_PERSON)
    first = client.submit(f"/invitations/{token}/signup",
                          {"display_name": "Nadia", "password": "a long enough passphrase"})
    assert first.status_code == 303
    client.cookies.delete(SESSION_COOKIE)
    users = _count(session, User)

    page = client.get(f"/invitations/{token}")
    assert page.status_code == 410
    assert "This invitation has already been used" in page.text
    again = client.submit(f"/invitations/{token}/signup",
                          {"display_name": "Copycat", "password": "another long passphrase"})
    assert again.status_code == 410
    assert _count(session, User) == users


def test_charlie_accepts_with_his_existing_account(
    client: Client, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, "CHARLIE@stranger.example", "intern")
    client.login(charlie)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200
    assert "Accept and join Afreen Talent Studio" in page.text
    assert "Create account" not in page.text

    r = client.submit(f"/invitations/{token}/accept")
    assert r.status_code == 303
    assert r.headers["location"] == f"/businesses/{afreen_firm.slug}"
    assert _role(session, afreen_firm, charlie) == "intern"


def test_an_invited_person_with_an_account_is_asked_to_log_in_and_comes_back(
    client: Client, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, charlie.email, "intern")
    page = client.get(f"/invitations/{token}")
    back = quote(f"/invitations/{token}", safe="")
    assert page.status_code == 200
    assert "You already have an account with charlie@stranger.example" in page.text
    assert f'href="/login?next={back}"' in page.text
    assert "Create account and join" not in page.text

    # A POST without a session (e.g. it expired) also leads to the log-in page and back here.
    r = client.submit(f"/invitations/{token}/accept")
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={back}"
    r = client.submit("/login", {"email": charlie.email, "password": PASSWORD,
                                 "next": f"/invitations/{token}"})
    assert r.headers["location"] == f"/invitations/{token}"
    assert _role(session, afreen_firm, charlie) is None  # logging in alone joins nothing


def test_another_account_cannot_accept_and_is_offered_to_switch(
    client: Client, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, NEW_PERSON)
    client.login(charlie)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200
    assert "You are logged in with another e-mail address" in page.text
    assert "Log out and continue" in page.text
    assert "Accept and join" not in page.text

    r = client.submit(f"/invitations/{token}/accept")
    assert r.status_code == 403
    assert "This invitation is for Nadia.Kapoor@newhire.example" in r.text
    assert _role(session, afreen_firm, charlie) is None
    session.expire_all()
    assert session.exec(select(Invitation)).one().accepted_at is None

    r = client.submit(f"/invitations/{token}/switch-account")
    assert r.status_code == 303
    assert r.headers["location"] == f"/invitations/{token}"
    page = client.get(f"/invitations/{token}")
    assert "Create account and join" in page.text  # logged out, offered to sign up


def test_a_logged_in_person_cannot_sign_up_a_second_account_from_the_link(
    client: Client, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, NEW_PERSON)
    client.login(charlie)
    users = _count(session, User)
    r = client.submit(f"/invitations/{token}/signup",
                      {"display_name": "Nadia", "password": "a long enough passphrase"})
    assert r.status_code == 303
    assert r.headers["location"] == f"/invitations/{token}"
    assert _count(session, User) == users


def test_signing_up_with_bad_input_stores_nothing(
    client: Client, session: Session, settings: Settings, afreen: User, afreen_firm: Business
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, NEW_PERSON)
    users = _count(session, User)
    for form, field in [({"display_name": "Nadia", "password": "short"}, "password"),
                        ({"display_name": "", "password": "a long enough passphrase"},
                         "display_name")]:
        r = client.submit(f"/invitations/{token}/signup", form)
        assert r.status_code == 422
        assert f'id="f-{field}-error"' in r.text
        assert "Join Afreen Talent Studio" in r.text  # still the invitation page
    assert _count(session, User) == users
    session.expire_all()
    assert session.exec(select(Invitation)).one().accepted_at is None


def test_expired_link_is_refused_and_changes_nothing(
    client: Client, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, charlie.email)
    invitation = session.exec(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    session.add(invitation)
    session.commit()

    page = client.get(f"/invitations/{token}")
    assert page.status_code == 410
    assert "This invitation has expired" in page.text
    assert "ask Afreen Sheikh to send you a new invitation" in page.text
    client.login(charlie)
    r = client.submit(f"/invitations/{token}/accept")
    assert r.status_code == 410
    assert _role(session, afreen_firm, charlie) is None


def test_revoked_link_is_refused(
    make_client: Callable[..., Client], session: Session, settings: Settings, afreen: User,
    charlie: User, afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, charlie.email)
    invitation = session.exec(select(Invitation)).one()
    owner: Client = make_client(afreen)
    r = owner.submit(f"/businesses/{afreen_firm.slug}/invitations/{invitation.id}/revoke")
    assert r.status_code == 303
    assert "is revoked" in owner.get(_members_url(afreen_firm)).text

    guest: Client = make_client(charlie)
    page = guest.get(f"/invitations/{token}")
    assert page.status_code == 410
    assert "This invitation was withdrawn" in page.text
    assert guest.submit(f"/invitations/{token}/accept").status_code == 410
    assert _role(session, afreen_firm, charlie) is None


def test_an_unknown_link_answers_a_clear_page(client: Client, charlie: User) -> None:
    for c in (client, client.login(charlie)):
        page = c.get("/invitations/pie_inv_made-up")
        assert page.status_code == 404
        assert "This invitation link does not work" in page.text
        assert c.submit("/invitations/pie_inv_made-up/accept").status_code == 404


def test_resend_sends_a_new_link_and_kills_the_old_one(
    client: Client, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business,
) -> None:
    old_token = _invite(session, settings, afreen_firm, afreen, charlie.email, "intern")
    old = session.exec(select(Invitation)).one()
    client.login(afreen)
    r = client.submit(f"/businesses/{afreen_firm.slug}/invitations/{old.id}/resend")
    assert r.status_code == 200
    new_token = _token_from_outbox(session, charlie.email)
    assert new_token != old_token
    assert f"/invitations/{new_token}" in r.text  # the new link, to copy, once

    client.login(charlie)
    assert client.get(f"/invitations/{old_token}").status_code == 410
    assert client.submit(f"/invitations/{new_token}/accept").status_code == 303
    assert _role(session, afreen_firm, charlie) == "intern"


def test_reinviting_an_address_with_a_pending_invitation_is_refused(
    client: Client, session: Session, settings: Settings, afreen: User, afreen_firm: Business
) -> None:
    _invite(session, settings, afreen_firm, afreen, NEW_PERSON)
    client.login(afreen)
    r = client.submit(f"/businesses/{afreen_firm.slug}/invitations",
                      {"email": NEW_PERSON.upper(), "role": "intern"})
    assert r.status_code == 422
    assert 'id="f-email-error"' in r.text
    assert "already has a pending invitation" in r.text
    assert _count(session, Invitation) == 1
    assert _count(session, OutboxEmail) == 1


def test_inviting_someone_who_is_already_a_member_names_the_email_field(
    client: Client, session: Session, afreen: User, farah: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    r = client.submit(f"/businesses/{afreen_firm.slug}/invitations",
                      {"email": farah.email.upper(), "role": "intern"})
    assert r.status_code == 422
    assert 'id="f-email-error"' in r.text
    assert "Farah Khan (FARAH@gigstaff.example) is already a member" in r.text
    assert _count(session, Invitation) == 0


def test_bad_invitation_input_is_refused_and_nothing_is_stored(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    cases = [
        ({"email": "", "role": "manager"}, "email", "Enter the e-mail address"),
        ({"email": "   ", "role": "manager"}, "email", "Enter the e-mail address"),
        ({"email": "not-an-address", "role": "manager"}, "email", "is not a valid e-mail"),
        ({"email": "a@b.example", "role": "boss"}, "role", "Choose one of: owner, manager"),
        ({"email": "a@b.example", "role": ""}, "role", "Choose one of"),
        ({"email": "a@b.example"}, "role", "Choose one of"),
    ]
    for form, field, message in cases:
        r = client.submit(f"/businesses/{afreen_firm.slug}/invitations", form)
        assert r.status_code == 422, form
        assert f'id="f-{field}-error"' in r.text, form
        assert message in r.text, form
    assert _count(session, Invitation) == 0
    assert _count(session, OutboxEmail) == 0


def test_another_business_invitation_is_not_found(
    client: Client, session: Session, settings: Settings, afreen: User, rajeev: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    _invite(session, settings, rajeev_firm, rajeev, NEW_PERSON)
    theirs = session.exec(select(Invitation)).one()
    client.login(afreen)
    for action in ("revoke", "resend"):
        r = client.submit(f"/businesses/{afreen_firm.slug}/invitations/{theirs.id}/{action}")
        assert r.status_code == 404
    session.expire_all()
    assert session.exec(select(Invitation)).one().revoked_at is None


# -- the member list and roles ----------------------------------------------------------------


def test_afreen_sees_members_invitations_and_every_control(
    client: Client, session: Session, settings: Settings, afreen: User, afreen_firm: Business
) -> None:
    _invite(session, settings, afreen_firm, afreen, NEW_PERSON)
    page = client.login(afreen).get(_members_url(afreen_firm))
    assert page.status_code == 200
    text_ = page.text
    for name, email in [("Afreen Sheikh", "afreen@gigstaff.example"),
                        ("Farah Khan", "farah@gigstaff.example"),
                        ("Meera Joshi", "meera@gigstaff.example")]:
        assert name in text_ and email in text_
    assert text_.index("Afreen Sheikh") < text_.index("Farah Khan") < text_.index("Meera Joshi")
    assert "Invite someone" in text_
    assert "Nadia.Kapoor@newhire.example" in text_
    assert "Role of Farah Khan" in text_ and "Remove<span class=\"visually-hidden\"> Meera" in text_
    # The only owner can neither leave nor be demoted from the page.
    assert "You are the only owner" in text_
    assert "Role of Afreen Sheikh" not in text_


def test_meera_the_intern_sees_the_member_list_read_only(
    client: Client, afreen: User, meera: User, afreen_firm: Business
) -> None:
    page = client.login(meera).get(_members_url(afreen_firm))
    assert page.status_code == 200
    assert "Afreen Sheikh" in page.text and "farah@gigstaff.example" in page.text
    assert "Only owners can invite people" in page.text
    for control in ("Invite someone", "Pending invitations", "Role of ", ">Remove<"):
        assert control not in page.text
    assert "Leave Afreen Talent Studio" in page.text


def test_farah_the_manager_cannot_invite_or_change_roles(
    client: Client, session: Session, farah: User, meera: User, afreen_firm: Business
) -> None:
    client.login(farah)
    page = client.get(_members_url(afreen_firm))
    assert page.status_code == 200
    assert "Invite someone" not in page.text
    r = client.submit(f"/businesses/{afreen_firm.slug}/invitations",
                      {"email": "friend@elsewhere.example", "role": "manager"})
    assert r.status_code == 403
    r = client.submit(f"/businesses/{afreen_firm.slug}/members/{meera.id}/role", {"role": "owner"})
    assert r.status_code == 403
    r = client.submit(f"/businesses/{afreen_firm.slug}/members/{meera.id}/remove")
    assert r.status_code == 403
    assert _count(session, Invitation) == 0
    assert _role(session, afreen_firm, meera) == "intern"


def test_charlie_the_stranger_is_turned_away(
    client: Client, session: Session, charlie: User, afreen_firm: Business
) -> None:
    client.login(charlie)
    assert client.get(_members_url(afreen_firm)).status_code == 403  # the firm is public
    afreen_firm.visibility = "networks"
    session.add(afreen_firm)
    session.commit()
    assert client.get(_members_url(afreen_firm)).status_code == 404


def test_afreen_changes_farahs_role(
    client: Client, session: Session, afreen: User, farah: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    r = client.submit(f"/businesses/{afreen_firm.slug}/members/{farah.id}/role",
                      {"role": "intern"})
    assert r.status_code == 303
    assert _role(session, afreen_firm, farah) == "intern"
    assert "Farah Khan is now intern." in client.get(_members_url(afreen_firm)).text


def test_an_unknown_role_is_refused(
    client: Client, session: Session, afreen: User, farah: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    r = client.submit(f"/businesses/{afreen_firm.slug}/members/{farah.id}/role",
                      {"role": "boss"})
    assert r.status_code == 422
    assert "Choose one of: owner, manager, intern." in r.text
    assert _role(session, afreen_firm, farah) == "manager"


def test_afreen_removes_meera(
    client: Client, session: Session, afreen: User, meera: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    r = client.submit(f"/businesses/{afreen_firm.slug}/members/{meera.id}/remove")
    assert r.status_code == 303
    assert _role(session, afreen_firm, meera) is None
    assert "Meera Joshi is no longer a member" in client.get(_members_url(afreen_firm)).text


def test_removing_a_non_member_is_not_found(
    client: Client, afreen: User, charlie: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    r = client.submit(f"/businesses/{afreen_firm.slug}/members/{charlie.id}/remove")
    assert r.status_code == 404


def test_meera_leaves_the_business(
    client: Client, session: Session, meera: User, afreen_firm: Business
) -> None:
    client.login(meera)
    r = client.submit(f"/businesses/{afreen_firm.slug}/leave")
    assert r.status_code == 303
    assert r.headers["location"] == "/dashboard"
    assert _role(session, afreen_firm, meera) is None
    assert client.get(_members_url(afreen_firm)).status_code == 403


def test_the_last_owner_cannot_leave_be_removed_or_be_demoted(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    slug = afreen_firm.slug
    for url, form in [(f"/businesses/{slug}/leave", {}),
                      (f"/businesses/{slug}/members/{afreen.id}/remove", {}),
                      (f"/businesses/{slug}/members/{afreen.id}/role", {"role": "manager"})]:
        r = client.submit(url, form)
        assert r.status_code == 409, url
        assert "would be left without an owner" in r.text
        assert "Make another member an owner first." in r.text
        assert _role(session, afreen_firm, afreen) == "owner"


def test_with_a_second_owner_afreen_may_step_down(
    client: Client, session: Session, afreen: User, farah: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    slug = afreen_firm.slug
    assert client.submit(f"/businesses/{slug}/members/{farah.id}/role",
                         {"role": "owner"}).status_code == 303
    assert client.submit(f"/businesses/{slug}/members/{afreen.id}/role",
                         {"role": "manager"}).status_code == 303
    assert _role(session, afreen_firm, afreen) == "manager"
    assert _role(session, afreen_firm, farah) == "owner"


def test_an_invitation_to_become_owner_makes_a_co_owner(
    client: Client, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, charlie.email, "owner")
    client.login(charlie)
    client.submit(f"/invitations/{token}/accept")
    assert _role(session, afreen_firm, charlie) == BusinessRole.owner.value
    # Now Afreen is no longer the last owner and may leave.
    client.login(afreen)
    assert client.submit(f"/businesses/{afreen_firm.slug}/leave").status_code == 303
