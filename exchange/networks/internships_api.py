"""/api/v1/networks/{network_slug}/internships and /reports: a network reads the internships
involving its members (`internships:read`) and the Kirkpatrick report over the internships its
members sent (`reports:read`). What is shown, and why not more: exchange/networks/
internship_reads.py. An internship no member takes part in answers 404, as if it did not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, Field

from exchange.deps import SessionDep
from exchange.errors import NotFound, ValidationFailed
from exchange.fields import Day
from exchange.internships.report_api import CSV, AggregateOut
from exchange.internships.service import duration_days
from exchange.internships.states import InternshipState
from exchange.networks import internship_reads as reads
from exchange.networks import service
from exchange.networks.api import _after, _cursor, _with_etag
from exchange.networks.deps import InternshipsRead, ReportsRead

router = APIRouter(prefix="/api/v1/networks/{network_slug}", tags=["partner networks"])

class PartyOut(BaseModel):
    external_id: str | None = Field(
        description="Your id of the business when it is a member of your network, else null")
    slug: str
    name: str


class NetworkInternshipOut(BaseModel):
    """The facts of an internship a network may follow; the parties' own content (the intern,
    objectives, plan, tasks, feedback) stays with them."""

    id: int
    title: str
    state: InternshipState
    start_date: date
    end_date: date
    duration_days: int
    home: PartyOut = Field(description="The sending business, whose intern goes to learn")
    host: PartyOut = Field(description="The business that hosts the intern")
    focus_processes: list[str] = Field(
        description="Keys (`department.process`) of the processes the intern goes to learn")
    agreement_version: int = Field(description="Raised by every amendment of the agreement")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, facts: reads.InternshipFacts) -> NetworkInternshipOut:
        i = facts.internship
        return cls(
            id=i.id or 0, title=i.title, state=InternshipState(i.state),
            start_date=i.start_date, end_date=i.end_date,
            duration_days=duration_days(i.start_date, i.end_date),
            home=PartyOut(**vars(facts.home)), host=PartyOut(**vars(facts.host)),
            focus_processes=facts.focus_processes, agreement_version=i.agreement_version,
            created_at=i.created_at, updated_at=i.updated_at)


class NetworkInternshipPage(BaseModel):
    items: list[NetworkInternshipOut]
    next: str | None = Field(description="URL of the next page, or null on the last page")


class MemberFiguresOut(BaseModel):
    external_id: str
    business: str = Field(description="The business's slug")
    name: str
    totals: AggregateOut = Field(description="The four levels over the internships it sent")


class NetworkReportOut(BaseModel):
    since: date | None
    until: date | None
    totals: AggregateOut = Field(
        description="The four levels over every internship a member sent")
    members: list[MemberFiguresOut] = Field(description="Every member, in the order it joined")

    @classmethod
    def of(cls, result: reads.NetworkReport) -> NetworkReportOut:
        return cls(since=result.since, until=result.until,
                   totals=AggregateOut.model_validate(result.totals),
                   members=[MemberFiguresOut(external_id=m.external_id, business=m.business.slug,
                                             name=m.business.name,
                                             totals=AggregateOut.model_validate(m.totals))
                            for m in result.members])


# Day (exchange/fields.py): ISO dates only, so `until=0` is refused rather than read as 1970.
Since = Annotated[Day | None, Query(description="Only internships starting on or after")]
Until = Annotated[Day | None, Query(description="Only internships starting on or before")]


def _period(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and until < since:
        raise ValidationFailed.single("until", "must not be before `since`")


@router.get("/internships", response_model=NetworkInternshipPage,
            summary="Internships involving your members (internships:read)")
def list_internships(
    request: Request, context: InternshipsRead, session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=40, description="From a `next` link")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    state: Annotated[list[InternshipState] | None, Query(
        description="Only these states (repeat the parameter for several)")] = None,
    member: Annotated[str | None, Query(
        max_length=service.EXTERNAL_ID_MAX,
        description="Only internships this member (your id) sends or hosts")] = None,
) -> NetworkInternshipPage:
    """Every internship whose sending or host business is a member, newest first (a stable
    order while you page); follow `next` until it is null."""
    business_id = None
    if member is not None:
        view = service.member_by_external_id(session, context.network, member)
        if view is None:
            raise ValidationFailed.single("member", "is not a member of this network")
        business_id = view.business.id
    found = reads.list_internships(session, context.network, before_id=_after(cursor, "i") or None,
                                   states=state or (), business_id=business_id, limit=limit + 1)
    next_url = None
    if len(found) > limit:
        last = found[limit - 1].id
        assert last is not None
        next_url = str(request.url.include_query_params(cursor=_cursor(last, "i"), limit=limit))
    return NetworkInternshipPage(
        items=[NetworkInternshipOut.of(f)
               for f in reads.facts_of(session, context.network, found[:limit])],
        next=next_url)


@router.get("/internships/{internship_id}", response_model=NetworkInternshipOut,
            responses={304: {"description": "Not modified (your `If-None-Match` matches)"}},
            summary="One internship involving a member (internships:read)")
def read_internship(
    context: InternshipsRead, session: SessionDep,
    internship_id: Annotated[int, Path(description="The exchange's id of the internship")],
    if_none_match: Annotated[str | None, Header(description="An `ETag` you have")] = None,
) -> Response:
    """Answers with an `ETag`; send it back as `If-None-Match` to get 304 while it is
    unchanged. 404 when no member of yours takes part in it."""
    internship = reads.internship_of_network(session, context.network, internship_id)
    if internship is None:
        raise NotFound("No internship with this id involves a member of the network.")
    (facts,) = reads.facts_of(session, context.network, [internship])
    return _with_etag(NetworkInternshipOut.of(facts), if_none_match)


@router.get("/reports", response_model=NetworkReportOut,
            summary="Kirkpatrick report over the internships your members sent (reports:read)")
def network_report(context: ReportsRead, session: SessionDep, since: Since = None,
                   until: Until = None) -> NetworkReportOut:
    """The four levels (reaction, learning, behaviour, results; how each is measured:
    the business report's documentation) over every internship a member sent that took place,
    and the same figures per member. Aggregates only: no comment, no person."""
    _period(since, until)
    return NetworkReportOut.of(reads.network_report(session, context.network, since=since,
                                                    until=until))


@router.get("/reports.csv", response_class=Response,
            summary="The same as CSV: one row per member and a totals row (reports:read)",
            responses={200: {"content": {"text/csv": {}}}})
def network_report_csv(context: ReportsRead, session: SessionDep, since: Since = None,
                       until: Until = None) -> Response:
    _period(since, until)
    body = reads.network_csv(reads.network_report(session, context.network, since=since,
                                                  until=until))
    return Response(body, media_type=CSV, headers={
        "Content-Disposition": f'attachment; filename="{context.network.slug}-report.csv"'})
