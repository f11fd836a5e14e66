"""Heuristics: the greedy baseline, greedy in a given order, and a local search.

The greedy baseline exists for two reasons: the benchmark measures how much value the exact solver
adds over it, and the exact solver never returns anything worse (it is the first incumbent). The
LP-guided order and the local search give the exact solver a much better incumbent before HiGHS
starts: a strong incumbent is what makes reduced-cost fixing remove most cycles, and it is what a
time-limited solve returns at worst. They work on the arrays that
``exchange.rounds.solver.enumerate_cycles`` produces and import nothing from the solver, which
keeps the two modules free of an import cycle.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# A move is kept only if it gains more than this (weights scaled so the heaviest cycle is 1):
# float noise must never make the search go round in circles.
_MIN_GAIN = 1e-12


def greedy_in_order(members: IntArray, order: IntArray, capacities: IntArray) -> BoolArray:
    """Walk the cycles in ``order``; take each one that fits every member's remaining capacity."""
    chosen = np.zeros(len(members), dtype=np.bool_)
    remaining = [int(c) for c in capacities]
    # Plain Python lists: per-row numpy indexing costs more than the arithmetic it saves here.
    rows = members.tolist()
    for cycle_index in order.tolist():
        firms = [f for f in rows[cycle_index] if f >= 0]
        if all(remaining[f] > 0 for f in firms):
            for f in firms:
                remaining[f] -= 1
            chosen[cycle_index] = True
    return chosen


def greedy_selection(members: IntArray, weights: FloatArray, capacities: IntArray) -> BoolArray:
    """Choose cycles heaviest first; a cycle is taken when every member has capacity left.

    ``members`` is the ``(n_cycles, 3)`` matrix of firm indices padded with -1 for 2-cycles, rows
    in canonical order; equal weights are taken in that order so the result is deterministic.
    Returns a boolean mask over the cycles.
    """
    if len(weights) == 0:
        return np.zeros(0, dtype=np.bool_)
    # lexsort's last key is the primary one: heaviest first, then canonical row order.
    return greedy_in_order(members, np.lexsort((np.arange(len(weights)), -weights)), capacities)


def improve_selection(
    members: IntArray,
    weights: FloatArray,
    capacities: IntArray,
    chosen: BoolArray,
    candidates: IntArray,
    pool: IntArray,
    *,
    max_moves: int,
    deadline: float | None = None,
) -> BoolArray:
    """Local search: put one candidate cycle in, take out what blocks it, refill, keep if better.

    For each candidate (in the given order, at most ``max_moves``): for every member at full
    capacity take out its lightest chosen cycle (one per member, unless an earlier removal
    already freed it), put the candidate in, then refill greedily — heaviest first — with
    ``pool`` cycles through the firms that were freed. The move is kept when the total grows,
    otherwise undone. This is the classic "swap one out, two in" of kidney-exchange heuristics,
    generalised to capacities; it is deterministic (no randomness; the clock only when a
    ``deadline`` is given).
    """
    chosen = chosen.copy()
    rows = members.tolist()
    w = weights.tolist()
    load = np.zeros(len(capacities), dtype=np.int64)
    np.add.at(load, members[chosen][members[chosen] >= 0], 1)
    remaining = (capacities - load).tolist()
    at_firm: list[set[int]] = [set() for _ in range(len(capacities))]
    for c in np.flatnonzero(chosen).tolist():
        for f in rows[c]:
            if f >= 0:
                at_firm[f].add(c)
    # Refill lists: for every firm, the pool cycles through it, heaviest first.
    pool = pool[np.lexsort((pool, -weights[pool]))]
    refill: list[list[int]] = [[] for _ in range(len(capacities))]
    for c in pool.tolist():
        for f in rows[c]:
            if f >= 0:
                refill[f].append(c)

    def take(c: int) -> None:
        chosen[c] = True
        for f in rows[c]:
            if f >= 0:
                remaining[f] -= 1
                at_firm[f].add(c)

    def drop(c: int) -> None:
        chosen[c] = False
        for f in rows[c]:
            if f >= 0:
                remaining[f] += 1
                at_firm[f].discard(c)

    for move, c in enumerate(candidates[:max_moves].tolist()):
        # Under a time limit the clock may cut the search short (without one, it never does:
        # the result must not depend on the machine's speed).
        if deadline is not None and move % 256 == 0 and time.perf_counter() > deadline:
            break
        if chosen[c]:
            continue
        firms = [f for f in rows[c] if f >= 0]
        removed: list[int] = []
        for f in firms:
            if remaining[f] <= 0:
                lightest = min(at_firm[f], key=lambda k: (w[k], k))
                removed.append(lightest)
                drop(lightest)
        gain = w[c] - sum(w[k] for k in removed)
        take(c)
        added = [c]
        freed = sorted({f for k in removed for f in rows[k] if f >= 0 and remaining[f] > 0})
        for f in freed:
            for k in refill[f]:
                if remaining[f] <= 0:
                    break
                if not chosen[k] and all(remaining[g] > 0 for g in rows[k] if g >= 0):
                    take(k)
                    added.append(k)
                    gain += w[k]
        if gain <= _MIN_GAIN:
            for k in added:
                drop(k)
            for k in removed:
                take(k)
    return chosen
