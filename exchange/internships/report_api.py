"""/api/v1 Kirkpatrick reports: one internship (its home business's owners and managers) and a
business as the sending one (its owners and managers), as JSON or CSV. How each level is
measured is documented in `exchange/internships/report.py`."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from exchange.deps import SessionDep
from exchange.internships import report
from exchange.internships.deps import HomeSide
from exchange.internships.states import InternshipState
from exchange.profiles.deps import BusinessManager

router = APIRouter(prefix="/api/v1", tags=["internship reports"])

CSV = "text/csv; charset=utf-8"


class _FromAttributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ReactionOut(_FromAttributes):
    intern_rating: int | None
    intern_comment: str
    home_partnership: int | None
    home_comment: str
    host_partnership: int | None
    host_comment: str


class ObjectiveOut(_FromAttributes):
    statement: str
    success_criterion: str
    midway: str | None
    final: str | None
    final_score: int | None
    comment: str


class ProcessLevelOut(_FromAttributes):
    key: str
    name: str
    at_proposal: int
    now: int
    gain: int


class LearningOut(_FromAttributes):
    objectives: list[ObjectiveOut]
    processes: list[ProcessLevelOut]
    rated: int
    achieved_share: float | None
    mean_level_gain: float | None


class StepOut(_FromAttributes):
    action: str
    owner: str
    due_date: date
    status: str | None
    done_on: date | None
    on_time: bool
    verdict: str


class BehaviourOut(_FromAttributes):
    follow_up_day: int | None
    steps: list[StepOut]
    due: int
    on_time: int
    on_time_share: float | None


class KpiOut(_FromAttributes):
    name: str
    unit: str
    baseline: float
    target: float
    target_date: date
    actual: float | None
    progress: float | None


class ResultsOut(_FromAttributes):
    follow_up_day: int | None
    kpis: list[KpiOut]
    mean_progress: float | None


class InternshipRef(BaseModel):
    id: int
    title: str
    state: InternshipState
    home: str
    host: str


class InternshipReportOut(BaseModel):
    internship: InternshipRef
    plan_version: int | None
    reaction: ReactionOut
    learning: LearningOut
    behaviour: BehaviourOut
    results: ResultsOut

    @classmethod
    def of(cls, r: report.InternshipReport) -> InternshipReportOut:
        i = r.internship
        return cls(
            internship=InternshipRef(id=i.id or 0, title=i.title, state=InternshipState(i.state),
                                     home=r.home.slug, host=r.host.slug),
            plan_version=r.plan_version,
            reaction=ReactionOut.model_validate(r.reaction),
            learning=LearningOut.model_validate(r.learning),
            behaviour=BehaviourOut.model_validate(r.behaviour),
            results=ResultsOut.model_validate(r.results))


class AggregateOut(_FromAttributes):
    internships: int
    intern_rating: float | None
    n_intern_ratings: int
    home_partnership: float | None
    host_partnership: float | None
    objectives_rated: int
    objectives_achieved: int
    objectives_partly: int
    achieved_share: float | None
    mean_level_gain: float | None
    n_processes: int
    steps_due: int
    steps_on_time: int
    on_time_share: float | None
    kpis_measured: int
    mean_kpi_progress: float | None


class BusinessReportOut(BaseModel):
    business: str
    totals: AggregateOut
    internships: list[InternshipReportOut]


@router.get("/internships/{internship_id}/report", response_model=InternshipReportOut,
            summary="The four Kirkpatrick levels of one internship (the home side)")
def internship_report(home: HomeSide, session: SessionDep) -> InternshipReportOut:
    return InternshipReportOut.of(report.internship_report(session, home.internship))


@router.get("/internships/{internship_id}/report.csv", response_class=Response,
            summary="The same as CSV: level, item, measure, value, detail",
            responses={200: {"content": {"text/csv": {}}}})
def internship_report_csv(home: HomeSide, session: SessionDep) -> Response:
    body = report.internship_csv(report.internship_report(session, home.internship))
    return Response(body, media_type=CSV, headers={
        "Content-Disposition": f'attachment; filename="internship-{home.internship.id}-'
                               f'report.csv"'})


@router.get("/businesses/{slug}/internship-report", response_model=BusinessReportOut,
            summary="The four levels over every internship this business sent")
def business_report(member: BusinessManager, session: SessionDep) -> BusinessReportOut:
    r = report.business_report(session, member.business)
    return BusinessReportOut(business=member.business.slug,
                             totals=AggregateOut.model_validate(r.totals),
                             internships=[InternshipReportOut.of(i) for i in r.internships])


@router.get("/businesses/{slug}/internship-report.csv", response_class=Response,
            summary="The same as CSV: one row per internship and a totals row",
            responses={200: {"content": {"text/csv": {}}}})
def business_report_csv(member: BusinessManager, session: SessionDep) -> Response:
    body = report.business_csv(report.business_report(session, member.business))
    return Response(body, media_type=CSV, headers={
        "Content-Disposition": f'attachment; filename="{member.business.slug}-internship-'
                               f'report.csv"'})
