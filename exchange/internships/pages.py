"""Internship pages: the dashboard, one internship (agreement, acceptances, the actions open to
you, the mentor picker, the timeline), the proposal form that starts from a suggestion, the
agreement editor, and the inbox.

Forms POST and redirect (PRG) with a flash; a form with errors is re-rendered with them (422); an
action refused by the transition table re-renders the internship with the reason and the status
(409 not possible now, 403 not your role) — nothing was changed.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from exchange.accounts.deps import CurrentUser
from exchange.deps import SessionDep
from exchange.errors import (
    Conflict,
    ExchangeError,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from exchange.internships import service, views
from exchange.internships.deps import InternshipParticipant, Participant
from exchange.internships.models import MAX_DAYS, MAX_OBJECTIVES, Internship
from exchange.internships.schemas import AgreementIn, ProposalIn
from exchange.internships.states import (
    ACTION_LABELS,
    EDITABLE_STATES,
    FINAL_STATES,
    STATE_LABELS,
    Action,
    InternshipState,
    Role,
)
from exchange.matching.serving import (
    MatchingDep,
    NotMatchable,
    SuggestionOptions,
    explain_for,
    find_businesses,
)
from exchange.notifications import inbox
from exchange.profiles import matrix as matrix_service
from exchange.profiles import service as profiles_service
from exchange.profiles.deps import BusinessManager, find_visible_business
from exchange.profiles.models import Business
from exchange.taxonomy.models import Process
from exchange.web.csrf import verify_csrf
from exchange.web.render import redirect, render

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

AGREEMENT_FIELDS = ("title", "start_date", "end_date", "schedule_notes", "confidentiality_terms")
# Actions with a one-click form on the internship page; the others carry content (accept, the
# agreement editor, and the plan/follow-up forms of the progress section).
BUTTON_ACTIONS = frozenset(service.SIMPLE_ACTIONS)
ASK_A_REASON = frozenset({Action.decline, Action.withdraw, Action.cancel})
# Where the actions that carry content are taken (exchange/internships/progress_pages.py).
CONTENT_PAGES = {Action.submit_plan.value: "plan", Action.request_changes.value: "plan",
                 Action.approve_plan.value: "plan", Action.record_follow_up.value: "follow-ups"}


# -- the dashboard -----------------------------------------------------------------------------


@router.get("/internships")
def dashboard(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    managed = [b for b, role in profiles_service.businesses_of(session, user)
               if role.value in service.OWNER_ROLES and b.archived_at is None]
    return render(request, "internships/dashboard.html", {
        "board": views.dashboard(session, user), "managed": managed,
        "state_labels": STATE_LABELS, "action_labels": ACTION_LABELS,
    })


# -- one internship ----------------------------------------------------------------------------


def _detail_context(session: SessionDep, participant: Participant) -> dict[str, Any]:
    internship, user, roles = participant.internship, participant.user, participant.roles
    public = views.public_of(session, internship, user)
    state = InternshipState(internship.state)
    return {
        "internship": internship,
        "public": public,
        "participant": participant,
        "roles": roles,
        "is_intern_only": roles <= {Role.intern},
        "state": state,
        "state_label": STATE_LABELS[state],
        "final": state in FINAL_STATES,
        "actions": public.your_actions,
        "button_actions": BUTTON_ACTIONS,
        "ask_a_reason": ASK_A_REASON,
        "content_pages": CONTENT_PAGES,
        "action_labels": ACTION_LABELS,
        "history": views.acceptance_history(session, internship),
        "timeline": service.timeline_of(session, internship),
        "timeline_people": views.timeline_people(session, internship),
        "host_members": (views.host_members(session, internship)
                         if Role.host_owner in roles else []),
        "can_name_mentor": Role.host_owner in roles and state not in FINAL_STATES,
    }


def _detail(request: Request, session: SessionDep, participant: Participant, *,
            status_code: int = 200, problem: str | None = None,
            errors: dict[str, str] | None = None) -> Response:
    return render(request, "internships/detail.html",
                  {**_detail_context(session, participant), "problem": problem,
                   "problem_status": status_code},
                  status_code=status_code, errors=errors)


@router.get("/internships/{internship_id}")
def detail(request: Request, participant: InternshipParticipant, session: SessionDep) -> Response:
    return _detail(request, session, participant)


def _refused(request: Request, session: SessionDep, participant: Participant,
             exc: ExchangeError) -> Response:
    """Re-render the internship with what was refused; the refused change is rolled back."""
    session.rollback()
    fresh = service.get_for(session, participant.internship.id or 0, participant.user)
    again = Participant(fresh, participant.user,
                        service.roles_of(session, fresh, participant.user))
    if isinstance(exc, ValidationFailed):
        return _detail(request, session, again, status_code=422, errors=exc.by_field(),
                       problem=exc.errors[0].message if exc.errors else exc.detail)
    return _detail(request, session, again, status_code=exc.status_code, problem=exc.detail)


def _int(form: FormData, name: str) -> int | None:
    raw = str(form.get(name) or "").strip()
    try:
        return int(raw) if raw else None
    except ValueError as exc:
        raise ValidationFailed.single(name, "Choose one of the options.") from exc


@router.post("/internships/{internship_id}/actions")
async def act(request: Request, participant: InternshipParticipant,
              session: SessionDep) -> Response:
    form = await request.form()
    raw = str(form.get("action") or "")
    try:
        action = Action(raw)
    except ValueError:
        return _refused(request, session, participant,
                        ValidationFailed.single("action", f"“{raw[:40]}” is not an action."))
    try:
        expected = _int(form, "expected_version")
        internship = service.act(session, participant.internship, participant.user, action,
                                 expected_version=expected,
                                 note=str(form.get("note") or "")[:2000])
    except (Conflict, PermissionDenied, ValidationFailed) as exc:
        return _refused(request, session, participant, exc)
    return redirect(request, f"/internships/{internship.id}",
                    f"You {service.DONE_WORDS[action]}. Now: "
                    f"{STATE_LABELS[InternshipState(internship.state)]}.")


@router.post("/internships/{internship_id}/accept")
async def accept(request: Request, participant: InternshipParticipant,
                 session: SessionDep) -> Response:
    form = await request.form()
    try:
        internship = service.accept(session, participant.internship, participant.user,
                                    agreement_version=_int(form, "agreement_version"),
                                    mentor_id=_int(form, "mentor_id"))
    except (Conflict, PermissionDenied, ValidationFailed) as exc:
        return _refused(request, session, participant, exc)
    if internship.state == InternshipState.accepted:
        message = "You accepted the agreement. Every party has: the internship is agreed."
    else:
        message = (f"You accepted version {internship.agreement_version} of the agreement. "
                   f"Still to accept: "
                   f"{views.still_to_accept(session, internship, participant.user)}.")
    return redirect(request, f"/internships/{internship.id}", message)


@router.post("/internships/{internship_id}/mentor")
async def name_mentor(request: Request, participant: InternshipParticipant,
                      session: SessionDep) -> Response:
    form = await request.form()
    try:
        mentor_id = _int(form, "mentor_id")
        if mentor_id is None:
            raise ValidationFailed.single("mentor_id", "Choose who mentors the intern.")
        service.set_mentor(session, participant.internship, participant.user, mentor_id)
    except (Conflict, PermissionDenied, ValidationFailed) as exc:
        return _refused(request, session, participant, exc)
    return redirect(request, f"/internships/{participant.internship.id}", "The mentor is named.")


# -- forms of the agreement (shared by the proposal and the editor) ----------------------------


def _agreement_from_form(form: FormData) -> tuple[dict[str, Any], dict[str, Any], list[int]]:
    """(data for the schema, values to show again, form row of each objective sent)."""
    shown: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in AGREEMENT_FIELDS}
    focus = [str(v) for v in form.getlist("focus_processes") if str(v).strip()]
    shown["focus_processes"] = focus
    rows, kept = [], []
    for i in range(MAX_OBJECTIVES):
        statement = str(form.get(f"objectives[{i}].statement") or "")
        criterion = str(form.get(f"objectives[{i}].success_criterion") or "")
        rows.append({"statement": statement, "success_criterion": criterion})
        if statement.strip() or criterion.strip():
            kept.append(i)
    shown["objectives"] = rows
    data: dict[str, Any] = {k: shown[k] for k in AGREEMENT_FIELDS}
    data["focus_processes"] = focus
    data["objectives"] = [rows[i] for i in kept]
    for name in ("start_date", "end_date"):
        if not data[name]:
            data[name] = None  # "required", not "invalid date"
    return data, shown, kept


def _form_errors(exc: ValidationFailed, kept: list[int]) -> dict[str, str]:
    """Field names as the form has them: objectives are renumbered to their form rows, and a
    focus process's error is the focus fieldset's."""
    out: dict[str, str] = {}
    for error in exc.errors:
        name = error.field
        if name.startswith("focus_processes"):
            name = "focus_processes"
        elif name.startswith("objectives["):
            index = int(name[len("objectives["):name.index("]")])
            if index < len(kept):
                name = f"objectives[{kept[index]}]" + name[name.index("]") + 1:]
                error = error.renamed(name)  # "Objective 2" is the form's second row
        if name == "objectives" and "at least" in error.message:
            error = FieldError(name, "Write at least one objective.")
        out.setdefault(name, error.message)
    return out


def _focus_choices(session: SessionDep, host: Business, wanted: list[str]) -> list[Process]:
    """The processes the host offers to teach, plus any already chosen (prefilled from the
    suggestion or kept from the form), in taxonomy order."""
    strengths, _ = matrix_service.strengths_and_needs(session, host)
    found = {s.process.key: s.process for s in strengths}
    missing = [k for k in wanted if k not in found]
    if missing:
        found.update({p.key: p for p in views.duration_suggestion(session, missing).processes})
    return sorted(found.values(), key=lambda p: (p.department_id, p.position, p.id or 0))


def _blank_objectives(rows: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    rows = list(rows or [])
    return rows + [{"statement": "", "success_criterion": ""}
                   for _ in range(MAX_OBJECTIVES - len(rows))]


def _date_bounds(today: date | None = None) -> dict[str, str]:
    today = today or date.today()
    return {"min_date": today.isoformat(),
            "max_date": (today + timedelta(days=365 + MAX_DAYS)).isoformat(),
            "max_days": str(MAX_DAYS)}


def _suggest_dates(session: SessionDep, shown: dict[str, Any]) -> views.DurationSuggestion:
    """The suggested duration for the chosen processes; keeps a chosen start date and moves the
    end date to fit."""
    suggestion = views.duration_suggestion(session, shown["focus_processes"])
    try:
        start = date.fromisoformat(shown["start_date"])
    except (TypeError, ValueError):
        start = views.default_dates(suggestion.days)[0]
    shown["start_date"] = start.isoformat()
    shown["end_date"] = (start + timedelta(days=suggestion.days - 1)).isoformat()
    return suggestion


# -- proposing ---------------------------------------------------------------------------------


def _host_of(session: SessionDep, user: CurrentUser, home: Business, slug: str
             ) -> Business | None:
    if not slug:
        return None
    with contextlib.suppress(NotFound):
        host = find_visible_business(session, user, slug)
        if host.id != home.id:
            return host
    return None


def _propose_context(session: SessionDep, matching: MatchingDep, home: Business,
                     host: Business | None, user: CurrentUser, shown: dict[str, Any],
                     host_q: str) -> dict[str, Any]:
    answer = None
    if host is not None:
        with contextlib.suppress(NotMatchable):
            answer = explain_for(session, matching, home, host, SuggestionOptions())
    assert user.id is not None
    return {
        "home": home, "host": host, "answer": answer, "host_q": host_q,
        # A competitor gets the refusal's words and no send button (the POST refuses it too).
        "offer": service.proposal_offer(session, home, host) if host is not None else None,
        "matches": (find_businesses(session, user.id, host_q, exclude_id=home.id)
                    if host_q and host is None else []),
        "interns": views.interns_of(session, home),
        "choices": _focus_choices(session, host, shown.get("focus_processes", []))
        if host is not None else [],
        "suggestion": views.duration_suggestion(session, shown.get("focus_processes", [])),
        "rule": " ".join((service.suggest_duration_days.__doc__ or "").split()),
        **_date_bounds(),
    }


@router.get("/businesses/{slug}/internships/new")
def propose_form(request: Request, member: BusinessManager, session: SessionDep,
                 matching: MatchingDep, user: CurrentUser) -> Response:
    home = member.business
    slug = request.query_params.get("host", "")[:80]
    host_q = " ".join(request.query_params.get("host_q", "").split())[:100]
    host = _host_of(session, user, home, slug)
    shown: dict[str, Any] = {"focus_processes": [], "objectives": _blank_objectives()}
    errors: dict[str, str] = {}
    if slug and host is None:
        errors["host"] = "No business with that address is visible to you."
    if host is not None:
        learn: tuple[Any, ...] = ()
        with contextlib.suppress(NotMatchable):
            answer = explain_for(session, matching, home, host, SuggestionOptions())
            if answer.suggestion is not None:
                learn = answer.suggestion.learn
        prefill = views.prefill_from_explanation(home, host, learn)
        suggestion = views.duration_suggestion(session, prefill.focus)
        start, end = views.default_dates(suggestion.days)
        interns = views.interns_of(session, home)
        shown = {"title": prefill.title, "focus_processes": prefill.focus,
                 "objectives": _blank_objectives(prefill.objectives),
                 "start_date": start.isoformat(), "end_date": end.isoformat(),
                 "schedule_notes": "", "confidentiality_terms": "",
                 "intern_id": str(interns[0].id) if len(interns) == 1 else ""}
    return render(request, "internships/propose.html",
                  _propose_context(session, matching, home, host, user, shown, host_q),
                  form=shown, errors=errors)


@router.post("/businesses/{slug}/internships/new")
async def propose(request: Request, member: BusinessManager, session: SessionDep,
                  matching: MatchingDep, user: CurrentUser) -> Response:
    home = member.business
    form = await request.form()
    slug = str(form.get("host") or "")[:80]
    host = _host_of(session, user, home, slug)
    data, shown, kept = _agreement_from_form(form)
    shown["intern_id"] = str(form.get("intern_id") or "")

    def again(status_code: int, errors: dict[str, str]) -> Response:
        return render(request, "internships/propose.html",
                      _propose_context(session, matching, home, host, user, shown, ""),
                      status_code=status_code, errors=errors, form=shown)

    if host is None:
        return again(422, {"host": "Choose the business that hosts the intern."})
    if form.get("action") == "suggest":
        _suggest_dates(session, shown)
        return again(200, {})
    not_chosen = {"intern_id": f"The intern must be a member of {home.name} with the intern "
                                f"role: choose who you send."}
    try:
        intern_id = _int(form, "intern_id")
        proposal = ProposalIn.model_validate(
            {**data, "host": host.slug, "intern_id": intern_id})
    except ValueError as exc:
        failed = ValidationFailed.from_pydantic(exc)
        errors = _form_errors(failed, kept)
        if "intern_id" in errors and intern_id is None:
            errors.update(not_chosen)
        return again(422, errors)
    except ValidationFailed as exc:
        return again(422, exc.by_field())
    try:
        internship = service.propose(session, user, home, host, proposal)
    except ValidationFailed as exc:
        session.rollback()
        return again(422, _form_errors(exc, kept))
    except Conflict as exc:
        session.rollback()
        return again(409, {"form": exc.detail})
    # Proposing does not accept for the proposer (README, Internships): they accept version 1
    # like every party, so the flash names everyone still to accept, the proposer first.
    return redirect(request, f"/internships/{internship.id}",
                    f"Proposed to {host.name}. Still to accept version 1 of the agreement: "
                    f"{views.still_to_accept(session, internship, user)}.")


# -- editing the agreement ---------------------------------------------------------------------


def _agreement_editor(participant: Participant) -> Internship:
    internship = participant.internship
    if not participant.roles & {Role.home_owner, Role.host_owner}:
        raise PermissionDenied("Only the owners and managers of the two businesses edit the "
                               "agreement.")
    if InternshipState(internship.state) not in EDITABLE_STATES:
        raise Conflict("The agreement can change only before the internship starts.")
    return internship


def _edit_context(session: SessionDep, participant: Participant, shown: dict[str, Any]
                  ) -> dict[str, Any]:
    internship = participant.internship
    home, host = service._businesses(session, internship)
    return {"internship": internship, "home": home, "host": host,
            "choices": _focus_choices(session, host, shown.get("focus_processes", [])),
            "suggestion": views.duration_suggestion(session, shown.get("focus_processes", [])),
            "rule": " ".join((service.suggest_duration_days.__doc__ or "").split()),
            **_date_bounds(min(date.today(), internship.start_date))}


@router.get("/internships/{internship_id}/agreement/edit")
def edit_form(request: Request, participant: InternshipParticipant,
              session: SessionDep) -> Response:
    internship = _agreement_editor(participant)
    content = service.agreement_content(session, internship)
    shown = {**{k: content[k] for k in AGREEMENT_FIELDS},
             "focus_processes": content["focus_processes"],
             "objectives": _blank_objectives(content["objectives"]),
             "expected_version": internship.version}
    return render(request, "internships/edit.html", _edit_context(session, participant, shown),
                  form=shown)


@router.post("/internships/{internship_id}/agreement")
async def edit(request: Request, participant: InternshipParticipant,
               session: SessionDep) -> Response:
    internship = _agreement_editor(participant)
    form = await request.form()
    data, shown, kept = _agreement_from_form(form)
    shown["expected_version"] = str(form.get("expected_version") or "")

    def again(status_code: int, errors: dict[str, str]) -> Response:
        return render(request, "internships/edit.html",
                      _edit_context(session, participant, shown),
                      status_code=status_code, errors=errors, form=shown)

    if form.get("action") == "suggest":
        _suggest_dates(session, shown)
        return again(200, {})
    before = internship.agreement_version
    try:
        agreement = AgreementIn.model_validate(data)
    except ValueError as exc:
        return again(422, _form_errors(ValidationFailed.from_pydantic(exc), kept))
    try:
        expected = _int(form, "expected_version")
        internship = service.edit_agreement(session, internship, participant.user, agreement,
                                            expected_version=expected)
    except ValidationFailed as exc:
        session.rollback()
        return again(422, _form_errors(exc, kept))
    except (Conflict, PermissionDenied) as exc:
        session.rollback()
        return again(exc.status_code, {"form": exc.detail})
    if internship.agreement_version == before:
        return redirect(request, f"/internships/{internship.id}",
                        "Nothing changed: the agreement is as it was.", "info")
    return redirect(request, f"/internships/{internship.id}",
                    f"Saved as version {internship.agreement_version}: every party accepts it "
                    "again.")


# -- the inbox ---------------------------------------------------------------------------------


INBOX_LIMIT = 100


@router.get("/inbox")
def inbox_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    assert user.id is not None
    return render(request, "internships/inbox.html", {
        "notifications": inbox.recent(session, user.id, INBOX_LIMIT),
        "unread": inbox.unread_count(session, user.id),
    })


@router.post("/inbox/read")
async def mark_read(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    assert user.id is not None
    form = await request.form()
    ids: list[int] | None = None
    if form.get("id"):
        try:
            ids = [int(str(form.get("id")))]
        except ValueError:
            ids = []
    marked = inbox.mark_read(session, user.id, ids)
    if ids is None:
        message = f"Marked {marked} notification{'' if marked == 1 else 's'} read."
    else:
        message = "Marked read." if marked else "Nothing to mark."
    return redirect(request, "/inbox", message)
