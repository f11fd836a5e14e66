"""API shapes of exchange rounds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from sqlmodel import Field, Session, SQLModel, col, select

from exchange.fields import Count, Day, Flag, Id, Line
from exchange.profiles.models import Business
from exchange.rounds import service
from exchange.rounds.models import ExchangeRound, ProposalParty, RoundProposal
from exchange.rounds.states import ProposalState, RoundState

# A member's id in the network's own system (`NetworkMember.external_id` is 128 characters).
ExternalId = Annotated[Line, Field(min_length=1, max_length=128)]


class RoundCreate(SQLModel):
    name: Line = Field(min_length=3, max_length=120, schema_extra={"examples": ["Spring 2027"]})
    window_start: Day
    window_end: Day
    max_cycle_length: Literal[2, 3] = 3
    prefer: Literal["none", "more_firms", "more_swaps"] = Field(
        default="more_firms",
        description="Among optimal clearings: serve more firms, or prefer more 2-way swaps.")
    answer_days: Count = Field(default=7, ge=1, le=60,
                             description="Days members have to answer a proposal.")
    members: list[ExternalId] | None = Field(
        default=None, max_length=1000,
        description="External ids of the members taking part; all members when omitted.")


class ParticipationIn(SQLModel):
    business: Line = Field(max_length=80, description="Slug of your business in the round.")
    take_part: Flag = True
    intern_ids: list[Id] = Field(default_factory=list, max_length=10,
                                 description="User ids of the interns you would send.")
    capacity: Count = Field(default=1, ge=0, le=10,
                          description="How many cycles you join (one intern each).")


class AnswerIn(SQLModel):
    business: Line = Field(max_length=80, description="Slug of your business in the cycle.")
    accept: Flag


class ProcessExplained(SQLModel):
    process: str
    process_name: str
    host_level: int
    own_level: int
    need: int
    value: float
    share: float


class PartyPublic(SQLModel):
    business: str
    business_name: str
    hosted_by: str
    learn_value: float
    explanation: list[ProcessExplained]
    answer: Literal["accept", "decline"] | None
    internship_id: int | None


class ProposalPublic(SQLModel):
    id: int
    state: ProposalState
    clear_pass: int
    cycle: list[str] = Field(description="Business slugs in cycle order: each firm's intern "
                                         "goes to the next one, the last one's to the first.")
    total_weight: float
    expires_at: datetime
    parties: list[PartyPublic]


class ParticipantPublic(SQLModel):
    business: str
    business_name: str
    confirmed: bool
    capacity: int


class RoundPublic(SQLModel):
    id: int
    network: str
    name: str
    state: RoundState
    window_start: date
    window_end: date
    max_cycle_length: int
    prefer: str
    answer_days: int
    clear_passes: int
    last_result: dict[str, Any]
    participants: list[ParticipantPublic]
    proposals: list[ProposalPublic]


def _names(session: Session, ids: set[int]) -> dict[int, Business]:
    return {b.id or 0: b for b in session.exec(
        select(Business).where(col(Business.id).in_(list(ids)))).all()}


def proposal_public(proposal: RoundProposal, parties: list[ProposalParty],
                    businesses: dict[int, Business]) -> ProposalPublic:
    return ProposalPublic(
        id=proposal.id or 0, state=ProposalState(proposal.state), clear_pass=proposal.clear_pass,
        cycle=[businesses[b].slug for b in proposal.business_ids],
        total_weight=proposal.total_weight, expires_at=proposal.expires_at,
        parties=[PartyPublic(
            business=businesses[p.business_id].slug,
            business_name=businesses[p.business_id].name,
            hosted_by=businesses[p.host_business_id].slug, learn_value=p.learn_value,
            explanation=[ProcessExplained.model_validate(e) for e in p.explanation],
            answer=p.decision,  # type: ignore[arg-type]
            internship_id=p.internship_id) for p in parties],
    )


def round_public(session: Session, round_: ExchangeRound, network_slug: str) -> RoundPublic:
    participants = service.participants_of(session, round_)
    proposals = service.proposals_of(session, round_)
    ids = {p.business_id for p in participants}
    for proposal, _ in proposals:
        ids.update(proposal.business_ids)
    businesses = _names(session, ids)
    return RoundPublic(
        id=round_.id or 0, network=network_slug, name=round_.name,
        state=RoundState(round_.state), window_start=round_.window_start,
        window_end=round_.window_end, max_cycle_length=round_.max_cycle_length,
        prefer=round_.prefer, answer_days=round_.answer_days, clear_passes=round_.clear_passes,
        last_result=round_.last_result,
        participants=[ParticipantPublic(business=businesses[p.business_id].slug,
                                        business_name=businesses[p.business_id].name,
                                        confirmed=p.confirmed, capacity=p.capacity)
                      for p in participants],
        proposals=[proposal_public(p, parties, businesses) for p, parties in proposals],
    )
