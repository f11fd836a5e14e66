"""Pages of an internship's progress: host tasks, feedback, the implementation plan (form with
extra rows without script, review with the diff, every version), the follow-ups, and the
printable Kirkpatrick report per internship and per business (SVG charts with tables, CSV).

Same services and the same role dependencies as the API (progress_api.py). Forms POST and
redirect with a flash (PRG); invalid input re-renders the form with each field's message (422);
a refused action re-renders the page with the reason (409 / 403) — nothing was changed. The
section on the internship's own page is templates/internships/_progress.html, fed by
:func:`progress_summary` (a template global).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import object_session
from sqlmodel import Session
from starlette.datastructures import FormData

from exchange.deps import SessionDep
from exchange.errors import ExchangeError, ValidationFailed
from exchange.fields import form_input
from exchange.internships import (
    charts,
    feedback,
    followups,
    next_steps,
    plans,
    report,
    service,
    tasks,
)
from exchange.internships.deps import HomeSide, HostSide, InternOnly, InternshipParticipant
from exchange.internships.deps import Participant as ParticipantT
from exchange.internships.models import (
    FeedbackKind,
    FeedbackPhase,
    Internship,
    ObjectiveOutcome,
    StepStatus,
    TaskStatus,
)
from exchange.internships.progress_deps import PlanReader
from exchange.internships.progress_schemas import (
    MAX_PLAN_KPIS,
    MAX_PLAN_STEPS,
    FollowUpIn,
    ObjectiveRatingsIn,
    PlanIn,
    RatingIn,
    ReviewIn,
    TaskIn,
    TaskProgressIn,
    TaskUpdate,
)
from exchange.internships.states import STATE_LABELS, InternshipState, Role
from exchange.profiles.deps import BusinessManager
from exchange.web.csrf import verify_csrf
from exchange.web.render import redirect, render, templates

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

S = InternshipState
MAX_ID = 2**31 - 1
TaskId = Annotated[int, Path(ge=1, le=MAX_ID)]
VersionNo = Annotated[int, Path(ge=1, le=10_000)]
Day = Annotated[int, Path(ge=1, le=366)]
BLANK_ROWS = 2  # empty step/KPI rows under the filled ones
ADD_ROWS = 3  # rows the "add rows" button adds
MIN_ROWS = 3  # a fresh plan form starts with three step and three KPI rows
STEP_FIELDS = ("action", "owner", "due_date", "resources")
KPI_FIELDS = ("name", "unit", "baseline", "target", "target_date")
ROLE_WORDS = {Role.home_owner: "sending business", Role.host_owner: "host business",
              Role.mentor: "mentor", Role.intern: "intern"}


def _url(internship: Internship, part: str = "") -> str:
    return f"/internships/{internship.id}{part}"


def _base_context(session: Session, participant: ParticipantT) -> dict[str, Any]:
    internship = participant.internship
    home, host = service._businesses(session, internship)
    return {
        "internship": internship, "roles": participant.roles, "home": home, "host": host,
        "state": InternshipState(internship.state),
        "state_label": STATE_LABELS[InternshipState(internship.state)],
        "role_words": ROLE_WORDS,
    }


def _problem_page(render_page: Callable[..., Response], session: Session,
                  exc: ExchangeError, form: dict[str, Any] | None = None,
                  names: Callable[[], dict[str, str]] | None = None) -> Response:
    """Re-render after a refusal: the transaction is rolled back, the page shows why (NAMES:
    the words the page shows for its rows, e.g. a KPI's name, for the error messages)."""
    session.rollback()
    if isinstance(exc, ValidationFailed):
        return render_page(status_code=422, errors=exc.by_field(names() if names else None),
                           form=form or {})
    return render_page(status_code=exc.status_code, problem=exc.detail, form=form or {})


def _validate(schema: Any, raw: dict[str, Any]) -> Any:
    try:
        # Form fields are text by nature ("3", "on"); the API reads JSON strictly.
        with form_input():
            return schema.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed.from_pydantic(exc) from exc


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


def _rows(form: FormData, prefix: str, fields: tuple[str, ...]) -> tuple[list[dict[str, str]],
                                                                           int]:
    """The rows `prefix[i].field` of a form, blank rows dropped (and the count sent, blank
    included, so that "add rows" can show more)."""
    pattern = re.compile(rf"^{prefix}\[(\d{{1,3}})\]\.(\w+)$")
    found: dict[int, dict[str, str]] = {}
    for key in form:
        match = pattern.match(key)
        if match and match.group(2) in fields:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = _text(form, key)
    rows = [found[i] for i in sorted(found)]
    return [r for r in rows if any(r.values())], len(rows)


# -- the section on the internship's page ----------------------------------------------------------


def progress_summary(internship: Internship, roles: Any) -> dict[str, Any]:
    """What _progress.html shows: a few counts and what the viewer can do next. Called from the
    template with the internship the page already loaded (and its open session)."""
    session = object_session(internship)
    roles = frozenset(roles or ())
    if session is None or not roles:
        return {"visible": False}
    assert isinstance(session, Session)
    all_tasks = tasks.tasks_of(session, internship)
    rated = feedback.phases_rated(session, internship)
    # The lifecycle moves (no actions passed) are buttons on the internship page already.
    todo = next_steps.next_steps(session, internship, roles, [])
    readers = bool(roles & plans.PLAN_READERS)
    latest = plans.latest(session, internship) if readers else None
    follow_ups = followups.follow_ups_of(session, internship) if readers else []
    return {
        "visible": True,
        "tasks": len(all_tasks),
        "tasks_done": sum(1 for t in all_tasks if t.status == TaskStatus.done.value),
        "tasks_overdue": sum(1 for t in all_tasks if tasks.is_overdue(t)),
        "phases_rated": sorted(p.value for p in rated),
        "plan_readers": readers,
        "plan": latest,
        "follow_ups": [(f, followups.status_of(f).value) for f in follow_ups],
        "todo": todo,
        "report": Role.home_owner in roles,
        "base": _url(internship),
    }


templates.env.globals["progress_summary"] = progress_summary


# -- tasks -------------------------------------------------------------------------------------


def _tasks_page(request: Request, session: Session, participant: ParticipantT, *,
                status_code: int = 200, errors: dict[str, str] | None = None,
                form: dict[str, Any] | None = None, problem: str | None = None) -> Response:
    internship, roles = participant.internship, participant.roles
    state = InternshipState(internship.state)
    rows = tasks.tasks_of(session, internship)
    return render(request, "internships/tasks.html", {
        **_base_context(session, participant),
        "tasks": rows, "overdue": {t.id for t in rows if tasks.is_overdue(t)},
        "status_labels": tasks.STATUS_LABELS, "statuses": list(TaskStatus),
        "can_plan": bool(roles & tasks.HOST_ROLES) and state in tasks.PLANNING_STATES,
        "can_comment": bool(roles & tasks.HOST_ROLES) and state in tasks.COMMENT_STATES,
        "can_progress": Role.intern in roles and state in tasks.PROGRESS_STATES,
        "problem": problem,
    }, status_code=status_code, errors=errors, form=form)


@router.get("/internships/{internship_id}/tasks")
def tasks_page(request: Request, participant: InternshipParticipant,
               session: SessionDep) -> Response:
    return _tasks_page(request, session, participant)


@router.post("/internships/{internship_id}/tasks")
async def add_task(request: Request, host: HostSide, session: SessionDep) -> Response:
    form = await request.form()
    raw = {"title": _text(form, "title"), "description": _text(form, "description"),
           "due_date": _text(form, "due_date") or None}

    def again(**kw: Any) -> Response:
        return _tasks_page(request, session, host, **kw)

    try:
        task = tasks.add_task(session, host.internship, host.user, _validate(TaskIn, raw))
    except ExchangeError as exc:
        return _problem_page(again, session, exc, raw)
    return redirect(request, _url(host.internship, "/tasks"), f"Task “{task.title}” added.")


@router.post("/internships/{internship_id}/tasks/{task_id}/progress")
async def task_progress(request: Request, task_id: TaskId, intern: InternOnly,
                        session: SessionDep) -> Response:
    form = await request.form()
    raw = {"status": _text(form, "status"), "note": _text(form, "note")}

    def again(**kw: Any) -> Response:
        return _tasks_page(request, session, intern, **kw)

    try:
        task = tasks.set_progress(session, intern.internship, intern.user, task_id,
                                  _validate(TaskProgressIn, raw))
    except ExchangeError as exc:
        return _problem_page(again, session, exc)
    return redirect(request, _url(intern.internship, "/tasks"),
                    f"“{task.title}”: {tasks.STATUS_LABELS[TaskStatus(task.status)].lower()}.")


@router.post("/internships/{internship_id}/tasks/{task_id}/comment")
async def task_comment(request: Request, task_id: TaskId, host: HostSide,
                       session: SessionDep) -> Response:
    form = await request.form()

    def again(**kw: Any) -> Response:
        return _tasks_page(request, session, host, **kw)

    try:
        task = tasks.update_task(session, host.internship, host.user, task_id, _validate(
            TaskUpdate, {"mentor_comment": _text(form, "mentor_comment")}))
    except ExchangeError as exc:
        return _problem_page(again, session, exc)
    return redirect(request, _url(host.internship, "/tasks"), f"Comment on “{task.title}” saved.")


@router.post("/internships/{internship_id}/tasks/{task_id}/remove")
def remove_task(request: Request, task_id: TaskId, host: HostSide,
                session: SessionDep) -> Response:
    def again(**kw: Any) -> Response:
        return _tasks_page(request, session, host, **kw)

    try:
        tasks.remove_task(session, host.internship, host.user, task_id)
    except ExchangeError as exc:
        return _problem_page(again, session, exc)
    return redirect(request, _url(host.internship, "/tasks"), "Task removed.")


# -- feedback ------------------------------------------------------------------------------------


def _feedback_page(request: Request, session: Session, participant: ParticipantT, *,
                   status_code: int = 200, errors: dict[str, str] | None = None,
                   form: dict[str, Any] | None = None, problem: str | None = None) -> Response:
    internship, roles = participant.internship, participant.roles
    state = InternshipState(internship.state)
    seen = feedback.visible_to(session, internship, roles)
    rated = feedback.phases_rated(session, internship)
    given = feedback.submitted_kinds(session, internship)
    may_rate = [p for p in FeedbackPhase if roles & feedback.HOST_ROLES
                and state in feedback.RATING_STATES[p] and p not in rated]
    mine = [k for k in FeedbackKind if feedback.KIND_AUTHOR[k] in roles and k not in given
            and state in feedback.LATE_FEEDBACK_STATES]
    ratings = {(r.objective_id, r.phase): r for r in seen.ratings}
    return render(request, "internships/feedback.html", {
        **_base_context(session, participant),
        "objectives": service.objectives_of(session, internship),
        "ratings": ratings, "phases": list(FeedbackPhase), "rated": rated,
        "host_final_rated": FeedbackPhase.final in rated,
        "feedback": seen.feedback, "hidden": seen.hidden,
        "kind_labels": feedback.KIND_LABELS, "outcome_labels": feedback.OUTCOME_LABELS,
        "outcomes": list(ObjectiveOutcome), "may_rate": may_rate, "mine": mine,
        "problem": problem,
    }, status_code=status_code, errors=errors, form=form)


@router.get("/internships/{internship_id}/feedback")
def feedback_page(request: Request, participant: InternshipParticipant,
                  session: SessionDep) -> Response:
    return _feedback_page(request, session, participant)


@router.post("/internships/{internship_id}/feedback/objectives")
async def rate_objectives(request: Request, host: HostSide, session: SessionDep) -> Response:
    form = await request.form()
    rows, _ = _rows(form, "ratings", ("objective_id", "outcome", "score", "comment"))
    raw = {"phase": _text(form, "phase"), "ratings": [
        {**r, "comment": r.get("comment", "")} for r in rows]}

    def again(**kw: Any) -> Response:
        return _feedback_page(request, session, host, **kw)

    flat = {k: _text(form, k) for k in form if k != "csrf_token"}
    try:
        feedback.rate_objectives(session, host.internship, host.user,
                                 _validate(ObjectiveRatingsIn, raw))
    except ExchangeError as exc:
        return _problem_page(again, session, exc, flat)
    return redirect(request, _url(host.internship, "/feedback"),
                    f"Your {raw['phase']} ratings are saved.")


@router.post("/internships/{internship_id}/feedback/give")
async def give_feedback(request: Request, participant: InternshipParticipant,
                        session: SessionDep) -> Response:
    """The intern's reaction or an owner's partnership rating (`kind` in the form)."""
    form = await request.form()
    raw = {"rating": _text(form, "rating") or None, "comment": _text(form, "comment")}
    flat = {k: _text(form, k) for k in form if k != "csrf_token"}

    def again(**kw: Any) -> Response:
        return _feedback_page(request, session, participant, **kw)

    try:
        try:
            kind = FeedbackKind(_text(form, "kind"))
        except ValueError as exc:
            raise ValidationFailed.single("kind", "Choose which feedback you give.") from exc
        feedback.submit(session, participant.internship, participant.user, kind,
                        _validate(RatingIn, raw))
    except ExchangeError as exc:
        return _problem_page(again, session, exc, flat)
    return redirect(request, _url(participant.internship, "/feedback"),
                    "Thank you — your feedback is saved.")


# -- the plan ----------------------------------------------------------------------------------


def _plan_rows(version: plans.PlanVersion | None) -> tuple[list[dict[str, str]],
                                                           list[dict[str, str]]]:
    if version is None:
        return [], []
    steps = [{"action": s.action, "owner": s.owner, "due_date": s.due_date.isoformat(),
              "resources": s.resources} for s in version.steps]
    kpis = [{"name": k.name, "unit": k.unit, "baseline": f"{k.baseline:g}",
             "target": f"{k.target:g}", "target_date": k.target_date.isoformat()}
            for k in version.kpis]
    return steps, kpis


def _plan_page(request: Request, session: Session, participant: ParticipantT, *,
               status_code: int = 200, errors: dict[str, str] | None = None,
               form: dict[str, Any] | None = None, problem: str | None = None) -> Response:
    internship, roles = participant.internship, participant.roles
    state = InternshipState(internship.state)
    versions = plans.versions_of(session, internship)
    latest = plans.load(session, versions[-1]) if versions else None
    previous = plans.load(session, versions[-2]) if len(versions) > 1 else None
    can_submit = Role.intern in roles and state in {S.completed, S.changes_requested}
    if form and "steps" in form:
        steps, kpis = form["steps"], form["kpis"]
        step_rows, kpi_rows = form["step_rows"], form["kpi_rows"]
        texts = form
    else:
        steps, kpis = _plan_rows(latest)
        step_rows, kpi_rows = len(steps) + BLANK_ROWS, len(kpis) + BLANK_ROWS
        texts = ({"current_state": latest.plan.current_state,
                  "target_state": latest.plan.target_state, "risks": latest.plan.risks}
                 if latest else {})
    step_rows = min(max(step_rows, len(steps), MIN_ROWS), MAX_PLAN_STEPS)
    kpi_rows = min(max(kpi_rows, len(kpis), MIN_ROWS), MAX_PLAN_KPIS)
    return render(request, "internships/plan.html", {
        **_base_context(session, participant),
        "versions": versions, "latest": latest,
        "changes": plans.diff(previous, latest) if previous and latest else [],
        "previous": previous,
        "can_submit": can_submit,
        "can_review": Role.home_owner in roles and state is S.plan_submitted,
        "steps": steps + [{}] * (step_rows - len(steps)),
        "kpis": kpis + [{}] * (kpi_rows - len(kpis)),
        "texts": texts, "max_steps": MAX_PLAN_STEPS, "max_kpis": MAX_PLAN_KPIS,
        "problem": problem,
    }, status_code=status_code, errors=errors, form=texts)


@router.get("/internships/{internship_id}/plan")
def plan_page(request: Request, reader: PlanReader, session: SessionDep) -> Response:
    return _plan_page(request, session, reader)


@router.post("/internships/{internship_id}/plan")
async def submit_plan(request: Request, intern: InternOnly, session: SessionDep) -> Response:
    form = await request.form()
    steps, step_rows = _rows(form, "steps", STEP_FIELDS)
    kpis, kpi_rows = _rows(form, "kpis", KPI_FIELDS)
    texts = {k: _text(form, k) for k in ("current_state", "target_state", "risks")}
    adding = _text(form, "add_rows")
    # No script: "add rows" brings the page back with more empty rows and everything typed.
    if adding == "steps":
        step_rows += ADD_ROWS
    elif adding == "kpis":
        kpi_rows += ADD_ROWS
    kept: dict[str, Any] = {**texts, "steps": steps, "kpis": kpis, "step_rows": step_rows,
                            "kpi_rows": kpi_rows}
    if adding in {"steps", "kpis"}:
        return _plan_page(request, session, intern, form=kept)
    raw = {**texts, "expected_version": _text(form, "expected_version") or None,
           "steps": [{**s, "resources": s.get("resources", "")} for s in steps],
           "kpis": kpis}

    def again(**kw: Any) -> Response:
        return _plan_page(request, session, intern, **{**kw, "form": kept})

    try:
        if not steps:
            raise ValidationFailed.single("steps[0].action", "Add at least one step.")
        if not kpis:
            raise ValidationFailed.single("kpis[0].name", "Add at least one KPI.")
        plan = plans.submit(session, intern.internship, intern.user, _validate(PlanIn, raw))
    except ExchangeError as exc:
        return _problem_page(again, session, exc, kept)
    return redirect(request, _url(intern.internship, "/plan"),
                    f"Version {plan.version} of your plan is submitted for review.")


@router.get("/internships/{internship_id}/plan/versions/{version}")
def plan_version_page(request: Request, version: VersionNo, reader: PlanReader,
                      session: SessionDep) -> Response:
    shown = plans.version_of(session, reader.internship, version)
    return render(request, "internships/plan_version.html", {
        **_base_context(session, reader), "shown": shown,
        "count": len(plans.versions_of(session, reader.internship)),
    })


@router.get("/internships/{internship_id}/plan/diff")
def plan_diff_page(request: Request, reader: PlanReader, session: SessionDep,
                   from_version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
                   to_version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
                   ) -> Response:
    old, new = plans.versions_to_compare(session, reader.internship, from_version, to_version)
    return render(request, "internships/plan_diff.html", {
        **_base_context(session, reader), "old": old, "new": new,
        "changes": plans.diff(old, new),
        "versions": plans.versions_of(session, reader.internship),
    })


async def _review(request: Request, home: ParticipantT, session: Session,
                  act: Callable[..., Any], done: str) -> Response:
    form = await request.form()
    raw = {"comment": _text(form, "comment"),
           "expected_version": _text(form, "expected_version") or None}

    def again(**kw: Any) -> Response:
        return _plan_page(request, session, home, **kw)

    try:
        act(session, home.internship, home.user, _validate(ReviewIn, raw))
    except ExchangeError as exc:
        session.rollback()
        if isinstance(exc, ValidationFailed):
            return _plan_page(request, session, home, status_code=422,
                              errors={"comment": " ".join(exc.by_field().values())})
        return again(status_code=exc.status_code, problem=exc.detail)
    return redirect(request, _url(home.internship, "/plan"), done)


@router.post("/internships/{internship_id}/plan/approve")
async def approve_plan(request: Request, home: HomeSide, session: SessionDep) -> Response:
    return await _review(request, home, session, plans.approve,
                         "The plan is approved; follow-ups are due at 30, 60 and 90 days.")


@router.post("/internships/{internship_id}/plan/request-changes")
async def request_changes(request: Request, home: HomeSide, session: SessionDep) -> Response:
    return await _review(request, home, session, plans.request_changes,
                         "Changes requested; the intern has been told.")


# -- follow-ups ----------------------------------------------------------------------------------


def _follow_ups_page(request: Request, session: Session, participant: ParticipantT, *,
                     status_code: int = 200, errors: dict[str, str] | None = None,
                     form: dict[str, Any] | None = None, problem: str | None = None) -> Response:
    internship, roles = participant.internship, participant.roles
    state = InternshipState(internship.state)
    rows = followups.follow_ups_of(session, internship)
    plan = plans.approved(session, internship)
    version = plans.load(session, plan) if plan else None
    upcoming = next((f for f in rows if f.recorded_at is None), None)
    if form is None and version is not None:
        form = _follow_up_defaults(session, internship, version)
    return render(request, "internships/followups.html", {
        **_base_context(session, participant),
        "rows": [(f, followups.status_of(f).value, followups.details(session, f))
                 for f in rows],
        "version": version,
        "steps_by_id": {s.id: s for s in version.steps} if version else {},
        "kpis_by_id": {k.id: k for k in version.kpis} if version else {},
        "upcoming": upcoming,
        "can_record": (upcoming is not None and followups.may_record(roles)
                       and state in {S.plan_approved, S.following_up}),
        "step_statuses": list(StepStatus), "today": date.today(),
        "overdue_days": followups.OVERDUE_AFTER.days,
        "problem": problem,
    }, status_code=status_code, errors=errors, form=form)


def _follow_up_defaults(session: Session, internship: Internship,
                        version: plans.PlanVersion) -> dict[str, str]:
    """The next follow-up's form starts from the last one: a done step stays done (with its
    date), so only what moved needs changing."""
    last = followups.latest_recorded(session, internship)
    if last is None:
        return {}
    progress = {p.step_id: p for p in last.steps}
    actuals = {a.kpi_id: a.actual for a in last.kpis}
    form: dict[str, str] = {}
    for n, step in enumerate(version.steps):
        row = progress.get(step.id or 0)
        if row is not None:
            form[f"steps[{n}].status"] = row.status
            form[f"steps[{n}].done_on"] = row.done_on.isoformat() if row.done_on else ""
            form[f"steps[{n}].note"] = row.note
    for n, kpi in enumerate(version.kpis):
        if (kpi.id or 0) in actuals:
            form[f"kpis[{n}].actual"] = f"{actuals[kpi.id or 0]:g}"
    return form


@router.get("/internships/{internship_id}/follow-ups")
def follow_ups_page(request: Request, reader: PlanReader, session: SessionDep) -> Response:
    return _follow_ups_page(request, session, reader)


@router.post("/internships/{internship_id}/follow-ups/{day}")
async def record_follow_up(request: Request, day: Day, reader: PlanReader,
                           session: SessionDep) -> Response:
    form = await request.form()
    steps, _ = _rows(form, "steps", ("step_id", "status", "done_on", "note"))
    kpis, _ = _rows(form, "kpis", ("kpi_id", "actual"))
    raw = {"notes": _text(form, "notes"),
           "expected_version": _text(form, "expected_version") or None,
           "steps": [{**s, "done_on": s.get("done_on") or None, "note": s.get("note", "")}
                     for s in steps],
           "kpis": kpis}
    flat = {k: _text(form, k) for k in form if k != "csrf_token"}

    def again(**kw: Any) -> Response:
        return _follow_ups_page(request, session, reader, **kw)

    def names() -> dict[str, str]:
        plan = plans.approved(session, reader.internship)
        if plan is None:
            return {}
        version = plans.load(session, plan)
        return {**{f"steps[{n}]": f"Step {n + 1} (“{step.action[:40]}”)"
                   for n, step in enumerate(version.steps)},
                **{f"kpis[{n}]": kpi.name for n, kpi in enumerate(version.kpis)}}

    try:
        followups.record(session, reader.internship, reader.user, day,
                         _validate(FollowUpIn, raw))
    except ExchangeError as exc:
        return _problem_page(again, session, exc, flat, names)
    return redirect(request, _url(reader.internship, "/follow-ups"),
                    f"The {day}-day follow-up is recorded.")


# -- reports -------------------------------------------------------------------------------------


def _csv(body: str, filename: str) -> Response:
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def internship_charts(r: report.InternshipReport) -> dict[str, Any]:
    reaction = [charts.Bar("Intern's reaction", r.reaction.intern_rating,
                           f"{r.reaction.intern_rating} / 5" if r.reaction.intern_rating
                           else "not yet"),
                charts.Bar(f"{r.home.name} on the partnership", r.reaction.home_partnership,
                           f"{r.reaction.home_partnership} / 5" if r.reaction.home_partnership
                           else "not yet"),
                charts.Bar(f"{r.host.name} on the partnership", r.reaction.host_partnership,
                           f"{r.reaction.host_partnership} / 5" if r.reaction.host_partnership
                           else "not yet")]
    levels = [charts.Pair(p.name, p.at_proposal, p.now) for p in r.learning.processes]
    steps = [charts.Bar(s.action, 1.0 if s.on_time else (0.5 if s.status == "done" else 0.0)
                        if s.status else None, s.verdict) for s in r.behaviour.steps]
    kpis = [charts.Bar(k.name, k.progress,
                       charts.percent(k.progress) if k.progress is not None else "no value")
            for k in r.results.kpis]
    key = r.internship.id
    return {
        "reaction": charts.bar_chart(f"reaction-{key}", "Reaction: ratings out of 5",
                                     reaction, 5),
        "levels": charts.paired_chart(f"levels-{key}",
                                      f"Learning: {r.home.name}'s level per focus process",
                                      levels, 5, "at proposal", "now"),
        "steps": charts.bar_chart(f"steps-{key}", "Behaviour: plan steps", steps, 1),
        "kpis": charts.bar_chart(f"kpis-{key}", "Results: progress from baseline to target",
                                 kpis, 1),
    }


@router.get("/internships/{internship_id}/report")
def report_page(request: Request, home: HomeSide, session: SessionDep) -> Response:
    r = report.internship_report(session, home.internship)
    return render(request, "internships/report.html", {
        **_base_context(session, home), "r": r, "charts": internship_charts(r),
        "percent": charts.percent, "outcome_labels": feedback.OUTCOME_LABELS,
    })


@router.get("/internships/{internship_id}/report.csv")
def report_csv(home: HomeSide, session: SessionDep) -> Response:
    r = report.internship_report(session, home.internship)
    return _csv(report.internship_csv(r), f"internship-{home.internship.id}-report.csv")


@router.get("/businesses/{slug}/internship-report")
def business_report_page(request: Request, member: BusinessManager,
                         session: SessionDep) -> Response:
    r = report.business_report(session, member.business)
    t = r.totals
    bars = [
        charts.Bar("Intern reaction (of 5)", t.intern_rating / 5 if t.intern_rating else None,
                   f"{t.intern_rating:.1f} / 5" if t.intern_rating else "—"),
        charts.Bar("Objectives achieved", t.achieved_share, charts.percent(t.achieved_share)),
        charts.Bar("Plan steps on time", t.on_time_share, charts.percent(t.on_time_share)),
        charts.Bar("KPI progress to target", t.mean_kpi_progress,
                   charts.percent(t.mean_kpi_progress)),
    ]
    return render(request, "internships/business_report.html", {
        "business": member.business, "r": r, "percent": charts.percent,
        "state_labels": STATE_LABELS,
        "chart": charts.bar_chart("business-levels",
                                  f"{member.business.name}: the four levels over "
                                  f"{t.internships} internship(s)", bars, 1),
    })


@router.get("/businesses/{slug}/internship-report.csv")
def business_report_csv(member: BusinessManager, session: SessionDep) -> Response:
    r = report.business_report(session, member.business)
    return _csv(report.business_csv(r), f"{member.business.slug}-internship-report.csv")
