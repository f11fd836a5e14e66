"""Member-sync throughput of the partner-network API: 1,000 generated members sent as one
`PUT /api/v1/networks/{slug}/members` through the whole app (HTTP parsing, key check,
validation, upsert, `member.updated` events), first run (all created), the same payload again
(all unchanged, nothing written) and with 10 members changed.

Usage: python benchmarks/network_sync.py [--n 1000] [--backend sqlite|postgresql|both]
       [--database-url URL]
Prints one JSON object per backend. PostgreSQL: a throw-away server is started with the test
suite's helper (tests/support/postgres.py) unless --database-url is given.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from exchange import migrate
from exchange.accounts import service as accounts_service
from exchange.config import Settings
from exchange.db import make_engine
from exchange.demo.generator import generate_businesses
from exchange.main import create_app
from exchange.networks import keys as keys_service
from exchange.networks import service
from exchange.networks.deps import KeyRateLimit
from exchange.networks.models import Scope


def _run(url: str, n: int, webhook: bool) -> dict[str, Any]:
    migrate.upgrade(url)
    engine = make_engine(url)
    settings = Settings(database_url=url, secret_key="benchmark-" + "k" * 40,
                        data_dir=Path(tempfile.mkdtemp()))
    with Session(engine, expire_on_commit=False) as session:
        admin = accounts_service.sign_up(session, email="bench@example.com",
                                         display_name="Bench", password="benchmark password",  # noqa: S106
                                         is_admin=True)
        network = service.create_network(session, admin, name="Benchmark Network",
                                          slug=f"bench-{int(time.time() * 1000)}")
        key = keys_service.create_key(session, settings, network, admin,
                                      keys_service.ApiKeyCreate(name="b", scopes=list(Scope)))
        session.commit()
    app = create_app(settings, engine=engine)
    app.state.network_rate_limit = KeyRateLimit("100000/minute")
    records = generate_businesses(n, seed=2026)
    result: dict[str, Any] = {"backend": engine.dialect.name, "members": n,
                              "cells": sum(len(r["cells"]) for r in records)}
    path = f"/api/v1/networks/{network.slug}/members"
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {key.key}"
        if webhook:  # every created/updated member then also writes a webhook delivery
            hooked = client.post(f"/api/v1/networks/{network.slug}/webhooks",
                                 json={"url": "https://crm.example.org/hook"})
            assert hooked.status_code == 201, hooked.text
        result["webhook_endpoint"] = webhook
        for run in ("first", "unchanged", "ten_changed"):
            if run == "ten_changed":
                for record in records[:10]:
                    record["description"] = "changed for the benchmark"
            started = time.perf_counter()
            response = client.put(path, json={"members": records})
            seconds = time.perf_counter() - started
            assert response.status_code == 200, response.text[:300]
            result[f"{run}_seconds"] = round(seconds, 3)
            result[f"{run}_members_per_second"] = round(n / seconds)
            result[f"{run}_counts"] = response.json()["counts"]
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--webhook", action="store_true",
                        help="register a webhook endpoint first (deliveries are written too)")
    args = parser.parse_args()
    if args.database_url:
        print(json.dumps(_run(args.database_url, args.n, args.webhook)))
        return
    if args.backend in {"sqlite", "both"}:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
        print(json.dumps(_run(url, args.n, args.webhook)))
    if args.backend in {"postgresql", "both"}:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.support.postgres import start_postgres

        server = start_postgres()
        try:
            print(json.dumps(_run(server.create_database("bench_network_sync"), args.n,
                                  args.webhook)))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
