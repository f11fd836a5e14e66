"""API reads under concurrent load (PRODUCT §8: "reads in a few milliseconds under concurrent
load"), against the real server (`exchange serve`, one uvicorn process, SQLite) with the demo
data loaded.

Usage: python -m benchmarks.api_reads [--clients 8] [--requests 400] [--seconds 60]
Prints one JSON object: per endpoint, latency p50/p95/p99 in ms and requests per second, with
`--clients` threads each holding a keep-alive connection. Bounded by `--requests` per endpoint
and by `--seconds` overall.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate
from exchange.config import Settings
from exchange.db import make_engine
from tests.support.live_server import start_live_server


def _token(database_url: str, secret_key: str, email: str) -> str:
    engine = make_engine(database_url)
    settings = Settings(database_url=database_url, secret_key=secret_key)
    with Session(engine) as session:
        user = accounts_service.get_user_by_email(session, email)
        assert user is not None, f"demo user {email} missing"
        issued = accounts_service.create_api_token(session, settings, user,
                                                   ApiTokenCreate(name="benchmark"))
        session.commit()
    engine.dispose()
    return issued.token


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _load(base_url: str, token: str, path: str, clients: int, total: int,
          deadline: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = max(1, total // clients)

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                          timeout=10) as client:
            client.get(path)  # warm the connection
            for _ in range(per_client):
                if time.monotonic() > deadline:
                    return
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 200:
                        errors += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    return {
        "path": path, "requests": len(latencies), "non_200": errors,
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p95_ms": round(_percentile(latencies, 0.95), 2) if latencies else None,
        "p99_ms": round(_percentile(latencies, 0.99), 2) if latencies else None,
        "requests_per_second": round(len(latencies) / wall, 1) if wall else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    server = start_live_server(Path(tempfile.mkdtemp()) / "bench")
    try:
        server.run_cli("demo", timeout=300)
        token = _token(server.database_url, server.env["EXCHANGE_SECRET_KEY"],
                       "afreen@example.com")
        deadline = time.monotonic() + args.seconds
        with httpx.Client(base_url=server.base_url,
                          headers={"Authorization": f"Bearer {token}"}) as probe:
            slug = probe.get("/api/v1/businesses", params={"q": "Afreen"}).json()["items"][0][
                "slug"]
            probe.get(f"/api/v1/businesses/{slug}/suggestions")  # builds the matching index
        paths = [
            f"/api/v1/businesses/{slug}",
            "/api/v1/businesses?limit=20",
            f"/api/v1/businesses/{slug}/matrix",
            f"/api/v1/businesses/{slug}/suggestions?limit=20",
            "/api/v1/internships",
        ]
        results = [_load(server.base_url, token, path, args.clients, args.requests, deadline)
                   for path in paths]
    finally:
        server.stop()
    print(json.dumps({"benchmark": "api_reads", "clients": args.clients,
                      "server": "exchange serve (1 uvicorn worker), SQLite, demo data",
                      "endpoints": results}, indent=2))


if __name__ == "__main__":
    main()
