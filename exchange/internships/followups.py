"""Follow-ups 30, 60 and 90 days after the plan's approval, and the reminders about them.

Recording: the intern or a home owner records the follow-ups in order, each once, with the
progress of every step of the approved plan and the actual value of every KPI
(``Action.record_follow_up`` through ``service.move``; the first one moves the internship to
``following_up``). Early recording is allowed: the numbers may be in before the day.

Reminders (the scheduler): when a follow-up falls due, the intern and the home owners get a
reminder in the inbox and by e-mail; when it is still not recorded :data:`OVERDUE_AFTER` later,
an overdue reminder (which stands in for the due one if that was never sent, e.g. after a long
outage). Each reminder is *claimed* with a conditional UPDATE (``… WHERE
due_reminder_sent_at IS NULL``) in the same transaction that writes its notifications and
e-mails: a crash before the commit undoes the claim and the next tick sends it (never lost);
a second ticker, or a second run, finds the column set and sends nothing (never twice). On
PostgreSQL a concurrent claimer blocks on the row until the first commits, then matches 0 rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from exchange.accounts.models import User
from exchange.config import public_base_url_var
from exchange.db import utcnow
from exchange.errors import Conflict, FieldError, NotFound, ValidationFailed
from exchange.internships import plans, service
from exchange.internships.feedback import home_owner_ids
from exchange.internships.models import (
    FollowUp,
    ImplementationPlan,
    Internship,
    KpiActual,
    StepProgress,
    StepStatus,
)
from exchange.internships.progress_schemas import FollowUpIn
from exchange.internships.states import Action, InternshipState, Role

log = logging.getLogger("exchange.scheduler")

S = InternshipState
OVERDUE_AFTER = timedelta(days=7)
# Reminders go out only while the follow-up phase runs (not after closing).
FOLLOWING_STATES = frozenset({S.plan_approved, S.following_up})


class FollowUpStatus(StrEnum):
    upcoming = "upcoming"
    due = "due"
    overdue = "overdue"
    recorded = "recorded"


def status_of(follow_up: FollowUp, today: date | None = None) -> FollowUpStatus:
    today = today or date.today()
    if follow_up.recorded_at is not None:
        return FollowUpStatus.recorded
    if today >= follow_up.due_date + OVERDUE_AFTER:
        return FollowUpStatus.overdue
    if today >= follow_up.due_date:
        return FollowUpStatus.due
    return FollowUpStatus.upcoming


def follow_ups_of(session: Session, internship: Internship) -> list[FollowUp]:
    return list(session.exec(
        select(FollowUp).where(FollowUp.internship_id == internship.id)
        .order_by(col(FollowUp.day))
    ).all())


def get(session: Session, internship: Internship, day: int) -> FollowUp:
    found = session.exec(select(FollowUp).where(FollowUp.internship_id == internship.id,
                                                FollowUp.day == day)).first()
    if found is None:
        raise NotFound(f"This internship has no {day}-day follow-up.")
    return found


@dataclass(frozen=True)
class Recorded:
    follow_up: FollowUp
    steps: list[StepProgress]
    kpis: list[KpiActual]


def details(session: Session, follow_up: FollowUp) -> Recorded:
    steps = session.exec(select(StepProgress).where(
        StepProgress.follow_up_id == follow_up.id)).all()
    kpis = session.exec(select(KpiActual).where(KpiActual.follow_up_id == follow_up.id)).all()
    return Recorded(follow_up, list(steps), list(kpis))


def latest_recorded(session: Session, internship: Internship) -> Recorded | None:
    found = session.exec(
        select(FollowUp).where(FollowUp.internship_id == internship.id,
                               col(FollowUp.recorded_at).is_not(None))
        .order_by(col(FollowUp.day).desc())
    ).first()
    return details(session, found) if found is not None else None


def record(session: Session, internship: Internship, actor: User, day: int, data: FollowUpIn,
           *, today: date | None = None) -> FollowUp:
    today = today or date.today()
    follow_up = get(session, internship, day)
    if follow_up.recorded_at is not None:
        raise Conflict(f"The {day}-day follow-up was already recorded.")
    earlier = [f.day for f in follow_ups_of(session, internship)
               if f.day < day and f.recorded_at is None]
    if earlier:
        raise Conflict(f"Record the {earlier[0]}-day follow-up first.")
    version = plans.load(session, _plan_of(session, follow_up))
    _check(data, version, today)

    internship = service.move(
        session, internship, actor, Action.record_follow_up,
        expected_version=data.expected_version, event="internship.follow_up_recorded",
        summary=f"{actor.display_name} recorded the {day}-day follow-up.", data={"day": day})
    done_by_step = {p.step_id: p for p in data.steps}
    for step in version.steps:
        progress = done_by_step[step.id or 0]
        done_on = progress.done_on
        if progress.status is StepStatus.done and done_on is None:
            done_on = today
        session.add(StepProgress(follow_up_id=follow_up.id or 0, step_id=step.id or 0,
                                 status=progress.status.value, done_on=done_on,
                                 note=progress.note))
    for actual in data.kpis:
        session.add(KpiActual(follow_up_id=follow_up.id or 0, kpi_id=actual.kpi_id,
                              actual=actual.actual))
    follow_up.notes = data.notes
    follow_up.recorded_at = utcnow()
    follow_up.recorded_by_id = actor.id
    session.add(follow_up)
    session.flush()
    return follow_up


def _plan_of(session: Session, follow_up: FollowUp) -> ImplementationPlan:
    plan = session.get(ImplementationPlan, follow_up.plan_id)
    assert plan is not None
    return plan


def _check(data: FollowUpIn, version: plans.PlanVersion, today: date) -> None:
    errors: list[FieldError] = []
    step_ids = [s.id for s in version.steps]
    given = [p.step_id for p in data.steps]
    for index, progress in enumerate(data.steps):
        where = f"steps[{index}]"
        if progress.step_id not in step_ids:
            errors.append(FieldError(f"{where}.step_id", "Not a step of the approved plan."))
        elif given.count(progress.step_id) > 1:
            errors.append(FieldError(f"{where}.step_id", "This step is given twice."))
        if progress.done_on is not None:
            if progress.status is not StepStatus.done:
                errors.append(FieldError(f"{where}.done_on",
                                         "Only a done step has a date it was done."))
            elif progress.done_on > today:
                errors.append(FieldError(f"{where}.done_on", "The date is in the future."))
    for position, step in enumerate(version.steps):
        if step.id not in given:
            errors.append(FieldError(f"steps[{position}]",
                                     f"Give the progress of the step “{step.action[:60]}”."))
    kpi_ids = [k.id for k in version.kpis]
    given_kpis = [a.kpi_id for a in data.kpis]
    for index, actual in enumerate(data.kpis):
        if actual.kpi_id not in kpi_ids:
            errors.append(FieldError(f"kpis[{index}].kpi_id", "Not a KPI of the approved plan."))
        elif given_kpis.count(actual.kpi_id) > 1:
            errors.append(FieldError(f"kpis[{index}].kpi_id", "This KPI is given twice."))
    for position, kpi in enumerate(version.kpis):
        if kpi.id not in given_kpis:
            errors.append(FieldError(f"kpis[{position}]",
                                     f"Give the actual value of “{kpi.name}”."))
    if errors:
        raise ValidationFailed(errors)


def may_record(roles: frozenset[Role]) -> bool:
    return bool(roles & {Role.intern, Role.home_owner})


# -- reminders (the scheduler) -------------------------------------------------------------------


class ReminderKind(StrEnum):
    due = "due"
    overdue = "overdue"


@dataclass
class TickReport:
    due_sent: int = 0
    overdue_sent: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"due_sent": self.due_sent, "overdue_sent": self.overdue_sent,
                "failed": self.failed}


def pending_reminders(session: Session, today: date,
                      limit: int = 500) -> list[tuple[int, ReminderKind]]:
    """Follow-ups whose reminder should go out now; overdue ones first."""
    following = select(Internship.id).where(
        col(Internship.state).in_([s.value for s in FOLLOWING_STATES]))
    base = select(FollowUp.id).where(col(FollowUp.recorded_at).is_(None),
                                     col(FollowUp.internship_id).in_(following))
    overdue = session.exec(base.where(
        col(FollowUp.overdue_reminder_sent_at).is_(None),
        col(FollowUp.due_date) <= today - OVERDUE_AFTER,
    ).order_by(col(FollowUp.id)).limit(limit)).all()
    due = session.exec(base.where(
        col(FollowUp.due_reminder_sent_at).is_(None),
        col(FollowUp.due_date) <= today,
        col(FollowUp.due_date) > today - OVERDUE_AFTER,
    ).order_by(col(FollowUp.id)).limit(limit)).all()
    return ([(i, ReminderKind.overdue) for i in overdue if i is not None]
            + [(i, ReminderKind.due) for i in due if i is not None])


def claim(session: Session, follow_up_id: int, kind: ReminderKind) -> bool:
    """Marks the reminder sent if nobody did yet; True when this transaction won it. An overdue
    reminder also fills the due stamp, so a late due reminder never follows it."""
    now = utcnow()
    statement = update(FollowUp).where(col(FollowUp.id) == follow_up_id,
                                       col(FollowUp.recorded_at).is_(None))
    if kind is ReminderKind.due:
        statement = statement.where(col(FollowUp.due_reminder_sent_at).is_(None)).values(
            due_reminder_sent_at=now)
    else:
        statement = statement.where(col(FollowUp.overdue_reminder_sent_at).is_(None)).values(
            overdue_reminder_sent_at=now,
            due_reminder_sent_at=func.coalesce(col(FollowUp.due_reminder_sent_at), now))
    result = session.execute(statement)
    return result.rowcount == 1  # type: ignore[attr-defined]


def send_reminder(session: Session, follow_up_id: int, kind: ReminderKind) -> bool:
    """Claim + notifications in the caller's transaction (the caller commits)."""
    if not claim(session, follow_up_id, kind):
        return False
    follow_up = session.get(FollowUp, follow_up_id, populate_existing=True)
    assert follow_up is not None
    internship = session.get(Internship, follow_up.internship_id, populate_existing=True)
    assert internship is not None
    if InternshipState(internship.state) not in FOLLOWING_STATES:
        return False  # closed meanwhile: the claim stays, nobody needs reminding any more
    recipients = [internship.intern_id, *home_owner_ids(session, internship)]
    if kind is ReminderKind.due:
        summary = (f"The {follow_up.day}-day follow-up is due today "
                   f"({follow_up.due_date.isoformat()}): record the progress of each step and "
                   f"the KPI values.")
    else:
        summary = (f"The {follow_up.day}-day follow-up is overdue (it was due "
                   f"{follow_up.due_date.isoformat()}): please record it.")
    service.record(session, internship, f"internship.follow_up_{kind.value}", None, summary,
                   {"day": follow_up.day, "due_date": follow_up.due_date.isoformat()},
                   recipients=recipients)
    return True


def tick(session_factory: Callable[[], Session], *, today: date | None = None,
         base_url: str | None = None) -> TickReport:
    """One scheduler pass: every pending reminder in its own transaction, so one failure
    neither blocks nor undoes the others. Safe to run as often and as concurrently as you like."""
    today = today or date.today()
    if base_url is not None:
        public_base_url_var.set(base_url)
    report = TickReport()
    with session_factory() as session:
        pending = pending_reminders(session, today)
    for follow_up_id, kind in pending:
        with session_factory() as session:
            try:
                sent = send_reminder(session, follow_up_id, kind)
                session.commit()
            except Exception:  # one broken row must not stop the other reminders
                session.rollback()
                log.exception("reminder %s for follow-up %s failed", kind.value, follow_up_id)
                report.failed += 1
                continue
        if sent and kind is ReminderKind.due:
            report.due_sent += 1
        elif sent:
            report.overdue_sent += 1
    return report
