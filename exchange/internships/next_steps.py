"""What waits for one person on one internship: the steps that move it forward for their roles,
each with where it is taken. The dashboard's "Waiting for you", the internships page's
"Awaiting your action" and the progress summary on the internship page all read it.

Escape hatches (withdraw, decline alone, cancel) and editing the agreement are always open to
someone and are never a to-do: an internship whose only open action is cancelling waits for
nobody. Reading only.
"""

from __future__ import annotations

from sqlmodel import Session

from exchange.internships import feedback, followups, plans
from exchange.internships.models import FeedbackKind, FeedbackPhase, Internship
from exchange.internships.states import ACTION_LABELS, Action, InternshipState, Role

S = InternshipState

# Lifecycle moves that are a next step for whoever may make them now (the progress steps —
# plan, review, follow-ups, ratings — come from their own rules below).
FORWARD_ACTIONS = (Action.accept, Action.start, Action.complete)


def next_steps(session: Session, internship: Internship, roles: frozenset[Role],
               actions: list[Action]) -> list[tuple[str, str]]:
    """(what to do, where: a path under the internship's address, "" for its page)."""
    state = InternshipState(internship.state)
    steps: list[tuple[str, str]] = [(ACTION_LABELS[a], "") for a in FORWARD_ACTIONS
                                    if a in actions]
    rated = feedback.phases_rated(session, internship) if roles else set()
    if roles & feedback.HOST_ROLES:
        for phase, words in ((FeedbackPhase.midway, "Rate the objectives midway"),
                             (FeedbackPhase.final, "Give the final ratings")):
            if state in feedback.RATING_STATES[phase] and phase not in rated:
                steps.append((words, f"/feedback#rate-{phase.value}"))
    late = state in feedback.LATE_FEEDBACK_STATES and state is not S.active
    if late:
        given = feedback.submitted_kinds(session, internship)
        for kind, words in ((FeedbackKind.intern_reaction, "Rate your internship"),
                            (FeedbackKind.home_partnership, "Rate the partnership"),
                            (FeedbackKind.host_partnership, "Rate the partnership")):
            if feedback.KIND_AUTHOR[kind] in roles and kind not in given:
                steps.append((words, "/feedback#give"))
    if not roles & plans.PLAN_READERS:
        return steps
    if Role.intern in roles and state in {S.completed, S.changes_requested}:
        latest = plans.latest(session, internship)
        steps.append(("Write the implementation plan" if latest is None
                      else "Revise the implementation plan", "/plan#plan-form"))
    if Role.home_owner in roles and state is S.plan_submitted:
        steps.append(("Review the implementation plan", "/plan#review"))
    upcoming = next((f for f in followups.follow_ups_of(session, internship)
                     if f.recorded_at is None), None)
    # Early recording is possible on the follow-ups page; waiting for you means it is due.
    if upcoming is not None and followups.may_record(roles) and state in {
            S.plan_approved, S.following_up} and followups.status_of(upcoming) in {
            followups.FollowUpStatus.due, followups.FollowUpStatus.overdue}:
        steps.append((f"Record the {upcoming.day}-day follow-up", "/follow-ups#record"))
    return steps
