"""Host tasks: the mentor (or the host's owners and managers) sets the intern's work, the intern
reports progress with a note, the mentor comments.

Rules, in one place:
- the host side adds, edits and removes tasks while the internship is accepted or active (it
  prepares the first week before the intern arrives); a done task cannot be removed (it is part
  of what the intern did);
- the intern moves a task between todo / in_progress / done, with a note, while the internship is
  active;
- the host side comments while accepted, active or completed (a last word after the end);
- a task is **overdue** when its due date has passed and it is not done.

Services only flush; the request boundary commits.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from exchange.accounts.models import User
from exchange.db import utcnow
from exchange.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from exchange.internships import service
from exchange.internships.models import HostTask, Internship, TaskStatus
from exchange.internships.progress_schemas import (
    MAX_TASKS_PER_INTERNSHIP,
    TaskIn,
    TaskProgressIn,
    TaskUpdate,
)
from exchange.internships.states import InternshipState, Role

S = InternshipState
HOST_ROLES = frozenset({Role.host_owner, Role.mentor})
PLANNING_STATES = frozenset({S.accepted, S.active})
PROGRESS_STATES = frozenset({S.active})
COMMENT_STATES = frozenset({S.accepted, S.active, S.completed})

STATUS_LABELS = {TaskStatus.todo: "To do", TaskStatus.in_progress: "In progress",
                 TaskStatus.done: "Done"}


def is_overdue(task: HostTask, today: date | None = None) -> bool:
    return (task.due_date is not None and task.status != TaskStatus.done.value
            and task.due_date < (today or date.today()))


def tasks_of(session: Session, internship: Internship) -> list[HostTask]:
    """Soonest due first; tasks without a due date last, then in the order they were added."""
    return list(session.exec(
        select(HostTask).where(HostTask.internship_id == internship.id)
        .order_by(col(HostTask.due_date).is_(None), col(HostTask.due_date), col(HostTask.id))
    ).all())


def get_task(session: Session, internship: Internship, task_id: int) -> HostTask:
    task = session.get(HostTask, task_id)
    if task is None or task.internship_id != internship.id:
        raise NotFound("This internship has no task with that number.")
    return task


def _check(session: Session, internship: Internship, actor: User, roles: frozenset[Role],
           states: frozenset[InternshipState], doing: str) -> None:
    if not service.roles_of(session, internship, actor) & roles:
        who = "the intern" if roles == {Role.intern} else "the host's mentor, owners and managers"
        raise PermissionDenied(f"Only {who} can {doing}.")
    state = InternshipState(internship.state)
    if state not in states:
        allowed = " or ".join(sorted(s.value.replace("_", " ") for s in states))
        raise Conflict(f"You can {doing} only while the internship is {allowed}; it is "
                       f"{state.value.replace('_', ' ')}.")


def _check_due_date(internship: Internship, due: date | None) -> None:
    if due is not None and not (internship.start_date <= due <= internship.end_date):
        raise ValidationFailed.single(
            "due_date", f"The due date must fall within the internship "
                        f"({internship.start_date.isoformat()} to "
                        f"{internship.end_date.isoformat()}).")


def add_task(session: Session, internship: Internship, actor: User, data: TaskIn) -> HostTask:
    _check(session, internship, actor, HOST_ROLES, PLANNING_STATES, "add tasks")
    _check_due_date(internship, data.due_date)
    if len(tasks_of(session, internship)) >= MAX_TASKS_PER_INTERNSHIP:
        raise Conflict(f"An internship holds at most {MAX_TASKS_PER_INTERNSHIP} tasks.")
    task = HostTask(internship_id=internship.id or 0, title=data.title,
                    description=data.description, due_date=data.due_date,
                    created_by_id=actor.id)
    session.add(task)
    session.flush()
    due = f" (due {data.due_date.isoformat()})" if data.due_date else ""
    service.record(session, internship, "internship.task_added", actor,
                   f"{actor.display_name} added the task “{task.title}”{due}.",
                   {"task_id": task.id}, recipients=[internship.intern_id])
    return task


def update_task(session: Session, internship: Internship, actor: User, task_id: int,
                data: TaskUpdate) -> HostTask:
    """Edit title, description or due date (while planning) and/or the mentor's comment."""
    task = get_task(session, internship, task_id)
    edits_task = data.title is not None or data.description is not None or (
        data.due_date is not None or data.clear_due_date)
    if edits_task:
        _check(session, internship, actor, HOST_ROLES, PLANNING_STATES, "edit tasks")
    if data.mentor_comment is not None:
        _check(session, internship, actor, HOST_ROLES, COMMENT_STATES, "comment on tasks")
    if not edits_task and data.mentor_comment is None:
        raise ValidationFailed.single("title", "Nothing to change: send at least one field.")
    if data.title is not None:
        task.title = data.title
    if data.description is not None:
        task.description = data.description
    if data.clear_due_date:
        task.due_date = None
    elif data.due_date is not None:
        _check_due_date(internship, data.due_date)
        task.due_date = data.due_date
    commented = data.mentor_comment is not None and data.mentor_comment != task.mentor_comment
    if data.mentor_comment is not None:
        task.mentor_comment = data.mentor_comment
    task.updated_at = utcnow()
    session.add(task)
    session.flush()
    if commented:
        service.record(session, internship, "internship.task_commented", actor,
                       f"{actor.display_name} commented on “{task.title}”.",
                       {"task_id": task.id}, recipients=[internship.intern_id])
    return task


def set_progress(session: Session, internship: Internship, actor: User, task_id: int,
                 data: TaskProgressIn) -> HostTask:
    _check(session, internship, actor, frozenset({Role.intern}), PROGRESS_STATES,
           "report progress on tasks")
    task = get_task(session, internship, task_id)
    task.status = data.status.value
    task.intern_note = data.note
    task.completed_at = utcnow() if data.status is TaskStatus.done else None
    task.updated_at = utcnow()
    session.add(task)
    session.flush()
    recipients = [internship.mentor_id] if internship.mentor_id else []
    service.record(session, internship, "internship.task_progress", actor,
                   f"{actor.display_name} marked “{task.title}” "
                   f"{STATUS_LABELS[data.status].lower()}.",
                   {"task_id": task.id, "status": data.status.value}, recipients=recipients)
    return task


def remove_task(session: Session, internship: Internship, actor: User, task_id: int) -> None:
    _check(session, internship, actor, HOST_ROLES, PLANNING_STATES, "remove tasks")
    task = get_task(session, internship, task_id)
    if task.status == TaskStatus.done.value:
        raise Conflict("A done task is part of what the intern did and stays on the record.")
    title = task.title
    session.delete(task)
    session.flush()
    service.record(session, internship, "internship.task_removed", actor,
                   f"{actor.display_name} removed the task “{title}”.", notify=False)
