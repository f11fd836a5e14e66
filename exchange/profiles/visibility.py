"""The one rule for who may see a business profile. Every list, page and API read uses it.

- Members of a business always see it (archived or not).
- Anyone signed in sees public, non-archived businesses.
- "networks"-only, non-archived businesses are seen by members of any business that shares a
  partner network with them (`network_members`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlmodel import col

from exchange.networks.models import NetworkMember
from exchange.profiles.models import Business, BusinessMembership, Visibility


def visible_to(user_id: int | None) -> ColumnElement[bool]:
    """A WHERE clause on `Business` for what this user may see (nothing when anonymous)."""
    if user_id is None:
        return false()
    member_of = select(BusinessMembership.business_id).where(
        BusinessMembership.user_id == user_id
    )
    my_networks = select(NetworkMember.network_id).where(
        col(NetworkMember.business_id).in_(member_of))
    in_my_networks = select(NetworkMember.business_id).where(
        col(NetworkMember.network_id).in_(my_networks))
    return or_(
        col(Business.id).in_(member_of),
        and_(col(Business.archived_at).is_(None), or_(
            col(Business.visibility) == Visibility.public,
            and_(col(Business.visibility) == Visibility.networks,
                 col(Business.id).in_(in_my_networks)),
        )),
    )
