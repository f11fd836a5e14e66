"""Benchmark the exchange-round solver against the plain cycle formulation on HiGHS, same run.

Run: ``.venv/bin/python benchmarks/rounds.py [--cases random dense realistic] [--sizes 1000 2000
4000] [--time-limit 60] [--seed 7]``; prints JSON (progress of each case on stderr).

Networks:

- ``random``: 1,000 firms in towns of 30; each lists 5 hosts in its town and 1 anywhere
  (out-degree ~6), learning values uniform in 1-20, capacity 2 for one firm in five.
- ``dense``: the same with 6 local hosts and 3 anywhere (out-degree ~9).
- ``stress`` (only with ``--stress``): towns of 20, 7 local + 2 anywhere: many near-equal ways to
  serve everyone, the hardest of these for a MILP.
- ``realistic``: built the way ``rounds.service.clear`` builds a round: members from the demo
  generator's industry archetypes (``exchange.demo.generator``, their process matrices as the
  import would store them), edges = the matching engine's learn values between them
  (``matching.learn_edges``, competition rule and exclusions included), capacity = each firm's
  hosting capacity. Edges grow with the square of the membership: at 1,000 members about 150 per
  firm.

Each network is solved by the product (``solve_round``) and by the plain cycle formulation
(every cycle enumerated, one binary each, ``scipy.optimize.milp`` = HiGHS, exact gap 0), both
with the same time limit. ``ratio_to_plain`` is product seconds / plain seconds (below 1: the
product is faster); ``gap`` is the relative gap to the proven bound (0 when proven optimal).
The plain formulation is not run where full enumeration alone would exceed the memory of a small
machine; the JSON says so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exchange.rounds.greedy import greedy_selection
from exchange.rounds.solver import (
    Edge,
    Firm,
    SolveProgress,
    _incidence,
    _walk_count,
    build_round_graph,
    enumerate_cycles,
    solve_round,
)

# Above this many two-step walks the plain formulation's full enumeration (and its MILP) does
# not fit a small shared machine: about 0.5 GB per 10 million walks before HiGHS starts.
PLAIN_WALK_LIMIT = 60_000_000


def towns(
    n_firms: int, seed: int, *, town: int, local: int, far: int
) -> tuple[list[Firm], list[Edge]]:
    rng = np.random.default_rng(seed)
    firms = [
        Firm(id=f"firm-{i:05d}", capacity=2 if rng.random() < 0.2 else 1) for i in range(n_firms)
    ]
    edges: list[Edge] = []
    for u in range(n_firms):
        members = np.arange(u // town * town, min(u // town * town + town, n_firms))
        members = members[members != u]
        hosts = {*rng.choice(members, size=min(local, len(members)), replace=False).tolist(),
                 *rng.choice(n_firms, far).tolist()}  # fmt: skip
        edges.extend(
            Edge(firms[u].id, firms[v].id, round(float(rng.uniform(1, 20)), 2))
            for v in sorted(hosts)
            if v != u
        )
    return firms, edges


def realistic(n_firms: int, seed: int) -> tuple[list[Firm], list[Edge]]:
    """Members and edges exactly as ``clear()`` gets them, from the demo generator's firms."""
    from exchange.demo.generator import generate_businesses
    from exchange.matching.algorithm import learn_edges
    from exchange.matching.commands import dataset_index, dataset_records

    records = dataset_records(generate_businesses(n_firms, seed=seed))
    index = dataset_index(records)
    ids = [r.id for r in records]
    firms = [Firm(r.id, r.hosting_capacity) for r in records]
    return firms, [Edge(u, v, w) for u, v, w in learn_edges(index, ids)]


def plain(firms: list[Firm], edges: list[Edge], time_limit: float) -> dict[str, Any]:
    """The textbook cycle formulation handed to HiGHS as it is: no reductions, no tie-break."""
    started = time.perf_counter()
    graph = build_round_graph(firms, edges)
    walks = _walk_count(graph)
    if walks > PLAIN_WALK_LIMIT:
        return {"status": "not_run", "reason": f"{walks:,} two-step walks to enumerate"}
    cycles = enumerate_cycles(graph)
    incidence = _incidence(cycles, len(graph.firm_ids))
    left = max(time_limit - (time.perf_counter() - started), 1e-3)
    result = milp(-cycles.weights, integrality=np.ones(len(cycles)), bounds=Bounds(0, 1),
                  constraints=[LinearConstraint(incidence, -np.inf, graph.capacities)],
                  options={"mip_rel_gap": 0.0, "time_limit": left})  # fmt: skip
    total = -float(result.fun) if result.fun is not None else 0.0
    bound = -float(result.mip_dual_bound) if result.mip_dual_bound is not None else None
    return {
        "status": "optimal" if result.status == 0 else "time_limit",
        "seconds": round(time.perf_counter() - started, 3),
        "total_weight": round(total, 2),
        "bound": round(bound, 2) if bound is not None else None,
        "gap": round((bound - total) / bound, 6) if bound else None,
        "n_cycles": len(cycles),
    }


def run_case(
    name: str, firms: list[Firm], edges: list[Edge], time_limit: float, *, run_plain: bool
) -> dict[str, Any]:
    def show(progress: SolveProgress) -> None:
        print(f"  {name}: {progress.seconds:6.1f} s best {progress.incumbent:,.1f} "
              f"bound {progress.bound:,.1f} ({progress.stage})", file=sys.stderr)  # fmt: skip

    result = solve_round(firms, edges, time_limit=time_limit, progress=show)
    graph = build_round_graph(firms, edges)
    out: dict[str, Any] = {
        "network": name,
        "n_firms": len(firms),
        "n_edges": len(edges),
        "out_degree": round(len(edges) / max(len(firms), 1), 1),
        "two_step_walks": _walk_count(graph),
        "time_limit": time_limit,
        "product": {
            "status": result.status,
            "proven_optimal": result.proven_optimal,
            "seconds": round(result.seconds, 3),
            "total_weight": round(result.total_weight, 2),
            "bound": round(result.bound, 2) if result.bound is not None else None,
            "gap": round(result.mip_gap, 6) if result.mip_gap is not None else None,
            "n_candidate_cycles": result.counts.n_cycles_enumerated,
            "firms_served": result.counts.firms_served,
        },
    }
    if run_plain:
        reference = plain(firms, edges, time_limit)
        out["plain"] = reference
        if "seconds" in reference:
            out["ratio_to_plain"] = round(result.seconds / max(reference["seconds"], 1e-9), 3)
            out["product_total_over_plain"] = round(
                result.total_weight / max(reference["total_weight"], 1e-9), 5
            )
    if _walk_count(graph) <= PLAIN_WALK_LIMIT:
        cycles = enumerate_cycles(graph)
        greedy = greedy_selection(cycles.members, cycles.weights, graph.capacities)
        out["greedy_total_weight"] = round(float(cycles.weights[greedy].sum()), 2)
    return out


def main() -> None:
    # HiGHS prints its banner on the process's standard output, which is the JSON's place.
    sys.stdout.flush()
    json_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["random", "dense", "realistic"],
                        choices=["random", "dense", "stress", "realistic"])  # fmt: skip
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000],
                        help="members of the realistic networks")  # fmt: skip
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-plain", action="store_true", help="skip the plain formulation")
    args = parser.parse_args()

    load_at_start = [round(x, 2) for x in os.getloadavg()]
    runs = []
    shapes = {"random": (30, 5, 1), "dense": (30, 6, 3), "stress": (20, 7, 2)}
    for case in args.cases:
        if case in shapes:
            town, local, far = shapes[case]
            firms, edges = towns(1000, args.seed, town=town, local=local, far=far)
            runs.append(run_case(case, firms, edges, args.time_limit, run_plain=not args.no_plain))
        else:
            for size in args.sizes:
                firms, edges = realistic(size, args.seed)
                runs.append(run_case(f"realistic-{size}", firms, edges, args.time_limit,
                                     run_plain=not args.no_plain))  # fmt: skip
                print(json.dumps(runs[-1]), file=sys.stderr)
            continue
        print(json.dumps(runs[-1]), file=sys.stderr)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "highspy": metadata.version("highspy"),
        },
        "targets": {
            "random-1000": "proven optimal in <= 2 s",
            "dense-1000": "proven optimal in <= 30 s",
            "realistic-4000": "within 1 % of the bound in <= 60 s",
        },
        "load_average_at_start": load_at_start,
        "runs": runs,
    }
    print(json.dumps(report, indent=2), file=json_out)
    json_out.flush()


if __name__ == "__main__":
    main()
