"""Businesses, who belongs to them, whom they exclude, and their strength/weakness matrix."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from exchange.db import utcnow
from exchange.fields import Count, Flag, Line, Prose


class MarketReach(StrEnum):
    local = "local"
    regional = "regional"
    national = "national"
    international = "international"


class SizeBand(StrEnum):
    micro = "1-9"
    small = "10-49"
    medium = "50-249"
    large = "250+"


class Visibility(StrEnum):
    public = "public"
    networks = "networks"


class Business(SQLModel, table=True):
    __tablename__ = "businesses"
    __table_args__ = (
        CheckConstraint("hosting_capacity >= 0 AND hosting_capacity <= 50",
                        name="hosting_capacity_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    website: str | None = Field(default=None, max_length=255)
    isic_class: str = Field(foreign_key="industries.code", max_length=4, index=True)
    country: str = Field(max_length=2, index=True)
    region: str = Field(default="", max_length=100)
    # Normalised copies (case-folded, accents and extra spaces removed) for comparisons:
    # "Pune", " pune " and "PUNE" are the same market.
    region_normalized: str = Field(default="", max_length=100)
    city: str = Field(max_length=100)
    city_normalized: str = Field(max_length=100, index=True)
    market_reach: str = Field(max_length=16)
    size_band: str = Field(max_length=8)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    hosting_capacity: int = 1
    visibility: str = Field(default=Visibility.public.value, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    archived_at: datetime | None = None


class ExternalRef(SQLModel, table=True):
    """A business's id in an outside system (an import file, a partner network's CRM), so that
    re-importing the same file updates instead of duplicating."""

    __tablename__ = "business_external_refs"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_business_external_refs_source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    external_id: str = Field(max_length=128)
    business_id: int = Field(foreign_key="businesses.id", index=True, ondelete="CASCADE")


class BusinessMembership(SQLModel, table=True):
    __tablename__ = "business_memberships"
    __table_args__ = (
        UniqueConstraint("business_id", "user_id", name="uq_business_memberships_business_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="businesses.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=16)  # BusinessRole
    created_at: datetime = Field(default_factory=utcnow)


class BusinessExclusion(SQLModel, table=True):
    """A business this one never wants to be matched with (the other side is never told)."""

    __tablename__ = "business_exclusions"

    business_id: int = Field(foreign_key="businesses.id", primary_key=True, ondelete="CASCADE")
    excluded_business_id: int = Field(
        foreign_key="businesses.id", primary_key=True, ondelete="CASCADE"
    )
    created_at: datetime = Field(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """A single-use, expiring link inviting someone by e-mail to join a business in a role."""

    __tablename__ = "invitations"

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="businesses.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=254)
    email_normalized: str = Field(max_length=254, index=True)
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    accepted_at: datetime | None = None
    accepted_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    revoked_at: datetime | None = None


class MatrixCell(SQLModel, table=True):
    """One (business, process) cell: level 0–5, offer, need 0–3, optional target and evidence."""

    __tablename__ = "matrix_cells"
    __table_args__ = (
        CheckConstraint("level BETWEEN 0 AND 5", name="level_range"),
        CheckConstraint("need BETWEEN 0 AND 3", name="need_range"),
        CheckConstraint(
            "target_level IS NULL OR (target_level > level AND target_level <= 5)",
            name="target_above_level",
        ),
    )

    business_id: int = Field(foreign_key="businesses.id", primary_key=True, ondelete="CASCADE")
    process_id: int = Field(foreign_key="processes.id", primary_key=True, index=True)
    level: int = 0
    offer: bool = False
    need: int = 0
    target_level: int | None = None
    evidence: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(default_factory=utcnow)


# -- schemas ---------------------------------------------------------------------------------

# Language codes and the like: short, one line (the service checks them against their lists).
Code = Annotated[Line, Field(min_length=1, max_length=16)]


class BusinessFields(SQLModel):
    """What an owner edits. Validation of codes (country, languages, ISIC) that needs lists or
    the database happens in the service, which reports every problem with its field name."""

    name: Line = Field(min_length=2, max_length=120)
    description: Prose = Field(default="", max_length=2000)
    website: Line | None = Field(default=None, max_length=255)
    isic_class: Line = Field(min_length=4, max_length=4,
                             description="ISIC Rev. 4 class, e.g. 7410")
    country: Line = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. IN")
    region: Line = Field(default="", max_length=100)
    city: Line = Field(min_length=1, max_length=100)
    market_reach: MarketReach
    size_band: SizeBand
    languages: list[Code] = Field(default_factory=list, max_length=20,
                                  description="ISO 639-1 codes, e.g. [\"en\", \"hi\"]")
    hosting_capacity: Count = Field(default=1, ge=0, le=50)
    visibility: Visibility = Visibility.public


class BusinessCreate(BusinessFields):
    pass


class BusinessUpdate(SQLModel):
    name: Line | None = Field(default=None, min_length=2, max_length=120)
    description: Prose | None = Field(default=None, max_length=2000)
    website: Line | None = Field(default=None, max_length=255)
    isic_class: Line | None = Field(default=None, min_length=4, max_length=4)
    country: Line | None = Field(default=None, min_length=2, max_length=2)
    region: Line | None = Field(default=None, max_length=100)
    city: Line | None = Field(default=None, min_length=1, max_length=100)
    market_reach: MarketReach | None = None
    size_band: SizeBand | None = None
    languages: list[Code] | None = Field(default=None, max_length=20)
    hosting_capacity: Count | None = Field(default=None, ge=0, le=50)
    visibility: Visibility | None = None


class BusinessPublic(SQLModel):
    slug: str
    name: str
    description: str
    website: str | None
    isic_class: str
    country: str
    region: str
    city: str
    market_reach: MarketReach
    size_band: SizeBand
    languages: list[str]
    hosting_capacity: int
    visibility: Visibility
    archived: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, business: Business) -> BusinessPublic:
        data = business.model_dump()
        data["archived"] = business.archived_at is not None
        return cls.model_validate(data)


class CellIn(SQLModel):
    """A matrix cell as sent by clients; `process` is the stable `department.process` key."""

    process: Line = Field(max_length=100)
    level: Count = Field(ge=0, le=5)
    offer: Flag = False
    need: Count = Field(default=0, ge=0, le=3)
    target_level: Count | None = Field(default=None, ge=1, le=5)
    evidence: Prose | None = Field(default=None, max_length=500)


class CellPublic(SQLModel):
    """A cell as stored (plain types: what is read back is never re-judged by the input rules)."""

    process: str
    level: int
    offer: bool
    need: int
    target_level: int | None
    evidence: str | None
    department: str
    process_name: str
    retired: bool = False
