"""Role checks of the progress routes that `deps.py` does not have, built the same way on
`InternshipParticipant` (404 unless you take part, 403 for a participant without the role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from exchange.errors import PermissionDenied
from exchange.internships.deps import InternshipParticipant, Participant
from exchange.internships.plans import PLAN_READERS
from exchange.internships.states import Role


def _require(allowed: frozenset[Role], who: str):  # type: ignore[no-untyped-def]
    def dependency(participant: InternshipParticipant) -> Participant:
        if not participant.roles & allowed:
            raise PermissionDenied(f"Only {who} can do this.")
        return participant

    return dependency


# The host's owners and managers (not the mentor): the host's rating of the partnership.
HostOwner = Annotated[Participant, Depends(_require(frozenset({Role.host_owner}),
                                                    "the host business's owners and managers"))]
# The intern and the home business's owners and managers: the plan and its follow-ups.
PlanReader = Annotated[Participant, Depends(_require(
    PLAN_READERS, "the intern and the home business's owners and managers"))]
