"""Feedback: Arjun rates Meera's objectives midway and at the end, Meera gives her reaction,
Afreen and Rajeev rate the partnership — and who sees what, when."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.errors import Conflict, PermissionDenied, ValidationFailed
from exchange.internships import feedback, service
from exchange.internships.models import (
    Feedback,
    FeedbackKind,
    FeedbackPhase,
    Internship,
    ObjectiveRating,
)
from exchange.internships.progress_schemas import ObjectiveRatingsIn, RatingIn
from exchange.internships.states import Role


def _ratings(session: Session, internship: Internship, phase: str,
             outcomes: tuple[str, ...] = ("achieved", "partly")) -> ObjectiveRatingsIn:
    objectives = service.objectives_of(session, internship)
    return ObjectiveRatingsIn.model_validate({"phase": phase, "ratings": [
        {"objective_id": o.id, "outcome": outcome, "score": 4, "comment": "Solid work."}
        for o, outcome in zip(objectives, outcomes, strict=True)]})


def _kinds(view: feedback.Visible) -> set[str]:
    return {f.kind for f in view.feedback}


def test_the_mentor_rates_every_objective_midway(
        session: Session, active_internship: Internship, arjun: User, meera: User) -> None:
    rows = feedback.rate_objectives(session, active_internship, arjun,
                                    _ratings(session, active_internship, "midway"))
    assert {r.outcome for r in rows} == {"achieved", "partly"}
    assert feedback.phases_rated(session, active_internship) == {FeedbackPhase.midway}


def test_midway_ratings_are_refused_after_the_end(
        session: Session, completed_internship: Internship, arjun: User) -> None:
    with pytest.raises(Conflict, match="midway"):
        feedback.rate_objectives(session, completed_internship, arjun,
                                 _ratings(session, completed_internship, "midway"))


def test_final_ratings_are_allowed_once_completed_and_only_once(
        session: Session, completed_internship: Internship, arjun: User) -> None:
    feedback.rate_objectives(session, completed_internship, arjun,
                             _ratings(session, completed_internship, "final"))
    with pytest.raises(Conflict, match="already"):
        feedback.rate_objectives(session, completed_internship, arjun,
                                 _ratings(session, completed_internship, "final"))


def test_final_ratings_are_refused_before_the_start(
        session: Session, accepted_internship: Internship, arjun: User) -> None:
    with pytest.raises(Conflict):
        feedback.rate_objectives(session, accepted_internship, arjun,
                                 _ratings(session, accepted_internship, "final"))


def test_every_objective_must_be_rated_and_nothing_is_written_otherwise(
        session: Session, active_internship: Internship, arjun: User) -> None:
    data = _ratings(session, active_internship, "midway")
    data.ratings = data.ratings[:1]
    with pytest.raises(ValidationFailed) as caught:
        feedback.rate_objectives(session, active_internship, arjun, data)
    assert "ratings[1]" in caught.value.by_field()
    assert session.exec(select(ObjectiveRating)).all() == []


def test_a_foreign_objective_is_named(session: Session, active_internship: Internship,
                                      arjun: User) -> None:
    data = _ratings(session, active_internship, "midway")
    data.ratings[0].objective_id = 999_999
    with pytest.raises(ValidationFailed) as caught:
        feedback.rate_objectives(session, active_internship, arjun, data)
    assert "ratings[0].objective_id" in caught.value.by_field()


@pytest.mark.parametrize("who", ["meera", "afreen"])
def test_only_the_host_rates_objectives(session: Session, active_internship: Internship,
                                        who: str, request: pytest.FixtureRequest) -> None:
    with pytest.raises(PermissionDenied):
        feedback.rate_objectives(session, active_internship, request.getfixturevalue(who),
                                 _ratings(session, active_internship, "midway"))


def test_the_intern_gives_her_reaction_once(session: Session, completed_internship: Internship,
                                            meera: User) -> None:
    row = feedback.submit(session, completed_internship, meera, FeedbackKind.intern_reaction,
                          RatingIn(rating=5, comment="I learnt a lot."))
    assert row.rating == 5 and row.phase == "final"
    with pytest.raises(Conflict):
        feedback.submit(session, completed_internship, meera, FeedbackKind.intern_reaction,
                        RatingIn(rating=4))


@pytest.mark.parametrize(("kind", "who"), [
    (FeedbackKind.intern_reaction, "afreen"),
    (FeedbackKind.home_partnership, "rajeev"),
    (FeedbackKind.home_partnership, "meera"),
    (FeedbackKind.host_partnership, "afreen"),
    (FeedbackKind.host_partnership, "charlie"),
])
def test_each_feedback_has_one_author(session: Session, completed_internship: Internship,
                                      kind: FeedbackKind, who: str,
                                      request: pytest.FixtureRequest) -> None:
    with pytest.raises(PermissionDenied):
        feedback.submit(session, completed_internship, request.getfixturevalue(who), kind,
                        RatingIn(rating=3))
    assert session.exec(select(Feedback)).all() == []


def test_feedback_waits_for_the_internship(session: Session, accepted_internship: Internship,
                                           meera: User) -> None:
    with pytest.raises(Conflict):
        feedback.submit(session, accepted_internship, meera, FeedbackKind.intern_reaction,
                        RatingIn(rating=3))


def test_feedback_after_closing_is_refused(session: Session, completed_internship: Internship,
                                           afreen: User) -> None:
    completed_internship.state = "closed"  # the lifecycle's end, without its paperwork
    with pytest.raises(Conflict):
        feedback.submit(session, completed_internship, afreen, FeedbackKind.home_partnership,
                        RatingIn(rating=3))


# -- visibility --------------------------------------------------------------------------------


HOST = frozenset({Role.mentor})
HOST_OWNER = frozenset({Role.host_owner})
INTERN = frozenset({Role.intern})
HOME = frozenset({Role.home_owner})


def test_the_reaction_reaches_the_host_only_after_the_hosts_final_ratings(
        session: Session, completed_internship: Internship, meera: User, arjun: User) -> None:
    feedback.submit(session, completed_internship, meera, FeedbackKind.intern_reaction,
                    RatingIn(rating=4, comment="Arjun explained everything."))
    for roles in (HOST, HOST_OWNER):
        view = feedback.visible_to(session, completed_internship, roles)
        assert _kinds(view) == set()
        assert [kind for kind, _ in view.hidden] == [FeedbackKind.intern_reaction]
    for roles in (INTERN, HOME):
        assert _kinds(feedback.visible_to(session, completed_internship, roles)) == {
            "intern_reaction"}
    feedback.rate_objectives(session, completed_internship, arjun,
                             _ratings(session, completed_internship, "final"))
    for roles in (HOST, HOST_OWNER):
        view = feedback.visible_to(session, completed_internship, roles)
        assert _kinds(view) == {"intern_reaction"} and view.hidden == []


def test_the_intern_sees_the_hosts_ratings_of_her_objectives(
        session: Session, active_internship: Internship, arjun: User) -> None:
    feedback.rate_objectives(session, active_internship, arjun,
                             _ratings(session, active_internship, "midway"))
    assert len(feedback.visible_to(session, active_internship, INTERN).ratings) == 2
    assert len(feedback.visible_to(session, active_internship, HOME).ratings) == 2


def test_partnership_ratings_are_exchanged_blind(
        session: Session, completed_internship: Internship, afreen: User, rajeev: User) -> None:
    feedback.submit(session, completed_internship, afreen, FeedbackKind.home_partnership,
                    RatingIn(rating=5))
    assert _kinds(feedback.visible_to(session, completed_internship, HOME)) == {
        "home_partnership"}
    hidden = feedback.visible_to(session, completed_internship, HOST_OWNER)
    assert _kinds(hidden) == set() and len(hidden.hidden) == 1
    feedback.submit(session, completed_internship, rajeev, FeedbackKind.host_partnership,
                    RatingIn(rating=4))
    both = {"home_partnership", "host_partnership"}
    assert _kinds(feedback.visible_to(session, completed_internship, HOST_OWNER)) == both
    assert _kinds(feedback.visible_to(session, completed_internship, HOME)) == both


def test_interns_mentors_and_strangers_never_see_partnership_ratings(
        session: Session, completed_internship: Internship, afreen: User, rajeev: User) -> None:
    feedback.submit(session, completed_internship, afreen, FeedbackKind.home_partnership,
                    RatingIn(rating=5))
    feedback.submit(session, completed_internship, rajeev, FeedbackKind.host_partnership,
                    RatingIn(rating=4))
    for roles in (INTERN, HOST, frozenset()):
        view = feedback.visible_to(session, completed_internship, roles)
        assert _kinds(view) == set() and view.hidden == []
    assert feedback.visible_to(session, completed_internship, frozenset()).ratings == []

