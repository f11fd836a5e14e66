"""Two app replicas and their workers on one PostgreSQL, as compose.yaml runs them: each a real
`exchange` process. An edit on replica A shows in the suggestions replica B serves; an
Idempotency-Key used on A is replayed by B; two workers deliver every webhook exactly once; two
`exchange tick` at the same moment send each reminder once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, func, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate
from exchange.config import Settings
from exchange.db import make_engine
from exchange.networks.models import Network, WebhookDelivery, WebhookEndpoint
from exchange.notifications.models import Notification
from tests.networks.receiver import receiver
from tests.support.live_server import LiveServer, free_port, run_cli, server_environment
from tests.support.postgres import PostgresServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@dataclass
class Deployment:
    a: LiveServer
    b: LiveServer
    env: dict[str, str]
    data_dir: Path
    token: str  # Afreen's personal API token

    @property
    def database_url(self) -> str:
        return self.env["EXCHANGE_DATABASE_URL"]

    def client(self, server: LiveServer) -> httpx.Client:
        return httpx.Client(base_url=server.base_url, timeout=30,
                            headers={"Authorization": f"Bearer {self.token}"})


@pytest.fixture(scope="module")
def deployment(postgres_server: PostgresServer,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    data_dir = tmp_path_factory.mktemp("replicas")
    database_url = postgres_server.create_database("exchange_replicas")
    # The webhook receiver of the worker test listens on 127.0.0.1.
    env = server_environment(data_dir, free_port(), EXCHANGE_DATABASE_URL=database_url,
                             EXCHANGE_WEBHOOK_ALLOW_PRIVATE_TARGETS="true")
    run_cli(env, data_dir, "demo", timeout=300)
    engine = make_engine(database_url)
    settings = Settings(database_url=database_url, secret_key=env["EXCHANGE_SECRET_KEY"],
                        data_dir=data_dir)
    with Session(engine) as session:
        afreen = accounts_service.get_user_by_email(session, "afreen@example.com")
        assert afreen is not None
        token = accounts_service.create_api_token(session, settings, afreen,
                                                  ApiTokenCreate(name="replicas")).token
        session.commit()
    engine.dispose()
    replicas = []
    for name in ("a", "b"):
        port = free_port()
        replica_dir = data_dir / name
        replica_dir.mkdir()
        replica_env = {**env, "EXCHANGE_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
        replicas.append(LiveServer(base_url=f"http://127.0.0.1:{port}", data_dir=replica_dir,
                                   env=replica_env, log_path=replica_dir / "server.log",
                                   serve_args=("--no-jobs",)))
    try:
        for replica in replicas:
            replica.start()
        yield Deployment(replicas[0], replicas[1], env, data_dir, token)
    finally:
        for replica in replicas:
            replica.stop()
        postgres_server.drop_database("exchange_replicas")


def _suggested(client: httpx.Client, slug: str) -> list[str]:
    response = client.get(f"/api/v1/businesses/{slug}/suggestions", params={"limit": 20})
    assert response.status_code == 200, response.text
    return [item["partner"]["slug"] for item in response.json()["items"]]


def test_an_edit_on_one_replica_shows_in_the_suggestions_of_the_other(
        deployment: Deployment) -> None:
    with deployment.client(deployment.a) as a, deployment.client(deployment.b) as b:
        mine = a.get("/api/v1/businesses", params={"q": "Afreen"}).json()["items"][0]["slug"]
        before = _suggested(b, mine)  # B builds its index now
        assert before
        top = before[0]
        saved = a.put(f"/api/v1/businesses/{mine}/exclusions", json={"excluded": [top]})
        assert saved.status_code == 200, saved.text
        # B's index asks the database what changed before it answers: no waiting needed,
        # and never longer than the freshness window.
        after = _suggested(b, mine)
        assert top not in after
        assert a.put(f"/api/v1/businesses/{mine}/exclusions",
                     json={"excluded": []}).status_code == 200
        assert _suggested(b, mine)[0] == top


def test_an_idempotency_key_used_on_one_replica_is_replayed_by_the_other(
        deployment: Deployment) -> None:
    headers = {"Idempotency-Key": "replicas-token-1"}
    with deployment.client(deployment.a) as a, deployment.client(deployment.b) as b:
        first = a.post("/api/v1/me/tokens", json={"name": "made once"}, headers=headers)
        assert first.status_code == 201, first.text
        again = b.post("/api/v1/me/tokens", json={"name": "made once"}, headers=headers)
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        names = [t["name"] for t in a.get("/api/v1/me/tokens").json()]
        assert names.count("made once") == 1


def _start_worker(deployment: Deployment, name: str) -> subprocess.Popen[bytes]:
    with (deployment.data_dir / f"worker-{name}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "exchange.cli", "worker", "--interval", "0.2"],
            env=deployment.env, cwd=deployment.data_dir, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def test_two_workers_deliver_every_webhook_exactly_once(deployment: Deployment) -> None:
    count = 40
    with receiver() as hook:
        engine = make_engine(deployment.database_url)
        with Session(engine) as session:
            network = Network(name="Replica network", slug="replica-network")
            session.add(network)
            session.flush()
            assert network.id is not None
            endpoint = WebhookEndpoint(network_id=network.id, url=hook.url, secret_salt="salt")
            session.add(endpoint)
            session.flush()
            assert endpoint.id is not None
            endpoint_id = endpoint.id
            for n in range(count):
                session.add(WebhookDelivery(endpoint_id=endpoint_id, event_id=f"msg_{n}",
                                            event_type="member.updated", body=f'{{"n": {n}}}'))
            session.commit()
        workers = [_start_worker(deployment, name) for name in ("one", "two")]
        try:
            deadline = time.monotonic() + 90
            while len(hook.accepted) < count and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)  # time for a duplicate to arrive, if there were one
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(30)
        sent = Counter(r.headers["webhook-id"] for r in hook.accepted)
    try:
        with Session(engine) as session:
            statuses = Counter(session.exec(select(WebhookDelivery.status).where(
                WebhookDelivery.endpoint_id == endpoint_id)).all())
    finally:
        engine.dispose()
    assert sorted(sent) == sorted(f"msg_{n}" for n in range(count))
    assert set(sent.values()) == {1}
    assert statuses == {"succeeded": count}


def test_two_ticks_at_once_send_each_reminder_once(deployment: Deployment) -> None:
    # The demo's late story approved its plan five weeks ago: its 60-day follow-up falls due
    # in about 25 days. Both ticks act as if it were 30 days from now.
    day = (date.today() + timedelta(days=30)).isoformat()
    ticks = [subprocess.Popen([sys.executable, "-m", "exchange.cli", "tick", "--today", day],
                              env=deployment.env, cwd=deployment.data_dir,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    reports = []
    for tick in ticks:
        out, err = tick.communicate(timeout=120)
        assert tick.returncode == 0, err.decode()
        reports.append(json.loads(out.decode().strip().splitlines()[-1]))
    sent = sum(r["due_sent"] + r["overdue_sent"] for r in reports)
    assert sent >= 1  # there was something to send, and it went out once
    assert json.loads(run_cli(deployment.env, deployment.data_dir, "tick", "--today",
                              day).stdout)["due_sent"] == 0
    engine = make_engine(deployment.database_url)
    with Session(engine) as session:
        reminders = session.exec(
            select(Notification.user_id, Notification.title, func.count())
            .where(col(Notification.kind).startswith("internship.follow_up_"))
            .group_by(col(Notification.user_id), col(Notification.title))).all()
    engine.dispose()
    assert reminders
    assert {n for _, _, n in reminders} == {1}  # nobody was reminded twice
