"""Members and invitations over /api/v1 with personal tokens: typed answers, problem+json errors
that name the field, the token never in an answer, 404 for other businesses' things."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, BusinessRole, User
from exchange.config import Settings
from exchange.db import utcnow
from exchange.notifications.models import OutboxEmail
from exchange.profiles import members
from exchange.profiles.models import Business, BusinessMembership, Invitation
from tests.conftest import Client
from tests.support.factories import add_member

NEW_PERSON = "nadia@newhire.example"
PROBLEM = "application/problem+json"


@pytest.fixture
def api(make_client: Callable[..., Client], session: Session,
        settings: Settings) -> Callable[[User], Client]:
    """api(afreen): a client that calls the API with a fresh personal token of that person."""

    def _as(user: User) -> Client:
        issued = accounts_service.create_api_token(session, settings, user,
                                                   ApiTokenCreate(name="tests"))
        session.commit()
        return make_client().use_token(issued.token)

    return _as


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _role(session: Session, firm: Business, user: User) -> str | None:
    session.expire_all()
    row = session.exec(select(BusinessMembership).where(
        BusinessMembership.business_id == firm.id, BusinessMembership.user_id == user.id)).first()
    return row.role if row else None


def _invite(session: Session, settings: Settings, firm: Business, inviter: User, email: str,
            role: str = "manager") -> members.IssuedInvitation:
    issued = members.invite(session, settings, firm, inviter, email=email, role=role)
    session.commit()
    return issued


def _fields(response: object) -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    return [e["field"] for e in body.get("errors", [])]


# -- members ----------------------------------------------------------------------------------


def test_meera_lists_the_members_owners_first(
    api: Callable[[User], Client], meera: User, afreen_firm: Business
) -> None:
    r = api(meera).get(f"/api/v1/businesses/{afreen_firm.slug}/members")
    assert r.status_code == 200
    body = r.json()
    assert [(m["display_name"], m["role"]) for m in body["items"]] == [
        ("Afreen Sheikh", "owner"), ("Farah Khan", "manager"), ("Meera Joshi", "intern")]
    assert body["items"][1]["email"] == "farah@gigstaff.example"
    assert body["next"] is None


def test_the_member_list_is_paginated(
    api: Callable[[User], Client], afreen: User, afreen_firm: Business
) -> None:
    client = api(afreen)
    first = client.get(f"/api/v1/businesses/{afreen_firm.slug}/members?limit=2").json()
    assert len(first["items"]) == 2
    assert first["next"] == f"/api/v1/businesses/{afreen_firm.slug}/members?limit=2&offset=2"
    second = client.get(first["next"]).json()
    assert [m["display_name"] for m in second["items"]] == ["Meera Joshi"]
    assert second["next"] is None


def test_strangers_get_403_on_a_public_firm_and_404_on_a_hidden_one(
    api: Callable[[User], Client], session: Session, charlie: User, afreen_firm: Business
) -> None:
    client = api(charlie)
    r = client.get(f"/api/v1/businesses/{afreen_firm.slug}/members")
    assert r.status_code == 403
    assert r.headers["content-type"].startswith(PROBLEM)
    afreen_firm.visibility = "networks"
    session.add(afreen_firm)
    session.commit()
    assert client.get(f"/api/v1/businesses/{afreen_firm.slug}/members").status_code == 404


def test_afreen_changes_a_role(
    api: Callable[[User], Client], session: Session, afreen: User, meera: User,
    afreen_firm: Business,
) -> None:
    r = api(afreen).patch(f"/api/v1/businesses/{afreen_firm.slug}/members/{meera.id}",
                          json={"role": "manager"})
    assert r.status_code == 200
    assert r.json()["role"] == "manager" and r.json()["user_id"] == meera.id
    assert _role(session, afreen_firm, meera) == "manager"


def test_an_unknown_role_is_a_problem_naming_the_field(
    api: Callable[[User], Client], session: Session, afreen: User, meera: User,
    afreen_firm: Business,
) -> None:
    r = api(afreen).patch(f"/api/v1/businesses/{afreen_firm.slug}/members/{meera.id}",
                          json={"role": "boss"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    assert _fields(r) == ["role"]
    assert _role(session, afreen_firm, meera) == "intern"


def test_farah_the_manager_cannot_change_roles_or_remove(
    api: Callable[[User], Client], session: Session, farah: User, meera: User,
    afreen_firm: Business,
) -> None:
    client = api(farah)
    url = f"/api/v1/businesses/{afreen_firm.slug}/members/{meera.id}"
    assert client.patch(url, json={"role": "owner"}).status_code == 403
    assert client.delete(url).status_code == 403
    assert _role(session, afreen_firm, meera) == "intern"


def test_a_member_of_another_business_is_not_found(
    api: Callable[[User], Client], afreen: User, arjun: User, afreen_firm: Business,
    rajeev_firm: Business,
) -> None:
    client = api(afreen)
    url = f"/api/v1/businesses/{afreen_firm.slug}/members/{arjun.id}"
    assert client.patch(url, json={"role": "intern"}).status_code == 404
    assert client.delete(url).status_code == 404


def test_afreen_removes_a_member_and_meera_leaves(
    api: Callable[[User], Client], session: Session, afreen: User, farah: User, meera: User,
    afreen_firm: Business,
) -> None:
    slug = afreen_firm.slug
    assert api(afreen).delete(f"/api/v1/businesses/{slug}/members/{farah.id}").status_code == 204
    assert _role(session, afreen_firm, farah) is None
    assert api(meera).delete(f"/api/v1/businesses/{slug}/members/{meera.id}").status_code == 204
    assert _role(session, afreen_firm, meera) is None


def test_the_last_owner_cannot_leave_or_be_demoted(
    api: Callable[[User], Client], session: Session, afreen: User, afreen_firm: Business
) -> None:
    client = api(afreen)
    url = f"/api/v1/businesses/{afreen_firm.slug}/members/{afreen.id}"
    for r in (client.delete(url), client.patch(url, json={"role": "intern"})):
        assert r.status_code == 409
        assert r.headers["content-type"].startswith(PROBLEM)
        assert "would be left without an owner" in r.json()["detail"]
    assert _role(session, afreen_firm, afreen) == "owner"


def test_once_afreen_steps_down_farah_is_the_last_owner(
    session: Session, afreen: User, farah: User, afreen_firm: Business
) -> None:
    members.change_role(session, afreen_firm, farah.id or 0, "owner")  # now two owners
    members.change_role(session, afreen_firm, afreen.id or 0, "manager")
    with pytest.raises(members.LastOwner):
        members.change_role(session, afreen_firm, farah.id or 0, "manager")
    session.rollback()


# -- invitations ------------------------------------------------------------------------------


def test_afreen_invites_over_the_api_and_never_sees_the_token(
    api: Callable[[User], Client], session: Session, afreen: User, afreen_firm: Business
) -> None:
    r = api(afreen).post(f"/api/v1/businesses/{afreen_firm.slug}/invitations",
                         json={"email": "Nadia@NewHire.example", "role": "intern"})
    assert r.status_code == 201
    body = r.json()
    assert body["email"] == "Nadia@newhire.example"
    assert body["role"] == "intern" and body["status"] == "pending"
    assert body["invited_by_id"] == afreen.id
    assert {"id", "expires_at", "created_at"} <= body.keys()
    assert "token" not in body and "pie_inv_" not in r.text
    mail = session.exec(select(OutboxEmail)).one()
    assert mail.to_address == "Nadia@newhire.example" and "/invitations/pie_inv_" in mail.body_text


@pytest.mark.parametrize(("payload", "field"), [
    ({"email": "", "role": "manager"}, "email"),
    ({"email": "not-an-address", "role": "manager"}, "email"),
    ({"email": "a@b.example", "role": "boss"}, "role"),
    ({"role": "manager"}, "email"),
    ({"email": "a@b.example"}, "role"),
])
def test_bad_invitations_are_problems_naming_the_field_and_store_nothing(
    api: Callable[[User], Client], session: Session, afreen: User, afreen_firm: Business,
    payload: dict[str, str], field: str,
) -> None:
    r = api(afreen).post(f"/api/v1/businesses/{afreen_firm.slug}/invitations", json=payload)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    assert field in _fields(r)
    assert _count(session, Invitation) == 0
    assert _count(session, OutboxEmail) == 0


def test_inviting_a_member_or_a_pending_address_is_refused_on_email(
    api: Callable[[User], Client], session: Session, settings: Settings, afreen: User,
    meera: User, afreen_firm: Business,
) -> None:
    _invite(session, settings, afreen_firm, afreen, NEW_PERSON)
    client = api(afreen)
    for email in (meera.email, NEW_PERSON):
        r = client.post(f"/api/v1/businesses/{afreen_firm.slug}/invitations",
                        json={"email": email, "role": "manager"})
        assert r.status_code == 422
        assert _fields(r) == ["email"]
    assert _count(session, Invitation) == 1


def test_an_expired_invitation_does_not_block_a_new_one(
    api: Callable[[User], Client], session: Session, settings: Settings, afreen: User,
    afreen_firm: Business,
) -> None:
    old = _invite(session, settings, afreen_firm, afreen, NEW_PERSON).record
    old.expires_at = utcnow() - timedelta(seconds=1)
    session.add(old)
    session.commit()
    r = api(afreen).post(f"/api/v1/businesses/{afreen_firm.slug}/invitations",
                         json={"email": NEW_PERSON, "role": "manager"})
    assert r.status_code == 201


def test_farah_the_manager_cannot_invite(
    api: Callable[[User], Client], session: Session, farah: User, afreen_firm: Business
) -> None:
    r = api(farah).post(f"/api/v1/businesses/{afreen_firm.slug}/invitations",
                        json={"email": NEW_PERSON, "role": "manager"})
    assert r.status_code == 403
    assert api(farah).get(f"/api/v1/businesses/{afreen_firm.slug}/invitations").status_code == 403
    assert _count(session, Invitation) == 0


def test_afreen_lists_revokes_and_resends_invitations(
    api: Callable[[User], Client], session: Session, settings: Settings, afreen: User,
    afreen_firm: Business,
) -> None:
    first = _invite(session, settings, afreen_firm, afreen, NEW_PERSON).record
    second = _invite(session, settings, afreen_firm, afreen, "omar@newhire.example").record
    client = api(afreen)
    base = f"/api/v1/businesses/{afreen_firm.slug}/invitations"
    listed = client.get(base).json()
    assert [i["id"] for i in listed["items"]] == [second.id, first.id]

    r = client.delete(f"{base}/{first.id}")
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    assert client.delete(f"{base}/{first.id}").status_code == 200  # revoking twice is harmless
    assert [i["id"] for i in client.get(base).json()["items"]] == [second.id]
    closed = client.get(f"{base}?include_closed=true").json()["items"]
    assert {i["id"]: i["status"] for i in closed} == {first.id: "revoked", second.id: "pending"}

    r = client.post(f"{base}/{second.id}/resend")
    assert r.status_code == 201
    assert r.json()["id"] != second.id and r.json()["email"] == "omar@newhire.example"
    assert client.post(f"{base}/{second.id}/resend").status_code == 409  # the old one is dead


def test_another_business_invitation_is_404(
    api: Callable[[User], Client], session: Session, settings: Settings, afreen: User,
    rajeev: User, afreen_firm: Business, rajeev_firm: Business,
) -> None:
    theirs = _invite(session, settings, rajeev_firm, rajeev, NEW_PERSON).record
    client = api(afreen)
    base = f"/api/v1/businesses/{afreen_firm.slug}/invitations/{theirs.id}"
    assert client.delete(base).status_code == 404
    assert client.post(f"{base}/resend").status_code == 404
    session.expire_all()
    assert session.get(Invitation, theirs.id).revoked_at is None  # type: ignore[union-attr]


def test_revoking_an_accepted_invitation_is_a_conflict(
    api: Callable[[User], Client], session: Session, settings: Settings, afreen: User,
    charlie: User, afreen_firm: Business,
) -> None:
    issued = _invite(session, settings, afreen_firm, afreen, charlie.email)
    members.accept_invitation(session, settings, issued.token, charlie)
    session.commit()
    r = api(afreen).delete(
        f"/api/v1/businesses/{afreen_firm.slug}/invitations/{issued.record.id}")
    assert r.status_code == 409
    assert _role(session, afreen_firm, charlie) == "manager"


# -- accepting --------------------------------------------------------------------------------


def test_charlie_accepts_with_his_personal_token(
    api: Callable[[User], Client], session: Session, settings: Settings, afreen: User,
    charlie: User, afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, charlie.email, "intern").token
    r = api(charlie).post(f"/api/v1/invitations/{token}/accept")
    assert r.status_code == 201
    assert r.json() == {
        "business_slug": afreen_firm.slug, "business_name": "Afreen Talent Studio",
        "user_id": charlie.id, "role": "intern", "joined_at": r.json()["joined_at"],
    }
    assert _role(session, afreen_firm, charlie) == "intern"
    again = api(charlie).post(f"/api/v1/invitations/{token}/accept")
    assert again.status_code == 410
    assert again.headers["content-type"].startswith(PROBLEM)


def test_someone_else_cannot_accept_with_their_token(
    api: Callable[[User], Client], session: Session, settings: Settings, afreen: User,
    rajeev: User, afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, NEW_PERSON).token
    r = api(rajeev).post(f"/api/v1/invitations/{token}/accept")
    assert r.status_code == 403
    assert NEW_PERSON in r.json()["detail"]
    assert _role(session, afreen_firm, rajeev) is None
    session.expire_all()
    assert session.exec(select(Invitation)).one().accepted_at is None


def test_unknown_expired_and_revoked_links_are_refused(
    api: Callable[[User], Client], session: Session, settings: Settings, afreen: User,
    charlie: User, afreen_firm: Business,
) -> None:
    client = api(charlie)
    assert client.post("/api/v1/invitations/pie_inv_made-up/accept").status_code == 404

    expired = _invite(session, settings, afreen_firm, afreen, charlie.email)
    expired.record.expires_at = utcnow() - timedelta(seconds=1)
    session.add(expired.record)
    session.commit()
    assert client.post(f"/api/v1/invitations/{expired.token}/accept").status_code == 410

    revoked = _invite(session, settings, afreen_firm, afreen, charlie.email)
    members.revoke_invitation(session, afreen_firm, revoked.record.id or 0)
    session.commit()
    assert client.post(f"/api/v1/invitations/{revoked.token}/accept").status_code == 410
    assert _role(session, afreen_firm, charlie) is None


def test_accepting_needs_a_token(client: Client) -> None:
    r = client.post("/api/v1/invitations/pie_inv_anything/accept")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith(PROBLEM)


def test_someone_who_already_belongs_gets_a_conflict_and_the_link_stays_open(
    api: Callable[[User], Client], session: Session, settings: Settings, afreen: User,
    charlie: User, afreen_firm: Business,
) -> None:
    token = _invite(session, settings, afreen_firm, afreen, charlie.email).token
    add_member(session, afreen_firm, charlie, BusinessRole.intern)  # joined meanwhile
    r = api(charlie).post(f"/api/v1/invitations/{token}/accept")
    assert r.status_code == 409
    assert _role(session, afreen_firm, charlie) == "intern"
    session.expire_all()
    assert session.exec(select(Invitation)).one().accepted_at is None
