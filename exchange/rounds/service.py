"""Exchange rounds in the product: create, confirm, clear, answer, re-clear.

Clearing builds a matching index of the confirmed participants only (their records exactly as
the suggestion index sees them, visibility set aside — they share the network), takes the
directed learn values among them (`matching.learn_edges`: the §4 value and competition rule,
exclusions included), and hands firms with their *remaining* capacity to the exact solver
(`rounds.solver.solve_round`). Remaining capacity is the confirmed capacity minus the cycles the
firm already sits in that are pending or accepted, so a re-clear never disturbs them; cycles of
declined or expired proposals are excluded from the re-clear, so the same cycle is not proposed
again.

When every member of a proposal accepts, one internship per edge is created in the internship
workflow (`internships.service.propose`, state proposed, linked by `round_proposal_id`) with the
edge's top processes as focus and objectives drafted from the explanation; the parties then
accept the internship agreement as for any other internship.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from exchange.accounts.models import BusinessRole, User
from exchange.db import utcnow
from exchange.errors import Conflict, FieldError, NotFound, ValidationFailed
from exchange.events import DomainEvent, emit
from exchange.internships.service import OWNER_ROLES
from exchange.matching.algorithm import MatchingIndex, SuggestionQuery, explain_pair, learn_edges
from exchange.matching.explain import Suggestion
from exchange.matching.serving import business_id_of, index_key, records_of
from exchange.networks import service as networks_service
from exchange.networks.models import Network, NetworkAdmin, NetworkMember
from exchange.notifications import inbox
from exchange.profiles.models import Business, BusinessMembership
from exchange.rounds.models import ExchangeRound, ProposalParty, RoundParticipant, RoundProposal
from exchange.rounds.solver import Edge, Firm, RoundResult, solve_round
from exchange.rounds.states import (
    HOLDING,
    RELEASED,
    ProposalAction,
    ProposalState,
    RoundAction,
    RoundRole,
    RoundState,
    proposal_move,
    round_move,
)

MAX_WINDOW_DAYS = 183
# clear() runs inside the admin's request and holds the round's row lock, so it must answer
# before the usual 60-s gateway timeout. The solver is anytime: when the limit strikes it returns
# its best selection (never worse than greedy) with the proven bound, and the round's report and
# page say how close it is ("within 0.4 % of the best possible"). 45 s leaves the rest of the
# request (explanations, proposals, notifications) 15 s; docs/rounds.md has the measurements.
CLEAR_TIME_LIMIT = 45.0
EXPLAINED_PROCESSES = 3  # the top processes of an edge: its explanation and internship focus


# -- who is asking -----------------------------------------------------------------------------


def is_network_admin(session: Session, network_id: int, user: User | None) -> bool:
    if user is None:
        return False
    network = session.get(Network, network_id)
    # Platform admins may run every network, as on the network pages (networks/deps.py).
    return network is not None and (user.is_platform_admin
                                    or networks_service.is_admin(session, user, network))


def businesses_run_by(session: Session, user: User, business_ids: Sequence[int]) -> list[int]:
    """Which of these businesses the user owns or manages."""
    return list(session.exec(select(BusinessMembership.business_id).where(
        BusinessMembership.user_id == user.id,
        col(BusinessMembership.business_id).in_(list(business_ids)),
        col(BusinessMembership.role).in_(OWNER_ROLES))).all())


def member_ids(session: Session, network_id: int) -> list[int]:
    return list(session.exec(select(NetworkMember.business_id).where(
        NetworkMember.network_id == network_id).order_by(col(NetworkMember.business_id))).all())


def round_roles(session: Session, round_: ExchangeRound, user: User | None,
                business_id: int | None = None) -> frozenset[str]:
    roles = set()
    if is_network_admin(session, round_.network_id, user):
        roles.add(RoundRole.network_admin.value)
    if user is not None and business_id is not None and businesses_run_by(
            session, user, [business_id]):
        roles.add(RoundRole.member_owner.value)
    return frozenset(roles)


def get_round(session: Session, network: Network, round_id: int) -> ExchangeRound:
    found = session.exec(select(ExchangeRound).where(
        ExchangeRound.id == round_id, ExchangeRound.network_id == network.id)).first()
    if found is None:
        raise NotFound("No round with that number in this network.")
    return found


def rounds_of(session: Session, network: Network, *, before_id: int | None = None,
              limit: int | None = None) -> list[ExchangeRound]:
    """Newest first; `before_id`/`limit` page through them (the API's `next` links)."""
    statement = select(ExchangeRound).where(ExchangeRound.network_id == network.id)
    if before_id is not None:
        statement = statement.where(col(ExchangeRound.id) < before_id)
    statement = statement.order_by(col(ExchangeRound.id).desc())
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.exec(statement).all())


def visible_round_for_member(session: Session, round_id: int, user: User) -> ExchangeRound:
    """A round the user may look at as a member: one of their businesses takes part in it, or
    they administer its network. 404 otherwise."""
    round_ = session.get(ExchangeRound, round_id)
    if round_ is None:
        raise NotFound("No round with that number is visible to you.")
    if is_network_admin(session, round_.network_id, user):
        return round_
    participants = [p.business_id for p in participants_of(session, round_)]
    if not businesses_run_by(session, user, participants):
        raise NotFound("No round with that number is visible to you.")
    return round_


# -- creating and joining ------------------------------------------------------------------------


def create_round(session: Session, network: Network, admin: User | None, *, name: str,
                 window_start: date, window_end: date, max_cycle_length: int = 3,
                 prefer: str = "more_firms", answer_days: int = 7,
                 business_ids: Sequence[int] | None = None,
                 today: date | None = None) -> ExchangeRound:
    """A new open round; participants are all members or the chosen ones (invited, not yet
    confirmed). `admin` is None when a network API key acts."""
    today = today or date.today()
    errors: list[FieldError] = []
    name = " ".join(name.split())
    if not 3 <= len(name) <= 120:
        errors.append(FieldError("name", "Give the round a name of 3 to 120 characters."))
    if window_end < window_start:
        errors.append(FieldError("window_end", "The window must end on or after its start."))
    elif (window_end - window_start).days + 1 > MAX_WINDOW_DAYS:
        errors.append(FieldError("window_end", "A round's window lasts at most six months."))
    if window_start < today:
        errors.append(FieldError("window_start", "The window starts in the past."))
    if max_cycle_length not in (2, 3):
        errors.append(FieldError("max_cycle_length", "Choose 2 (swaps only) or 3."))
    if prefer not in ("none", "more_firms", "more_swaps"):
        errors.append(FieldError("prefer", "Choose none, more_firms or more_swaps."))
    if not 1 <= answer_days <= 60:
        errors.append(FieldError("answer_days", "Members get 1 to 60 days to answer."))
    members = member_ids(session, network.id or 0)
    chosen = members if business_ids is None else list(dict.fromkeys(business_ids))
    strangers = [b for b in chosen if b not in set(members)]
    if strangers:
        errors.append(FieldError("business_ids", "Only members of the network can take part."))
    if len(chosen) < 2:
        errors.append(FieldError("business_ids", "A round needs at least two members."))
    if errors:
        raise ValidationFailed(errors)
    round_ = ExchangeRound(network_id=network.id or 0, name=name, window_start=window_start,
                           window_end=window_end, max_cycle_length=max_cycle_length,
                           prefer=prefer, answer_days=answer_days,
                           created_by_id=admin.id if admin else None)
    session.add(round_)
    session.flush()
    for business_id in chosen:
        session.add(RoundParticipant(round_id=round_.id or 0, business_id=business_id,
                                     capacity=0))
    session.flush()
    _notify_owners(session, chosen, kind="round.opened",
                   title=f"Exchange round “{round_.name}”: confirm your participation",
                   link=f"/rounds/{round_.id}")
    return round_


def participants_of(session: Session, round_: ExchangeRound) -> list[RoundParticipant]:
    return list(session.exec(select(RoundParticipant).where(
        RoundParticipant.round_id == round_.id).order_by(col(RoundParticipant.business_id))).all())


def confirm(session: Session, round_: ExchangeRound, user: User, business: Business, *,
            take_part: bool, intern_ids: Sequence[int], capacity: int) -> RoundParticipant:
    """A member business confirms (or withdraws) its participation: the intern(s) it would send
    — members with the intern role — and how many cycles it joins (at most one per intern and
    no more than its hosting capacity)."""
    participant = session.exec(select(RoundParticipant).where(
        RoundParticipant.round_id == round_.id,
        RoundParticipant.business_id == business.id)).first()
    if participant is None:
        raise NotFound("This business is not invited to the round.")
    round_move(round_.state, RoundAction.confirm, round_roles(session, round_, user,
                                                                business.id))
    errors: list[FieldError] = []
    interns = list(dict.fromkeys(intern_ids))
    if take_part:
        valid = set(session.exec(select(BusinessMembership.user_id).where(
            BusinessMembership.business_id == business.id,
            BusinessMembership.role == BusinessRole.intern.value)).all())
        if not interns:
            errors.append(FieldError("intern_ids", "Name the intern you would send."))
        for position, intern_id in enumerate(interns):
            if intern_id not in valid:
                errors.append(FieldError(f"intern_ids[{position}]",
                                         f"Not an intern of {business.name}."))
        if not 1 <= capacity <= 10:
            errors.append(FieldError("capacity", "Join 1 to 10 cycles."))
        elif capacity > len(interns):
            errors.append(FieldError("capacity", "Each cycle sends one intern: name as many "
                                                 "interns as cycles you join."))
        elif capacity > business.hosting_capacity:
            errors.append(FieldError("capacity", f"{business.name} hosts at most "
                                                 f"{business.hosting_capacity} intern(s)."))
    if errors:
        raise ValidationFailed(errors)
    participant.confirmed = take_part
    participant.intern_ids = interns if take_part else []
    participant.capacity = capacity if take_part else 0
    participant.confirmed_by_id = user.id
    participant.confirmed_at = utcnow()
    session.add(participant)
    session.flush()
    return participant


# -- clearing ----------------------------------------------------------------------------------


def _round_index(session: Session, business_ids: Sequence[int]) -> MatchingIndex:
    from exchange.matching.serving import _load_taxonomy  # the index's own taxonomy snapshot

    records = records_of(session, business_ids)
    # Members of one network see each other; capacity is the solver's business.
    opened = [dataclasses.replace(r, visibility="public", current_load=0) for r in
              records.values()]
    return MatchingIndex.from_records(opened, _load_taxonomy(session).taxonomy.copy())


def _proposals(session: Session, round_: ExchangeRound) -> list[RoundProposal]:
    return list(session.exec(select(RoundProposal).where(
        RoundProposal.round_id == round_.id).order_by(col(RoundProposal.id))).all())


def proposals_of(session: Session, round_: ExchangeRound
                 ) -> list[tuple[RoundProposal, list[ProposalParty]]]:
    out = []
    for proposal in _proposals(session, round_):
        out.append((proposal, parties_of(session, proposal)))
    return out


def parties_of(session: Session, proposal: RoundProposal) -> list[ProposalParty]:
    return list(session.exec(select(ProposalParty).where(
        ProposalParty.proposal_id == proposal.id).order_by(col(ProposalParty.position))).all())


def _explanation(suggestion: Suggestion | Any) -> list[dict[str, Any]]:
    if not isinstance(suggestion, Suggestion):
        return []
    return [{"process": c.process, "process_name": c.process_name,
             "host_level": c.partner_level, "own_level": c.own_level, "need": c.need,
             "value": c.value, "share": round(c.share, 4)}
            for c in suggestion.learn[:EXPLAINED_PROCESSES]]


def clear(session: Session, round_: ExchangeRound, admin: User | None, *,
          roles: frozenset[str] | None = None,
          time_limit: float | None = None) -> RoundResult:
    """Clear (or re-clear) the round: new proposals for the firms that still have capacity.
    ``time_limit`` defaults to CLEAR_TIME_LIMIT."""
    round_ = _lock_round(session, round_)
    if roles is None:
        roles = round_roles(session, round_, admin)
    move = round_move(round_.state, RoundAction.clear, roles)
    participants = [p for p in participants_of(session, round_) if p.confirmed and p.capacity]
    existing = proposals_of(session, round_)
    used: dict[int, int] = {}
    excluded: list[list[str]] = []
    for proposal, _ in existing:
        if proposal.state in HOLDING:
            for business_id in proposal.business_ids:
                used[business_id] = used.get(business_id, 0) + 1
        elif proposal.state in RELEASED:
            excluded.append([index_key(b) for b in proposal.business_ids])
    firms = [Firm(index_key(p.business_id), max(0, p.capacity - used.get(p.business_id, 0)))
             for p in participants]
    ids = [p.business_id for p in participants]
    index = _round_index(session, ids) if ids else None
    keys = [index_key(b) for b in ids if index is not None and index_key(b) in index]
    edges = [Edge(u, v, w) for u, v, w in learn_edges(index, keys)] if index and keys else []
    result = solve_round([f for f in firms if f.id in set(keys)], edges,
                         max_cycle_length=round_.max_cycle_length,
                         prefer=round_.prefer,  # type: ignore[arg-type]
                         time_limit=CLEAR_TIME_LIMIT if time_limit is None else time_limit,
                         exclude_cycles=excluded)
    round_.clear_passes += 1
    expires = utcnow() + timedelta(days=round_.answer_days)
    interns_used: dict[int, int] = dict(used)
    by_id = {p.business_id: p for p in participants}
    query = SuggestionQuery(require_capacity=False)
    for cycle, weight in zip(result.cycles, result.cycle_weights, strict=True):
        business_ids = [business_id_of(k) for k in cycle]
        proposal = RoundProposal(round_id=round_.id or 0, clear_pass=round_.clear_passes,
                                 business_ids=business_ids, total_weight=weight,
                                 expires_at=expires)
        session.add(proposal)
        session.flush()
        for position, business_id in enumerate(business_ids):
            host_id = business_ids[(position + 1) % len(business_ids)]
            assert index is not None
            found = explain_pair(index, index_key(business_id), index_key(host_id), query)
            participant = by_id[business_id]
            slot = interns_used.get(business_id, 0)
            interns_used[business_id] = slot + 1
            intern_id = participant.intern_ids[min(slot, len(participant.intern_ids) - 1)]
            session.add(ProposalParty(
                proposal_id=proposal.id or 0, business_id=business_id, position=position,
                host_business_id=host_id,
                learn_value=found.learn_value if isinstance(found, Suggestion) else 0.0,
                explanation=_explanation(found), intern_id=intern_id))
        session.flush()
        _notify_owners(session, business_ids, kind="round.proposal",
                       title=f"Exchange round “{round_.name}”: a proposal for you to answer",
                       link=f"/rounds/{round_.id}")
    round_.state = move.target
    round_.cleared_at = utcnow()
    round_.last_result = {
        "status": result.status, "proven_optimal": result.proven_optimal,
        "total_weight": result.total_weight, "cycles": len(result.cycles),
        # The proven upper bound on the best possible total and the relative gap to it.
        "bound": result.bound, "gap": result.mip_gap,
        "seconds": round(result.seconds, 4), "pass": round_.clear_passes,
        "firms": len(firms), "edges": len(edges),
    }
    _bump_round(session, round_)
    emit(session, DomainEvent(
        type="round.cleared",
        data={"round": _round_data(session, round_), "result": round_.last_result},
        business_ids=tuple(ids), actor_id=admin.id if admin else None))
    return result


def _lock_round(session: Session, round_: ExchangeRound) -> ExchangeRound:
    return session.exec(select(ExchangeRound).where(ExchangeRound.id == round_.id)
                        .with_for_update().execution_options(populate_existing=True)).one()


def _compare_and_set(session: Session, row: ExchangeRound | RoundProposal, what: str) -> None:
    """Flush the row's changes, then bump its ``version`` only if nobody else did meanwhile."""
    model = type(row)
    session.add(row)
    session.flush()
    result = session.execute(update(model).where(
        col(model.id) == row.id, col(model.version) == row.version)
        .values(version=row.version + 1))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"Someone else changed this {what} at the same moment; try again.")
    session.refresh(row)


def _bump_round(session: Session, round_: ExchangeRound) -> None:
    _compare_and_set(session, round_, "round")


def _round_data(session: Session, round_: ExchangeRound) -> dict[str, Any]:
    network = session.get(Network, round_.network_id)
    return {"id": round_.id, "name": round_.name, "state": round_.state,
            "network": network.slug if network else None,
            "window_start": round_.window_start.isoformat(),
            "window_end": round_.window_end.isoformat()}


def set_round_state(session: Session, round_: ExchangeRound, admin: User | None,
                    action: RoundAction, roles: frozenset[str] | None = None) -> ExchangeRound:
    """Close or cancel."""
    round_ = _lock_round(session, round_)
    move = round_move(round_.state, action,
                      roles if roles is not None else round_roles(session, round_, admin))
    round_.state = move.target
    _bump_round(session, round_)
    return round_


# -- answering -----------------------------------------------------------------------------------


def _lock_proposal(session: Session, proposal: RoundProposal) -> RoundProposal:
    return session.exec(select(RoundProposal).where(RoundProposal.id == proposal.id)
                        .with_for_update().execution_options(populate_existing=True)).one()


def get_proposal(session: Session, round_: ExchangeRound, proposal_id: int) -> RoundProposal:
    found = session.exec(select(RoundProposal).where(
        RoundProposal.id == proposal_id, RoundProposal.round_id == round_.id)).first()
    if found is None:
        raise NotFound("No proposal with that number in this round.")
    return found


def answer(session: Session, round_: ExchangeRound, proposal: RoundProposal, user: User,
           business: Business, *, accept: bool, today: date | None = None) -> RoundProposal:
    """A member business accepts or declines its place in a cycle. The last acceptance creates
    the cycle's internships; a decline releases every firm of the cycle for a re-clear."""
    proposal = _lock_proposal(session, proposal)
    party = session.exec(select(ProposalParty).where(
        ProposalParty.proposal_id == proposal.id,
        ProposalParty.business_id == business.id)).first()
    if party is None:
        raise NotFound("This business is not part of that proposal.")
    roles = frozenset({RoundRole.member_owner.value}) if businesses_run_by(
        session, user, [business.id or 0]) else frozenset()
    action = ProposalAction.accept if accept else ProposalAction.decline
    move = proposal_move(proposal.state, action, roles)
    if party.decision is not None:
        raise Conflict(f"{business.name} already answered this proposal.")
    party.decision = action.value
    party.decided_by_id = user.id
    party.decided_at = utcnow()
    session.add(party)
    session.flush()
    parties = parties_of(session, proposal)
    if not accept:
        proposal.state = move.target
        proposal.decided_at = utcnow()
    elif all(p.decision == ProposalAction.accept.value for p in parties):
        proposal.state = move.target
        proposal.decided_at = utcnow()
        _create_internships(session, round_, proposal, parties, user, today=today)
    _bump_proposal(session, proposal)
    _proposal_updated(session, round_, proposal, parties, user)
    return proposal


def expire_overdue(session: Session, now: datetime | None = None) -> int:
    """Pending proposals past their deadline become expired (scheduler; idempotent)."""
    now = now or utcnow()
    overdue = session.exec(select(RoundProposal).where(
        RoundProposal.state == ProposalState.pending.value,
        col(RoundProposal.expires_at) <= now)).all()
    count = 0
    for proposal in overdue:
        locked = _lock_proposal(session, proposal)
        if locked.state != ProposalState.pending.value:
            continue
        move = proposal_move(locked.state, ProposalAction.expire,
                             frozenset({RoundRole.system.value}))
        locked.state = move.target
        locked.decided_at = now
        _bump_proposal(session, locked)
        round_ = session.get(ExchangeRound, locked.round_id)
        assert round_ is not None
        _proposal_updated(session, round_, locked, parties_of(session, locked), None)
        count += 1
    return count


def _bump_proposal(session: Session, proposal: RoundProposal) -> None:
    _compare_and_set(session, proposal, "proposal")


def _proposal_updated(session: Session, round_: ExchangeRound, proposal: RoundProposal,
                      parties: list[ProposalParty], actor: User | None) -> None:
    emit(session, DomainEvent(
        type="round.proposal_updated",
        data={"round": _round_data(session, round_),
              "proposal": {"id": proposal.id, "state": proposal.state,
                           "businesses": _slugs(session, proposal.business_ids),
                           "answers": {str(p.business_id): p.decision for p in parties}}},
        business_ids=tuple(proposal.business_ids), actor_id=actor.id if actor else None))
    admins = session.exec(select(NetworkAdmin.user_id).where(
        NetworkAdmin.network_id == round_.network_id)).all()
    inbox.notify(session, [*admins], kind="round.proposal_updated",
                 title=f"Round “{round_.name}”: proposal {proposal.id} is {proposal.state}",
                 link=f"/networks/{_round_data(session, round_)['network']}/rounds/{round_.id}")


def _slugs(session: Session, business_ids: Sequence[int]) -> list[str]:
    rows = {b.id: b.slug for b in session.exec(
        select(Business).where(col(Business.id).in_(list(business_ids)))).all()}
    return [rows.get(b, "") for b in business_ids]


def _create_internships(session: Session, round_: ExchangeRound, proposal: RoundProposal,
                        parties: list[ProposalParty], user: User, *,
                        today: date | None) -> None:
    from exchange.internships import service as internships_service
    from exchange.internships.schemas import ProposalIn

    today = today or date.today()
    start = max(round_.window_start, today)
    for party in parties:
        home = session.get(Business, party.business_id)
        host = session.get(Business, party.host_business_id)
        assert home is not None and host is not None and party.intern_id is not None
        processes = [e["process"] for e in party.explanation] or []
        if not processes:
            raise Conflict(f"{home.name} would learn nothing at {host.name}; clear again.")
        complexities = internships_service.complexities_of(session, processes)
        days = internships_service.suggest_duration_days(complexities)
        end = min(round_.window_end, start + timedelta(days=days - 1))
        objectives = [
            {"statement": f"Learn how {host.name} runs {e['process_name'].lower()} "
                          f"(they are at level {e['host_level']}, we are at {e['own_level']})",
             "success_criterion": f"Our level in {e['process_name'].lower()} reaches "
                                  f"{min(5, e['own_level'] + 2)} within 90 days"}
            for e in party.explanation[:5]]
        data = ProposalIn.model_validate({
            "host": host.slug, "intern_id": party.intern_id, "mentor_id": None,
            "title": f"{round_.name}: {home.name} learns at {host.name}",
            "focus_processes": processes, "objectives": objectives,
            "start_date": start.isoformat(), "end_date": end.isoformat(),
            "schedule_notes": f"Part of the exchange round “{round_.name}”.",
            "confidentiality_terms": "",
        })
        proposer = _an_owner(session, home) or user
        internship = internships_service.propose(session, proposer, home, host, data,
                                                 today=today, round_proposal_id=proposal.id)
        party.internship_id = internship.id
        session.add(party)
    session.flush()


def _an_owner(session: Session, business: Business) -> User | None:
    user_id = session.exec(select(BusinessMembership.user_id).where(
        BusinessMembership.business_id == business.id,
        BusinessMembership.role == BusinessRole.owner.value)
        .order_by(col(BusinessMembership.id))).first()
    return session.get(User, user_id) if user_id is not None else None


def _notify_owners(session: Session, business_ids: Sequence[int], *, kind: str, title: str,
                   link: str) -> None:
    owners = session.exec(select(BusinessMembership.user_id).where(
        col(BusinessMembership.business_id).in_(list(business_ids)),
        col(BusinessMembership.role).in_(OWNER_ROLES))).all()
    inbox.notify(session, owners, kind=kind, title=title, link=link)


# -- what pages show ---------------------------------------------------------------------------


def waiting_on(session: Session, round_: ExchangeRound) -> dict[int, list[int]]:
    """For each pending proposal, the businesses that have not answered yet."""
    out: dict[int, list[int]] = {}
    for proposal, parties in proposals_of(session, round_):
        if proposal.state == ProposalState.pending.value:
            out[proposal.id or 0] = [p.business_id for p in parties if p.decision is None]
    return out


def is_open(round_: ExchangeRound) -> bool:
    return round_.state in (RoundState.open.value, RoundState.cleared.value)
