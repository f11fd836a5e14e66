"""Business lookup and role checks as chained dependencies:
`VisibleBusiness` → `BusinessMember` → `BusinessManager` → `BusinessOwner`.

A business the caller may not see answers 404; a visible one where the caller lacks the role
answers 403 (see the policy in exchange/errors.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session, select

from exchange.accounts.deps import CurrentUser
from exchange.accounts.models import BusinessRole, User
from exchange.deps import SessionDep
from exchange.errors import NotFound, PermissionDenied
from exchange.profiles.models import Business, BusinessMembership
from exchange.profiles.visibility import visible_to

ROLE_RANK = {BusinessRole.intern: 1, BusinessRole.manager: 2, BusinessRole.owner: 3}


def find_visible_business(session: Session, user: User | None, slug: str) -> Business:
    business = session.exec(
        select(Business).where(Business.slug == slug, visible_to(user.id if user else None))
    ).first()
    if business is None:
        raise NotFound("No business with that address is visible to you.")
    return business


def get_visible_business(slug: str, session: SessionDep, user: CurrentUser) -> Business:
    return find_visible_business(session, user, slug)


VisibleBusiness = Annotated[Business, Depends(get_visible_business)]


@dataclass(frozen=True)
class Membership:
    business: Business
    user: User
    role: BusinessRole


def membership_of(session: Session, user: User, business: Business) -> BusinessRole | None:
    row = session.exec(
        select(BusinessMembership).where(
            BusinessMembership.business_id == business.id,
            BusinessMembership.user_id == user.id,
        )
    ).first()
    return BusinessRole(row.role) if row else None


def _require(minimum: BusinessRole, action: str):  # type: ignore[no-untyped-def]
    def dependency(business: VisibleBusiness, user: CurrentUser, session: SessionDep) -> Membership:
        role = membership_of(session, user, business)
        if role is None or ROLE_RANK[role] < ROLE_RANK[minimum]:
            raise PermissionDenied(f"Only {action} of {business.name} can do this.")
        return Membership(business, user, role)

    return dependency


BusinessMember = Annotated[Membership, Depends(_require(BusinessRole.intern, "members"))]
BusinessManager = Annotated[
    Membership, Depends(_require(BusinessRole.manager, "owners and managers"))
]
BusinessOwner = Annotated[Membership, Depends(_require(BusinessRole.owner, "owners"))]
