"""exchange.client against the real app (in-process transport) and, for the retry rules, a
stand-in server that answers 429/503."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from exchange.client import ApiError, AsyncExchangeClient, ExchangeClient, verify_webhook
from exchange.idempotency import IdempotencyRecord
from exchange.networks.signing import WebhookVerificationError, sign
from tests.conftest import Client
from tests.networks.conftest import member_record
from tests.support import aio


class _ThroughTestClient(httpx.BaseTransport):
    """Hands each request to the TestClient, which runs the real app on this test's
    database transaction."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.client.request(request.method, str(request.url),
                                     headers=dict(request.headers), content=request.read())
        return httpx.Response(answer.status_code, headers=list(answer.headers.multi_items()),
                              content=answer.content)


@pytest.fixture
def sdk(client: Client, pune_key: str) -> Iterator[ExchangeClient]:
    with ExchangeClient("http://testserver", api_key=pune_key, network="pune-chamber",
                        transport=_ThroughTestClient(client)) as api:
        yield api


def test_the_client_syncs_pages_and_reads_members(sdk: ExchangeClient) -> None:
    report = sdk.sync_members([member_record(f"crm-{i:02d}") for i in range(12)])
    assert report.counts["created"] == 12
    assert [m.external_id for m in sdk.iter_members(page_size=5)] == [
        f"crm-{i:02d}" for i in range(12)]
    detail = sdk.get_member("crm-03")
    assert detail.profile.name == "Member crm-03" and len(detail.cells) == 2
    assert sdk.get_member("crm-03") == detail  # answered 304, served from the cache


def test_problems_become_api_errors_with_the_fields(sdk: ExchangeClient) -> None:
    with pytest.raises(ApiError) as caught:
        sdk.sync_members([member_record("bad", market_reach="galactic")], atomic=True)
    assert caught.value.status == 422
    assert caught.value.errors[0]["field"] == "members[0].market_reach"


def test_every_post_carries_a_fresh_idempotency_key(sdk: ExchangeClient,
                                                    session: Session) -> None:
    sdk.create_webhook("https://crm.example.org/a")
    sdk.create_webhook("https://crm.example.org/b")
    keys = session.exec(select(IdempotencyRecord.key)).all()
    assert len(set(keys)) == 2
    replay = sdk.create_webhook("https://crm.example.org/c", idempotency_key="mine")
    again = sdk.create_webhook("https://crm.example.org/c", idempotency_key="mine")
    assert replay.id == again.id and len(sdk.list_webhooks()) == 3


def _flaky(answers: list[httpx.Response], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    return httpx.MockTransport(handle)


OK_NETWORK = {"slug": "n", "name": "N", "description": "", "member_count": 0,
              "key_name": "k", "key_scopes": []}


def test_429_and_503_are_retried_after_retry_after() -> None:
    seen: list[httpx.Request] = []
    waits: list[float] = []
    answers = [httpx.Response(429, headers={"Retry-After": "3"}, json={}),
               httpx.Response(503, json={}), httpx.Response(200, json=OK_NETWORK)]
    with ExchangeClient("http://x", api_key="k", network="n", sleep=waits.append,
                        transport=_flaky(answers, seen)) as api:
        assert api.network().slug == "n"
    assert len(seen) == 3 and waits[0] == 3.0 and 0 < waits[1] < 2


def test_a_retried_post_sends_the_same_idempotency_key() -> None:
    seen: list[httpx.Request] = []
    created = {"id": 1, "url": "http://h", "description": "", "event_types": [],
               "created_at": "2026-12-01T00:00:00Z", "enabled": True, "disabled_reason": None,
               "consecutive_failures": 0, "secret": "whsec_x"}
    answers = [httpx.Response(503, json={}), httpx.Response(201, json=created)]
    with ExchangeClient("http://x", api_key="k", network="n", sleep=lambda _: None,
                        transport=_flaky(answers, seen)) as api:
        api.create_webhook("http://h")
    keys = {r.headers["idempotency-key"] for r in seen}
    assert len(seen) == 2 and len(keys) == 1


def test_other_errors_are_not_retried_and_retries_end() -> None:
    seen: list[httpx.Request] = []
    answers = [httpx.Response(404, json={"title": "Not found", "detail": "x"})]
    with ExchangeClient("http://x", api_key="k", network="n", sleep=lambda _: None,
                        transport=_flaky(answers, seen)) as api, pytest.raises(ApiError):
        api.network()
    assert len(seen) == 1
    seen.clear()
    answers = [httpx.Response(429, json={}) for _ in range(3)]
    with ExchangeClient("http://x", api_key="k", network="n", sleep=lambda _: None,
                        max_retries=2, transport=_flaky(answers, seen)) as api, \
            pytest.raises(ApiError) as caught:
        api.network()
    assert caught.value.status == 429 and len(seen) == 3


def test_the_async_client_pages_through_members(app: FastAPI, api: Client,
                                                pune_key: str) -> None:
    api.put("/api/v1/networks/pune-chamber/members",
            json={"members": [member_record(f"m{i}") for i in range(7)]})

    async def run() -> list[str]:
        transport = httpx.ASGITransport(app=app)
        async with AsyncExchangeClient("http://testserver", api_key=pune_key,
                                       network="pune-chamber", transport=transport) as sdk:
            return [m.external_id async for m in sdk.iter_members(page_size=3)]

    assert aio.run(run()) == [f"m{i}" for i in range(7)]


def test_verify_webhook_returns_the_event_or_refuses() -> None:
    import time

    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = json.dumps({"type": "member.updated"})
    now = int(time.time())
    headers: dict[str, Any] = {"webhook-id": "msg_1", "webhook-timestamp": str(now),
                               "webhook-signature": sign(secret, "msg_1", now, body)}
    assert verify_webhook(headers, body, secret)["type"] == "member.updated"
    with pytest.raises(WebhookVerificationError):
        verify_webhook(headers, body + " ", secret)


def test_the_client_reads_internships_and_the_report(
        sdk: ExchangeClient, app: FastAPI, pune_key: str, pune_world: dict[str, str]) -> None:
    internships = list(sdk.iter_internships(page_size=1))
    assert [i.id for i in internships] == [int(pune_world["internship_id"])]
    one = sdk.get_internship(internships[0].id)
    assert one.host.external_id == "rajeev" and one.home.external_id is None
    assert one.focus_processes and one.state == "proposed"
    report = sdk.report(since=one.start_date)
    assert {m.external_id for m in report.members} >= {"rajeev", "crm-1", "crm-2"}

    async def read_async() -> list[int]:
        async with AsyncExchangeClient("http://testserver", api_key=pune_key,
                                       network="pune-chamber",
                                       transport=httpx.ASGITransport(app=app)) as api:
            return [i.id async for i in api.iter_internships()]

    assert aio.run(read_async()) == [one.id]
