"""A saturated process answers 503 with Retry-After at once — never a long wait and a 500."""

from __future__ import annotations

import asyncio

import httpx
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from exchange.config import Settings
from exchange.db import make_engine
from exchange.errors import PROBLEM_JSON
from exchange.loadshed import LoadShedding
from exchange.main import create_app
from tests.support import aio


async def _slow_app(scope: Scope, receive: Receive, send: Send) -> None:
    await asyncio.sleep(0.3)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _answers(middleware: LoadShedding, paths: list[str]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=middleware)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return list(await asyncio.gather(*(client.get(p) for p in paths)))

    return aio.run(run())


def test_requests_beyond_the_limit_and_the_queue_are_answered_busy_at_once() -> None:
    shedding = LoadShedding(_slow_app, max_concurrent=2, max_queued=1, queue_timeout=5)
    answers = _answers(shedding, ["/api/v1/businesses"] * 5 + ["/healthz"])
    statuses = sorted(r.status_code for r in answers[:5])
    assert statuses == [200, 200, 200, 503, 503]  # two run, one waits, two are shed
    busy = [r for r in answers if r.status_code == 503]
    assert all(r.headers["retry-after"] == "1" for r in busy)
    assert all(r.headers["content-type"] == PROBLEM_JSON for r in busy)
    assert busy[0].json()["status"] == 503 and "busy" in busy[0].json()["detail"]
    assert answers[5].status_code == 200  # liveness is never shed


def test_a_request_that_waits_too_long_is_answered_busy() -> None:
    shedding = LoadShedding(_slow_app, max_concurrent=1, max_queued=10, queue_timeout=0.05)
    first, second = _answers(shedding, ["/", "/"])
    assert first.status_code == 200
    assert second.status_code == 503 and second.headers["retry-after"] == "1"
    assert second.headers["content-type"].startswith("text/html")  # pages get a page


def test_an_exhausted_pool_answers_503_problem_not_500(database_url: str,
                                                       settings: Settings) -> None:
    engine = make_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    app = create_app(settings, engine=engine)
    held = engine.connect()  # something else holds the only connection
    try:
        with TestClient(app) as client:
            response = client.get("/api/v1/businesses")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["type"].endswith("/overloaded")
    finally:
        held.close()
        engine.dispose()
