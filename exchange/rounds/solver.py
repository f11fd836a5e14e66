"""Exchange-round clearing: the 2-way swaps and 3-way cycles that maximise total learning value.

A network clears its whole membership at once, like a kidney-exchange clearing house (PRODUCT §4).
An edge ``u → v`` with weight ``w`` means firm ``v`` can host an intern from firm ``u`` and ``u``
would learn value ``w``. A cycle ``(a, b, c)`` means b hosts a's intern, c hosts b's, a hosts c's;
its weight is the sum of its edge weights. Each firm joins at most ``capacity`` chosen cycles.

Pure module: dataclasses and numpy arrays in, a :class:`RoundResult` out; no web, no database.
The model, the tie-break rules and the choice of HiGHS are explained in ``docs/rounds.md``.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from numbers import Real
from typing import Any, Literal, get_args

import highspy
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import LinearConstraint
from scipy.sparse.csgraph import connected_components

from exchange.rounds.greedy import greedy_in_order, greedy_selection, improve_selection

Prefer = Literal["none", "more_firms", "more_swaps"]
RoundStatus = Literal["optimal", "time_limit", "error", "heuristic"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MAX_CYCLE_LENGTHS = (2, 3)
# Three weights of this size still add up to a finite float; larger ones are surely a unit error.
MAX_WEIGHT = 1e300
# Totals closer than this fraction of the heaviest candidate cycle's weight count as equal. It is
# also the accuracy of the optimum itself: HiGHS stops at an absolute gap of 1e-6 and we hand it
# weights scaled so that the heaviest cycle weighs 1 (see docs/rounds.md, "Ties").
TIE_TOLERANCE = 1e-6
# Weight of the integer-valued `prefer` goal in the perturbed solve that usually replaces the
# exact "fix the total, maximise the goal" pass; it must exceed the tie tolerance plus both
# solves' absolute gaps and the score term, which _prefer_pass checks.
_PERTURBATION = 1e-5
# Bound on how many two-step paths the 3-cycle search materialises at once, so that a very large
# network is enumerated in slices instead of one huge array.
_PATH_CHUNK = 2_000_000
_CAPACITY_CLAMP = 2**31 - 1
# How a HiGHS run ended, as _maximise reports it.
_MILP_OPTIMAL = 0
_MILP_LIMIT = 1
_MILP_OTHER = 2
# HiGHS's default absolute gap; with the heaviest cycle scaled to 1, a millionth of it.
_HIGHS_ABS_GAP = 1e-6
# Seconds between two progress reports during a long solve.
_PROGRESS_EVERY = 1.0
# How many "put one cycle in, take what blocks it out, refill" moves the local search tries. A
# count, not a time budget, so that the incumbent (and HiGHS's path from it) does not depend on
# the machine's speed.
_LOCAL_SEARCH_MOVES = 20_000
_LOCAL_SEARCH_FROM = 5_000  # cycles
# Above this many two-step walks (the 3-cycle enumeration's cost: about 1 s and 0.5 GB per 10
# million) cycles are priced out (column generation) instead of all enumerated.
_ENUMERATION_WALKS = 6_000_000
# Column generation starts from the cycles among each firm's heaviest edges, in and out.
_SEED_EDGES = 12
_PRICING_ROUNDS = 60
# The share of the time limit pricing may use; the rest is for the exact solve over its cycles.
_PRICING_SHARE = 0.5
# Small independent parts are solved together in MILPs of up to this many cycles.
_BATCH_CYCLES = 500
_PRICING_COLUMNS_PER_FIRM = 2
# Work bound of an exact pricing round (walks of the pruned network, about 0.2 s per million).
_PRICING_WALKS = 15_000_000
# Up to this many walks a pricing solve also enumerates everything once, for greedy's selection.
_GREEDY_WALKS = 20_000_000


@dataclass(frozen=True, slots=True)
class Firm:
    """A member of the round. ``capacity``: how many chosen cycles it may join (0 = sits out)."""

    id: str
    capacity: int = 1


@dataclass(frozen=True, slots=True)
class Edge:
    """``target`` can host an intern from ``source``; ``source`` would learn ``weight`` (> 0)."""

    source: str
    target: str
    weight: float


@dataclass(frozen=True, slots=True)
class RoundCounts:
    n_cycles_enumerated: int
    n_2cycles_enumerated: int
    n_3cycles_enumerated: int
    n_2cycles_chosen: int
    n_3cycles_chosen: int
    firms_served: int


@dataclass(frozen=True, slots=True)
class RoundResult:
    """The cleared round.

    ``cycles`` are in canonical rotation (smallest firm id first, edge direction kept) and sorted;
    ``cycle_weights[i]`` is the weight of ``cycles[i]``. ``proven_optimal`` speaks about
    ``total_weight``; ``bound`` is a proven upper bound on the best possible total and
    ``mip_gap`` the relative gap ``(bound − total_weight) / bound`` (0 when proven optimal, up to
    HiGHS's tolerance; None for the greedy baseline). ``tie_break_complete`` says whether the
    ``prefer`` and final tie-break passes also finished (they cannot lower the total, only
    choose among equal totals). ``ignored`` lists the input quirks that were skipped
    (self-loops, duplicate edges, unknown excluded cycles).
    """

    status: RoundStatus
    proven_optimal: bool
    total_weight: float
    cycles: list[tuple[str, ...]]
    cycle_weights: list[float]
    mip_gap: float | None
    seconds: float
    counts: RoundCounts
    bound: float | None = None
    ignored: list[str] = field(default_factory=list)
    tie_break_complete: bool = True
    detail: str = ""


class RoundInputError(ValueError):
    """The firms or edges handed to the solver are unusable; ``problems`` names each one."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:20])
        more = f"; and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"invalid exchange round: {shown}{more}")


@dataclass(frozen=True, slots=True)
class RoundGraph:
    """The validated, canonical graph: firms sorted by id, so indices follow id order.

    Edges are sorted by ``(source, target)``, deduplicated, without self-loops and without any
    endpoint of capacity 0 (such a firm can never be in a chosen cycle, so dropping its edges is a
    provably safe reduction).
    """

    firm_ids: tuple[str, ...]
    capacities: IntArray
    sources: IntArray
    targets: IntArray
    weights: FloatArray
    max_cycle_length: int
    ignored: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CandidateCycles:
    """Every cycle of length 2..max_cycle_length, each once, rows in canonical order.

    ``members[i]`` holds the firm indices in canonical rotation (smallest index first), padded
    with -1 for 2-cycles; canonical order is the lexicographic order of those index tuples, which
    is the order of the firm-id tuples because indices follow sorted ids.
    """

    members: IntArray
    lengths: IntArray
    weights: FloatArray

    def __len__(self) -> int:
        return len(self.weights)


# --------------------------------------------------------------------------------------------
# Validation and canonical form


def _is_real_number(value: object) -> bool:
    # bool is an int subclass; True as a weight or capacity is always a caller's mistake.
    # The exact-type test first: the Real ABC check costs more than the rest of validation.
    return type(value) in (float, int) or (isinstance(value, Real) and not isinstance(value, bool))


def _is_integer(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _quote(name: object) -> str:
    return f'"{name}"' if isinstance(name, str) else repr(name)


def build_round_graph(
    firms: Iterable[Firm], edges: Iterable[Edge], *, max_cycle_length: int = 3
) -> RoundGraph:
    """Validate the input and bring it into canonical form; raise :class:`RoundInputError`.

    Errors (all collected, then raised together): bad ``max_cycle_length``, empty or duplicate
    firm ids, capacities that are not integers ≥ 0, edges naming unknown firms, weights that are
    not finite numbers > 0. Quirks that are skipped with a note in ``ignored``: self-loops, and
    duplicate edges (the heaviest copy is kept — order-independent, and a duplicate most likely
    comes from two imports of the same estimate, of which the newer tends to be higher).
    """
    problems: list[str] = []
    if not _is_integer(max_cycle_length) or max_cycle_length not in MAX_CYCLE_LENGTHS:
        problems.append(f"max_cycle_length: must be 2 or 3, got {max_cycle_length!r}")

    capacity_by_id: dict[str, int] = {}
    # Ids seen, even of firms with a bad capacity, so their edges do not repeat the complaint.
    seen: set[str] = set()
    for position, firm in enumerate(firms):
        if not isinstance(firm.id, str) or not firm.id:
            problems.append(f"firm #{position}: id must be a non-empty string, got {firm.id!r}")
            continue
        if firm.id in seen:
            problems.append(f'firm "{firm.id}": duplicate id')
            continue
        seen.add(firm.id)
        if not _is_integer(firm.capacity) or firm.capacity < 0:
            problems.append(
                f'firm "{firm.id}": capacity must be an integer ≥ 0, got {firm.capacity!r}'
            )
            continue
        # No firm can join more cycles than exist; the clamp only keeps huge values in int64.
        capacity_by_id[firm.id] = min(int(firm.capacity), _CAPACITY_CLAMP)

    firm_ids = tuple(sorted(capacity_by_id))
    index_of = {firm_id: i for i, firm_id in enumerate(firm_ids)}
    ignored: list[str] = []
    best: dict[tuple[int, int], float] = {}
    for edge in edges:
        label = f"edge {_quote(edge.source)} → {_quote(edge.target)}"
        unknown = [
            name
            for name in (edge.source, edge.target)
            if not isinstance(name, str) or name not in seen
        ]
        if unknown:
            problems.extend(
                f"{label}: unknown firm {_quote(name)}" for name in dict.fromkeys(unknown)
            )
            continue
        weight = edge.weight
        if not _is_real_number(weight) or not math.isfinite(float(weight)) or float(weight) <= 0:
            problems.append(f"{label}: weight must be a finite number > 0, got {weight!r}")
            continue
        if float(weight) > MAX_WEIGHT:
            problems.append(f"{label}: weight must be at most {MAX_WEIGHT:g}, got {weight!r}")
            continue
        if problems:
            continue  # the input is rejected anyway; keep collecting problems only
        if edge.source == edge.target:
            ignored.append(f'self-loop "{edge.source}" → "{edge.source}" ignored')
            continue
        key = (index_of[edge.source], index_of[edge.target])
        previous = best.get(key)
        if previous is not None:
            kept, dropped = max(previous, float(weight)), min(previous, float(weight))
            ignored.append(
                f'duplicate edge "{edge.source}" → "{edge.target}": kept weight {kept:g}, '
                f"ignored {dropped:g}"
            )
            best[key] = kept
        else:
            best[key] = float(weight)
    if problems:
        raise RoundInputError(problems)

    capacities = np.array([capacity_by_id[f] for f in firm_ids], dtype=np.int64)
    keys = sorted(k for k in best if capacities[k[0]] > 0 and capacities[k[1]] > 0)
    sources = np.array([k[0] for k in keys], dtype=np.int64)
    targets = np.array([k[1] for k in keys], dtype=np.int64)
    weights = np.array([best[k] for k in keys], dtype=np.float64)
    # Duplicate notes are sorted so that they, too, do not depend on the input order.
    return RoundGraph(
        firm_ids=firm_ids,
        capacities=capacities,
        sources=sources,
        targets=targets,
        weights=weights,
        max_cycle_length=int(max_cycle_length),
        ignored=tuple(sorted(ignored)),
    )


# --------------------------------------------------------------------------------------------
# Cycle enumeration


def _lookup_edges(keys: IntArray, wanted: IntArray) -> tuple[BoolArray, IntArray]:
    """For each wanted key ``u * n + v``: is that edge present, and its position in ``keys``."""
    positions = np.searchsorted(keys, wanted)
    clipped = np.minimum(positions, max(len(keys) - 1, 0))
    found = (keys[clipped] == wanted) if len(keys) else np.zeros(len(wanted), dtype=np.bool_)
    return found, clipped


def enumerate_cycles(graph: RoundGraph) -> CandidateCycles:
    """Find every 2-cycle and (if allowed) 3-cycle once, in canonical rotation.

    A 3-cycle is found only from its smallest firm ``a``: walk ``a → b → c`` with ``b, c > a``
    and close it if ``c → a`` exists. With the edges sorted by ``(source, target)`` the walks are
    built as numpy arrays and the closing edge is a binary search, so the work is
    O(Σ over edges a→b of outdeg(b)) — for out-degree d about n·d², not n³.
    """
    n = len(graph.firm_ids)
    src, dst, weight = graph.sources, graph.targets, graph.weights
    keys = src * n + dst  # sorted, because edges are sorted by (source, target)

    # 2-cycles {a, b} with a < b: the edge a → b and its reverse.
    forward = np.flatnonzero(src < dst)
    found, reverse = _lookup_edges(keys, dst[forward] * n + src[forward])
    first2, back2 = forward[found], reverse[found]
    two_members = np.stack([src[first2], dst[first2], np.full(len(first2), -1)], axis=1)
    two_weights = weight[first2] + weight[back2]

    three_members: list[IntArray] = []
    three_weights: list[FloatArray] = []
    if graph.max_cycle_length >= 3 and len(forward):
        # out_start[v]:out_start[v + 1] are the positions of v's outgoing edges.
        out_start = np.searchsorted(src, np.arange(n + 1))
        out_degree = out_start[dst[forward] + 1] - out_start[dst[forward]]
        # Slice the first edges so that no slice materialises more than _PATH_CHUNK walks.
        path_ends = np.cumsum(out_degree)
        begin = 0
        while begin < len(forward):
            base = path_ends[begin - 1] if begin else 0
            end = int(np.searchsorted(path_ends, base + _PATH_CHUNK, side="right"))
            end = max(end, begin + 1)
            first = forward[begin:end]
            degree = out_degree[begin:end]
            # second[k]: every outgoing edge of b for every first edge a → b (ragged ranges
            # flattened: start of b's range plus the offset inside it).
            offsets = np.arange(int(degree.sum())) - np.repeat(np.cumsum(degree) - degree, degree)
            second = np.repeat(out_start[dst[first]], degree) + offsets
            first = np.repeat(first, degree)
            a = src[first]
            keep = dst[second] > a  # c > a: the cycle is seen from its smallest firm only
            first, second, a = first[keep], second[keep], a[keep]
            c = dst[second]
            closes, closing = _lookup_edges(keys, c * n + a)
            first, second, closing = first[closes], second[closes], closing[closes]
            three_members.append(np.stack([src[first], dst[first], dst[second]], axis=1))
            # Summed in cycle order a→b, b→c, c→a, so the float result is reproducible.
            three_weights.append(weight[first] + weight[second] + weight[closing])
            begin = end

    members = np.concatenate([two_members.reshape(-1, 3), *three_members]).astype(np.int64)
    weights = np.concatenate([two_weights, *three_weights]).astype(np.float64)
    # Canonical order: lexicographic on (first, second, third); -1 puts (a, b) before (a, b, c)
    # exactly as Python orders the id tuples.
    order = np.lexsort((members[:, 2], members[:, 1], members[:, 0]))
    members, weights = members[order], weights[order]
    lengths = np.where(members[:, 2] >= 0, 3, 2).astype(np.int64)
    return CandidateCycles(members=members, lengths=lengths, weights=weights)


def canonical_cycle(firm_ids: Sequence[str]) -> tuple[str, ...]:
    """Rotate a cycle so that its smallest id comes first; the direction is kept."""
    start = min(range(len(firm_ids)), key=lambda i: firm_ids[i])
    return tuple(firm_ids[start:]) + tuple(firm_ids[:start])


def _drop_excluded(
    graph: RoundGraph, candidates: CandidateCycles, exclude_cycles: Iterable[Sequence[str]]
) -> tuple[CandidateCycles, list[str]]:
    notes: list[str] = []
    wanted: set[tuple[str, ...]] = set()
    for cycle in exclude_cycles:
        names = tuple(cycle)
        canonical = canonical_cycle(names) if names else names
        if len(names) not in MAX_CYCLE_LENGTHS or len(set(names)) != len(names):
            notes.append(f"excluded cycle {list(names)} is not a 2- or 3-cycle; ignored")
        else:
            wanted.add(canonical)
    if not wanted:
        return candidates, notes
    rows = _cycle_names(graph, candidates.members)
    keep = np.array([row not in wanted for row in rows], dtype=np.bool_)
    for missing in sorted(wanted.difference(rows)):
        notes.append(f"excluded cycle {list(missing)} is not a candidate; ignored")
    pruned = CandidateCycles(
        members=candidates.members[keep],
        lengths=candidates.lengths[keep],
        weights=candidates.weights[keep],
    )
    return pruned, notes


def _cycle_names(graph: RoundGraph, members: IntArray) -> list[tuple[str, ...]]:
    ids = graph.firm_ids
    return [tuple(ids[f] for f in row if f >= 0) for row in members.tolist()]


# --------------------------------------------------------------------------------------------
# The MILP model


@dataclass(slots=True)
class _PassOutcome:
    status: int
    chosen: BoolArray | None
    mip_gap: float | None
    abs_gap: float  # |best − bound| in objective units; inf when unknown
    bound: float  # HiGHS's proven upper bound on the objective; inf when unknown
    message: str


@dataclass(slots=True)
class _Packing:
    """max objective · [x, y] with one binary x per cycle and Σ x over a firm's cycles ≤ capacity.

    Only binding firms get a capacity row: a firm whose capacity covers every cycle it is in can
    never be over-booked (a provably safe reduction; HiGHS presolve would find it too). With
    ``coverage`` there is one more variable y_f per firm, y_f ≤ Σ x over f's cycles, so Σ y
    counts the distinct firms served. y stays continuous: when y is maximised and the x are
    integral, its optimum min(1, Σ x) is already 0 or 1 — fewer integer variables.
    """

    incidence: sparse.csr_array  # firm rows × cycle columns of this (sub)problem
    capacities: IntArray
    n_extra: int
    constraints: list[LinearConstraint]
    integrality: npt.NDArray[np.int8]

    @classmethod
    def build(
        cls, incidence: sparse.csr_array, capacities: IntArray, *, coverage: bool
    ) -> _Packing:
        n_firms, n_cycles = incidence.shape
        n_extra = n_firms if coverage else 0
        load = np.asarray(incidence.sum(axis=1)).ravel()
        binding = np.flatnonzero(load > capacities)
        constraints: list[LinearConstraint] = []
        if len(binding):
            block = sparse.hstack([incidence[binding], sparse.csr_array((len(binding), n_extra))])
            constraints.append(LinearConstraint(block, -np.inf, capacities[binding]))
        if n_extra:
            cover = sparse.hstack([-incidence, sparse.identity(n_extra, format="csr")])
            constraints.append(LinearConstraint(cover, -np.inf, 0.0))
        integrality = np.concatenate([np.ones(n_cycles, np.int8), np.zeros(n_extra, np.int8)])
        return cls(incidence, capacities, n_extra, constraints, integrality)

    @property
    def n_cycles(self) -> int:
        return int(self.incidence.shape[1])

    def objective(self, per_cycle: FloatArray, per_firm: float = 0.0) -> FloatArray:
        return np.concatenate([per_cycle, np.full(self.n_extra, per_firm)])

    def value(self, objective: FloatArray, chosen: BoolArray) -> float:
        """The objective at a selection, with y set to its optimum (1 for each firm served)."""
        if self.n_extra:
            served = (self.incidence @ chosen.astype(np.float64)) > 0
            return float(objective @ np.concatenate([chosen, served]))
        return float(objective @ chosen)

    def fits(self, chosen: BoolArray) -> bool:
        return _fits(chosen, self.incidence, self.capacities)

    def with_extra(self, chosen: BoolArray) -> npt.NDArray[np.float64]:
        """All columns for a selection: the x, then y at its optimum (1 for each firm served)."""
        if not self.n_extra:
            return chosen.astype(np.float64)
        served = (self.incidence @ chosen.astype(np.float64)) > 0
        return np.concatenate([chosen, served]).astype(np.float64)

    @staticmethod
    def at_least(objective: FloatArray, lower: float) -> LinearConstraint:
        return LinearConstraint(objective.reshape(1, -1), lower, np.inf)


def _incidence(candidates: CandidateCycles, n_firms: int) -> sparse.csr_array:
    """Firm-by-cycle 0/1 matrix: entry (f, c) is 1 when firm f is in cycle c."""
    members = candidates.members
    cols = np.repeat(np.arange(len(members)), 3).reshape(-1, 3)
    present = members >= 0
    rows, cols = members[present], cols[present]
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_array((data, (rows, cols)), shape=(n_firms, len(members)))


def _fits(chosen: BoolArray, incidence: sparse.csr_array, capacities: IntArray) -> bool:
    load = incidence @ chosen.astype(np.float64)
    return bool(np.all(load <= capacities + 1e-9))


def _time_left(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.perf_counter()


def _stacked_rows(
    rows: list[LinearConstraint], n_columns: int
) -> tuple[sparse.csc_array, FloatArray, FloatArray]:
    """One column-wise matrix with its row bounds, as HiGHS takes it."""
    if not rows:
        return sparse.csc_array((0, n_columns)), np.zeros(0), np.zeros(0)
    matrix = sparse.vstack([sparse.csr_array(row.A) for row in rows], format="csc")
    lower = np.concatenate([np.broadcast_to(row.lb, row.A.shape[0]) for row in rows])
    upper = np.concatenate([np.broadcast_to(row.ub, row.A.shape[0]) for row in rows])
    return matrix, lower.astype(np.float64), upper.astype(np.float64)


def _highs(
    objective: FloatArray,
    rows: list[LinearConstraint],
    integrality: npt.NDArray[np.int8] | None,
    deadline: float | None,
    *,
    abs_gap: float = _HIGHS_ABS_GAP,
) -> highspy.Highs:
    """A HiGHS instance holding ``max objective · x`` over the rows, 0 ≤ x ≤ 1, silent."""
    solver = highspy.Highs()
    # Before anything else: HiGHS logs to the console unless told otherwise first.
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("mip_rel_gap", 0.0)  # exact: stop only at the proven optimum
    # HiGHS's branch-and-bound is serial; starting its worker pool for every small MILP costs
    # more than the solve itself (9 ms instead of 44 ms for a part of 60 cycles).
    solver.setOptionValue("threads", 1)
    solver.setOptionValue("mip_abs_gap", abs_gap)
    left = _time_left(deadline)
    if left is not None:
        solver.setOptionValue("time_limit", max(left, 1e-3))
    n = len(objective)
    matrix, lower, upper = _stacked_rows(rows, n)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, matrix.shape[0]
    lp.col_cost_ = np.ascontiguousarray(objective, dtype=np.float64)
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    lp.row_lower_ = np.where(np.isfinite(lower), lower, -highspy.kHighsInf)
    lp.row_upper_ = np.where(np.isfinite(upper), upper, highspy.kHighsInf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    lp.sense_ = highspy.ObjSense.kMaximize
    if integrality is not None:
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[int(k)] for k in integrality]
    solver.passModel(lp)
    return solver


def _maximise(
    packing: _Packing,
    objective: FloatArray,
    extra_rows: list[LinearConstraint],
    deadline: float | None,
    *,
    start: BoolArray | None = None,
    abs_gap: float = _HIGHS_ABS_GAP,
    on_progress: Callable[[float, float], None] | None = None,
) -> _PassOutcome:
    """Solve one MILP over the packing with HiGHS (highspy), warm-started from ``start``.

    ``start`` (a selection feasible for the packing *and* the extra rows) is handed to HiGHS as
    its first incumbent (``setSolution``): it never returns anything worse, its bound pruning
    starts at once, and when time runs out the answer is at least ``start``. ``on_progress``
    receives (incumbent, bound) in objective units about once a second.
    """
    solver = _highs(objective, [*packing.constraints, *extra_rows], packing.integrality,
                    deadline, abs_gap=abs_gap)  # fmt: skip
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = packing.with_extra(start).astype(np.float64)
        solver.setSolution(solution)
    if on_progress is not None:
        last = [time.perf_counter()]

        def report(event: Any) -> None:
            now = time.perf_counter()
            if now - last[0] >= _PROGRESS_EVERY:
                last[0] = now
                out = event.data_out
                on_progress(float(out.mip_primal_bound), float(out.mip_dual_bound))

        solver.cbMipInterrupt.subscribe(report)
    solver.run()
    status = solver.getModelStatus()
    info = solver.getInfo()
    chosen = None
    if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
        values = np.asarray(solver.getSolution().col_value)
        # Binaries come back within the integrality tolerance of 0 or 1, never near 0.5.
        chosen = values[: packing.n_cycles] > 0.5
    bound = float(info.mip_dual_bound)
    value = float(info.objective_function_value) if chosen is not None else -math.inf
    if (
        start is not None
        and chosen is not None
        and abs(packing.value(objective, chosen) - value) > 1e-9 * max(1.0, abs(value))
    ):
        # Seen with HiGHS 1.16: with a start solution and continuous columns that presolve
        # removes, the reported objective belongs to a better solution than the one returned.
        # Never trust such an answer: solve again without the start.
        return _maximise(
            packing, objective, extra_rows, deadline, abs_gap=abs_gap, on_progress=on_progress
        )
    abs_gap_found = abs(bound - value) if math.isfinite(bound) and chosen is not None else math.inf
    code = (
        _MILP_OPTIMAL
        if status == highspy.HighsModelStatus.kOptimal
        else _MILP_LIMIT
        if status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt)
        else _MILP_OTHER
    )
    gap = float(info.mip_gap)
    return _PassOutcome(
        status=code,
        chosen=chosen,
        mip_gap=gap if math.isfinite(gap) else None,
        abs_gap=abs_gap_found,
        bound=bound if math.isfinite(bound) else math.inf,
        message=solver.modelStatusToString(status),
    )


# --------------------------------------------------------------------------------------------
# The total weight: LP bound, strong incumbent, reduced-cost fixing, parts, warm-started MILPs


@dataclass(frozen=True, slots=True)
class SolveProgress:
    """A progress report during a solve, in the input's weight units.

    ``incumbent`` is the total of the best selection found so far, ``bound`` a proven upper
    bound on the optimum (so the answer is within ``(bound − incumbent) / bound`` of the best
    possible), ``stage`` what the solver is doing.
    """

    seconds: float
    incumbent: float
    bound: float
    stage: str

    @property
    def gap(self) -> float:
        return _relative_gap(self.incumbent, self.bound)


ProgressCallback = Callable[[SolveProgress], None]


def _relative_gap(value: float, bound: float) -> float:
    if not math.isfinite(bound):
        return math.inf
    return max(0.0, bound - value) / max(abs(bound), 1e-300) if bound > 0 else 0.0


@dataclass(slots=True)
class _Total:
    chosen: BoolArray
    bound: float  # proven upper bound on the optimum, scaled units
    status: int  # _MILP_OPTIMAL when every part is proven optimal
    bound_if_chosen: FloatArray  # per cycle: no selection containing it can beat this
    abs_gap: float  # how far the proven optimum may still be above the answer, scaled units
    message: str


def _batched(parts: list[IntArray]) -> list[IntArray]:
    """Small parts (in the given order) grouped into one MILP each up to _BATCH_CYCLES cycles.

    Every HiGHS run has a fixed cost (presolve, root, heuristics) of some 10 ms; on a network of
    many small towns that dominated the solve (33 parts: 0.86 s, one MILP of them all: 0.22 s).
    Parts grouped together still share no binding firm, so all that is said of a part holds for
    a group; a large part stays alone, which is where decomposition pays (a branch-and-bound
    over independent hard blocks interleaves them).
    """
    groups: list[IntArray] = []
    pending: list[IntArray] = []
    size = 0
    for part in parts:
        if pending and size + len(part) > _BATCH_CYCLES:
            groups.append(np.sort(np.concatenate(pending)))
            pending, size = [], 0
        pending.append(part)
        size += len(part)
    if pending:
        groups.append(np.sort(np.concatenate(pending)))
    return groups


def _lp_prices(
    matrix: sparse.csr_array, limits: FloatArray, weights: FloatArray, deadline: float | None
) -> tuple[FloatArray, FloatArray] | None:
    """Optimal duals (firm prices) and primal of the LP relaxation over the given rows."""
    solver = _highs(weights, [LinearConstraint(matrix, -np.inf, limits)], None, deadline)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = solver.getSolution()
    # For a maximisation with ≤ rows HiGHS reports the duals ≥ 0; clip rounding noise.
    return np.maximum(np.asarray(solution.row_dual, dtype=np.float64), 0.0), np.asarray(
        solution.col_value, dtype=np.float64
    )


def _solve_total(
    incidence: sparse.csr_array,
    capacities: IntArray,
    weights: FloatArray,
    members: IntArray,
    names: Callable[[IntArray], list[tuple[str, ...]]],
    deadline: float | None,
    report: Callable[[str, float, float], None],
) -> _Total:
    """Maximise the total weight exactly (anytime: the best selection so far and a bound).

    1. Greedy, the baseline and first incumbent.
    2. The LP relaxation: its duals u ≥ 0 (firm prices) give reduced weights r = w − Aᵀu and,
       by LP duality, for every cycle c a bound on any selection containing it:
       u·b + Σ max(0, r) + min(0, r_c). It holds for *any* u ≥ 0, so an inexact LP cannot make
       it wrong.
    3. A strong incumbent: greedy in the order of the LP solution, then a local search.
    4. Reduced-cost fixing: a cycle whose bound is below the incumbent (minus the tie tolerance,
       so that tied selections survive for the tie-break) is in no better selection: dropped.
    5. The cycles left split into parts that share no binding firm; each part is one MILP,
       smallest first, warm-started with the incumbent (HiGHS ``setSolution``).
    6. The final tie-break rides along: each part maximises w·x + δ·s·x with the hash scores
       s ∈ (0, 1] of ``_tie_break_scores`` and δ·(most cycles a selection can hold) plus HiGHS's
       gap at most a quarter of the part's share of TIE_TOLERANCE, so the weight stays provably
       within the tolerance of the optimum (docs/rounds.md, "Ties").
    """
    n_cycles = len(weights)
    greedy = greedy_selection(members, weights, capacities)
    best = greedy
    load = np.asarray(incidence.sum(axis=1)).ravel()
    binding = np.flatnonzero(load > capacities)
    no_bound = np.full(n_cycles, np.inf)
    if not len(binding):  # every cycle fits at once
        everything = np.ones(n_cycles, dtype=np.bool_)
        total = float(weights.sum())
        return _Total(everything, total, _MILP_OPTIMAL, no_bound, 0.0, "")
    # Each chosen cycle has ≥ 2 members, so the total is at most half of what every firm could
    # contribute with its capacity filled by its heaviest cycles: a crude, always valid bound.
    heaviest = np.zeros(len(capacities))
    np.maximum.at(heaviest, members[members >= 0], np.repeat(weights, 3)[members.ravel() >= 0])
    crude = float(np.minimum(capacities, load) @ heaviest) / 2
    report("greedy", float(weights @ best), crude)

    prices = np.zeros(len(capacities))
    left = _time_left(deadline)
    lp = None if left is not None and left <= 0 else _lp_prices(
        incidence[binding], capacities[binding].astype(np.float64), weights, deadline
    )
    if lp is not None:
        prices[binding] = lp[0]
    reduced = weights - incidence.T @ prices
    dual_value = float(prices @ capacities + np.maximum(reduced, 0.0).sum())
    lp_bound = min(crude, dual_value)
    # Only the dual value goes with these reduced weights (the crude bound does not).
    bound_if = dual_value + np.minimum(reduced, 0.0)
    if lp is not None:
        # LP-guided incumbent: the LP's choices first (largest value), heavier first among equals.
        order = np.lexsort((np.arange(n_cycles), -weights, -np.round(lp[1], 9)))
        rounded = greedy_in_order(members, order, capacities)
        if weights @ rounded > weights @ best:
            best = rounded
        # Local search over the cycles that could still be in a better selection, the most
        # promising (largest reduced weight) first. On small networks HiGHS finds as good an
        # incumbent in less time than the search's set-up (a third of the random benchmark's
        # solve), so it runs only where the MILP is large.
        value = float(weights @ best)
        pool = np.flatnonzero(bound_if >= value - TIE_TOLERANCE)
        promising = pool[~best[pool]]
        promising = promising[np.lexsort((promising, -reduced[promising]))]
        if n_cycles > _LOCAL_SEARCH_FROM:
            best = improve_selection(members, weights, capacities, best, promising, pool,
                                     max_moves=_LOCAL_SEARCH_MOVES, deadline=deadline)  # fmt: skip
    value = float(weights @ best)
    report("lp", value, lp_bound)

    # 1e-9: slack for rounding in the bound's own float arithmetic.
    keep = np.flatnonzero((bound_if >= value - TIE_TOLERANCE - 1e-9) | best)
    sub = incidence[:, keep]
    kept_load = np.asarray(sub.sum(axis=1)).ravel()
    kept_binding = kept_load > capacities
    binding_rows = sub[np.flatnonzero(kept_binding)]
    parts = _independent_parts(binding_rows)
    has_binding_firm = np.diff(binding_rows.tocsc().indptr) > 0
    chosen = np.zeros(n_cycles, dtype=np.bool_)
    free = keep[~has_binding_firm]
    chosen[free] = True  # cycles that compete with nothing: all of them fit
    contested = _batched(sorted(
        (part for part in parts if has_binding_firm[part].any()), key=lambda p: (len(p), p[0])
    ))  # fmt: skip
    # A bound per part from the same prices, keeping only the rows still binding among the kept
    # cycles (each belongs to exactly one part; dropping redundant rows keeps the bound valid).
    masked = np.where(kept_binding, prices, 0.0)
    reduced_kept = weights[keep] - sub.T @ masked
    label = np.full(len(keep), -1)
    for number, part in enumerate(contested):
        label[part] = number
    firm_part = np.full(len(capacities), -1)
    coo = binding_rows.tocoo()
    firm_part[np.flatnonzero(kept_binding)[coo.row]] = label[coo.col]
    part_bound = np.zeros(len(contested))
    np.add.at(part_bound, firm_part[firm_part >= 0], (masked * capacities)[firm_part >= 0])
    in_part = label >= 0
    np.add.at(part_bound, label[in_part], np.maximum(reduced_kept[in_part], 0.0))
    part_value = np.array([float(weights[keep[p]] @ best[keep[p]]) for p in contested])
    part_bound = np.maximum(part_bound, part_value)
    free_value = float(weights[free].sum())

    def totals() -> tuple[float, float]:
        return free_value + float(part_value.sum()), min(
            lp_bound, free_value + float(part_bound.sum())
        )

    report("fixing", *totals())
    # The parts' gaps and perturbations add up: each part may use a quarter of its share of the
    # tie tolerance for HiGHS's gap and a quarter for the tie-break perturbation; the other half
    # is left to the `prefer` pass.
    share = TIE_TOLERANCE / 4 / max(len(contested), 1)
    part_gap = min(_HIGHS_ABS_GAP, share)
    status, message, abs_gap = _MILP_OPTIMAL, "", 0.0
    for number, part in enumerate(contested):
        cycles = keep[part]
        start = best[cycles]
        left = _time_left(deadline)
        if left is not None and left <= 0:
            status, message = _MILP_LIMIT, "time limit"
            chosen[keep[np.concatenate(contested[number:])]] = best[
                keep[np.concatenate(contested[number:])]
            ]
            abs_gap = math.inf
            break
        firms = np.flatnonzero(np.asarray(incidence[:, cycles].sum(axis=1)).ravel() > 0)
        packing = _Packing.build(incidence[firms][:, cycles], capacities[firms], coverage=False)
        # Each cycle has ≥ 2 members: no selection holds more than half the part's capacity.
        most = max(1, min(len(cycles), int(capacities[firms].sum()) // 2))
        objective = weights[cycles] + share / most * _tie_break_scores(names(cycles))

        def on_progress(incumbent: float, bound: float, number: int = number) -> None:
            value, upper = totals()
            value += max(incumbent - part_value[number], 0.0)
            upper += min(bound - part_bound[number], 0.0) if math.isfinite(bound) else 0.0
            report("branch-and-bound", value, upper)

        outcome = _maximise(
            packing, packing.objective(objective), [], deadline, start=start, abs_gap=part_gap,
            on_progress=on_progress if len(cycles) > 200 else None,
        )  # fmt: skip
        found = outcome.chosen
        # The perturbed optimum may weigh a hair less than the start (that is the tie-break);
        # when HiGHS did not finish, keep whichever weighs more.
        if found is not None and packing.fits(found) and (
            outcome.status == _MILP_OPTIMAL or weights[cycles] @ found >= weights[cycles] @ start
        ):
            start = found
        chosen[cycles] = start
        part_value[number] = float(weights[cycles] @ start)
        if math.isfinite(outcome.bound):
            # A bound on w + δ·s bounds w too (s ≥ 0).
            part_bound[number] = max(min(part_bound[number], outcome.bound), part_value[number])
        if outcome.status != _MILP_OPTIMAL:
            status, message = outcome.status, outcome.message
            abs_gap = math.inf
        else:
            abs_gap += outcome.abs_gap
    total_value, total_bound = totals()
    if status != _MILP_OPTIMAL:
        report("stopped", total_value, total_bound)
    return _Total(chosen, max(total_bound, total_value), status, bound_if, abs_gap, message)


# --------------------------------------------------------------------------------------------
# Ties: reduced-cost fixing, independent parts, lexicographic passes


def _independent_parts(linking: sparse.csr_array) -> list[IntArray]:
    """Split the cycles (columns) into groups that share no linking firm (row)."""
    n_rows, n_cycles = linking.shape
    if n_rows == 0:
        return [np.array([c], dtype=np.int64) for c in range(n_cycles)]
    graph = sparse.block_array([[None, linking], [linking.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    cycle_labels = labels[n_rows:]
    order = np.argsort(cycle_labels, kind="stable")
    parts = np.split(order, np.flatnonzero(np.diff(cycle_labels[order])) + 1)
    return sorted((part.astype(np.int64) for part in parts), key=lambda part: int(part[0]))


def _tie_break_scores(names: list[tuple[str, ...]]) -> FloatArray:
    """Scores in (0, 1] from a stable hash of each cycle's ids, distinct per cycle.

    Why a hash and not the canonical (alphabetical) order: with alphabetical order the firms whose
    names sort first would win every tie in every round. The hash of the ids is just as
    deterministic and independent of input order, but favours no one systematically.
    """
    digests = [
        (hashlib.blake2b("\x1f".join(name).encode(), digest_size=8).digest(), name)
        for name in names
    ]
    order = sorted(range(len(names)), key=lambda i: digests[i])
    n = len(names)
    scores = np.empty(n, dtype=np.float64)
    scores[np.array(order, dtype=np.int64)] = (n - np.arange(n)) / n
    return scores


def _prefer_pass(
    *,
    incidence: sparse.csr_array,
    capacities: IntArray,
    weights: FloatArray,
    lengths: IntArray,
    names: Callable[[IntArray], list[tuple[str, ...]]],
    chosen: BoolArray,
    slack: float,
    start_gap: float,
    prefer: Prefer,
    bound_if_chosen: FloatArray,
    deadline: float | None,
) -> tuple[BoolArray, bool]:
    """Pass 2: the most firms served / swaps among selections at most ``slack`` lighter.

    ``slack`` is what is left of TIE_TOLERANCE after the first pass (its answer may already be a
    little below the proven bound), so the answer stays within the tolerance of the optimum.
    Two provably safe reductions keep the MILPs small, and a warm start keeps them cheap:
    1. Reduced-cost fixing: a cycle whose LP bound (``bound_if_chosen``, see ``_solve_total``)
       is below the first pass's total minus the slack is in no such selection: dropped.
    2. The rest splits into parts that share no binding firm (for ``more_firms``: no firm at
       all, since "firms served" couples any two cycles of a firm). The objectives are sums over
       parts, so each part is solved alone with its share of the slack. A part without a
       binding firm already has all its cycles.
    Each part maximises g + δ'·s, g the integer-valued goal and s the hash scores with
    δ'·Σ s ≤ 1/4, subject to "weight ≥ the first pass's weight there − share of the slack",
    starting from the first pass's selection (which satisfies that row). With HiGHS's absolute
    gap at 1/4, g is provably at its maximum (an integer) and s breaks the remaining ties.
    Every answer is checked (feasible, weight kept, g not lower) before it is taken.
    """
    best_total = float(weights @ chosen)
    # 1e-9: slack for rounding in the bound's own float arithmetic.
    survivors = np.flatnonzero((bound_if_chosen >= best_total - slack - 1e-9) | chosen)
    sub = incidence[:, survivors]
    load = np.asarray(sub.sum(axis=1)).ravel()
    binding = load > capacities
    linking = (load > 0) if prefer == "more_firms" else binding
    parts = _independent_parts(sub[np.flatnonzero(linking)])
    has_binding_firm = np.diff(sub[np.flatnonzero(binding)].tocsc().indptr) > 0
    contested = [part for part in parts if has_binding_firm[part].any()]
    result = chosen.copy()
    tolerance = slack / max(len(contested), 1)
    complete = True
    for part in contested:
        left = _time_left(deadline)
        if left is not None and left <= 0:
            return result, False
        cycles = survivors[part]
        firms = np.flatnonzero(np.asarray(sub[:, part].sum(axis=1)).ravel() > 0)
        packing = _Packing.build(
            incidence[firms][:, cycles], capacities[firms], coverage=prefer == "more_firms"
        )
        if prefer == "more_swaps":
            goal = packing.objective((lengths[cycles] == 2).astype(np.float64))
        else:
            goal = packing.objective(np.zeros(len(cycles)), per_firm=1.0)
        scores = _tie_break_scores(names(cycles)) / (4 * len(cycles))
        start = chosen[cycles]
        part_weights = weights[cycles]
        lower = float(part_weights @ start) - tolerance
        secondary = goal + packing.objective(scores)  # g + δ'·s, δ'·Σ s ≤ 1/4
        # The shortcut first: no objective-fixing row, so as easy as the first pass.
        shortcut = _maximise(
            packing, packing.objective(part_weights) + _PERTURBATION * secondary, [], deadline,
            start=start,
        )  # fmt: skip
        found = shortcut.chosen
        if (
            shortcut.status == _MILP_OPTIMAL
            and found is not None
            and packing.fits(found)
            and float(part_weights @ found) >= lower
            # A selection at least `lower` with one more firm/swap would beat `found` on the
            # perturbed objective unless δ exceeds the slack, the first pass's gap (bound minus
            # its weight), the score term (≤ δ/4) and this solve's gap.
            and tolerance + start_gap + _PERTURBATION / 4 + shortcut.abs_gap
            < _PERTURBATION
        ):
            result[cycles] = found
            continue
        row = packing.at_least(packing.objective(part_weights), lower)
        outcome = _maximise(packing, secondary, [row], deadline, start=start, abs_gap=0.25)
        found = outcome.chosen
        if (
            found is not None
            and packing.fits(found)
            and float(part_weights @ found) >= lower
            and packing.value(goal, found) >= packing.value(goal, start) - 0.5
        ):
            result[cycles] = found
        complete = complete and outcome.status == _MILP_OPTIMAL and found is not None
    if not _fits(result, incidence, capacities) or float(weights @ result) < best_total - slack:
        return chosen, False  # a safety net; the checks above make this unreachable
    return result, complete


# --------------------------------------------------------------------------------------------
# Large networks: price cycles out instead of enumerating them all


def _walk_count(graph: RoundGraph) -> int:
    """How many two-step walks the 3-cycle enumeration would materialise (its real cost)."""
    n = len(graph.firm_ids)
    forward = graph.sources < graph.targets
    out_start = np.searchsorted(graph.sources, np.arange(n + 1))
    heads = graph.targets[forward]
    if graph.max_cycle_length < 3:
        return 0
    return int((out_start[heads + 1] - out_start[heads]).sum())


def _restricted(graph: RoundGraph, keep: BoolArray) -> RoundGraph:
    return replace(graph, sources=graph.sources[keep], targets=graph.targets[keep],
                   weights=graph.weights[keep])  # fmt: skip


def _top_edges(graph: RoundGraph, k: int) -> BoolArray:
    """Each firm's k heaviest outgoing and k heaviest incoming edges."""
    keep = np.zeros(len(graph.weights), dtype=np.bool_)
    for ends in (graph.sources, graph.targets):
        order = np.lexsort((np.arange(len(ends)), -graph.weights, ends))
        group_start = np.searchsorted(ends[order], ends[order], side="left")
        rank = np.arange(len(order)) - group_start
        keep[order[rank < k]] = True
    return keep


def _priced_edges(graph: RoundGraph, prices: FloatArray, threshold: float) -> BoolArray:
    """The edges that can be in a cycle of reduced weight ≥ −threshold (see below)."""
    n = len(graph.firm_ids)
    reduced = graph.weights - prices[graph.sources]
    best_out = np.full(n, -np.inf)
    np.maximum.at(best_out, graph.sources, reduced)
    best_in = np.full(n, -np.inf)
    np.maximum.at(best_in, graph.targets, reduced)
    slack = reduced + best_out[graph.targets] + threshold + 1e-9
    keep = slack >= 0
    if graph.max_cycle_length == 3:
        keep |= slack + best_in[graph.sources] >= 0
    return keep


def _edge_bound(graph: RoundGraph, prices: FloatArray) -> float:
    """An upper bound on every selection's total that needs no cycles, for any prices u ≥ 0.

    Each member of a cycle is the source of exactly one of its edges, so a cycle's reduced
    weight w − Σ u is at most Σ over its members f of m_f = max(0, best w(f→·) − u_f); hence
    w·x = u·(A x) + Σ x_c r_c ≤ u·b + Σ_f b_f·m_f. With LP prices m_f is small, so this stays
    close to the LP bound when pricing cannot afford to look at every cycle.
    """
    n = len(graph.firm_ids)
    best_out = np.zeros(n)
    np.maximum.at(best_out, graph.sources, graph.weights - prices[graph.sources])
    capacities = graph.capacities.astype(np.float64)
    return float(prices @ capacities + capacities @ np.maximum(best_out, 0.0))


def _within_pricing_budget(graph: RoundGraph, prices: FloatArray, threshold: float) -> bool:
    """Whether pricing at this threshold walks at most _PRICING_WALKS paths: each round's work
    is bounded, so a round cannot overrun the clock by much."""
    pruned = _restricted(graph, _priced_edges(graph, prices, threshold))
    return _walk_count(pruned) <= _PRICING_WALKS


def _cycles_priced_above(
    graph: RoundGraph, prices: FloatArray, threshold: float
) -> tuple[CandidateCycles, FloatArray]:
    """Every cycle whose reduced weight w − Σ prices of its firms is at least −``threshold``.

    A cycle's reduced weight is the sum over its edges u → v of w(u→v) − price(u) (each firm is
    the source of exactly one edge of the cycle). An edge x → y can only be in such a cycle if
    its reduced weight plus the best reduced edge out of y plus the best into x (3-cycles), or
    plus the best out of y (2-cycles), reaches −threshold: all other edges are dropped before
    enumerating, which is exact, and on a priced network leaves a small fraction.
    """
    found = enumerate_cycles(_restricted(graph, _priced_edges(graph, prices, threshold)))
    members = found.members
    cost = np.where(members >= 0, prices[np.maximum(members, 0)], 0.0).sum(axis=1)
    cycle_reduced = found.weights - cost
    pick = cycle_reduced >= -threshold - 1e-9
    return (
        CandidateCycles(found.members[pick], found.lengths[pick], found.weights[pick]),
        cycle_reduced[pick],
    )


def _merge(a: CandidateCycles, b: CandidateCycles) -> CandidateCycles:
    """The union of two candidate sets, each cycle once, rows in canonical order."""
    members = np.concatenate([a.members, b.members])
    weights = np.concatenate([a.weights, b.weights])
    lengths = np.concatenate([a.lengths, b.lengths])
    order = np.lexsort((members[:, 2], members[:, 1], members[:, 0]))
    members, weights, lengths = members[order], weights[order], lengths[order]
    first = np.ones(len(members), dtype=np.bool_)
    first[1:] = np.any(members[1:] != members[:-1], axis=1)
    return CandidateCycles(members[first], lengths[first], weights[first])


@dataclass(slots=True)
class _Priced:
    candidates: CandidateCycles
    bound: float  # proven upper bound on the optimum over *all* cycles, input units
    complete: bool  # every cycle that could be in a selection at least `floor` is a candidate


def _price_cycles(
    graph: RoundGraph, deadline: float | None, report: Callable[[str, float, float], None]
) -> _Priced:
    """Column generation for networks too dense to enumerate (docs/rounds.md, "Large networks").

    Start from the cycles among every firm's heaviest edges; solve the LP; add every cycle with
    a positive reduced weight under its prices (found by ``_cycles_priced_above`` without
    enumerating the rest); repeat until none is left, so the LP is optimal over all cycles.
    Then, with an incumbent z from those candidates, add every cycle whose reduced weight is at
    least −(LP bound − z + tolerance): by LP duality no other cycle can be in a selection that
    is not beaten by z, so the exact solve over the candidates is exact over all cycles.
    """
    n = len(graph.firm_ids)
    capacities = graph.capacities.astype(np.float64)
    candidates = enumerate_cycles(_restricted(graph, _top_edges(graph, _SEED_EDGES)))
    if _walk_count(graph) <= _GREEDY_WALKS:
        # Where all cycles still fit in memory, greedy's own selection is a candidate too, so
        # that the answer is never worse than greedy's, even if pricing stops early.
        every = enumerate_cycles(graph)
        picked = greedy_selection(every.members, every.weights, graph.capacities)
        candidates = _merge(candidates, CandidateCycles(
            every.members[picked], every.lengths[picked], every.weights[picked]))
        del every
    bound, dual_now, converged = math.inf, math.inf, False
    prices, lp_values = np.zeros(n), np.zeros(len(candidates))
    for _ in range(_PRICING_ROUNDS):
        left = _time_left(deadline)
        if (left is not None and left <= 0) or len(candidates) == 0:
            break
        incidence = _incidence(candidates, n)
        load = np.asarray(incidence.sum(axis=1)).ravel()
        binding = np.flatnonzero(load > graph.capacities)
        prices, lp_values = np.zeros(n), np.ones(len(candidates))
        if len(binding):
            lp = _lp_prices(incidence[binding], capacities[binding], candidates.weights, deadline)
            if lp is None:
                break
            prices[binding], lp_values = lp
        bound = min(bound, _edge_bound(graph, prices))
        exact = _within_pricing_budget(graph, prices, 0.0)
        if exact:
            positive, reduced = _cycles_priced_above(graph, prices, 0.0)
            # Σ max(0, r) over every cycle: the positive ones are all in `positive`.
            dual_now = float(prices @ capacities + np.maximum(reduced, 0.0).sum())
            bound = min(bound, dual_now)
        else:
            # Too many edges still look promising under these prices to price them all: look
            # among each firm's edges of largest reduced weight only (a heuristic round; only
            # an exact one can end the pricing).
            ranked = replace(graph, weights=graph.weights - prices[graph.sources])
            pool = _restricted(graph, _top_edges(ranked, _SEED_EDGES))
            positive, reduced = _cycles_priced_above(pool, prices, -1e-9)
            if len(positive) == 0:
                break  # nothing found and no exact round within reach: stop here
        # Only the most promising columns join, so that each LP stays small (the classic rule:
        # a few per firm per round); the others price in again later if they still should.
        most = _PRICING_COLUMNS_PER_FIRM * n
        if len(positive) > most:
            top = np.sort(np.argsort(-reduced, kind="stable")[:most])
            positive = CandidateCycles(positive.members[top], positive.lengths[top],
                                       positive.weights[top])  # fmt: skip
        merged = _merge(candidates, positive)
        report("pricing", 0.0, bound)
        if len(merged) == len(candidates) and exact:
            converged = True  # no cycle prices in: the LP is optimal over all cycles
            break
        candidates = merged
    if not converged:
        return _Priced(candidates, bound, complete=False)
    # An incumbent from the LP (its choices first), to set how far below the bound to look.
    order = np.lexsort((np.arange(len(candidates)), -candidates.weights, -np.round(lp_values, 9)))
    incumbent = greedy_in_order(candidates.members, order, graph.capacities)
    value = float(candidates.weights[incumbent].sum())
    tolerance = TIE_TOLERANCE * float(candidates.weights.max())
    wanted = dual_now - value + tolerance
    if not _within_pricing_budget(graph, prices, wanted):
        return _Priced(candidates, bound, complete=False)  # too many to look at: not proven
    near, _ = _cycles_priced_above(graph, prices, wanted)
    return _Priced(_merge(candidates, near), bound, complete=True)


# --------------------------------------------------------------------------------------------
# Public entry points


def solve_round(
    firms: Iterable[Firm],
    edges: Iterable[Edge],
    *,
    max_cycle_length: int = 3,
    prefer: Prefer = "none",
    time_limit: float | None = None,
    exclude_cycles: Iterable[Sequence[str]] = (),
    progress: ProgressCallback | None = None,
) -> RoundResult:
    """Clear one exchange round exactly with HiGHS (``highspy``).

    Lexicographic passes: (1) maximise total weight; (2) if ``prefer`` is ``"more_firms"`` or
    ``"more_swaps"``, keep the total within :data:`TIE_TOLERANCE` of the optimum and maximise
    distinct firms served or the number of 2-cycles; (3) keep both and maximise a hash-ordered
    tie-break score, so the answer does not depend on the solver's path among equal optima.

    ``time_limit`` (seconds) covers all passes. If the first pass stops early, the best selection
    found is returned (never worse than greedy) with status ``"time_limit"``, the proven ``bound``
    and the relative gap ``mip_gap`` to it; if a later pass stops early, the total is still proven
    optimal and ``tie_break_complete`` is False. ``progress`` is called with a
    :class:`SolveProgress` at each stage and about once a second during a long branch-and-bound.
    ``exclude_cycles`` (any rotation) are never chosen — for re-clearing after a decline.
    Raises :class:`RoundInputError` for unusable input.
    """
    started = time.perf_counter()
    problems: list[str] = []
    if prefer not in get_args(Prefer):
        problems.append(f"prefer: must be one of {', '.join(get_args(Prefer))}, got {prefer!r}")
    if time_limit is not None and (
        not _is_real_number(time_limit) or not math.isfinite(time_limit) or time_limit <= 0
    ):
        problems.append(f"time_limit: must be a finite number of seconds > 0, got {time_limit!r}")
    if problems:
        raise RoundInputError(problems)
    graph = build_round_graph(firms, edges, max_cycle_length=max_cycle_length)
    deadline = None if time_limit is None else started + float(time_limit)
    scale = 1.0  # until the candidates are known, reports are in input units

    def report(stage: str, value: float, bound: float) -> None:
        if progress is not None:
            upper = bound * scale
            if priced is not None and not priced.complete:
                upper = priced.bound  # the candidates' own bound says nothing about the rest
            progress(SolveProgress(time.perf_counter() - started, value * scale,
                                   max(upper, value * scale), stage))  # fmt: skip

    priced: _Priced | None = None
    if _walk_count(graph) > _ENUMERATION_WALKS:
        # Pricing may use half of the time: the rest goes to the exact solve over what it found
        # (a selection from an incomplete candidate set is still feasible, and the pricing's
        # bound still holds for every cycle).
        pricing_deadline = (
            None if time_limit is None else started + float(time_limit) * _PRICING_SHARE
        )
        priced = _price_cycles(graph, pricing_deadline, report)
        enumerated = priced.candidates
    else:
        enumerated = enumerate_cycles(graph)
    candidates, notes = _drop_excluded(graph, enumerated, exclude_cycles)

    def finish(
        chosen: BoolArray,
        status: RoundStatus,
        *,
        proven: bool,
        gap: float | None,
        bound: float | None,
        tie_break_complete: bool = True,
        detail: str = "",
    ) -> RoundResult:
        return _result(
            graph, candidates, chosen, status, proven_optimal=proven, mip_gap=gap, bound=bound,
            started=started, enumerated=enumerated, notes=notes,
            tie_break_complete=tie_break_complete, detail=detail,
        )  # fmt: skip

    if len(candidates) == 0:
        return finish(np.zeros(0, dtype=np.bool_), "optimal", proven=True, gap=0.0, bound=0.0)

    incidence = _incidence(candidates, len(graph.firm_ids))
    # Scale so the heaviest cycle weighs 1: HiGHS's absolute tolerances then mean the same
    # thing for every network, whatever unit the learning values are in.

    scale = float(candidates.weights.max())
    weights = candidates.weights / scale

    # Pass 1: the total weight, anytime.
    def names(cycles: IntArray) -> list[tuple[str, ...]]:
        return _cycle_names(graph, candidates.members[cycles])

    first = _solve_total(
        incidence, graph.capacities, weights, candidates.members, names, deadline, report
    )
    bound = first.bound * scale
    if priced is not None:
        # Over a complete candidate set the two bounds are both valid; otherwise only the
        # pricing's (over every cycle) is, and optimality is not proven.
        bound = min(bound, priced.bound) if priced.complete else priced.bound
    if first.status != _MILP_OPTIMAL or (priced is not None and not priced.complete):
        unpriced = priced is not None and not priced.complete
        status: RoundStatus = (
            "time_limit" if first.status == _MILP_LIMIT or unpriced else "error"
        )
        reached = float(weights @ first.chosen) * scale
        within = _relative_gap(reached, bound) if math.isfinite(bound) else None
        detail = (
            "time limit reached before optimality was proven"
            if status == "time_limit"
            else f"HiGHS: {first.message}"
        ) + "; returning the best selection found" + (
            f", within {within:.2%} of the best possible" if within is not None else ""
        )
        return finish(
            first.chosen, status, proven=False, gap=within,
            bound=bound if math.isfinite(bound) else None,
            tie_break_complete=False, detail=detail,
        )  # fmt: skip

    chosen, complete = first.chosen, True
    if prefer != "none":
        report("prefer", float(weights @ chosen), first.bound)
        chosen, complete = _prefer_pass(
            incidence=incidence,
            capacities=graph.capacities,
            weights=weights,
            lengths=candidates.lengths,
            names=names,
            chosen=chosen,
            # What the first pass left of the tolerance: its answer may sit below the bound.
            slack=max(0.0, TIE_TOLERANCE - (first.bound - float(weights @ chosen))),
            start_gap=first.bound - float(weights @ chosen),
            prefer=prefer,
            bound_if_chosen=first.bound_if_chosen,
            deadline=deadline,
        )
    reached = float(candidates.weights[chosen].sum())
    return finish(
        chosen, "optimal", proven=True, gap=_relative_gap(reached, bound), bound=bound,
        tie_break_complete=complete,
    )  # fmt: skip


def greedy_round(
    firms: Iterable[Firm], edges: Iterable[Edge], *, max_cycle_length: int = 3
) -> RoundResult:
    """The greedy baseline (heaviest feasible cycle first), same input and result types."""
    started = time.perf_counter()
    graph = build_round_graph(firms, edges, max_cycle_length=max_cycle_length)
    candidates = enumerate_cycles(graph)
    chosen = greedy_selection(candidates.members, candidates.weights, graph.capacities)
    return _result(
        graph, candidates, chosen, "heuristic", proven_optimal=False, mip_gap=None,
        started=started, enumerated=candidates, notes=[], tie_break_complete=False,
        detail="greedy baseline: heaviest feasible cycle first",
    )  # fmt: skip


def _result(
    graph: RoundGraph,
    candidates: CandidateCycles,
    chosen: BoolArray,
    status: RoundStatus,
    *,
    proven_optimal: bool,
    mip_gap: float | None,
    started: float,
    bound: float | None = None,
    enumerated: CandidateCycles,
    notes: list[str],
    tie_break_complete: bool,
    detail: str,
) -> RoundResult:
    picked = np.flatnonzero(chosen)  # candidates are in canonical order, so this is sorted
    names = _cycle_names(graph, candidates.members[picked])
    weights = [float(w) for w in candidates.weights[picked]]
    served = {firm for name in names for firm in name}
    # Enumeration counts are taken before excluded cycles are dropped.
    lengths = enumerated.lengths
    counts = RoundCounts(
        n_cycles_enumerated=len(enumerated),
        n_2cycles_enumerated=int(np.count_nonzero(lengths == 2)),
        n_3cycles_enumerated=int(np.count_nonzero(lengths == 3)),
        n_2cycles_chosen=sum(1 for name in names if len(name) == 2),
        n_3cycles_chosen=sum(1 for name in names if len(name) == 3),
        firms_served=len(served),
    )
    return RoundResult(
        status=status,
        proven_optimal=proven_optimal,
        total_weight=math.fsum(weights),
        cycles=names,
        cycle_weights=weights,
        mip_gap=mip_gap,
        bound=bound,
        seconds=time.perf_counter() - started,
        counts=counts,
        ignored=[*graph.ignored, *notes],
        tie_break_complete=tie_break_complete,
        detail=detail,
    )
