"""Follow-ups: Meera (or Afreen) records the progress of every step and the KPI actuals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.errors import Conflict, ValidationFailed
from exchange.internships import followups
from exchange.internships.followups import FollowUpStatus, status_of
from exchange.internships.models import FollowUp, Internship, KpiActual, StepProgress
from exchange.internships.states import TransitionNotAllowed
from tests.internships.progress_helpers import TODAY, follow_up_in


def test_the_intern_records_the_30_day_follow_up(
        session: Session, plan_approved_internship: Internship, meera: User) -> None:
    data = follow_up_in(session, plan_approved_internship, done=1)
    recorded = followups.record(session, plan_approved_internship, meera, 30, data)
    assert recorded.recorded_at is not None and recorded.notes == "On track."
    assert plan_approved_internship.state == "following_up"
    details = followups.details(session, recorded)
    assert sorted(p.status for p in details.steps) == ["done", "in_progress", "in_progress"]
    assert sorted(a.actual for a in details.kpis) == [7, 250]
    assert followups.latest_recorded(session, plan_approved_internship) == details


def test_a_done_step_without_a_date_is_done_today(
        session: Session, plan_approved_internship: Internship, afreen: User) -> None:
    data = follow_up_in(session, plan_approved_internship, done=1)
    data.steps[0].done_on = None
    followups.record(session, plan_approved_internship, afreen, 30, data)
    done = session.exec(select(StepProgress).where(StepProgress.status == "done")).one()
    assert done.done_on == TODAY


def test_follow_ups_are_recorded_in_order_and_once(
        session: Session, plan_approved_internship: Internship, meera: User) -> None:
    with pytest.raises(Conflict, match="30-day"):
        followups.record(session, plan_approved_internship, meera, 60,
                         follow_up_in(session, plan_approved_internship))
    followups.record(session, plan_approved_internship, meera, 30,
                     follow_up_in(session, plan_approved_internship))
    with pytest.raises(Conflict, match="already"):
        followups.record(session, plan_approved_internship, meera, 30,
                         follow_up_in(session, plan_approved_internship))
    followups.record(session, plan_approved_internship, meera, 60,
                     follow_up_in(session, plan_approved_internship, done=2))
    assert followups.latest_recorded(session, plan_approved_internship).follow_up.day == 60


@pytest.mark.parametrize("who", ["rajeev", "arjun"])
def test_the_host_does_not_record_follow_ups(session: Session,
                                             plan_approved_internship: Internship, who: str,
                                             request: pytest.FixtureRequest) -> None:
    with pytest.raises(TransitionNotAllowed):
        followups.record(session, plan_approved_internship, request.getfixturevalue(who), 30,
                         follow_up_in(session, plan_approved_internship))
    assert session.exec(select(KpiActual)).all() == []


def test_every_step_and_kpi_is_required_and_named(
        session: Session, plan_approved_internship: Internship, meera: User) -> None:
    data = follow_up_in(session, plan_approved_internship)
    data.steps = data.steps[1:]
    data.kpis[1].kpi_id = 999_999
    data.steps[0].done_on = TODAY  # an in-progress step with a date it was done
    with pytest.raises(ValidationFailed) as caught:
        followups.record(session, plan_approved_internship, meera, 30, data)
    assert set(caught.value.by_field()) == {"steps[0]", "steps[0].done_on", "kpis[1].kpi_id",
                                            "kpis[1]"}
    follow_up = followups.get(session, plan_approved_internship, 30)
    assert follow_up.recorded_at is None
    assert plan_approved_internship.state == "plan_approved"


def test_a_done_date_in_the_future_is_refused(session: Session,
                                              plan_approved_internship: Internship,
                                              meera: User) -> None:
    data = follow_up_in(session, plan_approved_internship, done_on=TODAY + timedelta(days=2))
    with pytest.raises(ValidationFailed) as caught:
        followups.record(session, plan_approved_internship, meera, 30, data)
    assert "steps[0].done_on" in caught.value.by_field()


def test_status_moves_from_upcoming_to_due_to_overdue(
        session: Session, plan_approved_internship: Internship) -> None:
    row = session.exec(select(FollowUp).where(FollowUp.day == 30)).one()
    due = row.due_date
    assert status_of(row, due - timedelta(days=1)) is FollowUpStatus.upcoming
    assert status_of(row, due) is FollowUpStatus.due
    assert status_of(row, due + timedelta(days=6)) is FollowUpStatus.due
    assert status_of(row, due + followups.OVERDUE_AFTER) is FollowUpStatus.overdue


def test_an_unknown_day_is_not_found(session: Session, plan_approved_internship: Internship,
                                     meera: User) -> None:
    from exchange.errors import NotFound

    with pytest.raises(NotFound):
        followups.record(session, plan_approved_internship, meera, 45,
                         follow_up_in(session, plan_approved_internship))
