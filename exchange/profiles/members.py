"""Who belongs to a business: its members, their roles, and invitations by e-mail.

The rules live here, once; the pages (members_pages.py) and the API (members_api.py) call these
functions. Services only flush; the request that called them commits once.

- **Who does what.** Owners invite (in any role: owner, manager, intern), resend and revoke
  invitations, change roles and remove members. Every member may see the member list and may
  leave. Route dependencies (`BusinessOwner`, `BusinessMember`) enforce the role; the one rule
  that depends on *whom* an action targets ("an owner, or the member themselves") is
  `remove_member`'s.
- **Invitation links.** The link carries a random token (`pie_inv_…`) that travels only in the
  e-mail; the database keeps its keyed hash. A link works once, for `INVITATION_TTL`, and not
  after it was revoked.
- **Re-inviting** an address that already has a pending invitation to the same business is
  refused (field `email`) instead of silently replacing the first one: a second e-mail would
  break the link the person may be opening right now, and a double-submitted form would send two.
  Replacing is a deliberate act — `resend_invitation` revokes the old link and e-mails a new one.
  Expired invitations do not block a new one.
- **Accepting links the invited address only.** The account that accepts must have the invited
  e-mail (compared case-insensitively). A forwarded link, or one opened in someone else's logged-in
  browser, therefore cannot add a different account to the business; the page explains and offers
  to log out. Someone without an account signs up from the invitation page with the invited
  address, which the link itself proves they read.
- **A business always keeps an owner.** The last owner cannot leave, be removed or be demoted. The
  owner rows are locked while they are counted, so two owners demoting each other at the same
  moment cannot both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import EmailStr, ValidationError
from sqlalchemy import ColumnElement, case, func, update
from sqlmodel import Field, Session, SQLModel, col, select

from exchange import security
from exchange.accounts import service as accounts_service
from exchange.accounts.models import BusinessRole, User
from exchange.config import Settings
from exchange.db import utcnow
from exchange.errors import (
    Conflict,
    ExchangeError,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from exchange.notifications.email import queue_email
from exchange.profiles.models import Business, BusinessMembership, Invitation

INVITATION_TOKEN_PREFIX = "pie_inv_"  # noqa: S105 - a readable prefix, not a secret
INVITATION_TTL = timedelta(days=7)

# Owners first, then managers, then interns: the order of every member list.
ROLE_ORDER = (BusinessRole.owner, BusinessRole.manager, BusinessRole.intern)

ROLE_DESCRIPTIONS = {
    BusinessRole.owner: "Owners do everything managers do, and also invite people, change roles, "
                        "remove members and archive the business.",
    BusinessRole.manager: "Managers edit the profile and the strength/weakness matrix, and "
                          "propose and host internships.",
    BusinessRole.intern: "Interns see their business and their own internships: tasks, "
                         "objectives, feedback and the implementation plan.",
}

_ROLE_CHOICES = ", ".join(role.value for role in ROLE_ORDER)


class InvitationStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    revoked = "revoked"
    expired = "expired"


class InvitationGone(ExchangeError):
    """The link was real but can no longer be used (accepted, revoked or expired)."""

    status_code = 410
    slug = "invitation-gone"
    title = "This invitation can no longer be used"


class LastOwner(Conflict):
    slug = "last-owner"
    title = "A business needs an owner"


# -- input schemas (shared by the API and the pages) ------------------------------------------


class InvitationCreate(SQLModel):
    email: EmailStr = Field(max_length=254, description="Where the invitation link is e-mailed.")
    role: BusinessRole = Field(description="The role the person gets on accepting.")


class RoleChange(SQLModel):
    role: BusinessRole


def _parse(schema: type[SQLModel], raw: dict[str, str]) -> SQLModel:
    """A schema from form or JSON input, with messages a person can act on."""
    errors: list[FieldError] = []
    if "email" in raw and not raw["email"].strip():
        errors.append(FieldError("email", "Enter the e-mail address of the person to invite."))
    if "role" in raw and raw["role"] not in {role.value for role in BusinessRole}:
        errors.append(FieldError("role", f"Choose one of: {_ROLE_CHOICES}."))
    if not errors:
        try:
            return schema.model_validate({k: v.strip() for k, v in raw.items()})
        except ValidationError as exc:
            for error in ValidationFailed.from_pydantic(exc).errors:
                if error.field == "email":
                    error.message = f"“{raw['email'].strip()}” is not a valid e-mail address."
                errors.append(error)
    raise ValidationFailed(errors)


def parse_invitation(email: str, role: str) -> InvitationCreate:
    parsed = _parse(InvitationCreate, {"email": email, "role": role})
    assert isinstance(parsed, InvitationCreate)
    return parsed


def parse_role(role: str) -> BusinessRole:
    parsed = _parse(RoleChange, {"role": role})
    assert isinstance(parsed, RoleChange)
    return parsed.role


# -- members ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    user_id: int
    display_name: str
    email: str
    role: BusinessRole
    joined_at: datetime


_ROLE_RANK_SQL = case(
    *((col(BusinessMembership.role) == role.value, rank) for rank, role in enumerate(ROLE_ORDER)),
    else_=len(ROLE_ORDER),
)


def list_members(
    session: Session, business: Business, *, limit: int | None = None, offset: int = 0
) -> list[Member]:
    query = (
        select(BusinessMembership, User)
        .join(User, col(User.id) == BusinessMembership.user_id)
        .where(BusinessMembership.business_id == business.id)
        .order_by(_ROLE_RANK_SQL, func.lower(User.display_name), col(User.id))
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [_member(row, user) for row, user in session.exec(query).all()]


def _member(row: BusinessMembership, user: User) -> Member:
    assert user.id is not None
    return Member(user.id, user.display_name, user.email, BusinessRole(row.role), row.created_at)


def get_member(session: Session, business: Business, user_id: int) -> Member:
    row, user = _membership(session, business, user_id)
    return _member(row, user)


def _membership(
    session: Session, business: Business, user_id: int
) -> tuple[BusinessMembership, User]:
    found = session.exec(
        select(BusinessMembership, User)
        .join(User, col(User.id) == BusinessMembership.user_id)
        .where(BusinessMembership.business_id == business.id,
               BusinessMembership.user_id == user_id)
    ).first()
    if found is None:
        raise NotFound(f"No member with that id in {business.name}.")
    return found[0], found[1]


def _locked_owner_ids(session: Session, business: Business) -> list[int]:
    """The owners, with their rows locked until the transaction ends (PostgreSQL; SQLite
    serialises writers anyway), so that the "at least one owner" check cannot race."""
    return list(session.exec(
        select(BusinessMembership.user_id)
        .where(BusinessMembership.business_id == business.id,
               BusinessMembership.role == BusinessRole.owner.value)
        .with_for_update()
    ).all())


def _refuse_losing_last_owner(
    session: Session, business: Business, row: BusinessMembership, action: str
) -> None:
    if row.role != BusinessRole.owner.value:
        return
    if _locked_owner_ids(session, business) == [row.user_id]:
        raise LastOwner(
            f"{business.name} would be left without an owner, so {action}. "
            "Make another member an owner first."
        )


def change_role(session: Session, business: Business, user_id: int, role: str) -> Member:
    new_role = parse_role(role)
    row, user = _membership(session, business, user_id)
    if row.role != new_role.value:
        if new_role is not BusinessRole.owner:
            name = user.display_name
            _refuse_losing_last_owner(session, business, row,
                                      f"{name} cannot stop being an owner")
        row.role = new_role.value
        session.add(row)
        session.flush()
    return _member(row, user)


def remove_member(
    session: Session, business: Business, *, actor_id: int, actor_role: BusinessRole,
    user_id: int,
) -> Member:
    """Owners remove anyone; every member may remove themselves (leave)."""
    if actor_role is not BusinessRole.owner and actor_id != user_id:
        raise PermissionDenied(f"Only owners of {business.name} can remove other members.")
    row, user = _membership(session, business, user_id)
    leaving = actor_id == user_id
    _refuse_losing_last_owner(
        session, business, row,
        "you cannot leave it" if leaving else f"{user.display_name} cannot be removed",
    )
    member = _member(row, user)
    session.delete(row)
    session.flush()
    return member


def leave_business(session: Session, business: Business, user: User) -> Member:
    assert user.id is not None
    return remove_member(session, business, actor_id=user.id, actor_role=BusinessRole.intern,
                         user_id=user.id)


# -- invitations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    record: Invitation
    token: str  # travels in the e-mail and is shown once to the inviter; never stored, never
    # returned by the API
    link: str


def invitation_status(invitation: Invitation, now: datetime | None = None) -> InvitationStatus:
    if invitation.accepted_at is not None:
        return InvitationStatus.accepted
    if invitation.revoked_at is not None:
        return InvitationStatus.revoked
    if invitation.expires_at <= (now or utcnow()):
        return InvitationStatus.expired
    return InvitationStatus.pending


def _open(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Still answerable: neither accepted nor revoked, and not expired."""
    return (col(Invitation.accepted_at).is_(None), col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > now)


def list_invitations(
    session: Session, business: Business, *, include_closed: bool = False,
    limit: int | None = None, offset: int = 0,
) -> list[Invitation]:
    """Newest first. By default the ones still awaiting an answer: pending and expired (an owner
    may want to resend those), not the accepted or revoked ones."""
    query = select(Invitation).where(Invitation.business_id == business.id)
    if not include_closed:
        query = query.where(col(Invitation.accepted_at).is_(None),
                            col(Invitation.revoked_at).is_(None))
    query = query.order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
    query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def get_invitation(session: Session, business: Business, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    # Another business's invitation answers exactly like a missing one.
    if invitation is None or invitation.business_id != business.id:
        raise NotFound(f"No invitation with that id in {business.name}.")
    return invitation


def _issue(
    session: Session, settings: Settings, business: Business, inviter: User, email: str,
    role: BusinessRole,
) -> IssuedInvitation:
    assert business.id is not None
    token = security.new_secret_token(INVITATION_TOKEN_PREFIX)
    invitation = Invitation(
        business_id=business.id,
        email=email,
        email_normalized=accounts_service.normalize_email(email),
        role=role.value,
        token_hash=security.keyed_hash(settings.secret_key, token),
        invited_by_id=inviter.id,
        expires_at=utcnow() + INVITATION_TTL,
    )
    session.add(invitation)
    session.flush()
    link = f"{settings.public_base_url.rstrip('/')}/invitations/{token}"
    article = "an" if role is BusinessRole.owner or role is BusinessRole.intern else "a"
    queue_email(
        session,
        to=email,
        subject=f"{inviter.display_name} invites you to join {business.name}",
        body=(
            f"Hello,\n\n"
            f"{inviter.display_name} invites you to join {business.name} on the Peer Internship "
            f"Exchange as {article} {role.value}.\n"
            f"{ROLE_DESCRIPTIONS[role]}\n\n"
            f"To accept, open this link by {invitation.expires_at:%d %B %Y}:\n\n{link}\n\n"
            "If you have no account yet, you can create one on that page with this e-mail "
            "address. The link works once. If you did not expect this invitation, ignore this "
            "e-mail.\n"
        ),
        sensitive=True,
    )
    return IssuedInvitation(record=invitation, token=token, link=link)


def invite(
    session: Session, settings: Settings, business: Business, inviter: User, *, email: str,
    role: str,
) -> IssuedInvitation:
    data = parse_invitation(email, role)
    address = str(data.email)
    normalized = accounts_service.normalize_email(address)
    existing = session.exec(
        select(User.display_name, BusinessMembership.role)
        .join(BusinessMembership, col(BusinessMembership.user_id) == User.id)
        .where(BusinessMembership.business_id == business.id, User.email_normalized == normalized)
    ).first()
    if existing is not None:
        name, current = existing
        raise ValidationFailed.single(
            "email", f"{name} ({address}) is already a member of {business.name}, as {current}. "
                     "Change their role in the member list instead.")
    pending = session.exec(
        select(Invitation).where(Invitation.business_id == business.id,
                                 Invitation.email_normalized == normalized, *_open(utcnow()))
    ).first()
    if pending is not None:
        raise ValidationFailed.single(
            "email", f"{address} already has a pending invitation (as {pending.role}, until "
                     f"{pending.expires_at:%d %B %Y}). Resend or revoke it in the list of "
                     "pending invitations.")
    return _issue(session, settings, business, inviter, address, data.role)


def resend_invitation(
    session: Session, settings: Settings, business: Business, inviter: User, invitation_id: int
) -> IssuedInvitation:
    """A fresh link (and a fresh week) for an invitation nobody answered; the old link dies."""
    old = get_invitation(session, business, invitation_id)
    status = invitation_status(old)
    if status is InvitationStatus.accepted:
        raise Conflict(f"{old.email} has already accepted this invitation.")
    if status is InvitationStatus.revoked:
        raise Conflict(f"The invitation to {old.email} was revoked; invite them again instead.")
    old.revoked_at = utcnow()
    session.add(old)
    session.flush()
    return _issue(session, settings, business, inviter, old.email, BusinessRole(old.role))


def revoke_invitation(session: Session, business: Business, invitation_id: int) -> Invitation:
    invitation = get_invitation(session, business, invitation_id)
    if invitation.accepted_at is not None:
        raise Conflict(f"{invitation.email} has already accepted this invitation; remove the "
                       "member from the member list instead.")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.add(invitation)
        session.flush()
    return invitation


# -- answering an invitation ------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationDetails:
    """What the invitation page shows the holder of a link."""

    invitation: Invitation
    business: Business
    invited_by: str
    status: InvitationStatus
    account_exists: bool


def _by_token(session: Session, settings: Settings, token: str) -> Invitation:
    invitation = session.exec(
        select(Invitation).where(
            Invitation.token_hash == security.keyed_hash(settings.secret_key, token))
    ).first()
    if invitation is None:
        raise NotFound("This invitation link is not valid. Check that you copied the whole link "
                       "from the e-mail, or ask for a new invitation.")
    return invitation


def invitation_details(session: Session, settings: Settings, token: str) -> InvitationDetails:
    invitation = _by_token(session, settings, token)
    business = session.get(Business, invitation.business_id)
    assert business is not None
    inviter = session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    return InvitationDetails(
        invitation=invitation,
        business=business,
        invited_by=inviter.display_name if inviter else f"An owner of {business.name}",
        status=invitation_status(invitation),
        account_exists=accounts_service.get_user_by_email(session, invitation.email) is not None,
    )


_GONE_REASONS = {
    InvitationStatus.accepted: "This invitation has already been used.",
    InvitationStatus.revoked: "This invitation was withdrawn.",
    InvitationStatus.expired: "This invitation has expired.",
}


def _live(session: Session, settings: Settings, token: str) -> tuple[Invitation, Business]:
    details = invitation_details(session, settings, token)
    if details.status is not InvitationStatus.pending:
        raise InvitationGone(f"{_GONE_REASONS[details.status]} Ask {details.invited_by} for a "
                             "new one if you still want to join.")
    return details.invitation, details.business


def email_matches(invitation: Invitation, user: User) -> bool:
    return accounts_service.normalize_email(user.email) == invitation.email_normalized


def accept_invitation(
    session: Session, settings: Settings, token: str, user: User
) -> tuple[Business, BusinessMembership]:
    invitation, business = _live(session, settings, token)
    if not email_matches(invitation, user):
        raise PermissionDenied(
            f"This invitation is for {invitation.email}, but you are logged in as {user.email}. "
            f"Log out, then log in or sign up as {invitation.email} to accept it.")
    assert user.id is not None and business.id is not None
    already = session.exec(
        select(BusinessMembership).where(BusinessMembership.business_id == business.id,
                                         BusinessMembership.user_id == user.id)
    ).first()
    if already is not None:
        raise Conflict(f"You are already a member of {business.name}, as {already.role}.")
    # A conditional update is the single-use guarantee: of two simultaneous acceptances only
    # one finds the invitation still open.
    claimed = session.exec(  # type: ignore[call-overload]
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, *_open(utcnow()))
        .values(accepted_at=utcnow(), accepted_by_id=user.id)
    )
    if claimed.rowcount != 1:
        raise InvitationGone("This invitation has just been used or withdrawn.")
    session.refresh(invitation)
    membership = BusinessMembership(business_id=business.id, user_id=user.id,
                                    role=invitation.role)
    session.add(membership)
    session.flush()
    _tell_inviter(session, invitation, business, user)
    return business, membership


def _tell_inviter(session: Session, invitation: Invitation, business: Business,
                  user: User) -> None:
    inviter = session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    if inviter is None or inviter.id == user.id:
        return
    queue_email(
        session,
        to=inviter.email,
        subject=f"{user.display_name} joined {business.name}",
        body=(f"Hello {inviter.display_name},\n\n{user.display_name} ({user.email}) accepted "
              f"your invitation and is now {invitation.role} of {business.name}.\n"),
    )


def sign_up_and_accept(
    session: Session, settings: Settings, token: str, *, display_name: str, password: str
) -> tuple[User, Business]:
    """Create the account of the invited address and accept, in one transaction."""
    invitation, _ = _live(session, settings, token)
    if accounts_service.get_user_by_email(session, invitation.email) is not None:
        raise ValidationFailed.single(
            "email", f"An account with {invitation.email} already exists. Log in to accept.")
    user = accounts_service.sign_up(
        session, email=invitation.email, display_name=display_name, password=password
    )
    business, _ = accept_invitation(session, settings, token, user)
    return user, business
