"""Host tasks: Arjun (mentor) sets Meera's work, Meera reports progress, Arjun comments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from exchange.internships import tasks
from exchange.internships.models import HostTask, Internship, InternshipEvent, TaskStatus
from exchange.internships.progress_schemas import TaskIn, TaskProgressIn, TaskUpdate
from exchange.notifications.models import Notification


def _task(internship: Internship, days: int = 1, title: str = "Shadow the content team") -> TaskIn:
    return TaskIn(title=title, description="Sit in the Monday planning meeting.",
                  due_date=internship.start_date + timedelta(days=days))


def test_the_mentor_adds_a_task_and_the_intern_is_told(
        session: Session, active_internship: Internship, arjun: User, meera: User) -> None:
    task = tasks.add_task(session, active_internship, arjun, _task(active_internship))
    assert task.status == TaskStatus.todo.value
    assert tasks.tasks_of(session, active_internship) == [task]
    notes = session.exec(select(Notification).where(Notification.user_id == meera.id,
                                                    Notification.kind ==
                                                    "internship.task_added")).all()
    assert len(notes) == 1 and "Shadow the content team" in notes[0].title


def test_the_host_owner_may_prepare_tasks_before_the_start(
        session: Session, accepted_internship: Internship, rajeev: User) -> None:
    tasks.add_task(session, accepted_internship, rajeev, _task(accepted_internship))
    assert len(tasks.tasks_of(session, accepted_internship)) == 1


@pytest.mark.parametrize("who", ["meera", "afreen", "charlie"])
def test_it_rejects_tasks_from_anyone_but_the_host(
        session: Session, active_internship: Internship, who: str,
        request: pytest.FixtureRequest) -> None:
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        tasks.add_task(session, active_internship, person, _task(active_internship))


def test_it_rejects_tasks_on_a_proposal(session: Session, internship: Internship,
                                        rajeev: User) -> None:
    with pytest.raises(Conflict, match="accepted or active"):
        tasks.add_task(session, internship, rajeev, _task(internship))


def test_a_due_date_outside_the_internship_names_the_field(
        session: Session, active_internship: Internship, arjun: User) -> None:
    with pytest.raises(ValidationFailed) as caught:
        tasks.add_task(session, active_internship, arjun, _task(active_internship, days=30))
    assert caught.value.by_field().keys() == {"due_date"}
    assert session.exec(select(HostTask)).all() == []


def test_the_intern_marks_progress_and_the_mentor_is_told(
        session: Session, active_internship: Internship, arjun: User, meera: User) -> None:
    task = tasks.add_task(session, active_internship, arjun, _task(active_internship))
    tasks.set_progress(session, active_internship, meera, task.id or 0,
                       TaskProgressIn(status=TaskStatus.done, note="  Done,   notes shared. "))
    assert task.status == "done" and task.completed_at is not None
    assert task.intern_note == "Done, notes shared."
    kinds = session.exec(select(Notification.kind).where(Notification.user_id == arjun.id)).all()
    assert "internship.task_progress" in kinds
    tasks.set_progress(session, active_internship, meera, task.id or 0,
                       TaskProgressIn(status=TaskStatus.in_progress))
    assert task.completed_at is None


def test_only_the_intern_marks_progress(session: Session, active_internship: Internship,
                                        arjun: User) -> None:
    task = tasks.add_task(session, active_internship, arjun, _task(active_internship))
    with pytest.raises(PermissionDenied, match="intern"):
        tasks.set_progress(session, active_internship, arjun, task.id or 0,
                           TaskProgressIn(status=TaskStatus.done))


def test_the_mentor_comments_after_the_end(session: Session, active_internship: Internship,
                                           arjun: User, meera: User) -> None:
    from exchange.internships import service
    from exchange.internships.states import Action

    task = tasks.add_task(session, active_internship, arjun, _task(active_internship))
    done = service.act(session, active_internship, arjun, Action.complete)
    tasks.update_task(session, done, arjun, task.id or 0,
                      TaskUpdate(mentor_comment="Great notes."))
    assert task.mentor_comment == "Great notes."
    with pytest.raises(Conflict):  # editing the task itself is over once it ended
        tasks.update_task(session, done, arjun, task.id or 0, TaskUpdate(title="Renamed task"))
    events = session.exec(select(InternshipEvent.type)).all()
    assert "internship.task_commented" in events


def test_overdue_means_due_date_passed_and_not_done(
        session: Session, active_internship: Internship, arjun: User, meera: User) -> None:
    task = tasks.add_task(session, active_internship, arjun, _task(active_internship, days=1))
    assert task.due_date is not None
    assert not tasks.is_overdue(task, today=task.due_date)
    assert tasks.is_overdue(task, today=task.due_date + timedelta(days=1))
    tasks.set_progress(session, active_internship, meera, task.id or 0,
                       TaskProgressIn(status=TaskStatus.done))
    assert not tasks.is_overdue(task, today=task.due_date + timedelta(days=1))


def test_tasks_are_listed_soonest_due_first(session: Session, active_internship: Internship,
                                            arjun: User) -> None:
    late = tasks.add_task(session, active_internship, arjun, _task(active_internship, 3, "Late"))
    undated = tasks.add_task(session, active_internship, arjun,
                             TaskIn(title="Whenever you like"))
    soon = tasks.add_task(session, active_internship, arjun, _task(active_internship, 0, "Soon"))
    assert tasks.tasks_of(session, active_internship) == [soon, late, undated]


def test_a_done_task_stays_and_an_open_one_can_be_removed(
        session: Session, active_internship: Internship, arjun: User, meera: User) -> None:
    kept = tasks.add_task(session, active_internship, arjun, _task(active_internship))
    gone = tasks.add_task(session, active_internship, arjun, _task(active_internship, 2, "Gone"))
    tasks.set_progress(session, active_internship, meera, kept.id or 0,
                       TaskProgressIn(status=TaskStatus.done))
    with pytest.raises(Conflict):
        tasks.remove_task(session, active_internship, arjun, kept.id or 0)
    tasks.remove_task(session, active_internship, arjun, gone.id or 0)
    assert tasks.tasks_of(session, active_internship) == [kept]


def test_a_task_of_another_internship_is_not_found(
        session: Session, active_internship: Internship, accepted_internship: Internship,
        arjun: User) -> None:
    with pytest.raises(NotFound):
        tasks.get_task(session, active_internship, 999_999)
