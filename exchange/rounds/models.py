"""Exchange rounds in the product: a network's round, who takes part, and the proposals (one per
cleared cycle) with each member's answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from exchange.db import utcnow
from exchange.rounds.states import ProposalState, RoundState


class ExchangeRound(SQLModel, table=True):
    __tablename__ = "exchange_rounds"
    __table_args__ = (
        CheckConstraint("window_start <= window_end", name="window_in_order"),
        CheckConstraint("max_cycle_length IN (2, 3)", name="cycle_length"),
    )

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="networks.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    window_start: date
    window_end: date
    state: str = Field(default=RoundState.open.value, max_length=16)
    version: int = 1
    max_cycle_length: int = 3
    prefer: str = Field(default="more_firms", max_length=16)  # solver's tie preference
    # Days members have to answer a proposal before it expires.
    answer_days: int = 7
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    cleared_at: datetime | None = None
    clear_passes: int = 0
    # The last clearing's solver report: status, proven optimality, total weight, seconds.
    last_result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON,
                                                                              nullable=False))


class RoundParticipant(SQLModel, table=True):
    __tablename__ = "exchange_round_participants"
    __table_args__ = (
        UniqueConstraint("round_id", "business_id", name="uq_exchange_round_participants_round"),
        CheckConstraint("capacity >= 0 AND capacity <= 10", name="capacity_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="exchange_rounds.id", index=True, ondelete="CASCADE")
    business_id: int = Field(foreign_key="businesses.id", index=True, ondelete="CASCADE")
    # Invited by the admin; the member confirms (or not) with its interns and capacity.
    confirmed: bool = False
    # The interns the member would send, one per cycle it joins (user ids, in order).
    intern_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # How many cycles the firm may join: it sends one intern and hosts one in each.
    capacity: int = 1
    confirmed_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    confirmed_at: datetime | None = None


class RoundProposal(SQLModel, table=True):
    """One chosen cycle. ``business_ids`` in cycle order: each firm's intern goes to the next
    firm (the last one's to the first)."""

    __tablename__ = "exchange_round_proposals"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="exchange_rounds.id", index=True, ondelete="CASCADE")
    clear_pass: int = 1
    business_ids: list[int] = Field(sa_column=Column(JSON, nullable=False))
    total_weight: float = 0.0
    state: str = Field(default=ProposalState.pending.value, max_length=16, index=True)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    decided_at: datetime | None = None


class ProposalParty(SQLModel, table=True):
    """One member of a proposed cycle: whom it learns from, what, and its answer."""

    __tablename__ = "exchange_round_proposal_parties"
    __table_args__ = (
        UniqueConstraint("proposal_id", "business_id", name="uq_exchange_round_proposal_parties"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="exchange_round_proposals.id", index=True,
                             ondelete="CASCADE")
    business_id: int = Field(foreign_key="businesses.id", index=True)
    position: int = 0
    # The firm that hosts this firm's intern, and the value this firm learns there.
    host_business_id: int = Field(foreign_key="businesses.id")
    learn_value: float = 0.0
    # The processes behind the value: [{process, process_name, host_level, own_level, need,
    # value, share}], best first — the explanation members read and the focus of the internship.
    explanation: list[dict[str, Any]] = Field(default_factory=list,
                                              sa_column=Column(JSON, nullable=False))
    intern_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    decision: str | None = Field(default=None, max_length=16)  # accept / decline
    decided_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    decided_at: datetime | None = None
    internship_id: int | None = Field(default=None, foreign_key="internships.id",
                                      ondelete="SET NULL")
