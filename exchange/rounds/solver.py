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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

from exchange.rounds.greedy import greedy_selection

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
# Weight of the integer-valued secondary objective in the perturbed solve that usually replaces
# the exact "fix the total, maximise the secondary" pass; it must exceed the tie tolerance plus
# both solves' absolute gaps (HiGHS stops at 1e-6), which _perturbed_secondary checks.
_PERTURBATION = 1e-5
# Bound on how many two-step paths the 3-cycle search materialises at once, so that a very large
# network is enumerated in slices instead of one huge array.
_PATH_CHUNK = 2_000_000
_CAPACITY_CLAMP = 2**31 - 1
# HiGHS statuses as scipy's milp reports them.
_MILP_OPTIMAL = 0
_MILP_LIMIT = 1


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
    ``total_weight``; ``tie_break_complete`` says whether the ``prefer`` and final tie-break passes
    also finished (they cannot lower the total, only choose among equal totals). ``ignored`` lists
    the input quirks that were skipped (self-loops, duplicate edges, unknown excluded cycles).
    """

    status: RoundStatus
    proven_optimal: bool
    total_weight: float
    cycles: list[tuple[str, ...]]
    cycle_weights: list[float]
    mip_gap: float | None
    seconds: float
    counts: RoundCounts
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


def _maximise(
    packing: _Packing,
    objective: FloatArray,
    extra_rows: list[LinearConstraint],
    deadline: float | None,
) -> _PassOutcome:
    options: dict[str, object] = {"disp": False, "presolve": True, "mip_rel_gap": 0.0}
    left = _time_left(deadline)
    if left is not None:
        options["time_limit"] = max(left, 1e-3)
    result = milp(
        -objective,  # milp minimises
        integrality=packing.integrality,
        bounds=Bounds(0.0, 1.0),
        constraints=[*packing.constraints, *extra_rows],
        options=options,
    )
    chosen = None
    if result.x is not None:
        # Binaries come back within the integrality tolerance of 0 or 1, never near 0.5.
        chosen = np.asarray(result.x[: packing.n_cycles]) > 0.5
    gap = result.mip_gap
    mip_gap = float(gap) if gap is not None and math.isfinite(gap) else None
    abs_gap = math.inf
    if result.fun is not None and result.mip_dual_bound is not None:
        abs_gap = abs(float(result.fun) - float(result.mip_dual_bound))
        abs_gap = abs_gap if math.isfinite(abs_gap) else math.inf
    return _PassOutcome(int(result.status), chosen, mip_gap, abs_gap, str(result.message))


# --------------------------------------------------------------------------------------------
# Ties: reduced-cost fixing, independent parts, lexicographic passes


def _bound_if_chosen(
    incidence: sparse.csr_array, capacities: IntArray, weights: FloatArray, deadline: float | None
) -> FloatArray:
    """For each cycle c, an upper bound on the total of any selection that contains c.

    LP duality: for any firm prices u ≥ 0 and reduced weights r = w − Aᵀu, every feasible
    selection x has w·x ≤ u·b + Σ max(0, r) + Σ_{r<0} r_c x_c, so containing c costs at least
    −r_c. The bound holds for *any* u ≥ 0, so it stays valid even if the LP is solved only
    approximately; we take the better of the simplex and the interior-point duals (they differ on
    this degenerate LP and fix different cycles).
    """
    bound = np.full(len(weights), np.inf)
    load = np.asarray(incidence.sum(axis=1)).ravel()
    binding = np.flatnonzero(load > capacities)
    if not len(binding):
        return bound  # nothing competes; no cycle can be ruled out
    matrix, limits = incidence[binding], capacities[binding].astype(np.float64)
    for method in ("highs-ds", "highs-ipm"):
        left = _time_left(deadline)
        if left is not None and left <= 0:
            break
        options: dict[str, object] = {} if left is None else {"time_limit": left}
        lp = linprog(
            -weights, A_ub=matrix, b_ub=limits, bounds=(0.0, 1.0), method=method, options=options
        )
        if lp.status != 0 or lp.ineqlin is None:
            continue
        prices = np.maximum(-np.asarray(lp.ineqlin.marginals), 0.0)
        reduced = weights - matrix.T @ prices
        dual_value = float(prices @ limits + np.maximum(reduced, 0.0).sum())
        bound = np.minimum(bound, dual_value + reduced)
    return bound


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


def _perturbed_secondary(
    packing: _Packing,
    weights: FloatArray,
    objective: FloatArray,
    best: float,
    tolerance: float,
    start_gap: float,
    deadline: float | None,
) -> BoolArray | None:
    """The integer-valued secondary objective without an objective-fixing row, when provable.

    Maximise w·x + δ·s·x instead. If the answer x' is itself a tie (w·x' ≥ best − tolerance), it
    maximises s among all ties: a tie x'' with s·x'' ≥ s·x' + 1 would give
    w·x' ≥ best − tolerance + δ − gap, while w·x' ≤ best + start_gap, which is impossible when
    δ > tolerance + gap + start_gap. Returns None when that proof does not go through (then the
    caller runs the exact pass): this shortcut is only about speed, never about the answer.
    """
    outcome = _maximise(
        packing, packing.objective(weights) + _PERTURBATION * objective, [], deadline
    )
    candidate = outcome.chosen
    if (
        outcome.status == _MILP_OPTIMAL
        and candidate is not None
        and packing.fits(candidate)
        and float(weights @ candidate) >= best - tolerance
        and tolerance + outcome.abs_gap + start_gap < _PERTURBATION
    ):
        return candidate
    return None


def _is_only_tie(
    packing: _Packing,
    weights: FloatArray,
    selection: BoolArray,
    earlier_rows: list[LinearConstraint],
    best: float,
    tolerance: float,
    start_gap: float,
    deadline: float | None,
) -> bool:
    """Whether ``selection`` is provably the only tie left, so no tie-break is needed.

    The same perturbation argument with the Hamming distance D(x) to ``selection`` (an integer):
    maximise w·x + δ·D(x), keeping the earlier integer objectives' rows but not the total's.
    If the answer is a tie, no tie is farther from ``selection``; if it is ``selection`` itself,
    every tie is. With real-valued weights ties are rare, and this solve is as easy as the first
    pass, while the tie-break pass with its objective-fixing row can be far harder.
    """
    away = np.where(selection, -1.0, 1.0)  # D(x) = Σ away·x + |selection|
    outcome = _maximise(
        packing, packing.objective(weights + _PERTURBATION * away), earlier_rows, deadline
    )
    candidate = outcome.chosen
    return bool(
        outcome.status == _MILP_OPTIMAL
        and candidate is not None
        and packing.fits(candidate)
        and float(weights @ candidate) >= best - tolerance
        and tolerance + outcome.abs_gap + start_gap < _PERTURBATION
        and np.array_equal(candidate, selection)
    )


def _lexicographic(
    packing: _Packing,
    weights: FloatArray,
    objectives: list[FloatArray],
    start: BoolArray,
    tolerance: float,
    start_gap: float,
    deadline: float | None,
) -> tuple[BoolArray, bool]:
    """Keep the total within ``tolerance`` of ``start``'s and maximise each objective in turn.

    All objectives but the last (the tie-break score) are integer-valued. Returns the selection
    and whether every pass finished. A pass's answer is taken only after checking it kept the
    total and the earlier objectives; anything else keeps the last good one.
    """
    best = float(weights @ start)
    fixed = [packing.at_least(packing.objective(weights), best - tolerance)]
    selection = start
    for index, objective in enumerate(objectives):
        left = _time_left(deadline)
        if left is not None and left <= 0:
            return selection, False
        # Before the first pass (no ties at all?) and before the tie-break (none left?).
        if index in (0, len(objectives) - 1) and _is_only_tie(
            packing, weights, selection, fixed[1:], best, tolerance, start_gap, deadline
        ):
            return selection, True
        if index == 0 and len(objectives) > 1:
            # An objective-fixing row makes a MILP much harder than the weight-driven original;
            # for the first, integer-valued, objective a perturbed solve usually proves the answer.
            shortcut = _perturbed_secondary(
                packing, weights, objective, best, tolerance, start_gap, deadline
            )
            if shortcut is not None:
                selection = shortcut
                fixed.append(packing.at_least(objective, packing.value(objective, selection) - 0.5))
                continue
        outcome = _maximise(packing, objective, fixed, deadline)
        candidate = outcome.chosen
        if (
            candidate is None
            or not packing.fits(candidate)
            or float(weights @ candidate) < best - tolerance
            or any(
                packing.value(earlier, candidate) < packing.value(earlier, selection) - 0.5
                for earlier in objectives[:index]
            )
        ):
            return selection, False
        selection = candidate
        if outcome.status != _MILP_OPTIMAL:
            return selection, False
        # Secondary objectives count cycles or firms: integers, so fixing them at
        # "≥ best − 0.5" needs no tolerance. (The last, tie-break, row is never used.)
        fixed.append(packing.at_least(objective, packing.value(objective, selection) - 0.5))
    return selection, True


def _break_ties(
    *,
    incidence: sparse.csr_array,
    capacities: IntArray,
    weights: FloatArray,
    lengths: IntArray,
    names: list[tuple[str, ...]],
    chosen: BoolArray,
    chosen_gap: float,
    prefer: Prefer,
    deadline: float | None,
) -> tuple[BoolArray, bool]:
    """Passes 2 and 3 among the selections whose total is within TIE_TOLERANCE of ``chosen``'s.

    Two provably safe reductions give HiGHS small problems here (an objective-fixing row makes a
    MILP much harder); ``_lexicographic`` then often skips or shortcuts the passes themselves:
    1. Reduced-cost fixing: a cycle whose LP bound (see ``_bound_if_chosen``) is below the
       optimum minus the tolerance is in no tied selection, so it is dropped.
    2. The remaining cycles split into independent parts that share no binding firm (for
       ``more_firms``: no firm at all, since "firms served" couples any two cycles of a firm).
       All objectives are sums over parts, so each part is solved on its own; the tolerance is
       split evenly so the total still stays within TIE_TOLERANCE. A part without a binding firm
       takes all its cycles.
    """
    best_total = float(weights @ chosen)
    bound = _bound_if_chosen(incidence, capacities, weights, deadline)
    # 1e-9: slack for rounding in the bound's own float arithmetic.
    survivors = np.flatnonzero((bound >= best_total - TIE_TOLERANCE - 1e-9) | chosen)
    sub = incidence[:, survivors]
    load = np.asarray(sub.sum(axis=1)).ravel()
    binding = load > capacities
    linking = (load > 0) if prefer == "more_firms" else binding
    parts = _independent_parts(sub[np.flatnonzero(linking)])
    has_binding_firm = np.diff(sub[np.flatnonzero(binding)].tocsc().indptr) > 0
    contested = [part for part in parts if has_binding_firm[part].any()]

    result = chosen.copy()
    for part in parts:
        if not has_binding_firm[part].any():
            result[survivors[part]] = True  # every cycle fits, and each one adds weight
    scores = _tie_break_scores([names[i] for i in survivors])
    tolerance = TIE_TOLERANCE / max(len(contested), 1)
    complete = True
    for part in contested:
        cycles = survivors[part]
        firms = np.flatnonzero(np.asarray(sub[:, part].sum(axis=1)).ravel() > 0)
        packing = _Packing.build(
            incidence[firms][:, cycles], capacities[firms], coverage=prefer == "more_firms"
        )
        objectives: list[FloatArray] = []
        if prefer == "more_swaps":
            objectives.append(packing.objective((lengths[cycles] == 2).astype(np.float64)))
        elif prefer == "more_firms":
            objectives.append(packing.objective(np.zeros(len(cycles)), per_firm=1.0))
        objectives.append(packing.objective(scores[part]))
        selection, finished = _lexicographic(
            packing, weights[cycles], objectives, chosen[cycles], tolerance, chosen_gap, deadline
        )
        result[cycles] = selection
        complete = complete and finished
    if not _fits(result, incidence, capacities) or float(weights @ result) < (
        best_total - TIE_TOLERANCE
    ):
        return chosen, False  # a safety net; the checks above make this unreachable
    return result, complete


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
) -> RoundResult:
    """Clear one exchange round exactly with HiGHS (``scipy.optimize.milp``).

    Lexicographic passes: (1) maximise total weight; (2) if ``prefer`` is ``"more_firms"`` or
    ``"more_swaps"``, keep the total within :data:`TIE_TOLERANCE` of the optimum and maximise
    distinct firms served or the number of 2-cycles; (3) keep both and maximise a hash-ordered
    tie-break score, so the answer does not depend on the solver's path among equal optima.

    ``time_limit`` (seconds) covers all passes. If the first pass stops early, the better of its
    incumbent and the greedy selection is returned with status ``"time_limit"``; if a later pass
    stops early, the total is still proven optimal and ``tie_break_complete`` is False.
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
    enumerated = enumerate_cycles(graph)
    candidates, notes = _drop_excluded(graph, enumerated, exclude_cycles)
    deadline = None if time_limit is None else started + float(time_limit)

    def finish(
        chosen: BoolArray,
        status: RoundStatus,
        *,
        proven: bool,
        gap: float | None,
        tie_break_complete: bool = True,
        detail: str = "",
    ) -> RoundResult:
        return _result(
            graph, candidates, chosen, status, proven_optimal=proven, mip_gap=gap,
            started=started, enumerated=enumerated, notes=notes,
            tie_break_complete=tie_break_complete, detail=detail,
        )  # fmt: skip

    if len(candidates) == 0:
        return finish(np.zeros(0, dtype=np.bool_), "optimal", proven=True, gap=0.0)

    incidence = _incidence(candidates, len(graph.firm_ids))
    # Scale so the heaviest cycle weighs 1: HiGHS's absolute tolerances then mean the same
    # thing for every network, whatever unit the learning values are in.
    weights = candidates.weights / float(candidates.weights.max())

    # Pass 1: the total weight.
    packing = _Packing.build(incidence, graph.capacities, coverage=False)
    first = _maximise(packing, packing.objective(weights), [], deadline)
    if first.status != _MILP_OPTIMAL or first.chosen is None or not packing.fits(first.chosen):
        greedy = greedy_selection(candidates.members, candidates.weights, graph.capacities)
        chosen, used = greedy, "greedy selection"
        incumbent = first.chosen
        if (
            incumbent is not None
            and packing.fits(incumbent)
            and weights @ incumbent >= (weights @ greedy)
        ):
            chosen, used = incumbent, "solver's best selection"
        status: RoundStatus = "time_limit" if first.status == _MILP_LIMIT else "error"
        detail = (
            f"time limit reached before optimality was proven; using the {used}"
            if status == "time_limit"
            else f"HiGHS: {first.message}; using the {used}"
        )
        return finish(
            chosen, status, proven=False, gap=first.mip_gap, tie_break_complete=False,
            detail=detail,
        )  # fmt: skip

    chosen, complete = _break_ties(
        incidence=incidence,
        capacities=graph.capacities,
        weights=weights,
        lengths=candidates.lengths,
        names=_cycle_names(graph, candidates.members),
        chosen=first.chosen,
        chosen_gap=first.abs_gap,
        prefer=prefer,
        deadline=deadline,
    )
    return finish(chosen, "optimal", proven=True, gap=first.mip_gap, tie_break_complete=complete)


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
        seconds=time.perf_counter() - started,
        counts=counts,
        ignored=[*graph.ignored, *notes],
        tie_break_complete=tie_break_complete,
        detail=detail,
    )
