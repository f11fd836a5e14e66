"""Exchange rounds in the product: confirm, clear to the optimal cycles, answer, re-clear
without disturbing accepted cycles, and internships created when a cycle is agreed."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import Connection
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.config import Settings
from exchange.errors import Conflict, NotFound, ValidationFailed
from exchange.internships.models import Internship
from exchange.rounds import service
from exchange.rounds.models import ExchangeRound, RoundProposal
from exchange.rounds.solver import RoundResult
from exchange.rounds.states import (
    InvalidRoundTransition,
    ProposalState,
    RoundActionNotAllowed,
    RoundState,
)
from tests.rounds.conftest import WINDOW_START, RoundWorld


def _open_round(session: Session, world: RoundWorld, **overrides: object) -> ExchangeRound:
    fields: dict[str, object] = {"name": "Spring exchange", "window_start": WINDOW_START,
                                 "window_end": WINDOW_START + timedelta(days=30)}
    fields.update(overrides)
    round_ = service.create_round(session, world.network, world.nina, **fields)  # type: ignore[arg-type]
    session.commit()
    return round_


def _confirm_all(session: Session, world: RoundWorld, round_: ExchangeRound) -> None:
    for firm, owner, intern in zip(world.firms, world.owners, world.interns, strict=True):
        service.confirm(session, round_, owner, firm, take_part=True, intern_ids=[intern.id or 0],
                        capacity=1)
    session.commit()


def _cycles(session: Session, round_: ExchangeRound, state: str | None = None
            ) -> list[list[str]]:
    out = []
    for proposal, _ in service.proposals_of(session, round_):
        if state is None or proposal.state == state:
            names = [service._slugs(session, [b])[0] for b in proposal.business_ids]
            out.append(names)
    return sorted(out)


def test_clearing_finds_the_ring_and_the_swap(session: Session, round_world: RoundWorld) -> None:
    round_ = _open_round(session, round_world)
    _confirm_all(session, round_world, round_)
    result = service.clear(session, round_, round_world.nina)
    assert result.proven_optimal
    assert round_.state == RoundState.cleared
    assert _cycles(session, round_) == [
        ["pair-logistics", "pair-staffing"],
        ["ring-bakery", "ring-content-studio", "ring-accountants"],
    ]
    # Each member reads what it learns where, with levels.
    for _proposal, parties in service.proposals_of(session, round_):
        for party in parties:
            assert party.learn_value > 0
            top = party.explanation[0]
            assert (top["host_level"], top["own_level"], top["need"]) == (5, 1, 3)
    assert round_.last_result["proven_optimal"] is True
    assert round_.last_result["gap"] <= 1e-6
    assert round_.last_result["bound"] == pytest.approx(result.total_weight)


def test_a_clearing_cut_short_reports_how_close_it_is(session: Session, round_world: RoundWorld,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # This little network is solved at once (no two cycles compete), so the solver's answer is
    # dressed as a time-limited one: what is checked is that clear() reports bound and gap.
    # That the solver's own bound is correct under a time limit is tests/rounds/test_solver.py's.
    real = service.solve_round

    def cut_short(*args: object, **kwargs: object) -> RoundResult:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        return dataclasses.replace(result, status="time_limit", proven_optimal=False,
                                   bound=result.total_weight / 0.996, mip_gap=0.004)

    monkeypatch.setattr(service, "solve_round", cut_short)
    round_ = _open_round(session, round_world)
    _confirm_all(session, round_world, round_)
    result = service.clear(session, round_, round_world.nina)
    report = round_.last_result
    assert report["status"] == "time_limit" and report["proven_optimal"] is False
    assert report["bound"] == pytest.approx(result.total_weight / 0.996)
    assert report["gap"] == 0.004


def test_only_confirmed_members_are_cleared(session: Session, round_world: RoundWorld) -> None:
    round_ = _open_round(session, round_world)
    # Only the pair confirms.
    for n in (3, 4):
        service.confirm(session, round_, round_world.owners[n], round_world.firms[n],
                        take_part=True, intern_ids=[round_world.interns[n].id or 0], capacity=1)
    service.clear(session, round_, round_world.nina)
    assert _cycles(session, round_) == [["pair-logistics", "pair-staffing"]]


def test_a_decline_releases_the_cycle_and_a_re_clear_keeps_accepted_ones(
        session: Session, round_world: RoundWorld) -> None:
    round_ = _open_round(session, round_world)
    _confirm_all(session, round_world, round_)
    service.clear(session, round_, round_world.nina)
    by_size = {len(p.business_ids): p for p, _ in service.proposals_of(session, round_)}
    ring, pair = by_size[3], by_size[2]
    # The pair both accept: their internships are created.
    for n in (3, 4):
        service.answer(session, round_, pair, round_world.owners[n], round_world.firms[n],
                       accept=True)
    assert pair.state == ProposalState.accepted
    made = session.exec(select(Internship).where(Internship.round_proposal_id == pair.id)).all()
    assert len(made) == 2
    assert {i.state for i in made} == {"proposed"}
    # The bakery declines the ring.
    service.answer(session, round_, ring, round_world.owners[0], round_world.firms[0],
                   accept=False)
    assert ring.state == ProposalState.declined
    # Re-clearing: the accepted pair is untouched, the declined ring is not proposed again and
    # nothing else exists for the ring, so no new proposal.
    result = service.clear(session, round_, round_world.nina)
    assert result.cycles == []
    assert _cycles(session, round_, "accepted") == [["pair-logistics", "pair-staffing"]]
    assert round_.clear_passes == 2


def test_internships_from_a_cycle_carry_focus_and_objectives(
        session: Session, round_world: RoundWorld) -> None:
    from exchange.internships import service as internships_service

    round_ = _open_round(session, round_world)
    _confirm_all(session, round_world, round_)
    service.clear(session, round_, round_world.nina)
    pair = next(p for p, _ in service.proposals_of(session, round_) if len(p.business_ids) == 2)
    for n in (3, 4):
        service.answer(session, round_, pair, round_world.owners[n], round_world.firms[n],
                       accept=True)
    internship = session.exec(select(Internship).where(
        Internship.home_business_id == round_world.firms[3].id)).one()
    focus = [p.key for _, p in internships_service.focus_of(session, internship)]
    assert focus == ["hr.recruitment"]
    assert internship.start_date == WINDOW_START
    assert internship.intern_id == round_world.interns[3].id
    assert len(internships_service.objectives_of(session, internship)) == 1


def test_answers_are_checked(session: Session, round_world: RoundWorld) -> None:
    round_ = _open_round(session, round_world)
    _confirm_all(session, round_world, round_)
    service.clear(session, round_, round_world.nina)
    pair = next(p for p, _ in service.proposals_of(session, round_) if len(p.business_ids) == 2)
    with pytest.raises(NotFound):  # the bakery is not in the pair's cycle
        service.answer(session, round_, pair, round_world.owners[0], round_world.firms[0],
                       accept=True)
    with pytest.raises(RoundActionNotAllowed):  # the bakery's owner does not run Pair Staffing
        service.answer(session, round_, pair, round_world.owners[0], round_world.firms[4],
                       accept=True)
    service.answer(session, round_, pair, round_world.owners[3], round_world.firms[3],
                   accept=True)
    with pytest.raises(Conflict):
        service.answer(session, round_, pair, round_world.owners[3], round_world.firms[3],
                       accept=False)


def test_only_the_network_admin_clears(session: Session, round_world: RoundWorld) -> None:
    round_ = _open_round(session, round_world)
    with pytest.raises(RoundActionNotAllowed):
        service.clear(session, round_, round_world.owners[0])
    service.set_round_state(session, round_, round_world.nina, service.RoundAction.cancel)
    with pytest.raises(InvalidRoundTransition):
        service.clear(session, round_, round_world.nina)


def test_bad_rounds_and_confirmations_name_the_field(session: Session,
                                                     round_world: RoundWorld) -> None:
    with pytest.raises(ValidationFailed) as refused:
        service.create_round(session, round_world.network, round_world.nina, name="x",
                             window_start=WINDOW_START, window_end=WINDOW_START - timedelta(1),
                             max_cycle_length=4)
    assert set(refused.value.by_field()) == {"name", "window_end", "max_cycle_length"}
    round_ = _open_round(session, round_world)
    with pytest.raises(ValidationFailed) as refused:
        service.confirm(session, round_, round_world.owners[0], round_world.firms[0],
                        take_part=True, intern_ids=[round_world.owners[0].id or 0], capacity=2)
    fields = refused.value.by_field()
    assert "Not an intern" in fields["intern_ids[0]"]
    assert "capacity" in fields


def test_overdue_proposals_expire_once(session: Session, round_world: RoundWorld) -> None:
    from exchange.db import utcnow

    round_ = _open_round(session, round_world, answer_days=1)
    _confirm_all(session, round_world, round_)
    service.clear(session, round_, round_world.nina)
    later = utcnow() + timedelta(days=2)
    assert service.expire_overdue(session, later) == 2
    assert service.expire_overdue(session, later) == 0
    states = {p.state for p in session.exec(select(RoundProposal)).all()}
    assert states == {ProposalState.expired}


def test_round_webhooks_go_to_the_round_s_network_only(
        session: Session, settings: Settings, round_world: RoundWorld, nina_admin: User) -> None:
    """The bakery also belongs to another network; that network must not hear of this round."""
    import json

    from exchange.networks import service as networks_service
    from exchange.networks import webhooks
    from exchange.networks.models import WebhookDelivery

    other = networks_service.create_network(session, nina_admin, name="Other Circle")
    networks_service.add_member(session, other, round_world.firms[0], "bakery", managed=False)
    ours, _ = webhooks.create_endpoint(session, settings, round_world.network,
                                       url="https://hooks.example/ours", event_types=[])
    theirs, _ = webhooks.create_endpoint(session, settings, other,
                                         url="https://hooks.example/theirs", event_types=[])
    round_ = _open_round(session, round_world)
    _confirm_all(session, round_world, round_)
    service.clear(session, round_, round_world.nina)
    pair = next(p for p, _ in service.proposals_of(session, round_) if len(p.business_ids) == 2)
    service.answer(session, round_, pair, round_world.owners[3], round_world.firms[3],
                   accept=False)
    deliveries = session.exec(select(WebhookDelivery)).all()
    round_events = [d for d in deliveries if d.event_type.startswith("round.")]
    assert {d.event_type for d in round_events} == {"round.cleared", "round.proposal_updated"}
    assert {d.endpoint_id for d in round_events} == {ours.id}
    assert theirs.id not in {d.endpoint_id for d in deliveries if d.event_type.startswith(
        "round.")}
    cleared = json.loads(next(d.body for d in round_events if d.event_type == "round.cleared"))
    assert cleared["data"]["result"]["proven_optimal"] is True
    assert len(cleared["members"]) == 5  # the network's own ids of the participants


def test_the_scheduler_expires_overdue_proposals(session: Session, connection: Connection,
                                                 round_world: RoundWorld) -> None:
    """`exchange tick` (and the loop in `serve`) expires what nobody answered in time."""
    from datetime import date

    from exchange import scheduler

    round_ = _open_round(session, round_world, answer_days=1)
    _confirm_all(session, round_world, round_)
    service.clear(session, round_, round_world.nina)
    session.commit()
    for proposal, _ in service.proposals_of(session, round_):
        proposal.expires_at = proposal.created_at - timedelta(minutes=1)
        session.add(proposal)
    session.commit()

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint",
                       expire_on_commit=False)

    first = scheduler.tick(factory, today=date.today())
    assert first["proposals_expired"] == 2 and first["failed"] == 0
    assert scheduler.tick(factory, today=date.today())["proposals_expired"] == 0
    session.expire_all()
    assert {p.state for p, _ in service.proposals_of(session, round_)} == {"expired"}
