"""/api/v1 internships: proposing, the agreement, the lifecycle actions, the timeline — and the
caller's in-app inbox. Personal tokens only; errors are problem+json.

Who may see an internship is `deps.VisibleInternship` (404 otherwise); which action a role may
take is the transition table's (`states.py`), checked by the service: an action not open in the
current state is a 409, one the caller's roles do not allow a 403, and both change nothing (the
request's transaction is rolled back).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from exchange.accounts.deps import CurrentUser
from exchange.deps import SessionDep
from exchange.errors import NotFound, ValidationFailed
from exchange.fields import Id, IdParam, Line, Version
from exchange.internships import service, views
from exchange.internships.deps import InternshipParticipant
from exchange.internships.schemas import (
    ActionIn,
    AgreementIn,
    InternshipPublic,
    MentorIn,
    PersonPublic,
    ProcessKey,
    ProposalIn,
)
from exchange.internships.states import InternshipState, Role
from exchange.notifications import inbox
from exchange.profiles.deps import BusinessManager, find_visible_business

router = APIRouter(prefix="/api/v1", tags=["internships"])

MAX_PAGE = 100


class InternshipPage(BaseModel):
    items: list[InternshipPublic]
    next: str | None = Field(description="URL of the next page (same filters), or null on the "
                                         "last page")


class AgreementEditIn(AgreementIn):
    expected_version: Version | None = Field(
        default=None, description="The `version` you saw; a different current one is a 409.")


class AcceptIn(BaseModel):
    agreement_version: Version | None = Field(
        default=None, description="The agreement version you read; accepting fails with 409 if "
                                  "it changed meanwhile.")
    mentor_id: Id | None = Field(
        default=None, description="Host owners and managers: the member who mentors the intern "
                                  "(required when none is named yet).")


class TimelineEvent(BaseModel):
    id: int
    type: str = Field(description="e.g. `internship.accepted`")
    summary: str
    actor: PersonPublic | None
    created_at: datetime


class AgreementVersionOut(BaseModel):
    version: int
    content: dict[str, object] = Field(description="Title, dates, schedule, terms, focus "
                                                   "processes and objectives of that version")
    created_by: PersonPublic | None
    created_at: datetime
    accepted_by: list[str] = Field(description="Parties that accepted this version: "
                                               "`home_owner`, `host_owner`, `intern`")


class DurationOut(BaseModel):
    days: int = Field(description="Suggested length in days, 1 … 183")
    processes: list[str] = Field(description="The process keys the suggestion used")
    rule: str


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


class Inbox(BaseModel):
    unread: int
    items: list[NotificationOut]


class MarkReadIn(BaseModel):
    ids: list[Id] | None = Field(default=None, max_length=500,
                                  description="Notifications to mark read; omit for all")


class MarkedRead(BaseModel):
    marked: int
    unread: int


# -- proposing and reading ---------------------------------------------------------------------


@router.post("/businesses/{slug}/internships", response_model=InternshipPublic,
             status_code=status.HTTP_201_CREATED,
             summary="Propose an internship at another business (owners and managers)")
def propose(data: ProposalIn, member: BusinessManager, session: SessionDep,
            user: CurrentUser) -> InternshipPublic:
    """Your business (`slug`) sends one of its interns to `host`. Every party then accepts the
    agreement; the host names the mentor when it accepts if you did not."""
    try:
        host = find_visible_business(session, user, data.host)
    except NotFound as exc:
        raise ValidationFailed.single("host", "No business with that address is visible to "
                                              "you.") from exc
    internship = service.propose(session, user, member.business, host, data)
    return views.public_of(session, internship, user)


@router.get("/internships", response_model=InternshipPage, summary="Your internships")
def list_internships(
    request: Request, session: SessionDep, user: CurrentUser,
    state: Annotated[list[InternshipState] | None, Query(
        description="Only these states (repeat the parameter for several)")] = None,
    role: Annotated[Role | None, Query(description="Only where you have this role")] = None,
    business: Annotated[Line | None, Query(
        max_length=80, description="Only internships of this business (slug), either side")
    ] = None,
    cursor: Annotated[IdParam | None, Query(
        description="From the `next` link: continue after this internship id")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
) -> Response:
    """Internships you take part in, newest first (by id, so pages never shift)."""
    rows, more = views.list_page(session, user, states=state or [], role=role,
                                 business=business, before_id=cursor, limit=limit)
    next_url = None
    if more and rows:
        next_url = str(request.url.include_query_params(cursor=rows[-1].id, limit=limit))
    page = InternshipPage(items=views.public_page(session, rows, user), next=next_url)
    # Serialised once in pydantic's core, not again through FastAPI's dict-and-json.dumps path.
    return Response(page.model_dump_json(), media_type="application/json")


@router.get("/internships/duration-suggestion", response_model=DurationOut,
            summary="Suggested duration for some focus processes")
def duration_suggestion(
    session: SessionDep, user: CurrentUser,
    process: Annotated[list[ProcessKey], Query(min_length=1, max_length=10,
                                        description="Process keys (`department.process`)")],
) -> DurationOut:
    found = views.duration_suggestion(session, process)
    if found.unknown:
        raise ValidationFailed.single(
            "process", f"Not processes of our taxonomy: {', '.join(found.unknown)}.")
    rule = " ".join((service.suggest_duration_days.__doc__ or "").split())
    return DurationOut(days=found.days, processes=[p.key for p in found.processes], rule=rule)


@router.get("/internships/{internship_id}", response_model=InternshipPublic,
            summary="One internship")
def read_internship(participant: InternshipParticipant, session: SessionDep) -> InternshipPublic:
    return views.public_of(session, participant.internship, participant.user)


# -- the agreement -----------------------------------------------------------------------------


@router.put("/internships/{internship_id}/agreement", response_model=InternshipPublic,
            summary="Edit the agreement (owners and managers of either side)")
def edit_agreement(data: AgreementEditIn, participant: InternshipParticipant,
                   session: SessionDep) -> InternshipPublic:
    """A real change makes a new agreement version that every party accepts again; sending the
    same content changes nothing."""
    internship = service.edit_agreement(
        session, participant.internship, participant.user,
        AgreementIn.model_validate(data.model_dump(exclude={"expected_version"})),
        expected_version=data.expected_version)
    return views.public_of(session, internship, participant.user)


@router.post("/internships/{internship_id}/accept", response_model=InternshipPublic,
             summary="Accept the current agreement version (home owner, host owner, intern)")
def accept(data: AcceptIn, participant: InternshipParticipant,
           session: SessionDep) -> InternshipPublic:
    internship = service.accept(session, participant.internship, participant.user,
                                agreement_version=data.agreement_version,
                                mentor_id=data.mentor_id)
    return views.public_of(session, internship, participant.user)


@router.post("/internships/{internship_id}/mentor", response_model=InternshipPublic,
             summary="Name the mentor (host owners and managers)")
def set_mentor(data: MentorIn, participant: InternshipParticipant,
               session: SessionDep) -> InternshipPublic:
    service.set_mentor(session, participant.internship, participant.user, data.mentor_id)
    internship = service.get_for(session, participant.internship.id or 0, participant.user)
    return views.public_of(session, internship, participant.user)


@router.post("/internships/{internship_id}/actions", response_model=InternshipPublic,
             summary="Decline, withdraw, start, cancel, complete or close")
def act(data: ActionIn, participant: InternshipParticipant,
        session: SessionDep) -> InternshipPublic:
    """`your_actions` on the internship lists what you may do now. Send `expected_version` to
    act on exactly what you saw."""
    internship = service.act(session, participant.internship, participant.user, data.action,
                             expected_version=data.expected_version, note=data.note)
    return views.public_of(session, internship, participant.user)


@router.get("/internships/{internship_id}/timeline", response_model=list[TimelineEvent],
            summary="Every event of the internship, oldest first")
def timeline(participant: InternshipParticipant, session: SessionDep) -> list[TimelineEvent]:
    internship = participant.internship
    people = views.timeline_people(session, internship)
    return [TimelineEvent(id=e.id or 0, type=e.type, summary=e.summary,
                          actor=views.person(people.get(e.actor_id or -1)),
                          created_at=e.created_at)
            for e in service.timeline_of(session, internship)]


@router.get("/internships/{internship_id}/agreement/versions",
            response_model=list[AgreementVersionOut],
            summary="Every version of the agreement and who accepted it")
def agreement_versions(participant: InternshipParticipant,
                       session: SessionDep) -> list[AgreementVersionOut]:
    internship = participant.internship
    versions = service.agreement_versions_of(session, internship)
    people = views.people_by_id(session, [v.created_by_id for v in versions])
    out = []
    for v in versions:
        accepted = service.acceptances_of(session, internship, v.version)
        out.append(AgreementVersionOut(
            version=v.version, content=v.content, created_at=v.created_at,
            created_by=views.person(people.get(v.created_by_id or -1)),
            accepted_by=sorted(p.value for p in accepted)))
    return out


# -- the inbox ---------------------------------------------------------------------------------


@router.get("/me/notifications", response_model=Inbox, tags=["notifications"],
            summary="Your in-app notifications, newest first")
def notifications(session: SessionDep, user: CurrentUser,
                  limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50) -> Inbox:
    assert user.id is not None
    return Inbox(unread=inbox.unread_count(session, user.id), items=[
        NotificationOut(id=n.id or 0, kind=n.kind, title=n.title, body=n.body, link=n.link,
                        created_at=n.created_at, read=n.read_at is not None)
        for n in inbox.recent(session, user.id, limit)])


@router.post("/me/notifications/read", response_model=MarkedRead, tags=["notifications"],
             summary="Mark notifications read")
def mark_read(data: MarkReadIn, session: SessionDep, user: CurrentUser) -> MarkedRead:
    assert user.id is not None
    marked = inbox.mark_read(session, user.id, data.ids)
    return MarkedRead(marked=marked, unread=inbox.unread_count(session, user.id))
