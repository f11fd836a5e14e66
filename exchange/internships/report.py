"""The Kirkpatrick report: the four levels per internship, per business (as the sending, home
business) and over any set of businesses (the networks' reports call :func:`aggregate`).

How each level is measured:

1. **Reaction** — the intern's rating of the experience and both owners' ratings of the
   partnership (1–5 each).
2. **Learning** — the host's *final* rating of each objective (achieved / partly / not
   achieved; the share counts achieved objectives among those rated), and the home business's
   level (0–5) in each focus process as snapshotted at proposal time versus its matrix now.
3. **Behaviour** — the steps of the approved plan, as the latest recorded follow-up reports
   them: a step is *on time* when it was done on or before its due date. The share counts
   on-time steps among the steps that were due by that follow-up (or done already); steps not
   due yet do not count against the intern.
4. **Results** — each KPI's latest actual value as progress from baseline toward target:
   ``(actual − baseline) / (target − baseline)`` (1.0 = target reached; it works for KPIs that
   should go down, too). Averages clamp each KPI to 0…1 so that one runaway KPI does not hide
   the others; the per-KPI figure is shown unclamped.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import mean

from sqlmodel import Session, col, select

from exchange import csvsafe
from exchange.internships import feedback, followups, plans, service
from exchange.internships.models import (
    FeedbackKind,
    FeedbackPhase,
    Internship,
    ObjectiveOutcome,
    StepStatus,
)
from exchange.internships.states import InternshipState, Role
from exchange.profiles.models import Business, MatrixCell

S = InternshipState
# Internships that have something to report: they took place (or are taking place).
REPORTED_STATES = frozenset({S.active, S.completed, S.plan_submitted, S.changes_requested,
                             S.plan_approved, S.following_up, S.closed})


@dataclass(frozen=True)
class Reaction:
    intern_rating: int | None
    intern_comment: str
    home_partnership: int | None
    home_comment: str
    host_partnership: int | None
    host_comment: str


@dataclass(frozen=True)
class ObjectiveResult:
    statement: str
    success_criterion: str
    midway: str | None
    final: str | None
    final_score: int | None
    comment: str


@dataclass(frozen=True)
class ProcessLevel:
    key: str
    name: str
    at_proposal: int
    now: int

    @property
    def gain(self) -> int:
        return self.now - self.at_proposal


@dataclass(frozen=True)
class Learning:
    objectives: list[ObjectiveResult]
    processes: list[ProcessLevel]

    @property
    def rated(self) -> int:
        return sum(1 for o in self.objectives if o.final is not None)

    def count(self, outcome: ObjectiveOutcome) -> int:
        return sum(1 for o in self.objectives if o.final == outcome.value)

    @property
    def achieved_share(self) -> float | None:
        return self.count(ObjectiveOutcome.achieved) / self.rated if self.rated else None

    @property
    def mean_level_gain(self) -> float | None:
        return mean(p.gain for p in self.processes) if self.processes else None


@dataclass(frozen=True)
class StepResult:
    action: str
    owner: str
    due_date: date
    status: str | None  # StepStatus, None before the first follow-up
    done_on: date | None
    was_due: bool  # due by the latest follow-up, or already done

    @property
    def on_time(self) -> bool:
        return (self.status == StepStatus.done.value and self.done_on is not None
                and self.done_on <= self.due_date)

    @property
    def verdict(self) -> str:
        if self.status is None:
            return "not reported yet"
        if self.on_time:
            return "done on time"
        if self.status == StepStatus.done.value:
            return "done late"
        return "overdue" if self.was_due else "not due yet"


@dataclass(frozen=True)
class Behaviour:
    follow_up_day: int | None
    steps: list[StepResult]

    @property
    def due(self) -> int:
        return sum(1 for s in self.steps if s.status is not None and s.was_due)

    @property
    def on_time(self) -> int:
        return sum(1 for s in self.steps if s.on_time)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True)
class KpiResult:
    name: str
    unit: str
    baseline: float
    target: float
    target_date: date
    actual: float | None

    @property
    def progress(self) -> float | None:
        if self.actual is None or self.target == self.baseline:
            return None
        return (self.actual - self.baseline) / (self.target - self.baseline)


@dataclass(frozen=True)
class Results:
    follow_up_day: int | None
    kpis: list[KpiResult]

    @property
    def measured(self) -> list[float]:
        return [min(1.0, max(0.0, k.progress)) for k in self.kpis if k.progress is not None]

    @property
    def mean_progress(self) -> float | None:
        return mean(self.measured) if self.measured else None


@dataclass(frozen=True)
class InternshipReport:
    internship: Internship
    home: Business
    host: Business
    plan_version: int | None
    reaction: Reaction
    learning: Learning
    behaviour: Behaviour
    results: Results


# The report is written for the home business (the sender measures its return on learning).
REPORT_AUDIENCE = frozenset({Role.home_owner})


def internship_report(session: Session, internship: Internship,
                      audience: frozenset[Role] = REPORT_AUDIENCE) -> InternshipReport:
    home = session.get(Business, internship.home_business_id)
    host = session.get(Business, internship.host_business_id)
    assert home is not None and host is not None
    given = {FeedbackKind(f.kind): f for f in feedback.feedback_of(session, internship)}
    host_final_done = any(r.phase == FeedbackPhase.final.value
                          for r in feedback.ratings_of(session, internship))

    def rating(kind: FeedbackKind) -> tuple[int | None, str]:
        row = given.get(kind)
        # The one visibility rule of feedback.py applies here too: e.g. the host's rating of the
        # partnership stays hidden from the home side until the home side has given its own.
        shown, _ = feedback.may_see(kind, audience, submitted=set(given),
                                    host_final_done=host_final_done)
        return (row.rating, row.comment) if row and shown else (None, "")

    reaction = Reaction(*rating(FeedbackKind.intern_reaction),
                        *rating(FeedbackKind.home_partnership),
                        *rating(FeedbackKind.host_partnership))

    ratings = {(r.objective_id, r.phase): r for r in feedback.ratings_of(session, internship)}
    objectives = []
    for objective in service.objectives_of(session, internship):
        midway = ratings.get((objective.id or 0, FeedbackPhase.midway.value))
        final = ratings.get((objective.id or 0, FeedbackPhase.final.value))
        objectives.append(ObjectiveResult(
            objective.statement, objective.success_criterion,
            midway.outcome if midway else None, final.outcome if final else None,
            final.score if final else None, final.comment if final else ""))
    focus = service.focus_of(session, internship)
    now_levels = {c.process_id: c.level for c in session.exec(
        select(MatrixCell).where(MatrixCell.business_id == home.id,
                                 col(MatrixCell.process_id).in_([p.id for _, p in focus]))
    ).all()}
    processes = [ProcessLevel(p.key, p.name, f.home_level_at_proposal,
                              now_levels.get(p.id or 0, 0)) for f, p in focus]

    plan = plans.approved(session, internship)
    latest = followups.latest_recorded(session, internship)
    steps: list[StepResult] = []
    kpis: list[KpiResult] = []
    if plan is not None:
        version = plans.load(session, plan)
        progress = {p.step_id: p for p in latest.steps} if latest else {}
        actuals = {a.kpi_id: a.actual for a in latest.kpis} if latest else {}
        as_of = (latest.follow_up.recorded_at.date()
                 if latest and latest.follow_up.recorded_at else None)
        for step in version.steps:
            row = progress.get(step.id or 0)
            steps.append(StepResult(
                step.action, step.owner, step.due_date, row.status if row else None,
                row.done_on if row else None,
                was_due=bool(row and (row.status == StepStatus.done.value
                                      or (as_of is not None and step.due_date <= as_of)))))
        kpis = [KpiResult(k.name, k.unit, k.baseline, k.target, k.target_date,
                          actuals.get(k.id or 0)) for k in version.kpis]
    day = latest.follow_up.day if latest else None
    return InternshipReport(
        internship, home, host, plan.version if plan else None, reaction,
        Learning(objectives, processes), Behaviour(day, steps), Results(day, kpis))


# -- over several internships ------------------------------------------------------------------


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return mean(present) if present else None


@dataclass(frozen=True)
class Aggregate:
    """The four levels over many internships. Means are over the internships (or items) that
    have the figure; `n_*` say how many that was."""

    internships: int
    intern_rating: float | None
    n_intern_ratings: int
    home_partnership: float | None
    host_partnership: float | None
    objectives_rated: int
    objectives_achieved: int
    objectives_partly: int
    mean_level_gain: float | None
    n_processes: int
    steps_due: int
    steps_on_time: int
    kpis_measured: int
    mean_kpi_progress: float | None

    @property
    def achieved_share(self) -> float | None:
        return (self.objectives_achieved / self.objectives_rated
                if self.objectives_rated else None)

    @property
    def on_time_share(self) -> float | None:
        return self.steps_on_time / self.steps_due if self.steps_due else None


def combine(reports: Sequence[InternshipReport]) -> Aggregate:
    gains = [p.gain for r in reports for p in r.learning.processes]
    progress = [v for r in reports for v in r.results.measured]
    intern = [r.reaction.intern_rating for r in reports if r.reaction.intern_rating is not None]
    return Aggregate(
        internships=len(reports),
        intern_rating=_mean(intern),
        n_intern_ratings=len(intern),
        home_partnership=_mean(r.reaction.home_partnership for r in reports),
        host_partnership=_mean(r.reaction.host_partnership for r in reports),
        objectives_rated=sum(r.learning.rated for r in reports),
        objectives_achieved=sum(r.learning.count(ObjectiveOutcome.achieved) for r in reports),
        objectives_partly=sum(r.learning.count(ObjectiveOutcome.partly) for r in reports),
        mean_level_gain=_mean(gains),
        n_processes=len(gains),
        steps_due=sum(r.behaviour.due for r in reports),
        steps_on_time=sum(r.behaviour.on_time for r in reports),
        kpis_measured=len(progress),
        mean_kpi_progress=_mean(progress),
    )


def reports_for(session: Session, business_ids: Iterable[int]) -> list[InternshipReport]:
    """Per-internship reports of every internship these businesses sent that took place."""
    ids = list(business_ids)
    if not ids:
        return []
    internships = session.exec(
        select(Internship).where(col(Internship.home_business_id).in_(ids),
                                 col(Internship.state).in_([s.value for s in REPORTED_STATES]))
        .order_by(col(Internship.start_date).desc(), col(Internship.id).desc())
    ).all()
    return [internship_report(session, i) for i in internships]


def aggregate(session: Session, business_ids: Iterable[int]) -> Aggregate:
    """The four levels over every internship sent by these businesses (e.g. a network's
    members)."""
    return combine(reports_for(session, business_ids))


@dataclass(frozen=True)
class BusinessReport:
    business: Business
    totals: Aggregate
    internships: list[InternshipReport] = field(default_factory=list)


def business_report(session: Session, business: Business) -> BusinessReport:
    reports = reports_for(session, [business.id or 0])
    return BusinessReport(business, combine(reports), reports)


# -- CSV ----------------------------------------------------------------------------------------


def _fmt(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def internship_csv(report: InternshipReport) -> str:
    """One row per measured item: level, item, measure, value (and the detail for people)."""
    out = io.StringIO()
    w = csvsafe.writer(out, lineterminator="\n")
    w.writerow(["level", "item", "measure", "value", "detail"])
    r = report.reaction
    w.writerow(["reaction", "intern", "rating_1_5", _fmt(r.intern_rating), r.intern_comment])
    w.writerow(["reaction", "home business", "partnership_1_5", _fmt(r.home_partnership),
                r.home_comment])
    w.writerow(["reaction", "host business", "partnership_1_5", _fmt(r.host_partnership),
                r.host_comment])
    for o in report.learning.objectives:
        w.writerow(["learning", o.statement, "final_outcome", o.final or "", o.comment])
        w.writerow(["learning", o.statement, "final_score_1_5", _fmt(o.final_score), ""])
    for p in report.learning.processes:
        w.writerow(["learning", p.key, "level_at_proposal", p.at_proposal, p.name])
        w.writerow(["learning", p.key, "level_now", p.now, p.name])
    for s in report.behaviour.steps:
        w.writerow(["behaviour", s.action, "status", s.status or "",
                    f"due {s.due_date.isoformat()}; {s.verdict}"])
    for k in report.results.kpis:
        w.writerow(["results", k.name, "baseline", _fmt(k.baseline), k.unit])
        w.writerow(["results", k.name, "target", _fmt(k.target), k.unit])
        w.writerow(["results", k.name, "actual", _fmt(k.actual), k.unit])
        w.writerow(["results", k.name, "progress_share", _fmt(k.progress), ""])
    return out.getvalue()


AGGREGATE_COLUMNS = ("internship_id", "title", "host", "state", "intern_rating",
                     "home_partnership", "host_partnership", "objectives_rated",
                     "objectives_achieved", "achieved_share", "mean_level_gain", "steps_due",
                     "steps_on_time", "on_time_share", "mean_kpi_progress")


def business_csv(report: BusinessReport) -> str:
    """One row per internship, then a totals row."""
    out = io.StringIO()
    w = csvsafe.writer(out, lineterminator="\n")
    w.writerow(AGGREGATE_COLUMNS)
    for r in report.internships:
        w.writerow([r.internship.id, r.internship.title, r.host.name, r.internship.state,
                    _fmt(r.reaction.intern_rating), _fmt(r.reaction.home_partnership),
                    _fmt(r.reaction.host_partnership), r.learning.rated,
                    r.learning.count(ObjectiveOutcome.achieved), _fmt(r.learning.achieved_share),
                    _fmt(r.learning.mean_level_gain), r.behaviour.due, r.behaviour.on_time,
                    _fmt(r.behaviour.on_time_share), _fmt(r.results.mean_progress)])
    t = report.totals
    w.writerow(["total", f"{t.internships} internship(s)", "", "", _fmt(t.intern_rating),
                _fmt(t.home_partnership), _fmt(t.host_partnership), t.objectives_rated,
                t.objectives_achieved, _fmt(t.achieved_share), _fmt(t.mean_level_gain),
                t.steps_due, t.steps_on_time, _fmt(t.on_time_share), _fmt(t.mean_kpi_progress)])
    return out.getvalue()
