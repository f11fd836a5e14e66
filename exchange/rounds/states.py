"""Exchange-round lifecycles as tables: the round itself, and each proposal (one cycle).

Round: ``open`` (members confirm participation, the intern(s) they would send and how many
cycles they join) → ``cleared`` (proposals went out; clearing again re-clears only the firms
that declined or expired proposals released, never touching pending or accepted cycles) →
``closed``; an open round may be ``cancelled``.

Proposal: ``pending`` → ``accepted`` (the last member business says yes; the cycle's
internships are created) or ``declined`` (any member says no) or ``expired`` (no answer by the
deadline; set by the scheduler). Declined and expired proposals release their firms.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from exchange.errors import Conflict, PermissionDenied


class RoundState(StrEnum):
    open = "open"
    cleared = "cleared"
    closed = "closed"
    cancelled = "cancelled"


class RoundAction(StrEnum):
    confirm = "confirm"  # a member business joins (or updates its participation)
    clear = "clear"
    close = "close"
    cancel = "cancel"


class RoundRole(StrEnum):
    network_admin = "network_admin"
    member_owner = "member_owner"  # an owner or manager of a member business
    system = "system"


class ProposalState(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"


class ProposalAction(StrEnum):
    accept = "accept"
    decline = "decline"
    expire = "expire"


@dataclass(frozen=True)
class Move:
    target: str
    roles: frozenset[str]


def _m(target: StrEnum, *roles: StrEnum) -> Move:
    return Move(target.value, frozenset(r.value for r in roles))


R, RA, RR = RoundState, RoundAction, RoundRole
P, PA = ProposalState, ProposalAction

ROUND_TRANSITIONS: Final[dict[tuple[str, str], Move]] = {
    (R.open, RA.confirm): _m(R.open, RR.member_owner),
    (R.cleared, RA.confirm): _m(R.cleared, RR.member_owner),  # joins the next re-clear
    (R.open, RA.clear): _m(R.cleared, RR.network_admin),
    (R.cleared, RA.clear): _m(R.cleared, RR.network_admin),
    (R.open, RA.cancel): _m(R.cancelled, RR.network_admin),
    (R.cleared, RA.close): _m(R.closed, RR.network_admin),
}

PROPOSAL_TRANSITIONS: Final[dict[tuple[str, str], Move]] = {
    # Each member's yes is recorded; the last one makes it accepted.
    (P.pending, PA.accept): _m(P.accepted, RR.member_owner),
    (P.pending, PA.decline): _m(P.declined, RR.member_owner),
    (P.pending, PA.expire): _m(P.expired, RR.system),
}

RELEASED: Final = frozenset({P.declined.value, P.expired.value})
HOLDING: Final = frozenset({P.pending.value, P.accepted.value})


class InvalidRoundTransition(Conflict):
    slug = "invalid-round-transition"
    title = "Not possible in this state"


class RoundActionNotAllowed(PermissionDenied):
    slug = "round-action-not-allowed"
    title = "Not allowed for your role"


def _check(table: dict[tuple[str, str], Move], what: str, state: str, action: str,
           roles: set[str] | frozenset[str]) -> Move:
    found = table.get((state, action))
    if found is None:
        raise InvalidRoundTransition(f"You cannot {action} a {what} that is {state}.")
    if not found.roles & set(roles):
        allowed = ", ".join(sorted(r.replace("_", " ") for r in found.roles))
        raise RoundActionNotAllowed(f"Only the {allowed} can {action} this {what}.")
    return found


def round_move(state: str, action: str, roles: set[str] | frozenset[str]) -> Move:
    return _check(ROUND_TRANSITIONS, "round", state, action, roles)


def proposal_move(state: str, action: str, roles: set[str] | frozenset[str]) -> Move:
    return _check(PROPOSAL_TRANSITIONS, "proposal", state, action, roles)
