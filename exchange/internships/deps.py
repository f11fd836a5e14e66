"""Internship lookup and role checks as chained dependencies:
`VisibleInternship` (404 unless you take part) → `InternshipParticipant` (with your roles).

Which *action* a role may take is the transition table's business (`states.py`), checked by the
service; these dependencies only answer "may this person see this internship at all", and the
role-gated ones below (`HostSide`, `HomeSide`, `InternOnly`) for routes that are not state
transitions (tasks, feedback, plan drafts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from exchange.accounts.deps import CurrentUser
from exchange.accounts.models import User
from exchange.deps import SessionDep
from exchange.errors import PermissionDenied
from exchange.internships import service
from exchange.internships.models import Internship
from exchange.internships.states import Role


def get_visible_internship(internship_id: int, session: SessionDep,
                           user: CurrentUser) -> Internship:
    return service.get_for(session, internship_id, user)


VisibleInternship = Annotated[Internship, Depends(get_visible_internship)]


@dataclass(frozen=True)
class Participant:
    internship: Internship
    user: User
    roles: frozenset[Role]


def get_participant(internship: VisibleInternship, user: CurrentUser,
                    session: SessionDep) -> Participant:
    return Participant(internship, user, service.roles_of(session, internship, user))


InternshipParticipant = Annotated[Participant, Depends(get_participant)]


def _require(allowed: frozenset[Role], who: str):  # type: ignore[no-untyped-def]
    def dependency(participant: InternshipParticipant) -> Participant:
        if not participant.roles & allowed:
            raise PermissionDenied(f"Only {who} can do this.")
        return participant

    return dependency


# The mentor and the host's owners and managers (tasks, the host's feedback).
HostSide = Annotated[Participant, Depends(_require(frozenset({Role.host_owner, Role.mentor}),
                                                   "the host's mentor, owners and managers"))]
# The home business's owners and managers (plan review, partnership rating).
HomeSide = Annotated[Participant, Depends(_require(frozenset({Role.home_owner}),
                                                   "the home business's owners and managers"))]
# The intern of this internship (progress on tasks, reaction, the plan).
InternOnly = Annotated[Participant, Depends(_require(frozenset({Role.intern}),
                                                     "the intern of this internship"))]
