"""Partner networks: who runs them, which businesses belong (under the network's own ids), their
API keys, consent invitations, and webhook endpoints with their delivery outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from exchange.db import utcnow


class Scope(StrEnum):
    """What an API key may do; each route names the one it needs."""

    members_read = "members:read"
    members_write = "members:write"
    matches_read = "matches:read"
    internships_read = "internships:read"
    rounds_write = "rounds:write"
    reports_read = "reports:read"
    webhooks_manage = "webhooks:manage"


class Network(SQLModel, table=True):
    __tablename__ = "networks"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class NetworkAdmin(SQLModel, table=True):
    __tablename__ = "network_admins"
    __table_args__ = (
        UniqueConstraint("network_id", "user_id", name="uq_network_admins_network_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="networks.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)


class NetworkMember(SQLModel, table=True):
    """A business in a network under the network's own id. Deleting this row (removing the
    member) never deletes the business."""

    __tablename__ = "network_members"
    __table_args__ = (
        UniqueConstraint("network_id", "external_id", name="uq_network_members_network_external"),
        UniqueConstraint("network_id", "business_id", name="uq_network_members_network_business"),
    )

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="networks.id", index=True, ondelete="CASCADE")
    business_id: int = Field(foreign_key="businesses.id", index=True, ondelete="CASCADE")
    external_id: str = Field(max_length=128)
    # Created by this network's sync and not yet claimed by an owner: the network may edit the
    # profile through the API. Businesses with owners are only ever edited by their owners.
    managed_by_network: bool = False
    joined_at: datetime = Field(default_factory=utcnow)


class InvitationKind(StrEnum):
    join = "join"  # an existing business is asked to join; its owner consents
    claim = "claim"  # a network-managed business is handed to a person who becomes its owner


class NetworkInvitation(SQLModel, table=True):
    """A single-use expiring link: the business owner consents to join, or a person claims a
    network-managed business."""

    __tablename__ = "network_invitations"

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="networks.id", index=True, ondelete="CASCADE")
    business_id: int = Field(foreign_key="businesses.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=8)
    external_id: str = Field(max_length=128)
    email: str = Field(max_length=254)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    accepted_at: datetime | None = None
    accepted_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    declined_at: datetime | None = None
    revoked_at: datetime | None = None


class NetworkApiKey(SQLModel, table=True):
    """Shown once, stored as a keyed hash (like personal tokens), scoped, revocable."""

    __tablename__ = "network_api_keys"

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="networks.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    display_prefix: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class WebhookEndpoint(SQLModel, table=True):
    """Where a network wants events. The signing secret is never stored: it is derived from the
    server key and `secret_salt`, so a copy of the database alone cannot forge a signature."""

    __tablename__ = "webhook_endpoints"

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="networks.id", index=True, ondelete="CASCADE")
    url: str = Field(max_length=500)
    description: str = Field(default="", max_length=200)
    event_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret_salt: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    disabled_at: datetime | None = None
    disabled_reason: str | None = Field(default=None, max_length=300)
    consecutive_failures: int = 0
    # The outage policy (webhooks.py): when the current run of failures began, and when its
    # outage clock started (after several failures within a day); a success clears both.
    first_failure_at: datetime | None = None
    failing_since: datetime | None = None


class DeliveryStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"  # gave up after the retry schedule


class WebhookDelivery(SQLModel, table=True):
    """The durable outbox: one row per (event, endpoint), written in the transaction of the
    change that caused the event."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoints.id", index=True, ondelete="CASCADE")
    event_id: str = Field(max_length=40)
    event_type: str = Field(max_length=60)
    # The exact bytes that are signed and sent, so every retry sends the same body.
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default=DeliveryStatus.pending.value, max_length=12)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    # A worker's lease: while it is in the future no other worker takes the row.
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_attempt_at: datetime | None = None
    succeeded_at: datetime | None = None


class WebhookAttempt(SQLModel, table=True):
    __tablename__ = "webhook_attempts"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_deliveries.id", index=True, ondelete="CASCADE")
    attempted_at: datetime = Field(default_factory=utcnow)
    response_status: int | None = None
    latency_ms: int = 0
    error: str | None = Field(default=None, max_length=500)
    succeeded: bool = False
