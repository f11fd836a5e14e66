"""Internships and everything that hangs off one: objectives, the agreement and its acceptances,
host tasks, feedback, the implementation plan (versioned), follow-ups and the timeline.

The state column is written only through `internships.states` by the service, with an
optimistic `version` check, so two concurrent transitions never both win.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from exchange.db import utcnow
from exchange.internships.states import InternshipState

MAX_OBJECTIVES = 5
MIN_DAYS, MAX_DAYS = 1, 183  # one day to six months
FOLLOW_UP_DAYS = (30, 60, 90)


class Internship(SQLModel, table=True):
    __tablename__ = "internships"
    __table_args__ = (
        CheckConstraint("start_date <= end_date", name="dates_in_order"),
        CheckConstraint("home_business_id <> host_business_id", name="two_businesses"),
    )

    id: int | None = Field(default=None, primary_key=True)
    home_business_id: int = Field(foreign_key="businesses.id", index=True)
    host_business_id: int = Field(foreign_key="businesses.id", index=True)
    intern_id: int = Field(foreign_key="users.id", index=True)
    # Named by the host when it accepts; a proposal may arrive without one.
    mentor_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    proposed_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    state: str = Field(default=InternshipState.proposed.value, max_length=24, index=True)
    # Optimistic lock: every write of the state compares and bumps it.
    version: int = 1
    # Objectives, dates, schedule and terms form the agreement; editing them bumps this and
    # every party accepts again.
    agreement_version: int = 1
    title: str = Field(max_length=160)
    start_date: date
    end_date: date
    schedule_notes: str = Field(default="", max_length=2000)
    confidentiality_terms: str = Field(default="", max_length=4000)
    # Set when the internship came out of an exchange round (rounds issue).
    round_proposal_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    accepted_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    plan_approved_at: datetime | None = None
    closed_at: datetime | None = None


class FocusProcess(SQLModel, table=True):
    """A process the intern goes to learn, with the home business's level *at proposal time*:
    the "learning" level of the report compares that snapshot with the matrix now."""

    __tablename__ = "internship_focus_processes"

    internship_id: int = Field(foreign_key="internships.id", primary_key=True, ondelete="CASCADE")
    process_id: int = Field(foreign_key="processes.id", primary_key=True)
    home_level_at_proposal: int = 0
    host_level_at_proposal: int = 0


class Objective(SQLModel, table=True):
    __tablename__ = "internship_objectives"

    id: int | None = Field(default=None, primary_key=True)
    internship_id: int = Field(foreign_key="internships.id", index=True, ondelete="CASCADE")
    position: int = 0
    statement: str = Field(max_length=500)
    success_criterion: str = Field(max_length=500)


class AgreementParty(StrEnum):
    home_owner = "home_owner"
    host_owner = "host_owner"
    intern = "intern"


class AgreementAcceptance(SQLModel, table=True):
    """One party's yes to one version of the agreement."""

    __tablename__ = "internship_agreement_acceptances"
    __table_args__ = (
        UniqueConstraint("internship_id", "agreement_version", "party",
                         name="uq_internship_agreement_acceptances_version_party"),
    )

    id: int | None = Field(default=None, primary_key=True)
    internship_id: int = Field(foreign_key="internships.id", index=True, ondelete="CASCADE")
    agreement_version: int
    party: str = Field(max_length=16)  # AgreementParty
    user_id: int = Field(foreign_key="users.id")
    accepted_at: datetime = Field(default_factory=utcnow)


class AgreementVersion(SQLModel, table=True):
    """What each agreement version said (objectives, dates, schedule, terms), so that what was
    accepted stays readable after later edits."""

    __tablename__ = "internship_agreement_versions"
    __table_args__ = (
        UniqueConstraint("internship_id", "version",
                         name="uq_internship_agreement_versions_internship_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    internship_id: int = Field(foreign_key="internships.id", index=True, ondelete="CASCADE")
    version: int
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class TaskStatus(StrEnum):
    todo = "todo"
    in_progress = "in_progress"
    done = "done"


class HostTask(SQLModel, table=True):
    __tablename__ = "internship_tasks"

    id: int | None = Field(default=None, primary_key=True)
    internship_id: int = Field(foreign_key="internships.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=160)
    description: str = Field(default="", max_length=2000)
    due_date: date | None = None
    status: str = Field(default=TaskStatus.todo.value, max_length=16)
    intern_note: str = Field(default="", max_length=2000)
    mentor_comment: str = Field(default="", max_length=2000)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None


class FeedbackPhase(StrEnum):
    midway = "midway"
    final = "final"


class ObjectiveOutcome(StrEnum):
    achieved = "achieved"
    partly = "partly"
    not_achieved = "not_achieved"


class ObjectiveRating(SQLModel, table=True):
    """The host's rating of one objective, midway or at the end."""

    __tablename__ = "internship_objective_ratings"
    __table_args__ = (
        UniqueConstraint("objective_id", "phase", name="uq_internship_objective_ratings_phase"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    internship_id: int = Field(foreign_key="internships.id", index=True, ondelete="CASCADE")
    objective_id: int = Field(foreign_key="internship_objectives.id", ondelete="CASCADE")
    phase: str = Field(max_length=8)  # FeedbackPhase
    outcome: str = Field(max_length=16)  # ObjectiveOutcome
    score: int
    comment: str = Field(default="", max_length=2000)
    rated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class FeedbackKind(StrEnum):
    intern_reaction = "intern_reaction"  # the intern rates the experience (Kirkpatrick 1)
    home_partnership = "home_partnership"  # the home owner rates the partnership
    host_partnership = "host_partnership"  # the host owner rates the partnership


class Feedback(SQLModel, table=True):
    __tablename__ = "internship_feedback"
    __table_args__ = (
        UniqueConstraint("internship_id", "kind", "phase", name="uq_internship_feedback_kind"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    internship_id: int = Field(foreign_key="internships.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=24)  # FeedbackKind
    phase: str = Field(default=FeedbackPhase.final.value, max_length=8)
    rating: int
    comment: str = Field(default="", max_length=4000)
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class PlanStatus(StrEnum):
    submitted = "submitted"
    changes_requested = "changes_requested"
    approved = "approved"


class ImplementationPlan(SQLModel, table=True):
    """One submitted version of the intern's plan; a resubmission is a new row (version + 1)."""

    __tablename__ = "implementation_plans"
    __table_args__ = (
        UniqueConstraint("internship_id", "version", name="uq_implementation_plans_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    internship_id: int = Field(foreign_key="internships.id", index=True, ondelete="CASCADE")
    version: int
    status: str = Field(default=PlanStatus.submitted.value, max_length=24)
    current_state: str = Field(max_length=4000)
    target_state: str = Field(max_length=4000)
    risks: str = Field(default="", max_length=4000)
    submitted_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    submitted_at: datetime = Field(default_factory=utcnow)
    review_comment: str = Field(default="", max_length=4000)
    reviewed_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    reviewed_at: datetime | None = None


class PlanStep(SQLModel, table=True):
    __tablename__ = "implementation_plan_steps"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="implementation_plans.id", index=True, ondelete="CASCADE")
    position: int = 0
    action: str = Field(max_length=500)
    owner: str = Field(max_length=120)
    due_date: date
    resources: str = Field(default="", max_length=1000)


class PlanKpi(SQLModel, table=True):
    __tablename__ = "implementation_plan_kpis"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="implementation_plans.id", index=True, ondelete="CASCADE")
    position: int = 0
    name: str = Field(max_length=160)
    unit: str = Field(max_length=40)
    baseline: float
    target: float
    target_date: date


class FollowUp(SQLModel, table=True):
    """A 30/60/90-day check-in, created when the plan is approved. The two reminder columns are
    claimed with a conditional UPDATE, so a reminder is sent once even across restarts."""

    __tablename__ = "internship_follow_ups"
    __table_args__ = (
        UniqueConstraint("internship_id", "day", name="uq_internship_follow_ups_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    internship_id: int = Field(foreign_key="internships.id", index=True, ondelete="CASCADE")
    plan_id: int = Field(foreign_key="implementation_plans.id", ondelete="CASCADE")
    day: int  # 30, 60 or 90
    due_date: date = Field(index=True)
    notes: str = Field(default="", max_length=4000)
    recorded_at: datetime | None = None
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    due_reminder_sent_at: datetime | None = None
    overdue_reminder_sent_at: datetime | None = None


class StepStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"


class StepProgress(SQLModel, table=True):
    __tablename__ = "follow_up_step_progress"

    follow_up_id: int = Field(foreign_key="internship_follow_ups.id", primary_key=True,
                              ondelete="CASCADE")
    step_id: int = Field(foreign_key="implementation_plan_steps.id", primary_key=True,
                         ondelete="CASCADE")
    status: str = Field(default=StepStatus.not_started.value, max_length=16)
    done_on: date | None = None
    note: str = Field(default="", max_length=1000)


class KpiActual(SQLModel, table=True):
    __tablename__ = "follow_up_kpi_actuals"

    follow_up_id: int = Field(foreign_key="internship_follow_ups.id", primary_key=True,
                              ondelete="CASCADE")
    kpi_id: int = Field(foreign_key="implementation_plan_kpis.id", primary_key=True,
                        ondelete="CASCADE")
    actual: float


class InternshipEvent(SQLModel, table=True):
    """The timeline: every event with its actor and time."""

    __tablename__ = "internship_events"

    id: int | None = Field(default=None, primary_key=True)
    internship_id: int = Field(foreign_key="internships.id", index=True, ondelete="CASCADE")
    type: str = Field(max_length=48)
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    summary: str = Field(max_length=500)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
