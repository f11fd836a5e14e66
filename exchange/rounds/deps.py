"""Round lookup for members, shared by the API and the pages: a round is visible to the owners
and managers of a participating business and to its network's admins (404 for anyone else)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from exchange.accounts.deps import CurrentUser
from exchange.deps import SessionDep
from exchange.rounds import service
from exchange.rounds.models import ExchangeRound


def _member_round(round_id: int, session: SessionDep, user: CurrentUser) -> ExchangeRound:
    return service.visible_round_for_member(session, round_id, user)


MemberRound = Annotated[ExchangeRound, Depends(_member_round)]
