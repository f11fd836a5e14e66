"""The greedy baseline: take the heaviest remaining cycle that still fits every member's capacity.

It exists for two reasons: the benchmark measures how much value the exact solver adds over it,
and the exact solver falls back on it when HiGHS stops early (time limit, numerical trouble) without
a better incumbent, so a round always gets a feasible answer. It works on the arrays that
``exchange.rounds.solver.enumerate_cycles`` produces and imports nothing from the solver, which
keeps the two modules free of an import cycle.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def greedy_selection(
    members: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    capacities: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Choose cycles heaviest first; a cycle is taken when every member has capacity left.

    ``members`` is the ``(n_cycles, 3)`` matrix of firm indices padded with -1 for 2-cycles, rows
    in canonical order; equal weights are taken in that order so the result is deterministic.
    Returns a boolean mask over the cycles.
    """
    n_cycles = len(weights)
    chosen = np.zeros(n_cycles, dtype=np.bool_)
    if n_cycles == 0:
        return chosen
    # lexsort's last key is the primary one: heaviest first, then canonical row order.
    order = np.lexsort((np.arange(n_cycles), -weights))
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
