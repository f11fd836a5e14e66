"""Input and output shapes of an internship's progress: host tasks, feedback, the implementation
plan and its follow-ups. Shared by the API and the pages (pages build them from form fields)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from exchange.fields import Count, Day, Flag, Id, Line, Number, Prose, Version
from exchange.internships.models import (
    FeedbackPhase,
    ObjectiveOutcome,
    StepStatus,
    TaskStatus,
)

MAX_PLAN_STEPS = 20
MAX_PLAN_KPIS = 10
MAX_TASKS_PER_INTERNSHIP = 100
MAX_MAGNITUDE = 1e12  # KPI values: money, counts, percentages — never astronomically large


# -- tasks --------------------------------------------------------------------------------------


class TaskIn(SQLModel):
    title: Line = Field(min_length=3, max_length=160)
    description: Prose = Field(default="", max_length=2000)
    due_date: Day | None = None


class TaskUpdate(SQLModel):
    """What the host may change on a task: any field left out stays as it is."""

    title: Line | None = Field(default=None, min_length=3, max_length=160)
    description: Prose | None = Field(default=None, max_length=2000)
    due_date: Day | None = None
    clear_due_date: Flag = False
    mentor_comment: Prose | None = Field(default=None, max_length=2000)


class TaskProgressIn(SQLModel):
    status: TaskStatus
    note: Prose = Field(default="", max_length=2000)


class TaskPublic(SQLModel):
    id: int
    title: str
    description: str
    due_date: date | None
    status: TaskStatus
    overdue: bool
    intern_note: str
    mentor_comment: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


# -- feedback -----------------------------------------------------------------------------------


class ObjectiveRatingIn(SQLModel):
    objective_id: Id
    outcome: ObjectiveOutcome
    score: Count = Field(ge=1, le=5, description="1 (poor) … 5 (excellent).")
    comment: Prose = Field(default="", max_length=2000)


class ObjectiveRatingsIn(SQLModel):
    """The host's ratings of every objective for one phase, submitted together."""

    phase: FeedbackPhase
    ratings: list[ObjectiveRatingIn] = Field(min_length=1, max_length=5)


class RatingIn(SQLModel):
    """The intern's reaction or an owner's rating of the partnership."""

    rating: Count = Field(ge=1, le=5, description="1 (poor) … 5 (excellent).")
    comment: Prose = Field(default="", max_length=4000)


class ObjectiveRatingPublic(SQLModel):
    objective_id: int
    phase: FeedbackPhase
    outcome: ObjectiveOutcome
    score: int
    comment: str
    created_at: datetime


class FeedbackPublic(SQLModel):
    kind: str
    phase: FeedbackPhase
    rating: int
    comment: str
    created_at: datetime


class HiddenFeedback(SQLModel):
    kind: str
    reason: str


class FeedbackView(SQLModel):
    """What this caller may see of the internship's feedback (rules in feedback.py)."""

    objective_ratings: list[ObjectiveRatingPublic]
    feedback: list[FeedbackPublic]
    hidden: list[HiddenFeedback] = Field(
        description="Feedback that exists but is not (yet) visible to you, and why.")


# -- the implementation plan ---------------------------------------------------------------------


class PlanStepIn(SQLModel):
    action: Line = Field(min_length=3, max_length=500)
    owner: Line = Field(min_length=2, max_length=120, description="Who does it (a name or role).")
    due_date: Day
    resources: Prose = Field(default="", max_length=1000)


class PlanKpiIn(SQLModel):
    name: Line = Field(min_length=2, max_length=160)
    unit: Line = Field(min_length=1, max_length=40)
    baseline: Number = Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)
    target: Number = Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)
    target_date: Day


class PlanIn(SQLModel):
    current_state: Prose = Field(min_length=10, max_length=4000,
                               description="How the process works at home today.")
    target_state: Prose = Field(min_length=10, max_length=4000,
                              description="How it will work once the plan is done.")
    steps: list[PlanStepIn] = Field(min_length=1, max_length=MAX_PLAN_STEPS)
    kpis: list[PlanKpiIn] = Field(min_length=1, max_length=MAX_PLAN_KPIS)
    risks: Prose = Field(default="", max_length=4000)
    expected_version: Version | None = Field(
        default=None, description="The internship `version` you saw; a different one is a 409.")


class ReviewIn(SQLModel):
    comment: Prose = Field(default="", max_length=4000,
                         description="Required when requesting changes.")
    expected_version: Version | None = None


class PlanStepPublic(SQLModel):
    id: int
    action: str
    owner: str
    due_date: date
    resources: str


class PlanKpiPublic(SQLModel):
    id: int
    name: str
    unit: str
    baseline: float
    target: float
    target_date: date


class PlanPublic(SQLModel):
    version: int
    status: str
    current_state: str
    target_state: str
    risks: str
    steps: list[PlanStepPublic]
    kpis: list[PlanKpiPublic]
    submitted_at: datetime
    review_comment: str
    reviewed_at: datetime | None


class PlanChangePublic(SQLModel):
    field: str
    change: str  # added / removed / changed
    before: str | None
    after: str | None


class PlanDiffPublic(SQLModel):
    from_version: int
    to_version: int
    changes: list[PlanChangePublic]


# -- follow-ups -----------------------------------------------------------------------------------


class StepProgressIn(SQLModel):
    step_id: Id
    status: StepStatus
    done_on: Day | None = Field(default=None, description="When a done step was finished.")
    note: Prose = Field(default="", max_length=1000)


class KpiActualIn(SQLModel):
    kpi_id: Id
    actual: Number = Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)


class FollowUpIn(SQLModel):
    steps: list[StepProgressIn] = Field(max_length=MAX_PLAN_STEPS)
    kpis: list[KpiActualIn] = Field(max_length=MAX_PLAN_KPIS)
    notes: Prose = Field(default="", max_length=4000)
    expected_version: Version | None = None


class StepProgressPublic(SQLModel):
    step_id: Id
    status: StepStatus
    done_on: date | None
    note: str


class KpiActualPublic(SQLModel):
    kpi_id: int
    actual: float


class FollowUpPublic(SQLModel):
    day: int
    due_date: date
    status: str  # upcoming / due / overdue / recorded
    notes: str
    recorded_at: datetime | None
    steps: list[StepProgressPublic]
    kpis: list[KpiActualPublic]
