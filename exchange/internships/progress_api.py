"""/api/v1 internship progress: host tasks, feedback, the implementation plan, follow-ups.

Who may call what (dependencies; the services check the same rules again):

- tasks: every participant reads; the host side (mentor, host owners/managers) adds, edits,
  comments and removes; the intern reports progress;
- feedback: every participant reads what the visibility rule shows them (feedback.py); the host
  side rates objectives, the intern gives her reaction, each side's owners rate the partnership;
- the plan and follow-ups: the intern and the home side only (the host does not see how the
  home business implements what it learnt).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlmodel import Session

from exchange.deps import SessionDep
from exchange.internships import feedback, followups, plans, tasks
from exchange.internships.deps import HomeSide, HostSide, InternOnly, InternshipParticipant
from exchange.internships.models import FeedbackKind, FollowUp, HostTask, Internship, TaskStatus
from exchange.internships.progress_deps import HostOwner, PlanReader
from exchange.internships.progress_schemas import (
    FeedbackPublic,
    FeedbackView,
    FollowUpIn,
    FollowUpPublic,
    HiddenFeedback,
    KpiActualPublic,
    ObjectiveRatingPublic,
    ObjectiveRatingsIn,
    PlanChangePublic,
    PlanDiffPublic,
    PlanIn,
    PlanKpiPublic,
    PlanPublic,
    PlanStepPublic,
    RatingIn,
    ReviewIn,
    StepProgressPublic,
    TaskIn,
    TaskProgressIn,
    TaskPublic,
    TaskUpdate,
)
from exchange.internships.states import Role

router = APIRouter(prefix="/api/v1/internships/{internship_id}", tags=["internship progress"])

MAX_ID = 2**31 - 1
TaskId = Annotated[int, Path(ge=1, le=MAX_ID)]
PlanVersionNo = Annotated[int, Path(ge=1, le=10_000)]
Day = Annotated[int, Path(description="30, 60 or 90.", ge=1, le=366)]


# -- shapes ------------------------------------------------------------------------------------


def task_public(task: HostTask, today: date | None = None) -> TaskPublic:
    assert task.id is not None
    return TaskPublic(id=task.id, title=task.title, description=task.description,
                      due_date=task.due_date, status=TaskStatus(task.status),
                      overdue=tasks.is_overdue(task, today), intern_note=task.intern_note,
                      mentor_comment=task.mentor_comment, created_at=task.created_at,
                      updated_at=task.updated_at, completed_at=task.completed_at)


def feedback_view(session: Session, internship: Internship,
                  roles: frozenset[Role]) -> FeedbackView:
    seen = feedback.visible_to(session, internship, roles)
    return FeedbackView(
        objective_ratings=[ObjectiveRatingPublic.model_validate(r, from_attributes=True)
                           for r in seen.ratings],
        feedback=[FeedbackPublic.model_validate(f, from_attributes=True) for f in seen.feedback],
        hidden=[HiddenFeedback(kind=kind.value, reason=why) for kind, why in seen.hidden])


def plan_public(version: plans.PlanVersion) -> PlanPublic:
    p = version.plan
    return PlanPublic(
        version=p.version, status=p.status, current_state=p.current_state,
        target_state=p.target_state, risks=p.risks, submitted_at=p.submitted_at,
        review_comment=p.review_comment, reviewed_at=p.reviewed_at,
        steps=[PlanStepPublic.model_validate(s, from_attributes=True) for s in version.steps],
        kpis=[PlanKpiPublic.model_validate(k, from_attributes=True) for k in version.kpis])


def follow_up_public(session: Session, follow_up: FollowUp) -> FollowUpPublic:
    recorded = followups.details(session, follow_up)
    return FollowUpPublic(
        day=follow_up.day, due_date=follow_up.due_date,
        status=followups.status_of(follow_up).value, notes=follow_up.notes,
        recorded_at=follow_up.recorded_at,
        steps=[StepProgressPublic.model_validate(s, from_attributes=True)
               for s in recorded.steps],
        kpis=[KpiActualPublic.model_validate(k, from_attributes=True) for k in recorded.kpis])


# -- tasks ---------------------------------------------------------------------------------------


@router.get("/tasks", response_model=list[TaskPublic], summary="The intern's host tasks")
def list_tasks(participant: InternshipParticipant, session: SessionDep) -> list[TaskPublic]:
    """Soonest due first; `overdue` is true when the due date has passed and it is not done."""
    return [task_public(t) for t in tasks.tasks_of(session, participant.internship)]


@router.post("/tasks", response_model=TaskPublic, status_code=status.HTTP_201_CREATED,
             summary="Add a task (the host's mentor, owners and managers)")
def add_task(data: TaskIn, host: HostSide, session: SessionDep) -> TaskPublic:
    return task_public(tasks.add_task(session, host.internship, host.user, data))


@router.patch("/tasks/{task_id}", response_model=TaskPublic,
              summary="Edit a task or comment on it (the host side)")
def update_task(task_id: TaskId, data: TaskUpdate, host: HostSide,
                session: SessionDep) -> TaskPublic:
    return task_public(tasks.update_task(session, host.internship, host.user, task_id, data))


@router.post("/tasks/{task_id}/progress", response_model=TaskPublic,
             summary="Report progress on a task (the intern)")
def task_progress(task_id: TaskId, data: TaskProgressIn, intern: InternOnly,
                  session: SessionDep) -> TaskPublic:
    return task_public(tasks.set_progress(session, intern.internship, intern.user, task_id,
                                          data))


@router.delete("/tasks/{task_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Remove a task that is not done (the host side)")
def remove_task(task_id: TaskId, host: HostSide, session: SessionDep) -> Response:
    tasks.remove_task(session, host.internship, host.user, task_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- feedback ------------------------------------------------------------------------------------


@router.get("/feedback", response_model=FeedbackView, summary="The feedback you may see")
def read_feedback(participant: InternshipParticipant, session: SessionDep) -> FeedbackView:
    """The intern's reaction reaches the host only after the host's final ratings; partnership
    ratings are exchanged blind between the two businesses. `hidden` says what you wait for."""
    return feedback_view(session, participant.internship, participant.roles)


@router.post("/feedback/objectives", response_model=FeedbackView,
             status_code=status.HTTP_201_CREATED,
             summary="Rate every objective, midway or final (the host side)")
def rate_objectives(data: ObjectiveRatingsIn, host: HostSide,
                    session: SessionDep) -> FeedbackView:
    feedback.rate_objectives(session, host.internship, host.user, data)
    return feedback_view(session, host.internship, host.roles)


@router.post("/feedback/reaction", response_model=FeedbackView,
             status_code=status.HTTP_201_CREATED,
             summary="Rate the experience (the intern)")
def reaction(data: RatingIn, intern: InternOnly, session: SessionDep) -> FeedbackView:
    feedback.submit(session, intern.internship, intern.user, FeedbackKind.intern_reaction, data)
    return feedback_view(session, intern.internship, intern.roles)


@router.post("/feedback/home-partnership", response_model=FeedbackView,
             status_code=status.HTTP_201_CREATED,
             summary="Rate the partnership (the home business's owners and managers)")
def home_partnership(data: RatingIn, home: HomeSide, session: SessionDep) -> FeedbackView:
    feedback.submit(session, home.internship, home.user, FeedbackKind.home_partnership, data)
    return feedback_view(session, home.internship, home.roles)


@router.post("/feedback/host-partnership", response_model=FeedbackView,
             status_code=status.HTTP_201_CREATED,
             summary="Rate the partnership (the host business's owners and managers)")
def host_partnership(data: RatingIn, host: HostOwner, session: SessionDep) -> FeedbackView:
    feedback.submit(session, host.internship, host.user, FeedbackKind.host_partnership, data)
    return feedback_view(session, host.internship, host.roles)


# -- the plan ------------------------------------------------------------------------------------


@router.get("/plan", response_model=list[PlanPublic],
            summary="Every version of the implementation plan, newest first")
def plan_versions(reader: PlanReader, session: SessionDep) -> list[PlanPublic]:
    return [plan_public(plans.load(session, p))
            for p in reversed(plans.versions_of(session, reader.internship))]


@router.get("/plan/versions/{version}", response_model=PlanPublic,
            summary="One version of the plan")
def plan_version(version: PlanVersionNo, reader: PlanReader, session: SessionDep) -> PlanPublic:
    return plan_public(plans.version_of(session, reader.internship, version))


@router.get("/plan/diff", response_model=PlanDiffPublic,
            summary="What changed between two versions (default: the last two)")
def plan_diff(reader: PlanReader, session: SessionDep,
              from_version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
              to_version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
              ) -> PlanDiffPublic:
    old, new = plans.versions_to_compare(session, reader.internship, from_version, to_version)
    return PlanDiffPublic(
        from_version=old.plan.version, to_version=new.plan.version,
        changes=[PlanChangePublic(field=c.field, change=c.change, before=c.before, after=c.after)
                 for c in plans.diff(old, new)])


@router.post("/plan", response_model=PlanPublic, status_code=status.HTTP_201_CREATED,
             summary="Submit (a new version of) the implementation plan (the intern)")
def submit_plan(data: PlanIn, intern: InternOnly, session: SessionDep) -> PlanPublic:
    plan = plans.submit(session, intern.internship, intern.user, data)
    return plan_public(plans.load(session, plan))


@router.post("/plan/approve", response_model=PlanPublic,
             summary="Approve the latest version (the home side); schedules the follow-ups")
def approve_plan(data: ReviewIn, home: HomeSide, session: SessionDep) -> PlanPublic:
    plan = plans.approve(session, home.internship, home.user, data)
    return plan_public(plans.load(session, plan))


@router.post("/plan/request-changes", response_model=PlanPublic,
             summary="Ask for changes, with a comment (the home side)")
def request_changes(data: ReviewIn, home: HomeSide, session: SessionDep) -> PlanPublic:
    plan = plans.request_changes(session, home.internship, home.user, data)
    return plan_public(plans.load(session, plan))


# -- follow-ups ----------------------------------------------------------------------------------


@router.get("/follow-ups", response_model=list[FollowUpPublic],
            summary="The 30/60/90-day follow-ups")
def list_follow_ups(reader: PlanReader, session: SessionDep) -> list[FollowUpPublic]:
    return [follow_up_public(session, f)
            for f in followups.follow_ups_of(session, reader.internship)]


@router.post("/follow-ups/{day}", response_model=FollowUpPublic,
             summary="Record a follow-up (the intern or the home side)")
def record_follow_up(day: Day, data: FollowUpIn, reader: PlanReader,
                     session: SessionDep) -> FollowUpPublic:
    """Every step of the approved plan with its status (and the day a done step was done) and
    the actual value of every KPI."""
    follow_up = followups.record(session, reader.internship, reader.user, day, data)
    return follow_up_public(session, follow_up)
