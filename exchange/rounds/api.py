"""/api/v1 exchange rounds.

The network runs a round with an API key holding `rounds:write` (create, read, clear, close,
cancel). Member businesses take part with their owners' personal tokens: confirm participation
and answer the proposal they are in. Members see only the proposals they are part of.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from exchange.accounts.deps import CurrentUser
from exchange.accounts.models import User
from exchange.deps import SessionDep
from exchange.errors import NotFound
from exchange.networks.deps import NetworkKey
from exchange.networks.models import Network, NetworkMember, Scope
from exchange.profiles.deps import find_visible_business
from exchange.profiles.models import Business
from exchange.rounds import service
from exchange.rounds.deps import MemberRound
from exchange.rounds.models import ExchangeRound
from exchange.rounds.schemas import (
    AnswerIn,
    ParticipationIn,
    RoundCreate,
    RoundPublic,
    round_public,
)
from exchange.rounds.states import RoundAction, RoundRole

router = APIRouter(prefix="/api/v1", tags=["rounds"])

RoundsWrite = NetworkKey(Scope.rounds_write)
_AS_NETWORK = frozenset({RoundRole.network_admin.value})


def _network_round(round_id: int, context: RoundsWrite, session: SessionDep) -> ExchangeRound:
    return service.get_round(session, context.network, round_id)


NetworkRound = Annotated[ExchangeRound, Depends(_network_round)]


def _run_business(session: Session, user: User, slug: str) -> Business:
    business = find_visible_business(session, user, slug)
    if not service.businesses_run_by(session, user, [business.id or 0]):
        raise NotFound("You do not run a business with that address.")
    return business


def _external_ids_to_business(session: Session, network: Network, external_ids: list[str]
                              ) -> list[int]:
    rows = dict(session.exec(select(NetworkMember.external_id, NetworkMember.business_id).where(
        NetworkMember.network_id == network.id,
        col(NetworkMember.external_id).in_(external_ids))).all())
    missing = [e for e in external_ids if e not in rows]
    if missing:
        from exchange.errors import ValidationFailed

        raise ValidationFailed.single("members", f"not members of the network: "
                                                 f"{', '.join(missing[:20])}")
    return [rows[e] for e in external_ids]


def _member_view(session: Session, round_: ExchangeRound, user: User) -> RoundPublic:
    network = session.get(Network, round_.network_id)
    assert network is not None
    public = round_public(session, round_, network.slug)
    if service.is_network_admin(session, round_.network_id, user):
        return public
    in_round = [p.business_id for p in service.participants_of(session, round_)]
    mine = {b.slug for b in session.exec(select(Business).where(col(Business.id).in_(
        service.businesses_run_by(session, user, in_round)))).all()}
    public.proposals = [p for p in public.proposals if mine & set(p.cycle)]
    return public


@router.post("/networks/{network_slug}/rounds", status_code=status.HTTP_201_CREATED,
             response_model=RoundPublic, summary="Open an exchange round")
def create_round(body: RoundCreate, context: RoundsWrite, session: SessionDep) -> RoundPublic:
    chosen = (None if body.members is None
              else _external_ids_to_business(session, context.network, body.members))
    round_ = service.create_round(
        session, context.network, None, name=body.name, window_start=body.window_start,
        window_end=body.window_end, max_cycle_length=body.max_cycle_length, prefer=body.prefer,
        answer_days=body.answer_days, business_ids=chosen)
    return round_public(session, round_, context.network.slug)


class RoundPage(BaseModel):
    items: list[RoundPublic]
    next: str | None = Field(description="URL of the next page, or null on the last page")


@router.get("/networks/{network_slug}/rounds", response_model=RoundPage,
            summary="The network's rounds, newest first, in pages")
def list_rounds(
    request: Request, response: Response, context: RoundsWrite, session: SessionDep,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1,
                                        description="From a `next` link")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> RoundPage:
    """Follow `next` until it is null; the `Link: <…>; rel="next"` header carries the same
    URL."""
    found = service.rounds_of(session, context.network, before_id=before, limit=limit + 1)
    page = found[:limit]
    next_url = None
    if len(found) > limit and page[-1].id is not None:
        next_url = str(request.url.include_query_params(before=page[-1].id, limit=limit))
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return RoundPage(items=[round_public(session, r, context.network.slug) for r in page],
                     next=next_url)


@router.get("/networks/{network_slug}/rounds/{round_id}", response_model=RoundPublic,
            summary="One round with its participants and proposals")
def read_round(round_: NetworkRound, context: RoundsWrite, session: SessionDep) -> RoundPublic:
    return round_public(session, round_, context.network.slug)


@router.post("/networks/{network_slug}/rounds/{round_id}/clear", response_model=RoundPublic,
             summary="Clear the round (again): optimal 2-way swaps and 3-way cycles")
def clear_round(round_: NetworkRound, context: RoundsWrite, session: SessionDep) -> RoundPublic:
    service.clear(session, round_, None, roles=_AS_NETWORK)
    return round_public(session, round_, context.network.slug)


@router.post("/networks/{network_slug}/rounds/{round_id}/close", response_model=RoundPublic,
             summary="Close a cleared round")
def close_round(round_: NetworkRound, context: RoundsWrite, session: SessionDep) -> RoundPublic:
    service.set_round_state(session, round_, None, RoundAction.close, roles=_AS_NETWORK)
    return round_public(session, round_, context.network.slug)


@router.post("/networks/{network_slug}/rounds/{round_id}/cancel", response_model=RoundPublic,
             summary="Cancel an open round")
def cancel_round(round_: NetworkRound, context: RoundsWrite, session: SessionDep
                 ) -> RoundPublic:
    service.set_round_state(session, round_, None, RoundAction.cancel, roles=_AS_NETWORK)
    return round_public(session, round_, context.network.slug)


@router.get("/rounds/{round_id}", response_model=RoundPublic,
            summary="A round you take part in (your proposals only)")
def read_round_as_member(round_: MemberRound, user: CurrentUser, session: SessionDep
                         ) -> RoundPublic:
    return _member_view(session, round_, user)


@router.put("/rounds/{round_id}/participation", response_model=RoundPublic,
            summary="Confirm (or withdraw) your business's participation")
def confirm_participation(body: ParticipationIn, round_: MemberRound, user: CurrentUser,
                          session: SessionDep) -> RoundPublic:
    business = _run_business(session, user, body.business)
    service.confirm(session, round_, user, business, take_part=body.take_part,
                    intern_ids=body.intern_ids, capacity=body.capacity)
    return _member_view(session, round_, user)


@router.post("/rounds/{round_id}/proposals/{proposal_id}/answer", response_model=RoundPublic,
             summary="Accept or decline your place in a proposed cycle")
def answer_proposal(proposal_id: int, body: AnswerIn, round_: MemberRound, user: CurrentUser,
                    session: SessionDep) -> RoundPublic:
    business = _run_business(session, user, body.business)
    proposal = service.get_proposal(session, round_, proposal_id)
    service.answer(session, round_, proposal, user, business, accept=body.accept)
    return _member_view(session, round_, user)
