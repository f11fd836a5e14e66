"""The one wiring step, seen from bare CLI processes: `exchange tick` in a process of its own
expires a round proposal by the day it is told and writes that proposal's webhook delivery."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from exchange import migrate
from exchange.accounts import service as accounts_service
from exchange.accounts.models import BusinessRole
from exchange.config import Settings
from exchange.db import make_engine
from exchange.networks import service as networks_service
from exchange.networks import webhooks
from exchange.networks.models import NetworkAdmin, WebhookDelivery
from exchange.rounds import service as rounds_service
from exchange.rounds.models import RoundProposal
from tests.conftest import PASSWORD
from tests.support.factories import add_member, make_business
from tests.support.live_server import free_port, run_cli, server_environment

PAIR = [  # (name, ISIC class, what it teaches, what it needs): each needs what the other teaches
    ("Pair Logistics", "4923", "supply_chain.transport_planning", "hr.recruitment"),
    ("Pair Staffing", "7830", "hr.recruitment", "supply_chain.transport_planning"),
]


def _person(session: Session, email: str, name: str):  # type: ignore[no-untyped-def]
    user = accounts_service.sign_up(session, email=email, display_name=name, password=PASSWORD)
    session.flush()
    return user


def _pending_proposal_with_an_endpoint(database_url: str, secret_key: str) -> int:
    """A network with a webhook endpoint and a cleared round whose one proposal (the pair's
    swap) waits for an answer until tomorrow. Returns the proposal's id."""
    engine = make_engine(database_url)
    settings = Settings(database_url=database_url, secret_key=secret_key)
    with Session(engine, expire_on_commit=False) as session:
        nina = _person(session, "nina@pair-network.example", "Nina Network")
        network = networks_service.create_network(session, nina, name="Pair Circle")
        session.add(NetworkAdmin(network_id=network.id or 0, user_id=nina.id or 0))
        webhooks.create_endpoint(session, settings, network, url="https://hooks.example/in",
                                 event_types=["round.proposal_updated"])
        firms, owners, interns = [], [], []
        for n, (name, isic, teaches, needs) in enumerate(PAIR):
            owner = _person(session, f"owner{n}@pair.example", f"Owner {n}")
            intern = _person(session, f"intern{n}@pair.example", f"Intern {n}")
            firm = make_business(session, owner, [
                {"process": teaches, "level": 5, "offer": True, "need": 0},
                {"process": needs, "level": 1, "offer": False, "need": 3},
            ], name=name, isic_class=isic, country="IN", region="Maharashtra", city="Pune",
                market_reach="local", size_band="10-49", hosting_capacity=1)
            add_member(session, firm, intern, BusinessRole.intern)
            networks_service.add_member(session, network, firm, f"m-{n}", managed=False)
            firms.append(firm)
            owners.append(owner)
            interns.append(intern)
        start = date.today() + timedelta(days=14)
        round_ = rounds_service.create_round(session, network, nina, name="Autumn swap",
                                             window_start=start,
                                             window_end=start + timedelta(days=30),
                                             answer_days=1)
        for firm, owner, intern in zip(firms, owners, interns, strict=True):
            rounds_service.confirm(session, round_, owner, firm, take_part=True,
                                   intern_ids=[intern.id or 0], capacity=1)
        rounds_service.clear(session, round_, nina)
        session.commit()
        proposal = session.exec(select(RoundProposal)).one()
        assert proposal.state == "pending" and proposal.id is not None
        proposal_id = proposal.id
    engine.dispose()
    return proposal_id


def _proposal_updates(database_url: str) -> list[dict[str, object]]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        bodies = session.exec(select(WebhookDelivery.body).where(
            WebhookDelivery.event_type == "round.proposal_updated")
            .order_by(col(WebhookDelivery.id))).all()
    engine.dispose()
    return [json.loads(body) for body in bodies]


def test_tick_in_its_own_process_expires_by_the_given_day_and_writes_the_webhook(
        tmp_path: Path) -> None:
    env = server_environment(tmp_path, free_port())
    database_url = env["EXCHANGE_DATABASE_URL"]
    migrate.upgrade(database_url)
    proposal_id = _pending_proposal_with_an_endpoint(database_url, env["EXCHANGE_SECRET_KEY"])

    today = run_cli(env, tmp_path, "tick")  # the real clock: the deadline is tomorrow
    assert json.loads(today.stdout)["proposals_expired"] == 0
    assert _proposal_updates(database_url) == []

    later = (date.today() + timedelta(days=3)).isoformat()
    result = run_cli(env, tmp_path, "tick", "--today", later)
    assert json.loads(result.stdout)["proposals_expired"] == 1
    updates = _proposal_updates(database_url)
    assert len(updates) == 1
    assert updates[0]["network"] == "pair-circle"
    assert updates[0]["data"]["proposal"]["state"] == "expired"  # type: ignore[index]
    assert sorted(updates[0]["members"]) == ["m-0", "m-1"]  # type: ignore[arg-type]

    again = run_cli(env, tmp_path, "tick", "--today", later)
    assert json.loads(again.stdout)["proposals_expired"] == 0
    assert len(_proposal_updates(database_url)) == 1
    engine = make_engine(database_url)
    with Session(engine) as session:
        assert session.get(RoundProposal, proposal_id).state == "expired"  # type: ignore[union-attr]
    engine.dispose()
