"""The acceptance story against a real server (`exchange serve` in a subprocess, its webhook
worker inside): a network admin's key, the typed client syncing 1,000 members, re-syncing them
(all unchanged), updating 10, paging through all of them, asking suggestions, and a webhook
receiver that fails first and then recovers getting each event exactly once, every signature
verified."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.client import ApiError, ExchangeClient, verify_webhook
from exchange.config import Settings
from exchange.db import make_engine
from exchange.demo.generator import generate_businesses
from exchange.networks import keys as keys_service
from exchange.networks import service
from exchange.networks.models import Scope
from tests.networks.receiver import receiver
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.slow
WAIT_SECONDS = 40.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # The test's receiver listens on 127.0.0.1, as in local development.
    live = start_live_server(tmp_path_factory.mktemp("network-e2e"),
                             EXCHANGE_WEBHOOK_ALLOW_PRIVATE_TARGETS="true")
    yield live
    live.stop()


def _network_key(server: LiveServer, tmp: Path) -> str:
    """What Ada and Nina do on the pages, through the same services."""
    settings = Settings(database_url=server.database_url, data_dir=tmp,
                        secret_key=server.env["EXCHANGE_SECRET_KEY"])
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        ada = accounts_service.sign_up(session, email="ada@e2e.example", display_name="Ada",
                                       password="a long e2e password", is_admin=True)
        nina = accounts_service.sign_up(session, email="nina@e2e.example", display_name="Nina",
                                        password="a long e2e password")
        network = service.create_network(session, ada, name="Pune Chamber", slug="pune")
        service.appoint_admin(session, network, nina.email)
        issued = keys_service.create_key(session, settings, network, nina,
                                         keys_service.ApiKeyCreate(name="crm",
                                                                   scopes=list(Scope)))
        session.commit()
    engine.dispose()
    return issued.key


def test_a_network_integrates_in_an_afternoon(server: LiveServer, tmp_path: Path) -> None:
    key = _network_key(server, tmp_path)
    records = generate_businesses(1000, seed=7)
    with ExchangeClient(server.base_url, api_key=key, network="pune", timeout=120) as api:
        assert api.network().key_scopes == sorted(s.value for s in Scope)

        first = api.sync_members(records)
        assert first.counts["created"] == 1000 and not first.rejected
        again = api.sync_members(records)
        assert again.counts["unchanged"] == 1000 and again.counts["updated"] == 0

        for record in records[:10]:
            record["description"] = "Updated by the CRM"
        changed = api.sync_members(records)
        assert changed.counts["updated"] == 10 and changed.counts["unchanged"] == 990

        seen = Counter(m.external_id for m in api.iter_members(page_size=137))
        assert len(seen) == 1000 and set(seen.values()) == {1}

        member = records[0]["id"]
        assert api.suggestions(member, within="everywhere", limit=5).items
        detail = api.get_member(member)
        assert detail.etag and api.get_member(member).etag == detail.etag  # 304 path

        with ExchangeClient(server.base_url, api_key=key, network="other") as elsewhere, \
                pytest.raises(ApiError) as refused:
            elsewhere.network()
        assert refused.value.status == 404

        with receiver() as hook:
            hook.fail_next = 2  # the receiver is down for the first two requests
            secret = api.create_webhook(hook.url, event_types=["member.updated"]).secret
            for record in records[10:13]:
                record["hosting_capacity"] = 3
            assert api.sync_members(records).counts["updated"] == 3

            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline and len(hook.accepted) < 3:
                time.sleep(0.25)
            time.sleep(2.5)  # one more worker round: nothing may arrive twice
            ids = Counter(r.headers["webhook-id"] for r in hook.accepted)
            assert len(ids) == 3 and set(ids.values()) == {1}, ids
            assert len(hook.requests) == 5  # two refused, then each event once
            events = [verify_webhook(r.headers, r.body, secret) for r in hook.accepted]
            assert sorted(e["members"][0] for e in events) == sorted(
                r["id"] for r in records[10:13])
