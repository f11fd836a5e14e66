"""Partner networks: creating them, their admins, their members, and consent invitations.

The rules live here once; pages (pages.py), the API (api.py) and the member sync (sync.py) call
them. Services only flush; the request that called them commits once.

- **Who runs a network.** Platform admins create networks and appoint network admins (existing
  accounts, by e-mail). Network admins manage members, invitations, API keys and webhooks.
- **How a business joins.** Either the network's sync creates it (it is then *network-managed*:
  the network edits its profile until an owner claims it with a claim link), or an admin invites
  an existing business and one of its owners consents on the invitation page. A network never
  edits a business that has owners.
- **Removing a member** deletes the membership row only, never the business.
- Membership changes what matching reads (shared networks make "networks"-only profiles
  visible), so they bump `Business.updated_at` (see exchange/matching/serving.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from exchange import security
from exchange.accounts import service as accounts_service
from exchange.accounts.models import BusinessRole, User
from exchange.config import Settings
from exchange.db import utcnow
from exchange.errors import Conflict, ExchangeError, FieldError, NotFound, ValidationFailed
from exchange.events import DomainEvent, emit
from exchange.networks.models import (
    InvitationKind,
    Network,
    NetworkAdmin,
    NetworkInvitation,
    NetworkMember,
)
from exchange.notifications.email import queue_email
from exchange.profiles import service as profiles_service
from exchange.profiles.models import Business, BusinessMembership, ExternalRef

INVITATION_TOKEN_PREFIX = "pie_ninv_"  # noqa: S105 - a readable prefix, not a secret
INVITATION_TTL = timedelta(days=14)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EXTERNAL_ID_MAX = 128


class InvitationGone(ExchangeError):
    status_code = 410
    slug = "invitation-gone"
    title = "Invitation no longer valid"


# -- networks and admins ------------------------------------------------------------------------


def create_network(session: Session, creator: User | None, *, name: str, slug: str = "",
                   description: str = "") -> Network:
    name = " ".join(name.split())
    slug = slug.strip().lower() or profiles_service.slugify(name)
    errors = []
    if not 2 <= len(name) <= 120:
        errors.append(FieldError("name", "must be 2 to 120 characters"))
    if not SLUG_PATTERN.match(slug) or len(slug) > 60:
        errors.append(FieldError("slug", "use lower-case letters, digits and single hyphens "
                                         "(at most 60)"))
    elif session.exec(select(Network).where(Network.slug == slug)).first() is not None:
        errors.append(FieldError("slug", "is already taken by another network"))
    if len(description) > 2000:
        errors.append(FieldError("description", "must be at most 2000 characters"))
    if errors:
        raise ValidationFailed(errors)
    network = Network(name=name, slug=slug, description=description.strip(),
                      created_by_id=creator.id if creator else None)
    session.add(network)
    session.flush()
    return network


def create_network_with_admins(session: Session, creator: User | None, *, name: str,
                               admin_emails: list[str], slug: str = "",
                               description: str = "") -> Network:
    """What a platform admin does to start a network (the admin page, `exchange networks
    create`, `POST /api/v1/admin/networks`): the network and its admins, or nothing — every
    problem named (`admins[i]` for an e-mail without an account)."""
    errors: list[FieldError] = []
    try:
        network: Network | None = create_network(session, creator, name=name, slug=slug,
                                                 description=description)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        network = None
    people = []
    for i, email in enumerate(admin_emails):
        user = accounts_service.get_user_by_email(session, email.strip())
        if user is None:
            errors.append(FieldError(f"admins[{i}]", "no account has this e-mail address; ask "
                                                     "the person to sign up first"))
        elif user not in people:
            people.append(user)
    if errors or network is None:
        raise ValidationFailed(errors)
    for user in people:
        assert network.id is not None and user.id is not None
        session.add(NetworkAdmin(network_id=network.id, user_id=user.id))
    session.flush()
    return network


def all_networks(session: Session) -> list[Network]:
    return list(session.exec(select(Network).order_by(col(Network.name))).all())


def get_network(session: Session, slug: str) -> Network | None:
    return session.exec(select(Network).where(Network.slug == slug)).first()


def is_admin(session: Session, user: User, network: Network) -> bool:
    return session.exec(select(NetworkAdmin.id).where(
        NetworkAdmin.network_id == network.id, NetworkAdmin.user_id == user.id)).first() is not None


def networks_administered_by(session: Session, user: User) -> list[Network]:
    return list(session.exec(
        select(Network).join(NetworkAdmin, col(NetworkAdmin.network_id) == Network.id)
        .where(NetworkAdmin.user_id == user.id).order_by(col(Network.name))
    ).all())


def admins_of(session: Session, network: Network) -> list[User]:
    return list(session.exec(
        select(User).join(NetworkAdmin, col(NetworkAdmin.user_id) == User.id)
        .where(NetworkAdmin.network_id == network.id).order_by(col(User.display_name))
    ).all())


def appoint_admin(session: Session, network: Network, email: str) -> User:
    user = accounts_service.get_user_by_email(session, email)
    if user is None:
        raise ValidationFailed.single("email", "no account has this e-mail address; ask the "
                                               "person to sign up first")
    if is_admin(session, user, network):
        raise ValidationFailed.single("email", "is already an admin of this network")
    assert network.id is not None and user.id is not None
    session.add(NetworkAdmin(network_id=network.id, user_id=user.id))
    session.flush()
    return user


def remove_admin(session: Session, network: Network, user_id: int) -> None:
    row = session.exec(select(NetworkAdmin).where(
        NetworkAdmin.network_id == network.id, NetworkAdmin.user_id == user_id)).first()
    if row is None:
        raise NotFound("No such admin.")
    session.delete(row)
    session.flush()


# -- members ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberView:
    member: NetworkMember
    business: Business


def member_by_external_id(session: Session, network: Network, external_id: str
                          ) -> MemberView | None:
    row = session.exec(
        select(NetworkMember, Business)
        .join(Business, col(Business.id) == NetworkMember.business_id)
        .where(NetworkMember.network_id == network.id, NetworkMember.external_id == external_id)
    ).first()
    return MemberView(*row) if row else None


@dataclass(frozen=True)
class MemberFilters:
    country: str | None = None
    isic: str | None = None
    managed: bool | None = None
    updated_since: datetime | None = None
    q: str | None = None


def list_members(session: Session, network: Network, *, after_id: int = 0, limit: int = 50,
                 filters: MemberFilters | None = None) -> list[MemberView]:
    """Members in a stable order (the membership's id), from after the cursor."""
    filters = filters or MemberFilters()
    statement = (
        select(NetworkMember, Business)
        .join(Business, col(Business.id) == NetworkMember.business_id)
        .where(NetworkMember.network_id == network.id, col(NetworkMember.id) > after_id)
    )
    if filters.country:
        statement = statement.where(Business.country == filters.country.upper())
    if filters.isic:
        statement = statement.where(Business.isic_class == filters.isic)
    if filters.managed is not None:
        statement = statement.where(NetworkMember.managed_by_network == filters.managed)
    if filters.updated_since is not None:
        statement = statement.where(col(Business.updated_at) >= filters.updated_since)
    if filters.q:
        statement = statement.where(func.lower(Business.name).contains(filters.q.lower()))
    rows = session.exec(statement.order_by(col(NetworkMember.id)).limit(limit)).all()
    return [MemberView(member, business) for member, business in rows]


def member_count(session: Session, network: Network) -> int:
    return int(session.exec(select(func.count()).select_from(NetworkMember).where(
        NetworkMember.network_id == network.id)).one())


def _touch(session: Session, business: Business) -> None:
    business.updated_at = utcnow()
    session.add(business)


def member_event(event_type: str, network: Network, view: MemberView,
                 **extra: Any) -> DomainEvent:
    return DomainEvent(
        type=event_type,
        data={"network": network.slug, "external_id": view.member.external_id,
              "business": view.business.slug, "name": view.business.name, **extra},
        business_ids=(view.business.id or 0,),
    )


def announce_owner_edits(session: Session, event: DomainEvent) -> None:
    """An owner or manager changed a member's profile or matrix (`business.updated`, from
    profiles): every network the business belongs to hears `member.updated`, under its own id
    (subscribed by `exchange.jobs.wire`). The network's own sync announces its changes itself
    and does not come through here."""
    if event.type != "business.updated":
        return
    rows = session.exec(
        select(NetworkMember, Network, Business)
        .join(Network, col(Network.id) == NetworkMember.network_id)
        .join(Business, col(Business.id) == NetworkMember.business_id)
        .where(col(NetworkMember.business_id).in_(list(event.business_ids)))
    ).all()
    for member, network, business in rows:
        emit(session, member_event("member.updated", network, MemberView(member, business),
                                   change="edited", fields=event.data.get("changed", [])))


def removed_source(network: Network) -> str:
    """The `business_external_refs` source under which a network's removed managed members
    are remembered, so that syncing the id again revives the same business (sync.py)."""
    return f"network-removed:{network.id}"


def remove_member(session: Session, network: Network, external_id: str) -> MemberView:
    """End the membership, never the business. A business the network managed (created by its
    sync, never claimed) has nobody else to keep it: it is archived — out of the directory,
    suggestions and rounds — and remembered under the network's id, so that syncing that id
    again revives the same business instead of creating a second one."""
    view = member_by_external_id(session, network, external_id)
    if view is None:
        raise NotFound("No member with this id in the network.")
    business = view.business
    session.delete(view.member)
    session.flush()
    if view.member.managed_by_network and not _has_owners(session, business) and not (
            session.exec(select(NetworkMember.id).where(
                NetworkMember.business_id == business.id)).first()):
        business.archived_at = business.archived_at or utcnow()
        assert business.id is not None
        session.add(ExternalRef(source=removed_source(network), external_id=external_id,
                                business_id=business.id))
        for invitation in session.exec(select(NetworkInvitation).where(
                NetworkInvitation.network_id == network.id,
                NetworkInvitation.business_id == business.id,
                col(NetworkInvitation.accepted_at).is_(None),
                col(NetworkInvitation.revoked_at).is_(None))):
            invitation.revoked_at = utcnow()  # nobody may claim an archived listing
            session.add(invitation)
    _touch(session, business)
    session.flush()
    emit(session, member_event("member.removed", network, view))
    return view


def _has_owners(session: Session, business: Business) -> bool:
    return session.exec(select(BusinessMembership.id).where(
        BusinessMembership.business_id == business.id)).first() is not None


def add_member(session: Session, network: Network, business: Business, external_id: str,
               *, managed: bool) -> NetworkMember:
    external_id = external_id.strip()
    if not external_id or len(external_id) > EXTERNAL_ID_MAX:
        raise ValidationFailed.single("external_id", f"must be 1 to {EXTERNAL_ID_MAX} characters")
    if member_by_external_id(session, network, external_id) is not None:
        raise ValidationFailed.single("external_id", "is already used by another member")
    if session.exec(select(NetworkMember.id).where(
            NetworkMember.network_id == network.id,
            NetworkMember.business_id == business.id)).first() is not None:
        raise ValidationFailed.single("business", "is already a member of this network")
    assert network.id is not None and business.id is not None
    member = NetworkMember(network_id=network.id, business_id=business.id,
                           external_id=external_id, managed_by_network=managed)
    session.add(member)
    _touch(session, business)
    session.flush()
    return member


# -- invitations --------------------------------------------------------------------------------


def _owners(session: Session, business: Business) -> list[User]:
    return list(session.exec(
        select(User).join(BusinessMembership, col(BusinessMembership.user_id) == User.id)
        .where(BusinessMembership.business_id == business.id,
               BusinessMembership.role == BusinessRole.owner)
    ).all())


def _new_invitation(session: Session, settings: Settings, network: Network, business: Business,
                    *, kind: InvitationKind, external_id: str, email: str,
                    invited_by: User | None) -> tuple[NetworkInvitation, str]:
    token = security.new_secret_token(INVITATION_TOKEN_PREFIX)
    assert network.id is not None and business.id is not None
    invitation = NetworkInvitation(
        network_id=network.id, business_id=business.id, kind=kind.value,
        external_id=external_id, email=email,
        token_hash=security.keyed_hash(settings.secret_key, token),
        invited_by_id=invited_by.id if invited_by else None,
        expires_at=utcnow() + INVITATION_TTL,
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def invitation_link(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/network-invitations/{token}"


def invite_business(session: Session, settings: Settings, network: Network, admin: User | None,
                    *, business_slug: str, external_id: str) -> NetworkInvitation:
    """Ask an existing business to join; every owner gets the consent link by e-mail."""
    business = session.exec(select(Business).where(
        Business.slug == business_slug.strip().lower())).first()
    errors = []
    if business is None:
        errors.append(FieldError("business", "no business has this address"))
    external_id = external_id.strip()
    if not external_id or len(external_id) > EXTERNAL_ID_MAX:
        errors.append(FieldError("external_id", f"must be 1 to {EXTERNAL_ID_MAX} characters"))
    elif member_by_external_id(session, network, external_id) is not None:
        errors.append(FieldError("external_id", "is already used by another member"))
    if business is not None and session.exec(select(NetworkMember.id).where(
            NetworkMember.network_id == network.id,
            NetworkMember.business_id == business.id)).first() is not None:
        errors.append(FieldError("business", "is already a member of this network"))
    if errors:
        raise ValidationFailed(errors)
    assert business is not None
    owners = _owners(session, business)
    if not owners:
        raise ValidationFailed.single("business", "has no owner who could consent")
    invitation, token = _new_invitation(
        session, settings, network, business, kind=InvitationKind.join, external_id=external_id,
        email=owners[0].email, invited_by=admin)
    for owner in owners:
        queue_email(
            session, to=owner.email, sensitive=True,
            subject=f"{network.name} invites {business.name} to join",
            body=(f"{network.name} would like {business.name} to join its partner network on "
                  "the Peer Internship Exchange. Members of a network can see each other's "
                  "network-only profiles and get matched within the network.\n\n"
                  f"To accept or decline, open (valid {INVITATION_TTL.days} days):\n"
                  f"{invitation_link(settings, token)}\n"),
        )
    return invitation


def invite_claim(session: Session, settings: Settings, network: Network, admin: User | None,
                 *, external_id: str, email: str) -> tuple[NetworkInvitation, str]:
    """Hand a network-managed business to a person: whoever opens the link with this e-mail
    becomes its owner and the network stops managing it. Returns the link's token too (the API
    shows it to the network once, for its own mailing)."""
    view = member_by_external_id(session, network, external_id)
    if view is None:
        raise NotFound("No member with this id in the network.")
    if not view.member.managed_by_network:
        raise Conflict("This member already has an owner; only network-managed members can be "
                       "claimed.")
    email = email.strip()
    if "@" not in email or len(email) > 254:
        raise ValidationFailed.single("email", "must be an e-mail address")
    invitation, token = _new_invitation(
        session, settings, network, view.business, kind=InvitationKind.claim,
        external_id=external_id, email=email, invited_by=admin)
    queue_email(
        session, to=email, sensitive=True,
        subject=f"Claim {view.business.name} on the Peer Internship Exchange",
        body=(f"{network.name} listed {view.business.name} on the Peer Internship Exchange. "
              "Open this link to become its owner and edit its profile yourself (valid "
              f"{INVITATION_TTL.days} days):\n{invitation_link(settings, token)}\n"),
    )
    return invitation, token


def pending_invitations(session: Session, network: Network) -> list[tuple[NetworkInvitation,
                                                                          Business]]:
    rows = session.exec(
        select(NetworkInvitation, Business)
        .join(Business, col(Business.id) == NetworkInvitation.business_id)
        .where(NetworkInvitation.network_id == network.id,
               col(NetworkInvitation.accepted_at).is_(None),
               col(NetworkInvitation.declined_at).is_(None),
               col(NetworkInvitation.revoked_at).is_(None),
               col(NetworkInvitation.expires_at) > utcnow())
        .order_by(col(NetworkInvitation.id).desc())
    ).all()
    return [(i, b) for i, b in rows]


@dataclass(frozen=True)
class OpenInvitation:
    invitation: NetworkInvitation
    network: Network
    business: Business


def open_invitation(session: Session, settings: Settings, token: str) -> OpenInvitation:
    invitation = session.exec(select(NetworkInvitation).where(
        NetworkInvitation.token_hash == security.keyed_hash(settings.secret_key, token))).first()
    if invitation is None:
        raise NotFound("This invitation link is not valid.")
    if (invitation.accepted_at or invitation.declined_at or invitation.revoked_at
            or invitation.expires_at <= utcnow()):
        raise InvitationGone("This invitation was already used, declined or has expired. Ask "
                             "the network for a new one.")
    network = session.get(Network, invitation.network_id)
    business = session.get(Business, invitation.business_id)
    assert network is not None and business is not None
    return OpenInvitation(invitation, network, business)


def may_answer(session: Session, user: User, opened: OpenInvitation) -> bool:
    """Join: an owner of the business consents. Claim: the invited e-mail address."""
    if opened.invitation.kind == InvitationKind.claim:
        return (accounts_service.normalize_email(user.email)
                == accounts_service.normalize_email(opened.invitation.email))
    return any(owner.id == user.id for owner in _owners(session, opened.business))


def accept_invitation(session: Session, settings: Settings, token: str, user: User
                      ) -> OpenInvitation:
    opened = open_invitation(session, settings, token)
    if not may_answer(session, user, opened):
        raise NotFound("This invitation is not addressed to you.")
    invitation, network, business = opened.invitation, opened.network, opened.business
    if invitation.kind == InvitationKind.join:
        add_member(session, network, business, invitation.external_id, managed=False)
    else:
        view = member_by_external_id(session, network, invitation.external_id)
        if view is None or view.business.id != business.id or not view.member.managed_by_network:
            raise InvitationGone("This business is no longer managed by the network.")
        assert business.id is not None and user.id is not None
        if session.exec(select(BusinessMembership).where(
                BusinessMembership.business_id == business.id,
                BusinessMembership.user_id == user.id)).first() is None:
            session.add(BusinessMembership(business_id=business.id, user_id=user.id,
                                           role=BusinessRole.owner))
        view.member.managed_by_network = False
        session.add(view.member)
        _touch(session, business)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    session.add(invitation)
    session.flush()
    view = member_by_external_id(session, network, invitation.external_id)
    assert view is not None
    emit(session, member_event("member.updated", network, view, change=f"{invitation.kind}ed"))
    return opened


def decline_invitation(session: Session, settings: Settings, token: str, user: User
                       ) -> OpenInvitation:
    opened = open_invitation(session, settings, token)
    if not may_answer(session, user, opened):
        raise NotFound("This invitation is not addressed to you.")
    opened.invitation.declined_at = utcnow()
    session.add(opened.invitation)
    session.flush()
    return opened
