"""Time `exchange import`'s service on 1,000 generated businesses: first run and re-run.

Usage: python benchmarks/import_businesses.py [--n 1000] [--database-url URL]
Prints one JSON object. Without --database-url a fresh SQLite file in a temp dir is used.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from exchange import migrate
from exchange.db import make_engine
from exchange.demo.generator import generate_businesses
from exchange.profiles.importer import import_businesses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    records = generate_businesses(args.n, seed=2026)
    result: dict[str, object] = {
        "backend": engine.dialect.name,
        "businesses": args.n,
        "cells": sum(len(r["cells"]) for r in records),
    }
    for run in ("first", "second"):
        started = time.perf_counter()
        with Session(engine) as session:
            report = import_businesses(session, records, source="bench")
            session.commit()
        result[f"{run}_seconds"] = round(time.perf_counter() - started, 3)
        result[f"{run}_counts"] = report.counts()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
