"""Rules of the member and invitation routes (gathered by tests/profiles/route_rules.py).

`user_id` is Afreen, the owner: every intruder the inventory tries (Charlie, Rajeev, Meera, Farah)
is then acting on someone else, so "remove or demote Afreen" must be refused by the permission
check. (With Farah as the target, Farah's own DELETE would be a legitimate "leave".) The last-owner
rule cannot mask a missing check: it answers 409, which the inventory does not count as refused.

The invitation pages (`/invitations/{token}…`) are public on purpose: the link in the e-mail is
the credential, and someone without an account signs up from it. With the inventory's fake token
they answer a clear "this invitation link does not work" page; their real behaviour is tested in
test_members.py. Accepting with an existing account needs a log-in (anonymous → log-in page).
"""

from __future__ import annotations

from typing import Any

from tests.support.inventory import BUSINESS_OWNER, INTERN, USER, Rule

PUBLIC: set[tuple[str, str]] = {
    ("GET", "/invitations/{token}"),
    ("POST", "/invitations/{token}/signup"),
    ("POST", "/invitations/{token}/switch-account"),
}

_INVITE = {"email": "new.person@elsewhere.example", "role": "manager"}

PROTECTED: dict[tuple[str, str], Rule] = {
    # pages
    ("GET", "/businesses/{slug}/members"): INTERN,
    ("POST", "/businesses/{slug}/invitations"): Rule("business_owner", body=_INVITE),
    ("POST", "/businesses/{slug}/invitations/{invitation_id}/resend"): BUSINESS_OWNER,
    ("POST", "/businesses/{slug}/invitations/{invitation_id}/revoke"): BUSINESS_OWNER,
    ("POST", "/businesses/{slug}/members/{user_id}/role"): Rule("business_owner",
                                                               body={"role": "intern"}),
    ("POST", "/businesses/{slug}/members/{user_id}/remove"): BUSINESS_OWNER,
    ("POST", "/businesses/{slug}/leave"): INTERN,
    ("POST", "/invitations/{token}/accept"): USER,
    # API
    ("GET", "/api/v1/businesses/{slug}/members"): INTERN,
    ("PATCH", "/api/v1/businesses/{slug}/members/{user_id}"): Rule("business_owner",
                                                                   body={"role": "intern"}),
    ("DELETE", "/api/v1/businesses/{slug}/members/{user_id}"): BUSINESS_OWNER,
    ("POST", "/api/v1/businesses/{slug}/invitations"): Rule("business_owner", body=_INVITE),
    ("GET", "/api/v1/businesses/{slug}/invitations"): BUSINESS_OWNER,
    ("POST", "/api/v1/businesses/{slug}/invitations/{invitation_id}/resend"): BUSINESS_OWNER,
    ("DELETE", "/api/v1/businesses/{slug}/invitations/{invitation_id}"): BUSINESS_OWNER,
    ("POST", "/api/v1/invitations/{token}/accept"): USER,
}


def _pending_invitation(world: Any) -> int:
    """A fresh pending invitation of Afreen's firm, made through the service (a new address each
    time: the service refuses a second pending invitation to the same one)."""
    import uuid

    from exchange.config import Settings
    from exchange.profiles import members
    from tests.conftest import TEST_SECRET

    settings = Settings(database_url="sqlite://", secret_key=TEST_SECRET,
                        public_base_url="http://testserver")
    issued = members.invite(world.session, settings, world.afreen_firm, world.afreen,
                            email=f"invitee-{uuid.uuid4().hex[:8]}@elsewhere.example",
                            role="intern")
    world.session.commit()
    assert issued.record.id is not None
    return issued.record.id


PARAMS = {
    "user_id": lambda w: w.afreen.id,
    "invitation_id": _pending_invitation,
}
