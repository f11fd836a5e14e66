"""Browsing and searching the businesses visible to someone, with filters and paging."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from exchange.profiles.matrix import HOST_MIN_LEVEL
from exchange.profiles.models import Business, MatrixCell
from exchange.profiles.places import normalize_place
from exchange.profiles.visibility import visible_to
from exchange.taxonomy.models import Industry, Process

MAX_PAGE = 100


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    section: str = ""  # ISIC section letter, e.g. "M"
    country: str = ""
    region: str = ""
    offers: str = ""  # process key the business offers to teach (level ≥ host minimum)
    needs: str = ""  # process key the business wants to learn
    include_archived: bool = False


@dataclass(frozen=True)
class DirectoryPage:
    items: list[Business]
    total: int
    limit: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset > 0 else None


def _classes_in_section(section: str):  # type: ignore[no-untyped-def]
    group, division = aliased(Industry), aliased(Industry)
    return (
        select(Industry.code)
        .join(group, col(group.code) == Industry.parent_code)
        .join(division, col(division.code) == group.parent_code)
        .where(Industry.level == "class", division.parent_code == section.upper())
    )


def _has_cell(process_key: str, *, offers: bool):  # type: ignore[no-untyped-def]
    query = (
        select(MatrixCell.business_id)
        .join(Process, col(Process.id) == MatrixCell.process_id)
        .where(Process.key == process_key)
    )
    if offers:
        return query.where(col(MatrixCell.offer).is_(True), MatrixCell.level >= HOST_MIN_LEVEL)
    return query.where(MatrixCell.need > 0)


MAX_OFFSET = 1_000_000_000


def search(
    session: Session, user_id: int | None, filters: DirectoryFilters, *, limit: int = 20,
    offset: int = 0,
) -> DirectoryPage:
    limit = max(1, min(limit, MAX_PAGE))
    # Capped: the database cannot take an offset beyond 64 bits (SQLite raises on it).
    offset = min(max(0, offset), MAX_OFFSET)
    conditions = [visible_to(user_id)]
    if not filters.include_archived:
        conditions.append(col(Business.archived_at).is_(None))
    if filters.q.strip():
        like = f"%{filters.q.strip().lower()}%"
        conditions.append(or_(func.lower(Business.name).like(like),
                              func.lower(Business.description).like(like),
                              col(Business.city_normalized).like(f"%{normalize_place(filters.q)}%")))
    if filters.section:
        conditions.append(col(Business.isic_class).in_(_classes_in_section(filters.section)))
    if filters.country:
        conditions.append(Business.country == filters.country.upper())
    if filters.region:
        conditions.append(Business.region_normalized == normalize_place(filters.region))
    if filters.offers:
        conditions.append(col(Business.id).in_(_has_cell(filters.offers, offers=True)))
    if filters.needs:
        conditions.append(col(Business.id).in_(_has_cell(filters.needs, offers=False)))
    total = session.exec(select(func.count()).select_from(Business).where(*conditions)).one()
    items = session.exec(
        select(Business).where(*conditions)
        .order_by(func.lower(Business.name), col(Business.id))
        .limit(limit).offset(offset)
    ).all()
    return DirectoryPage(list(items), int(total), limit, offset)

