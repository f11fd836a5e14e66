"""The one rule for who may see a business profile. Every list, page and API read uses it.

- Members of a business always see it (archived or not).
- Anyone signed in sees public, non-archived businesses.
- "networks"-only businesses are seen by people whose business shares a partner network with
  them (the networks issue adds that branch here; until then only their members see them).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlmodel import col

from exchange.profiles.models import Business, BusinessMembership, Visibility


def visible_to(user_id: int | None) -> ColumnElement[bool]:
    """A WHERE clause on `Business` for what this user may see (nothing when anonymous)."""
    if user_id is None:
        return false()
    member_of = select(BusinessMembership.business_id).where(
        BusinessMembership.user_id == user_id
    )
    return or_(
        col(Business.id).in_(member_of),
        and_(col(Business.archived_at).is_(None), col(Business.visibility) == Visibility.public),
    )
