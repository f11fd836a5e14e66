"""The intern's implementation plan: submitted after the internship, reviewed by the home owners.

Each submission is a new :class:`ImplementationPlan` row (version 1, 2, …) with its steps and
KPIs; older versions stay readable and consecutive versions are shown as a field-by-field diff
(long texts line by line, with difflib). State changes go through ``service.move``:
``submit_plan`` (intern), ``request_changes`` (home owner, with a comment) and ``approve_plan``
(home owner), which also creates the three follow-ups due 30, 60 and 90 days after approval.

Rules: every step is due and every KPI targeted no earlier than the day of submission; a KPI's
target differs from its baseline (progress is measured between the two).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from exchange.accounts.models import User
from exchange.db import utcnow
from exchange.errors import FieldError, NotFound, ValidationFailed
from exchange.internships import service
from exchange.internships.models import (
    FOLLOW_UP_DAYS,
    FollowUp,
    ImplementationPlan,
    Internship,
    PlanKpi,
    PlanStatus,
    PlanStep,
)
from exchange.internships.progress_schemas import PlanIn, ReviewIn
from exchange.internships.states import Action, InternshipState, Role

S = InternshipState
# Who reads the plan: the intern who wrote it and the home business that decides on it. The
# host taught the practice; how the home business implements it is the home business's own.
PLAN_READERS = frozenset({Role.intern, Role.home_owner})


@dataclass(frozen=True)
class PlanVersion:
    plan: ImplementationPlan
    steps: list[PlanStep]
    kpis: list[PlanKpi]


def versions_of(session: Session, internship: Internship) -> list[ImplementationPlan]:
    return list(session.exec(
        select(ImplementationPlan).where(ImplementationPlan.internship_id == internship.id)
        .order_by(col(ImplementationPlan.version))
    ).all())


def latest(session: Session, internship: Internship) -> ImplementationPlan | None:
    return session.exec(
        select(ImplementationPlan).where(ImplementationPlan.internship_id == internship.id)
        .order_by(col(ImplementationPlan.version).desc())
    ).first()


def approved(session: Session, internship: Internship) -> ImplementationPlan | None:
    return session.exec(
        select(ImplementationPlan).where(ImplementationPlan.internship_id == internship.id,
                                         ImplementationPlan.status == PlanStatus.approved.value)
        .order_by(col(ImplementationPlan.version).desc())
    ).first()


def version_of(session: Session, internship: Internship, version: int) -> PlanVersion:
    plan = session.exec(
        select(ImplementationPlan).where(ImplementationPlan.internship_id == internship.id,
                                         ImplementationPlan.version == version)
    ).first()
    if plan is None:
        raise NotFound(f"This internship has no plan version {version}.")
    return load(session, plan)


def load(session: Session, plan: ImplementationPlan) -> PlanVersion:
    steps = session.exec(select(PlanStep).where(PlanStep.plan_id == plan.id)
                         .order_by(col(PlanStep.position), col(PlanStep.id))).all()
    kpis = session.exec(select(PlanKpi).where(PlanKpi.plan_id == plan.id)
                        .order_by(col(PlanKpi.position), col(PlanKpi.id))).all()
    return PlanVersion(plan, list(steps), list(kpis))


def _check(data: PlanIn, today: date) -> None:
    errors: list[FieldError] = []
    for index, step in enumerate(data.steps):
        if step.due_date < today:
            errors.append(FieldError(f"steps[{index}].due_date", "The due date is in the past."))
    for index, kpi in enumerate(data.kpis):
        if kpi.target_date < today:
            errors.append(FieldError(f"kpis[{index}].target_date",
                                     "The target date is in the past."))
        if kpi.target == kpi.baseline:
            errors.append(FieldError(f"kpis[{index}].target",
                                     "The target must differ from the baseline."))
    if errors:
        raise ValidationFailed(errors)


def submit(session: Session, internship: Internship, actor: User, data: PlanIn, *,
           today: date | None = None) -> ImplementationPlan:
    """A new plan version from the intern; the internship moves to plan_submitted."""
    _check(data, today or date.today())
    next_version = int(session.exec(
        select(func.coalesce(func.max(ImplementationPlan.version), 0))
        .where(ImplementationPlan.internship_id == internship.id)).one()) + 1
    # move() locks the row and checks role and state first; the unique (internship, version)
    # constraint backs it up should two submissions race.
    internship = service.move(
        session, internship, actor, Action.submit_plan, expected_version=data.expected_version,
        event="internship.plan_submitted",
        summary=f"{actor.display_name} submitted version {next_version} of the implementation "
                f"plan.", data={"plan_version": next_version})
    plan = ImplementationPlan(internship_id=internship.id or 0, version=next_version,
                              current_state=data.current_state, target_state=data.target_state,
                              risks=data.risks, submitted_by_id=actor.id)
    session.add(plan)
    session.flush()
    for position, step in enumerate(data.steps):
        session.add(PlanStep(plan_id=plan.id or 0, position=position, action=step.action,
                             owner=step.owner, due_date=step.due_date, resources=step.resources))
    for position, kpi in enumerate(data.kpis):
        session.add(PlanKpi(plan_id=plan.id or 0, position=position, name=kpi.name,
                            unit=kpi.unit, baseline=kpi.baseline, target=kpi.target,
                            target_date=kpi.target_date))
    session.flush()
    return plan


def _review(session: Session, internship: Internship, actor: User, status: PlanStatus,
            comment: str) -> ImplementationPlan:
    plan = latest(session, internship)
    assert plan is not None  # plan_submitted implies a submitted version
    plan.status = status.value
    plan.review_comment = comment
    plan.reviewed_by_id = actor.id
    plan.reviewed_at = utcnow()
    session.add(plan)
    session.flush()
    return plan


def request_changes(session: Session, internship: Internship, actor: User,
                    data: ReviewIn) -> ImplementationPlan:
    if not data.comment:
        raise ValidationFailed.single("comment", "Say what should change in the plan.")
    internship = service.move(
        session, internship, actor, Action.request_changes,
        expected_version=data.expected_version, event="internship.plan_changes_requested",
        summary=f"{actor.display_name} asked for changes to the plan: “{data.comment[:300]}”",
        data={"comment": data.comment})
    return _review(session, internship, actor, PlanStatus.changes_requested, data.comment)


def approve(session: Session, internship: Internship, actor: User, data: ReviewIn, *,
            today: date | None = None) -> ImplementationPlan:
    """Approves the latest version and schedules the follow-ups 30, 60 and 90 days on."""
    day_of_approval = today or date.today()
    words = f" — “{data.comment[:300]}”" if data.comment else ""
    internship = service.move(
        session, internship, actor, Action.approve_plan, expected_version=data.expected_version,
        event="internship.plan_approved",
        summary=f"{actor.display_name} approved the implementation plan{words}. Follow-ups are "
                f"due on day {', '.join(str(d) for d in FOLLOW_UP_DAYS)}.",
        data={"comment": data.comment} if data.comment else None)
    plan = _review(session, internship, actor, PlanStatus.approved, data.comment)
    for day in FOLLOW_UP_DAYS:
        session.add(FollowUp(internship_id=internship.id or 0, plan_id=plan.id or 0, day=day,
                             due_date=day_of_approval + timedelta(days=day)))
    session.flush()
    return plan


# -- the diff between versions ---------------------------------------------------------------


def versions_to_compare(session: Session, internship: Internship, from_version: int | None,
                        to_version: int | None) -> tuple[PlanVersion, PlanVersion]:
    """The two versions to compare; the newest and the one before when not given."""
    versions = [p.version for p in versions_of(session, internship)]
    if len(versions) < 2 and (from_version is None or to_version is None):
        raise ValidationFailed.single("from_version",
                                      "There is only one version of the plan so far.")
    new = to_version if to_version is not None else versions[-1]
    old = from_version if from_version is not None else new - 1
    if old >= new:
        raise ValidationFailed.single("from_version",
                                      "Compare an earlier version with a later one.")
    return version_of(session, internship, old), version_of(session, internship, new)


@dataclass(frozen=True)
class Change:
    field: str  # e.g. "target_state", "steps[2].due_date", "kpis[1]"
    label: str  # for people: "Step 3 — due date"
    change: str  # added / removed / changed
    before: str | None
    after: str | None

    @property
    def lines(self) -> list[tuple[str, str]]:
        """Line-by-line difference of a changed long text (" ", "-", "+"), for display;
        short fields (a step's owner, a KPI's target) read better as before → after."""
        if self.before is None or self.after is None or self.field not in _TEXT_NAMES:
            return []
        return [(line[0], line[2:]) for line in difflib.ndiff(
            self.before.splitlines(), self.after.splitlines()) if line[0] in " -+"]


TEXT_FIELDS = (("current_state", "Current state"), ("target_state", "Target state"),
               ("risks", "Risks"))
_TEXT_NAMES = frozenset(name for name, _ in TEXT_FIELDS)
STEP_FIELDS = (("action", "action"), ("owner", "owner"), ("due_date", "due date"),
               ("resources", "resources"))
KPI_FIELDS = (("name", "name"), ("unit", "unit"), ("baseline", "baseline"),
              ("target", "target"), ("target_date", "target date"))


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return value.isoformat() if isinstance(value, date) else str(value)


def _summary(row: PlanStep | PlanKpi) -> str:
    if isinstance(row, PlanStep):
        return f"{row.action} — {row.owner}, due {row.due_date.isoformat()}"
    return (f"{row.name}: {_text(row.baseline)} → {_text(row.target)} {row.unit} by "
            f"{row.target_date.isoformat()}")


def diff(old: PlanVersion, new: PlanVersion) -> list[Change]:
    """What changed from `old` to `new`; steps and KPIs are compared by position."""
    changes: list[Change] = []
    for name, label in TEXT_FIELDS:
        before, after = getattr(old.plan, name), getattr(new.plan, name)
        if before != after:
            changes.append(Change(name, label, "changed", before, after))
    for kind, title, fields, olds, news in (
            ("steps", "Step", STEP_FIELDS, old.steps, new.steps),
            ("kpis", "KPI", KPI_FIELDS, old.kpis, new.kpis)):
        for index in range(max(len(olds), len(news))):
            label = f"{title} {index + 1}"
            if index >= len(olds):
                changes.append(Change(f"{kind}[{index}]", label, "added", None,
                                      _summary(news[index])))
            elif index >= len(news):
                changes.append(Change(f"{kind}[{index}]", label, "removed",
                                      _summary(olds[index]), None))
            else:
                for name, words in fields:
                    before, after = getattr(olds[index], name), getattr(news[index], name)
                    if before != after:
                        changes.append(Change(f"{kind}[{index}].{name}", f"{label} — {words}",
                                              "changed", _text(before), _text(after)))
    return changes
