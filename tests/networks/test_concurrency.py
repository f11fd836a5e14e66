"""Races on a real, committed database of each backend (not the rolled-back test transaction):
two requests claiming the same `Idempotency-Key` at once, and a webhook worker that crashed
while holding a lease."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from exchange import migrate
from exchange.config import Settings
from exchange.db import make_test_engine, utcnow
from exchange.idempotency import Busy, Proceed, claim
from exchange.main import create_app
from exchange.networks import webhooks
from exchange.networks.models import Network, WebhookDelivery, WebhookEndpoint
from tests.conftest import TEST_SECRET
from tests.networks.receiver import receiver
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def committed_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
        name = None
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = f"exchange_race_{uuid.uuid4().hex[:10]}"
        url = server.create_database(name)
    migrate.upgrade(url)
    engine = make_test_engine(url)
    yield engine
    engine.dispose()
    if name:
        request.getfixturevalue("postgres_server").drop_database(name)


def test_two_requests_with_one_key_at_once_one_runs_one_gets_409(
    committed_engine: Engine, tmp_path: Path,
) -> None:
    app: FastAPI = create_app(Settings(database_url="sqlite://", secret_key=TEST_SECRET,
                                       data_dir=tmp_path), engine=committed_engine)
    barrier = threading.Barrier(4)
    outcomes: list[object] = []
    lock = threading.Lock()

    def race() -> None:
        barrier.wait(timeout=10)
        outcome = claim(app, "caller", "same-key", "same-request")
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=race) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes) == ["Busy", "Busy", "Busy", "Proceed"]
    assert any(isinstance(o, Proceed) for o in outcomes)
    assert all(isinstance(o, Proceed | Busy) for o in outcomes)


def test_a_crashed_workers_lease_expires_and_the_delivery_is_sent_once(
    committed_engine: Engine, tmp_path: Path,
) -> None:
    settings = Settings(database_url="sqlite://", secret_key=TEST_SECRET, data_dir=tmp_path,
                        webhook_allow_private_targets=True)  # the receiver is on 127.0.0.1

    def sessions() -> Session:
        return Session(committed_engine, expire_on_commit=False)

    with receiver() as hook:
        with sessions() as session:
            network = Network(name="Race", slug="race")
            session.add(network)
            session.flush()
            assert network.id is not None
            endpoint = WebhookEndpoint(network_id=network.id, url=hook.url, secret_salt="s")
            session.add(endpoint)
            session.flush()
            assert endpoint.id is not None
            session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id="msg_race",
                                        event_type="member.updated", body="{}"))
            session.commit()
        # A worker leases the row and dies before sending.
        assert len(webhooks._lease(sessions, 10)) == 1
        assert webhooks.deliver_due(sessions, settings) == 0  # still leased
        with sessions() as session:
            session.execute(update(WebhookDelivery).values(
                locked_until=utcnow() - timedelta(seconds=1)))
            session.commit()
        # After the restart the next worker sends it, once; later rounds send nothing.
        assert webhooks.deliver_due(sessions, settings) == 1
        assert webhooks.deliver_due(sessions, settings) == 0
        assert len(hook.accepted) == 1
        with sessions() as session:
            delivery = session.exec(select(WebhookDelivery)).one()
            assert delivery.status == "succeeded"
