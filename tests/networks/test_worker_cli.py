"""`exchange worker --once` against its own SQLite database and a local receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from exchange.cli import app
from exchange.config import get_settings
from exchange.db import make_engine
from exchange.networks.models import Network, WebhookDelivery, WebhookEndpoint
from tests.networks.receiver import receiver

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", url)
    monkeypatch.delenv("EXCHANGE_SECRET_KEY", raising=False)
    # The receiver listens on 127.0.0.1, as in local development.
    monkeypatch.setenv("EXCHANGE_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_worker_help() -> None:
    result = runner.invoke(app, ["worker", "--help"])
    assert result.exit_code == 0 and "webhooks" in result.output


def test_worker_once_sends_what_is_due(cli_env: str) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    engine = make_engine(cli_env)
    with receiver() as hook:
        with Session(engine) as session:
            network = Network(name="CLI network", slug="cli")
            session.add(network)
            session.flush()
            assert network.id is not None
            endpoint = WebhookEndpoint(network_id=network.id, url=hook.url, secret_salt="salt")
            session.add(endpoint)
            session.flush()
            assert endpoint.id is not None
            session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id="msg_cli",
                                        event_type="member.updated", body='{"a": 1}'))
            session.commit()
        result = runner.invoke(app, ["worker", "--once"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output.strip().splitlines()[-1]) == {
            "webhooks": 1, "email": 0, "scheduler": 0, "idempotency_purge": 0}
        assert [r.headers["webhook-id"] for r in hook.accepted] == ["msg_cli"]
    engine.dispose()
