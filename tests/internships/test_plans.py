"""The implementation plan: Meera submits, Afreen requests changes, Meera resubmits, Afreen
approves — versions kept, shown as a diff, follow-ups scheduled."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.errors import Conflict, ValidationFailed
from exchange.internships import feedback, plans
from exchange.internships.models import (
    FeedbackKind,
    FollowUp,
    ImplementationPlan,
    Internship,
    InternshipEvent,
)
from exchange.internships.progress_schemas import RatingIn, ReviewIn
from exchange.internships.states import InvalidTransition, TransitionNotAllowed
from tests.internships.progress_helpers import TODAY, plan_data, plan_in


def test_the_intern_submits_version_one(session: Session, completed_internship: Internship,
                                        meera: User) -> None:
    plan = plans.submit(session, completed_internship, meera, plan_in())
    assert (plan.version, plan.status) == (1, "submitted")
    assert completed_internship.state == "plan_submitted"
    version = plans.load(session, plan)
    assert version.steps[0].action == "Set up the blog on our website"
    assert [k.unit for k in version.kpis] == ["leads", "EUR"]
    assert session.exec(select(InternshipEvent.type)).all()[-1] == "internship.plan_submitted"


def test_only_the_intern_submits(session: Session, completed_internship: Internship,
                                 afreen: User) -> None:
    with pytest.raises(TransitionNotAllowed):
        plans.submit(session, completed_internship, afreen, plan_in())
    assert session.exec(select(ImplementationPlan)).all() == []


def test_no_plan_before_the_internship_ends(session: Session, active_internship: Internship,
                                            meera: User) -> None:
    with pytest.raises(InvalidTransition):
        plans.submit(session, active_internship, meera, plan_in())


def test_past_dates_and_a_target_equal_to_the_baseline_are_named(
        session: Session, completed_internship: Internship, meera: User) -> None:
    data = plan_data()
    data["steps"][1]["due_date"] = (TODAY - timedelta(days=1)).isoformat()
    data["kpis"][0]["target"] = data["kpis"][0]["baseline"]
    with pytest.raises(ValidationFailed) as caught:
        plans.submit(session, completed_internship, meera, plan_in(**data))
    assert set(caught.value.by_field()) == {"steps[1].due_date", "kpis[0].target"}
    assert completed_internship.state == "completed"


def test_a_stale_version_is_a_conflict(session: Session, completed_internship: Internship,
                                       meera: User) -> None:
    with pytest.raises(Conflict):
        plans.submit(session, completed_internship, meera,
                     plan_in(expected_version=completed_internship.version - 1))


def test_changes_requested_need_a_comment(session: Session,
                                          plan_submitted_internship: Internship,
                                          afreen: User) -> None:
    with pytest.raises(ValidationFailed) as caught:
        plans.request_changes(session, plan_submitted_internship, afreen, ReviewIn())
    assert "comment" in caught.value.by_field()
    assert plan_submitted_internship.state == "plan_submitted"


def test_the_whole_review_loop_keeps_every_version(
        session: Session, plan_submitted_internship: Internship, afreen: User,
        meera: User) -> None:
    first = plans.request_changes(session, plan_submitted_internship, afreen,
                                  ReviewIn(comment="Add a KPI for newsletter sign-ups."))
    assert first.status == "changes_requested"
    assert plan_submitted_internship.state == "changes_requested"
    data = plan_data()
    data["kpis"].append({"name": "Newsletter sign-ups", "unit": "people", "baseline": 0,
                         "target": 100, "target_date": (TODAY + timedelta(days=60)).isoformat()})
    data["steps"][0]["owner"] = "Meera and Farah"
    data["target_state"] = data["target_state"] + "\nA monthly newsletter goes out."
    second = plans.submit(session, plan_submitted_internship, meera, plan_in(**data))
    assert second.version == 2
    assert [p.version for p in plans.versions_of(session, plan_submitted_internship)] == [1, 2]
    approved = plans.approve(session, plan_submitted_internship, afreen, ReviewIn())
    assert approved.id == second.id and approved.status == "approved"
    assert plan_submitted_internship.state == "plan_approved"
    assert plans.approved(session, plan_submitted_internship) == second


def test_the_diff_names_each_change(session: Session, plan_submitted_internship: Internship,
                                    afreen: User, meera: User) -> None:
    plans.request_changes(session, plan_submitted_internship, afreen, ReviewIn(comment="More."))
    data = plan_data()
    data["steps"][0]["owner"] = "Meera and Farah"
    del data["steps"][2]
    data["kpis"].append({"name": "Newsletter sign-ups", "unit": "people", "baseline": 0,
                         "target": 100, "target_date": (TODAY + timedelta(days=60)).isoformat()})
    data["target_state"] = "A blog with two articles a month brings organic leads.\n" \
                           "Every article is tracked in the CRM."
    plans.submit(session, plan_submitted_internship, meera, plan_in(**data))
    changes = plans.diff(plans.version_of(session, plan_submitted_internship, 1),
                         plans.version_of(session, plan_submitted_internship, 2))
    by_field = {c.field: c for c in changes}
    assert set(by_field) == {"target_state", "steps[0].owner", "steps[2]", "kpis[2]"}
    assert (by_field["steps[0].owner"].before, by_field["steps[0].owner"].after) == (
        "Meera", "Meera and Farah")
    assert by_field["steps[2]"].change == "removed"
    assert by_field["kpis[2]"].change == "added"
    assert "Newsletter sign-ups: 0 → 100 people" in (by_field["kpis[2]"].after or "")
    lines = by_field["target_state"].lines
    assert ("-", "Every article is tracked.") in lines
    assert ("+", "Every article is tracked in the CRM.") in lines
    assert (" ", "A blog with two articles a month brings organic leads.") in lines


def test_identical_versions_have_no_diff(session: Session, plan_submitted_internship: Internship,
                                         afreen: User, meera: User) -> None:
    plans.request_changes(session, plan_submitted_internship, afreen, ReviewIn(comment="Hm."))
    plans.submit(session, plan_submitted_internship, meera, plan_in())
    assert plans.diff(plans.version_of(session, plan_submitted_internship, 1),
                      plans.version_of(session, plan_submitted_internship, 2)) == []


def test_approval_schedules_three_follow_ups(session: Session,
                                             plan_submitted_internship: Internship,
                                             afreen: User) -> None:
    day = date(2026, 3, 1)
    plans.approve(session, plan_submitted_internship, afreen, ReviewIn(), today=day)
    rows = session.exec(select(FollowUp).order_by(FollowUp.day)).all()
    assert [(r.day, r.due_date) for r in rows] == [
        (30, date(2026, 3, 31)), (60, date(2026, 4, 30)), (90, date(2026, 5, 30))]
    assert all(r.due_reminder_sent_at is None and r.recorded_at is None for r in rows)
    assert plan_submitted_internship.plan_approved_at is not None


@pytest.mark.parametrize("who", ["meera", "rajeev", "arjun"])
def test_only_the_home_side_reviews(session: Session, plan_submitted_internship: Internship,
                                    who: str, request: pytest.FixtureRequest) -> None:
    person = request.getfixturevalue(who)
    with pytest.raises(TransitionNotAllowed):
        plans.approve(session, plan_submitted_internship, person, ReviewIn())
    with pytest.raises(TransitionNotAllowed):
        plans.request_changes(session, plan_submitted_internship, person,
                              ReviewIn(comment="No."))
    assert session.exec(select(FollowUp)).all() == []


def test_farah_the_manager_may_approve(session: Session, plan_submitted_internship: Internship,
                                       farah: User) -> None:
    plans.approve(session, plan_submitted_internship, farah, ReviewIn())
    assert plan_submitted_internship.state == "plan_approved"


def test_an_approved_plan_cannot_be_approved_again(
        session: Session, plan_approved_internship: Internship, afreen: User) -> None:
    with pytest.raises(InvalidTransition):
        plans.approve(session, plan_approved_internship, afreen, ReviewIn())
    assert len(session.exec(select(FollowUp)).all()) == 3


def test_feedback_may_still_come_while_the_plan_is_reviewed(
        session: Session, plan_submitted_internship: Internship, meera: User) -> None:
    feedback.submit(session, plan_submitted_internship, meera, FeedbackKind.intern_reaction,
                    RatingIn(rating=5))
    assert feedback.submitted_kinds(session, plan_submitted_internship) == {
        FeedbackKind.intern_reaction}
