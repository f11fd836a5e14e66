"""The internship lifecycle as one table: (state, action) → (new state, roles allowed).

Every state change in the product goes through :func:`transition_for`; nothing else assigns
``Internship.state``. An action that is not in the table for the current state is an
:class:`InvalidTransition` (409), an action a person's roles do not allow is
:class:`TransitionNotAllowed` (403). Both change nothing.

Roles are relative to one internship (a person may hold several: a host owner who mentors):

=============  ================================================================
home_owner     an owner or manager of the sending business
host_owner     an owner or manager of the hosting business
mentor         the host member named as the intern's mentor
intern         the employee sent (a member of the home business)
system         the product itself (round clearing, the scheduler)
=============  ================================================================

Managers act for their owners: the owners' checklist (§1) is run by whoever the owner trusted
with the firm's profile. ``accept`` is special: each of home owner, host owner and intern
accepts the *same agreement version*; the service records the acceptance and only the last of
the three moves the internship to ``accepted`` (the table's target).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from exchange.errors import Conflict, PermissionDenied


class InternshipState(StrEnum):
    proposed = "proposed"
    accepted = "accepted"
    active = "active"
    completed = "completed"
    plan_submitted = "plan_submitted"
    changes_requested = "changes_requested"
    plan_approved = "plan_approved"
    following_up = "following_up"
    closed = "closed"
    declined = "declined"
    cancelled = "cancelled"
    withdrawn = "withdrawn"


class Role(StrEnum):
    home_owner = "home_owner"
    host_owner = "host_owner"
    mentor = "mentor"
    intern = "intern"
    system = "system"


class Action(StrEnum):
    edit_agreement = "edit_agreement"
    accept = "accept"
    decline = "decline"
    withdraw = "withdraw"
    start = "start"
    cancel = "cancel"
    complete = "complete"
    submit_plan = "submit_plan"
    request_changes = "request_changes"
    approve_plan = "approve_plan"
    record_follow_up = "record_follow_up"
    close = "close"


@dataclass(frozen=True)
class Transition:
    target: InternshipState
    roles: frozenset[Role]


S, A, R = InternshipState, Action, Role
_OWNERS = frozenset({R.home_owner, R.host_owner})
_PARTIES = frozenset({R.home_owner, R.host_owner, R.intern})
_HOST = frozenset({R.host_owner, R.mentor})
_FOLLOW_UP = frozenset({R.intern, R.home_owner})


def _t(target: InternshipState, *roles: Role) -> Transition:
    return Transition(target, frozenset(roles))


TRANSITIONS: Final[dict[tuple[InternshipState, Action], Transition]] = {
    # Agreeing. Editing objectives, dates or terms makes a new agreement version that all three
    # parties accept again, so an accepted internship edited before it starts is proposed again.
    (S.proposed, A.edit_agreement): Transition(S.proposed, _OWNERS),
    (S.accepted, A.edit_agreement): Transition(S.proposed, _OWNERS),
    (S.proposed, A.accept): Transition(S.accepted, _PARTIES),
    (S.proposed, A.decline): _t(S.declined, R.host_owner, R.intern),
    (S.proposed, A.withdraw): _t(S.withdrawn, R.home_owner),
    (S.accepted, A.withdraw): _t(S.withdrawn, R.home_owner),
    # The internship itself: the host runs it.
    (S.accepted, A.start): Transition(S.active, _HOST),
    (S.accepted, A.cancel): Transition(S.cancelled, _OWNERS),
    (S.active, A.cancel): Transition(S.cancelled, _OWNERS),
    (S.active, A.complete): Transition(S.completed, _HOST),
    # The implementation plan: the intern writes, the home owner decides.
    (S.completed, A.submit_plan): _t(S.plan_submitted, R.intern),
    (S.changes_requested, A.submit_plan): _t(S.plan_submitted, R.intern),
    (S.plan_submitted, A.request_changes): _t(S.changes_requested, R.home_owner),
    (S.plan_submitted, A.approve_plan): _t(S.plan_approved, R.home_owner),
    # Follow-ups at 30/60/90 days; the first one recorded starts the follow-up phase.
    (S.plan_approved, A.record_follow_up): Transition(S.following_up, _FOLLOW_UP),
    (S.following_up, A.record_follow_up): Transition(S.following_up, _FOLLOW_UP),
    (S.plan_approved, A.close): _t(S.closed, R.home_owner),
    (S.following_up, A.close): _t(S.closed, R.home_owner),
}

# States in which an intern is "taken": at most one such internship per intern.
BUSY_STATES: Final = frozenset({S.accepted, S.active})
# States that hold a hosting place for their dates (capacity is checked for overlapping dates).
HOLDS_A_PLACE: Final = frozenset({S.proposed, S.accepted, S.active})
# Nothing can happen any more.
FINAL_STATES: Final = frozenset({S.closed, S.declined, S.cancelled, S.withdrawn})
# Objectives, dates and terms may change only before the internship starts.
EDITABLE_STATES: Final = frozenset({S.proposed, S.accepted})

ACTION_LABELS: Final[dict[Action, str]] = {
    A.edit_agreement: "Edit the agreement",
    A.accept: "Accept the agreement",
    A.decline: "Decline",
    A.withdraw: "Withdraw the proposal",
    A.start: "Start the internship",
    A.cancel: "Cancel the internship",
    A.complete: "Mark the internship completed",
    A.submit_plan: "Submit the implementation plan",
    A.request_changes: "Request changes to the plan",
    A.approve_plan: "Approve the plan",
    A.record_follow_up: "Record a follow-up",
    A.close: "Close the internship",
}

STATE_LABELS: Final[dict[InternshipState, str]] = {
    S.proposed: "Proposed — waiting for every party to accept",
    S.accepted: "Accepted — ready to start",
    S.active: "Active — the intern is at the host",
    S.completed: "Completed — waiting for the intern's plan",
    S.plan_submitted: "Plan submitted — waiting for the home owner",
    S.changes_requested: "Changes requested on the plan",
    S.plan_approved: "Plan approved — follow-ups due at 30, 60 and 90 days",
    S.following_up: "Following up",
    S.closed: "Closed",
    S.declined: "Declined",
    S.cancelled: "Cancelled",
    S.withdrawn: "Withdrawn",
}


class InvalidTransition(Conflict):
    slug = "invalid-transition"
    title = "Not possible in this state"


class TransitionNotAllowed(PermissionDenied):
    slug = "transition-not-allowed"
    title = "Not allowed for your role"


def transition_for(
    state: InternshipState, action: Action, roles: frozenset[Role] | set[Role]
) -> Transition:
    """The transition (state, action) if `roles` may make it; raises otherwise."""
    found = TRANSITIONS.get((state, action))
    if found is None:
        raise InvalidTransition(
            f"You cannot {ACTION_LABELS[action].lower()} while the internship is "
            f"{state.value.replace('_', ' ')}."
        )
    if not found.roles & set(roles):
        allowed = ", ".join(sorted(r.value.replace("_", " ") for r in found.roles))
        raise TransitionNotAllowed(
            f"Only the {allowed} can {ACTION_LABELS[action].lower()}."
        )
    return found


def actions_for(state: InternshipState, roles: frozenset[Role] | set[Role]) -> list[Action]:
    """The actions these roles may take now, in table order (for buttons on pages)."""
    return [a for (s, a), t in TRANSITIONS.items() if s == state and t.roles & set(roles)]
