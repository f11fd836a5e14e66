"""Benchmark the partner matcher on a realistic 100,000-business population (PRODUCT §8).

Run: ``.venv/bin/python benchmarks/matching.py [--sizes 10000,100000] [--queries 200]
[--naive-queries 5] [--seed 7]``.
Prints one JSON object with, per population: build times (from arrays, the database-loader path,
and from records), the index's memory (the bytes of its numpy arrays; the Python objects around
them are not counted), suggestion query latency percentiles for top-20 lists (the default query: the
competitor, exclusion, visibility and capacity filters all apply), upsert/remove latency, the time
of a 1,000-member learn matrix (what an exchange round asks for), and a naive pure-Python
baseline — the same rules, one business at a time, no index — on a sample of askers, with the
speed-up ratio and whether its top-20 lists agree with the index's.

The population: 12 departments with 106 processes (the sizes of our default taxonomy), ~150
industries (ISIC classes) whose strengths follow an industry profile, 10-30 practised processes
per business, a few needs on weak processes, offers on some strong ones; local-heavy markets over
20 countries; 500 networks; a few exclusions.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from exchange.matching import (
    MARKET_REACHES,
    BusinessRecord,
    MatchingIndex,
    Taxonomy,
    competes,
    learn_matrix,
    suggest_partners,
)

DEPARTMENTS = {
    "sales": 9, "marketing": 10, "hr": 9, "operations": 9, "production": 9, "supply_chain": 9,
    "finance": 9, "it": 9, "customer_service": 8, "design": 9, "administration": 8, "strategy": 8,
}  # fmt: skip
# Valid ISIC Rev. 4 divisions that small businesses commonly fall in.
DIVISIONS = [10, 13, 14, 16, 18, 22, 25, 31, 33, 41, 43, 45, 46, 47, 49, 52, 55, 56, 58, 62, 63,
             69, 70, 71, 73, 74, 77, 78, 79, 81, 82, 85, 86, 88, 90, 93, 95, 96]  # fmt: skip


def taxonomy() -> Taxonomy:
    return Taxonomy(
        f"{department}.process_{i:02d}"
        for department, size in DEPARTMENTS.items()
        for i in range(1, size + 1)
    )


def population(n: int, rng: np.random.Generator, p: int) -> dict[str, Any]:
    """Columns for ``MatchingIndex.from_arrays``; strengths correlate with the industry."""
    n_industries = 150
    industry_codes = sorted(
        {f"{rng.choice(DIVISIONS):02d}{rng.integers(1, 10)}{rng.integers(0, 10)}"
         for _ in range(n_industries * 2)}
    )[:n_industries]  # fmt: skip
    # Each industry has a strength profile over processes (what firms of that kind do well).
    profile = rng.dirichlet(np.full(p, 0.3), size=len(industry_codes))
    popularity = 1.0 / np.arange(1, len(industry_codes) + 1) ** 0.8
    industry = rng.choice(len(industry_codes), size=n, p=popularity / popularity.sum())

    level = np.zeros((n, p), dtype=np.int8)
    offer = np.zeros((n, p), dtype=np.bool_)
    need = np.zeros((n, p), dtype=np.int8)
    chunk = 20_000
    for start in range(0, n, chunk):
        rows = np.arange(start, min(n, start + chunk))
        m = len(rows)
        affinity = np.log(profile[industry[rows]] + 1e-4)
        # Gumbel top-k: sample practised processes without replacement, by industry affinity.
        keys = affinity + rng.gumbel(size=(m, p))
        order = np.argsort(-keys, axis=1)
        practised = rng.integers(10, 31, size=m)
        rank = np.empty_like(order)
        rank[np.arange(m)[:, None], order] = np.arange(p)[None, :]
        is_practised = rank < practised[:, None]
        strong_bias = rank < (practised[:, None] // 3)  # top third of a firm's processes
        levels = np.where(strong_bias, rng.integers(3, 6, size=(m, p)), rng.integers(1, 4, (m, p)))
        level[rows] = np.where(is_practised, levels, 0)
        offer[rows] = is_practised & (level[rows] >= 4) & (rng.random((m, p)) < 0.4)
        # Needs: a few weak or unpractised processes, more likely where the industry is weak.
        weak_keys = -affinity + rng.gumbel(size=(m, p))
        weak_keys[level[rows] >= 3] = -np.inf
        n_needs = rng.integers(2, 6, size=m)
        weak_rank = np.argsort(np.argsort(-weak_keys, axis=1), axis=1)
        wants = weak_rank < n_needs[:, None]
        need[rows] = np.where(wants, rng.integers(1, 4, size=(m, p)), 0)

    countries = [f"c{i:02d}" for i in range(20)]
    country_p = 1.0 / np.arange(1, 21)
    country = rng.choice(20, size=n, p=country_p / country_p.sum())
    region = rng.integers(0, 10, size=n)
    city = rng.integers(0, 20, size=n)
    reach = rng.choice(4, size=n, p=[0.4, 0.25, 0.25, 0.1])
    capacity = rng.integers(0, 4, size=n)
    load = np.minimum(capacity, rng.integers(0, 3, size=n))
    n_networks = 500
    networks = [
        frozenset(f"net{x}" for x in rng.choice(n_networks, size=k, replace=False))
        for k in rng.choice(3, size=n, p=[0.5, 0.35, 0.15])
    ]
    languages_pool = ["en", "hi", "mr", "de", "fr", "es", "pt", "ar", "zh", "ja", "ta", "bn"]
    languages = [
        frozenset(rng.choice(languages_pool, size=k, replace=False))
        for k in rng.integers(1, 3, size=n)
    ]
    ids = [f"b{i:06d}" for i in range(n)]
    excluded = [
        frozenset(ids[j] for j in rng.integers(0, n, size=rng.integers(1, 4)))
        if rng.random() < 0.02
        else frozenset()
        for _ in range(n)
    ]
    return {
        "ids": ids,
        "names": [f"Business {i}" for i in range(n)],
        "level": level,
        "offer": offer,
        "need": need,
        "isic": [industry_codes[i] for i in industry],
        "country": [countries[c] for c in country],
        "region": [f"r{r}" for r in region],
        "city": [f"city{c}" for c in city],
        "market_reach": [MARKET_REACHES[r] for r in reach],
        "hosting_capacity": capacity,
        "current_load": load,
        "visibility": ["networks" if x < 0.1 else "public" for x in rng.random(n)],
        "networks": networks,
        "languages": languages,
        "excluded": excluded,
    }


def records_from(columns: dict[str, Any], keys: tuple[str, ...]) -> list[BusinessRecord]:
    level: npt.NDArray[np.int8] = columns["level"]
    offer: npt.NDArray[np.bool_] = columns["offer"]
    need: npt.NDArray[np.int8] = columns["need"]
    records = []
    for i, business_id in enumerate(columns["ids"]):
        cols = np.flatnonzero((level[i] > 0) | (need[i] > 0) | offer[i])
        cells = {
            keys[j]: (int(level[i, j]), bool(offer[i, j]), int(need[i, j])) for j in cols.tolist()
        }
        records.append(
            BusinessRecord(
                id=business_id,
                name=columns["names"][i],
                isic=columns["isic"][i],
                country=columns["country"][i],
                region=columns["region"][i],
                city=columns["city"][i],
                market_reach=columns["market_reach"][i],
                excluded=columns["excluded"][i],
                hosting_capacity=int(columns["hosting_capacity"][i]),
                current_load=int(columns["current_load"][i]),
                visibility=columns["visibility"][i],
                networks=columns["networks"][i],
                languages=columns["languages"][i],
                cells=cells,
            )
        )
    return records


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def cpu_timed(action: Callable[[], object]) -> tuple[float, float, object]:
    """Wall and CPU seconds: on a shared machine the CPU time shows the cost without the wait."""
    wall, cpu = time.perf_counter(), time.thread_time()
    result = action()
    return time.perf_counter() - wall, time.thread_time() - cpu, result


def percentile_ms(seconds: list[float], q: float) -> float:
    return round(float(np.percentile(seconds, q)) * 1000, 3)


def array_bytes(value: object, seen: set[int] | None = None) -> int:
    """Bytes held in numpy arrays reachable from `value` (the index's attributes, lists of
    posting arrays, ...); Python objects around them are not counted."""
    seen = seen if seen is not None else set()
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, dict):
        return sum(array_bytes(v, seen) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(array_bytes(v, seen) for v in value)
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return sum(array_bytes(v, seen) for v in vars(value).values())
    if hasattr(value, "__slots__"):
        return sum(array_bytes(getattr(value, n, None), seen) for n in value.__slots__)
    return 0


HOST_MIN_LEVEL = 4


def naive_suggest(records: list[BusinessRecord], asker: BusinessRecord,
                  department_of: dict[str, str], department_size: dict[str, int],
                  limit: int = 20) -> list[str]:
    """The baseline: PRODUCT §4 written the obvious way, every candidate in a Python loop."""

    def involvement(record: BusinessRecord) -> Counter[str]:
        return Counter(department_of[k] for k, (level, _, need) in record.cells.items()
                       if level > 0 or need > 0)

    def learn_value(learner: BusinessRecord, host: BusinessRecord, involved: Counter[str]
                    ) -> float:
        total = 0.0
        for key, (own, _, need) in learner.cells.items():
            if need <= 0 or key not in host.cells:
                continue
            level, offers, _ = host.cells[key]
            if offers and level >= HOST_MIN_LEVEL and level > own:
                size = department_size[department_of[key]]
                total += need * (size + involved[department_of[key]]) / (2 * size) * (level - own)
        return total

    mine = involvement(asker)
    scored = []
    for other in records:
        if other.id == asker.id or competes(asker, other):
            continue
        if other.visibility == "networks" and not (other.networks & asker.networks):
            continue
        learn = learn_value(asker, other, mine)
        teach = learn_value(other, asker, involvement(other))
        if learn > 0 and other.hosting_capacity - other.current_load <= 0:
            continue
        if learn <= 0 and teach <= 0:
            continue
        # Rounded as the index rounds (9 decimals), so that equal scores tie the same way.
        scored.append((-round(learn + teach + min(learn, teach), 9), other.id))
    scored.sort()
    return [business_id for _, business_id in scored[:limit]]


def measure(n: int, queries: int, naive_queries: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    tax = taxonomy()
    columns = population(n, rng, len(tax))

    build_seconds, built = timed(lambda: MatchingIndex.from_arrays(tax, **columns))
    assert isinstance(built, MatchingIndex)
    index = built
    index_mb = array_bytes(index) / 2**20
    records = records_from(columns, tax.keys)
    build_records_seconds, _ = timed(lambda: MatchingIndex.from_records(records, tax))

    askers = rng.choice(columns["ids"], size=queries, replace=False).tolist()
    # The setup leaves millions of Python objects (the records and their cells); freeze them so
    # that a full garbage collection triggered mid-measurement does not rescan them all — what a
    # long-running server does after loading too. Collections still run, on new objects only.
    gc.collect()
    gc.freeze()
    suggest_partners(index, askers[0])  # warm caches (network member arrays)
    latencies = []
    cpu_latencies = []
    lengths = []
    for business_id in askers:
        seconds, cpu, suggestions = cpu_timed(partial(suggest_partners, index, business_id))
        latencies.append(seconds)
        cpu_latencies.append(cpu)
        assert isinstance(suggestions, list)
        lengths.append(len(suggestions))

    # The naive baseline on a sample of the same askers, over the whole population.
    department_of = {key: key.split(".", 1)[0] for key in tax.keys}
    department_size = Counter(department_of.values())
    by_id = {r.id: r for r in records}
    naive_seconds, agree = [], 0
    for business_id in askers[:naive_queries]:
        seconds, expected = timed(partial(naive_suggest, records, by_id[business_id],
                                          department_of, department_size))
        naive_seconds.append(seconds)
        got = [s.partner_id for s in suggest_partners(index, business_id)]
        agree += int(set(got) == set(expected))  # same partners (ties may order differently)

    upserts = []
    for i in rng.choice(n, size=min(500, n), replace=False).tolist():
        old = records[i]
        new_need = {tax.keys[int(rng.integers(len(tax)))]: (2, False, 3)}
        changed = replace(old, cells={**old.cells, **new_need})
        upserts.append(timed(partial(index.upsert, changed))[0])
    for i in range(500):
        upserts.append(timed(partial(index.upsert, replace(records[i], id=f"new{i:04d}")))[0])
    removes = [timed(partial(index.remove, f"new{i:04d}"))[0] for i in range(500)]
    after_updates = [timed(partial(suggest_partners, index, b))[0] for b in askers[:50]]

    members = rng.choice(columns["ids"], size=min(1000, n), replace=False).tolist()
    matrix_seconds, _ = timed(lambda: learn_matrix(index, members))
    gc.unfreeze()
    naive_p50 = float(np.median(naive_seconds)) if naive_seconds else None
    indexed_p50 = float(np.median(latencies))
    return {
        "n": n,
        "processes": len(tax),
        "cells_with_level": int((columns["level"] > 0).sum()),
        "build_seconds": round(build_seconds, 3),
        "build_from_records_seconds": round(build_records_seconds, 3),
        "index_arrays_mb": round(index_mb, 1),
        "queries": queries,
        "limit": 20,
        "mean_suggestions": round(float(np.mean(lengths)), 2),
        "query_p50_ms": percentile_ms(latencies, 50),
        "query_p95_ms": percentile_ms(latencies, 95),
        "query_max_ms": round(max(latencies) * 1000, 3),
        "query_cpu_p50_ms": percentile_ms(cpu_latencies, 50),
        "query_cpu_p95_ms": percentile_ms(cpu_latencies, 95),
        "query_after_updates_p95_ms": percentile_ms(after_updates, 95),
        "naive_queries": len(naive_seconds),
        "naive_p50_ms": round(naive_p50 * 1000, 1) if naive_p50 is not None else None,
        "naive_same_partners": f"{agree}/{len(naive_seconds)}",
        "speed_up_p50": round(naive_p50 / indexed_p50, 1) if naive_p50 else None,
        "upsert_p50_ms": percentile_ms(upserts, 50),
        "upsert_p95_ms": percentile_ms(upserts, 95),
        "upsert_max_ms": round(max(upserts) * 1000, 3),
        "remove_p50_ms": percentile_ms(removes, 50),
        "learn_matrix_1000_ms": round(matrix_seconds * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000",
                        help="comma-separated population sizes")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--naive-queries", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    runs = [measure(n, args.queries, args.naive_queries, args.seed) for n in sizes]
    print(json.dumps({"load_average_1min": round(os.getloadavg()[0], 2),
                      "cpus": os.cpu_count(), "populations": runs}, indent=2))


if __name__ == "__main__":
    main()
