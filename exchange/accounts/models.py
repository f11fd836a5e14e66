"""Users, their browser sessions, personal API tokens, password resets and log-in throttling."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr, field_validator
from sqlmodel import Field, SQLModel

from exchange.db import utcnow
from exchange.fields import Count, Line


class BusinessRole(StrEnum):
    """A person's role inside one business (the membership table lives with the profiles)."""

    owner = "owner"
    manager = "manager"
    intern = "intern"


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=254)
    # Line refuses control and bidi-override characters (exchange/fields.py); the validator
    # below keeps the page's wording for a blank name.
    display_name: Line = Field(max_length=120)

    @field_validator("display_name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be blank")
        return value


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    # Lower-cased copy: e-mail is unique regardless of case, on SQLite and PostgreSQL alike.
    email_normalized: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    is_platform_admin: bool = Field(default=False)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class UserCreate(UserBase):
    password: str = Field(min_length=1, max_length=256)


class UserPublic(SQLModel):
    id: int
    email: str
    display_name: str
    is_platform_admin: bool
    created_at: datetime


class UserSession(SQLModel, table=True):
    """A browser session; the cookie holds the token, the table only its keyed hash."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_seen_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """A personal API token: shown once, stored as a keyed hash, revocable."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    # The first characters of the token, so a person can tell their tokens apart.
    display_prefix: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiTokenCreate(SQLModel):
    name: Line = Field(min_length=1, max_length=100)
    expires_in_days: Count | None = Field(default=None, ge=1, le=3650)


class ApiTokenPublic(SQLModel):
    id: int
    name: str
    display_prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    token: str = Field(description="The token itself. It is shown only this once.")


class PasswordResetToken(SQLModel, table=True):
    __tablename__ = "password_reset_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class LoginFailure(SQLModel, table=True):
    """One failed log-in, counted per account and per client address inside a window."""

    __tablename__ = "login_failures"

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=16)  # "account" or "address"
    # Keyed hash of the e-mail or address: throttling needs equality, not the value.
    key_hash: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
