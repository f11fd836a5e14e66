"""Reference data: the ISIC Rev. 4 industry tree and our process taxonomy (departments and
processes). Processes are retired, never deleted, so old matrices stay readable."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from exchange.db import utcnow


class IndustryLevel(StrEnum):
    section = "section"
    division = "division"
    group = "group"
    class_ = "class"


class Industry(SQLModel, table=True):
    """One node of ISIC Rev. 4: section "M", division "74", group "741", class "7410"."""

    __tablename__ = "industries"

    code: str = Field(primary_key=True, max_length=4)
    level: str = Field(max_length=8, index=True)
    title: str = Field(max_length=255)
    parent_code: str | None = Field(default=None, foreign_key="industries.code", max_length=4)


class IndustryPublic(SQLModel):
    code: str
    level: str
    title: str
    parent_code: str | None
    section: str | None = None


class Department(SQLModel, table=True):
    __tablename__ = "departments"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=300)
    position: int = 0


class Process(SQLModel, table=True):
    __tablename__ = "processes"
    __table_args__ = (CheckConstraint("complexity BETWEEN 1 AND 3", name="complexity_range"),)

    id: int | None = Field(default=None, primary_key=True)
    # Stable `department.process` key, e.g. "marketing.content_marketing"; never reused.
    key: str = Field(max_length=100, unique=True)
    department_id: int = Field(foreign_key="departments.id", index=True)
    name: str = Field(max_length=100)
    description: str = Field(max_length=300)
    complexity: int = Field(ge=1, le=3)
    position: int = 0
    # Bumped on every edit so that exports and caches can tell which wording they saw.
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    retired_at: datetime | None = None
