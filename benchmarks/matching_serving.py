"""Benchmark matching served from the database (exchange/matching/serving.py).

Run: ``.venv/bin/python benchmarks/matching_serving.py [--n 10000] [--scale-to 100000]
[--queries 200] [--database-url URL]``. Prints one JSON object per population size.

The population: ``--n`` businesses from the demo generator (30 industry archetypes), imported
through the real importer (``exchange import``'s service, 1,000 per transaction) into a fresh
SQLite file. ``--scale-to`` then grows it by cloning those rows with SQL (``INSERT … SELECT``,
slugs suffixed ``-c2``, ``-c3``, …, cells copied, exclusions not) — the importer takes ~3.5 s per
1,000 businesses on SQLite, so 100,000 imported would take six minutes for no extra insight:
the holder's cost depends on row and cell counts, not on how they were written. With
``--database-url`` an already filled database is measured as it is.

Before measuring, every ``updated_at`` is moved a day back ("imported yesterday"), so that the
steady state is measured; ``refresh_unchanged_all_recent`` is the other extreme (every business
written within the freshness window, e.g. just after a bulk import).

Measured, per size:

* ``full_build``: a cold holder's first refresh (taxonomy, profile columns, ~18 cells per
  business read through the driver's cursor into one flat array, ``MatchingIndex.from_arrays``),
  best and median of 3, plus the split between reading the database and building the index;
* ``index_bytes``: the numpy arrays of the index;
* ``refresh_unchanged``: what every request pays to learn that nothing changed (two queries);
  ``refresh_unchanged_all_recent``: the same while every business is inside the window;
* ``refresh_after_one_matrix_change``: ``patch_cells`` on one business and commit, then the
  next refresh (upsert of that business);
* ``query_*``: top-20 for random businesses — the bare ``suggest_partners``; through the holder
  as a request gets it (freshness check + ``suggest_partners``); and ``suggestions_for`` (plus
  the partners' rows and industry titles: what a page or the API has before rendering);
* ``with_updated_at_index``: the freshness check and the query again after
  ``CREATE INDEX … ON businesses (updated_at)`` — the index the holder's "what changed?" question
  wants (without it that question scans the table).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, text, update
from sqlmodel import Session, select

from exchange import migrate
from exchange.db import make_engine, utcnow
from exchange.demo.generator import generate_businesses
from exchange.matching import MatchingIndex, SuggestionQuery, serving, suggest_partners
from exchange.matching.serving import MatchingHolder, SuggestionOptions, index_key
from exchange.profiles import matrix as matrix_service
from exchange.profiles.importer import import_businesses
from exchange.profiles.models import Business, MatrixCell

CHUNK = 1_000
BUSINESS_COLUMNS = (
    "name, description, website, isic_class, country, region, region_normalized, city, "
    "city_normalized, market_reach, size_band, languages, hosting_capacity, visibility, "
    "created_at, updated_at, archived_at"
)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": ms(ordered[len(ordered) // 2]),
        "p95_ms": ms(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]),
        "max_ms": ms(ordered[-1]),
    }


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def fill(engine: Engine, n: int) -> dict[str, float]:
    records = generate_businesses(n, seed=2026)
    # Exclusions may point at businesses of a later chunk: import without them first, then
    # give the few firms that exclude someone their lists.
    excluding = [dict(record) for record in records if record["excluded"]]
    batches = [[{**record, "excluded": []} for record in records[start:start + CHUNK]]
               for start in range(0, n, CHUNK)]
    started = time.perf_counter()
    for batch in [*batches, excluding]:
        with Session(engine) as session:
            report = import_businesses(session, batch, source="bench")
            assert not report.rejected, report.rejected[:3]
            session.commit()
    return {"imported": n, "import_seconds": round(time.perf_counter() - started, 1)}


def clone(engine: Engine, base: int, target: int) -> dict[str, float]:
    """Grow the database to ``target`` businesses by copying the first ``base`` ones."""
    started = time.perf_counter()
    copies = -(-target // base)
    with engine.begin() as connection:
        base_max = connection.execute(text("SELECT max(id) FROM businesses")).scalar_one()
        for k in range(2, copies + 1):
            wanted = min(base, target - (k - 1) * base)
            connection.execute(text(
                f"INSERT INTO businesses (slug, {BUSINESS_COLUMNS}) "  # noqa: S608 (constants)
                f"SELECT slug || :suffix, {BUSINESS_COLUMNS} FROM businesses "
                "WHERE id <= :base_max ORDER BY id LIMIT :wanted"
            ), {"base_max": base_max, "wanted": wanted, "suffix": f"-c{k}"})
            connection.execute(text(
                "INSERT INTO matrix_cells (business_id, process_id, level, offer, need, "
                "target_level, evidence, updated_at) "
                "SELECT copy.id, cell.process_id, cell.level, cell.offer, cell.need, "
                "cell.target_level, cell.evidence, cell.updated_at FROM matrix_cells cell "
                "JOIN businesses original ON original.id = cell.business_id "
                "JOIN businesses copy ON copy.slug = original.slug || :suffix "
                "WHERE original.id <= :base_max"
            ), {"base_max": base_max, "suffix": f"-c{k}"})
    return {"cloned_to": target, "clone_seconds": round(time.perf_counter() - started, 1)}


def index_bytes(index: MatchingIndex) -> int:
    total = 0
    for value in vars(index).values():
        if isinstance(value, np.ndarray):
            total += value.nbytes
        elif isinstance(value, list) and value and isinstance(value[0], np.ndarray):
            total += sum(array.nbytes for array in value)
    return total


def age(engine: Engine) -> None:
    """Every business "written yesterday": outside the freshness window, as in a steady state."""
    with engine.begin() as connection:
        connection.execute(update(Business).values(updated_at=utcnow() - timedelta(days=1)))


def refresh_unchanged(engine: Engine, holder: MatchingHolder, count: int) -> list[float]:
    samples = []
    with Session(engine) as session:
        holder.refresh(session)  # catch up first: only the "nothing changed" answer is timed
        for _ in range(count):
            session.rollback()  # a new transaction, as a new request would have
            samples.append(timed(lambda: holder.refresh(session)))
            assert holder.last_refresh is not None and holder.last_refresh.kind == "none"
    return samples


def refresh_after_change(engine: Engine, holder: MatchingHolder, ids: list[int],
                         rng: random.Random, count: int) -> list[float]:
    samples = []
    processes = ["marketing.seo", "hr.recruitment", "finance.bookkeeping", "it.cybersecurity"]
    with Session(engine, expire_on_commit=False) as session:
        holder.refresh(session)
        for i in range(count):
            business = session.get(Business, rng.choice(ids))
            assert business is not None
            matrix_service.patch_cells(session, business, [
                {"process": rng.choice(processes), "level": rng.randint(0, 5),
                 "offer": i % 2 == 0, "need": rng.randint(0, 3)}])
            session.commit()
            samples.append(timed(lambda: holder.refresh(session)))
            assert holder.last_refresh is not None
            assert holder.last_refresh.kind == "incremental", holder.last_refresh
    return samples


def through_holder(engine: Engine, holder: MatchingHolder, askers: list[int]) -> list[float]:
    samples = []
    query = SuggestionQuery(limit=20)
    with Session(engine) as session:
        for business_id in askers:
            session.rollback()
            samples.append(timed(lambda: holder.suggest(session, business_id, query)))  # noqa: B023
    return samples


def measure(engine: Engine, queries: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    result: dict[str, Any] = {}
    age(engine)
    with Session(engine) as session:
        result["businesses"] = session.exec(select(func.count()).select_from(Business)).one()
        result["cells"] = session.exec(select(func.count()).select_from(MatrixCell)).one()
        ids = [i for i in session.exec(select(Business.id)).all() if i is not None]

    # Full builds: cold holders, each with a fresh session.
    builds, reads, assemblies = [], [], []
    holder = MatchingHolder()
    for _ in range(3):
        with Session(engine) as session:
            holder = MatchingHolder()
            builds.append(timed(lambda: holder.refresh(session)))  # noqa: B023
        with Session(engine) as session:
            started = time.perf_counter()
            snapshot = serving._load_taxonomy(session)
            columns = serving._load_columns(session, snapshot, None, serving.current_load_of,
                                            serving.networks_of)
            reads.append(time.perf_counter() - started)
            assemblies.append(timed(lambda: MatchingIndex.from_arrays(
                snapshot.taxonomy, ids=columns.keys, level=columns.level,  # noqa: B023
                offer=columns.offer, need=columns.need, **columns.fields)))  # noqa: B023
    result["full_build"] = {
        "best_s": round(min(builds), 3), "median_s": round(statistics.median(builds), 3),
        "read_database_median_s": round(statistics.median(reads), 3),
        "from_arrays_median_s": round(statistics.median(assemblies), 3),
    }
    result["index_bytes"] = index_bytes(holder.index())

    # What every request pays when nothing changed: steady, and with everyone in the window.
    result["refresh_unchanged"] = percentiles(refresh_unchanged(engine, holder, queries))
    everyone_recent = MatchingHolder(freshness_window=timedelta(days=2))
    with Session(engine) as session:
        everyone_recent.refresh(session)
    result["refresh_unchanged_all_recent"] = percentiles(
        refresh_unchanged(engine, everyone_recent, min(queries, 50)))

    # One matrix changes, then the next request refreshes.
    result["refresh_after_one_matrix_change"] = percentiles(
        refresh_after_change(engine, holder, ids, rng, min(queries, 100)))

    # Queries.
    askers = [rng.choice(ids) for _ in range(queries)]
    bare, served = [], []
    query = SuggestionQuery(limit=20)
    options = SuggestionOptions(limit=20)
    with Session(engine) as session:
        holder.refresh(session)
        index = holder.index()
        businesses = {b.id: b for b in session.exec(select(Business)).all()}
        for business_id in askers:
            bare.append(timed(lambda: suggest_partners(index, index_key(business_id), query)))  # noqa: B023
        for business_id in askers:
            session.rollback()
            business = businesses[business_id]
            served.append(timed(lambda: serving.suggestions_for(
                session, holder, business, options)))  # noqa: B023
    result["query_bare_suggest_partners"] = percentiles(bare)
    result["query_through_holder"] = percentiles(through_holder(engine, holder, askers))
    result["query_suggestions_for"] = percentiles(served)

    with engine.begin() as connection:
        connection.execute(text("CREATE INDEX IF NOT EXISTS bench_ix_businesses_updated_at "
                                "ON businesses (updated_at)"))
    result["with_updated_at_index"] = {
        "refresh_unchanged": percentiles(refresh_unchanged(engine, holder, queries)),
        "refresh_unchanged_all_recent": percentiles(
            refresh_unchanged(engine, everyone_recent, min(queries, 50))),
        "refresh_after_one_matrix_change": percentiles(
            refresh_after_change(engine, holder, ids, rng, min(queries, 100))),
        "query_through_holder": percentiles(through_holder(engine, holder, askers)),
    }
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX bench_ix_businesses_updated_at"))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="businesses to import")
    parser.add_argument("--scale-to", type=int, default=0, help="then clone up to this many")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="", help="measure this filled database")
    args = parser.parse_args()

    if args.database_url:
        engine = make_engine(args.database_url)
        sizes: list[tuple[dict[str, Any], int]] = [({"database": "given"}, 0)]
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'serving.sqlite3'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        sizes = [(fill(engine, args.n), 0)]
        if args.scale_to > args.n:
            sizes.append(({}, args.scale_to))
    for setup, scale_to in sizes:
        if scale_to:
            setup = clone(engine, args.n, scale_to)
        result = {"backend": engine.dialect.name, **setup, **measure(engine, args.queries,
                                                                    args.seed)}
        result["load_average"] = [round(x, 2) for x in os.getloadavg()]
        result["cpus"] = os.cpu_count()
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
