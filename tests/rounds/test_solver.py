"""The exchange-round solver against brute force, hand-made traps for greedy, and input quirks.

Firms are named after the product's personas where a story helps (Afreen's studio, Rajeev's
bakery); random networks use short ids.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange.rounds import solver
from exchange.rounds.greedy import greedy_selection
from exchange.rounds.solver import (
    TIE_TOLERANCE,
    Edge,
    Firm,
    RoundInputError,
    RoundResult,
    SolveProgress,
    build_round_graph,
    enumerate_cycles,
    greedy_round,
    solve_round,
)

# Deterministic examples: the suite must not pass or fail by luck, and must not write a
# .hypothesis database into the project.
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# --------------------------------------------------------------------------------------------
# An independent reference: naive enumeration and exhaustive search


def naive_cycles(
    firms: list[Firm], edges: list[Edge], max_cycle_length: int
) -> dict[tuple[str, ...], float]:
    """Every cycle by trying all ordered pairs and triples (O(n³), fine for 8 firms)."""
    capacity = {f.id: f.capacity for f in firms}
    weight: dict[tuple[str, str], float] = {}
    for e in edges:
        if e.source != e.target:
            weight[(e.source, e.target)] = max(weight.get((e.source, e.target), 0.0), e.weight)
    ids = sorted(f.id for f in firms if capacity[f.id] > 0)
    cycles: dict[tuple[str, ...], float] = {}
    for length in range(2, max_cycle_length + 1):
        for order in itertools.permutations(ids, length):
            if order[0] != min(order):
                continue  # each cycle once: its rotation starting at the smallest id
            hops = [(order[i], order[(i + 1) % length]) for i in range(length)]
            if all(hop in weight for hop in hops):
                cycles[order] = sum(weight[hop] for hop in hops)
    return cycles


def exhaustive_best(
    firms: list[Firm], cycles: dict[tuple[str, ...], float], secondary: str = "none"
) -> tuple[float, int]:
    """(best total, best secondary among best totals) over every feasible set of cycles.

    Exhaustive search over take/skip for each cycle, memoised on the remaining capacities (the
    value of the rest depends on nothing else). Totals are compared exactly, so lexicographic
    checks use integer weights.
    """
    ids = sorted(f.id for f in firms)
    position = {firm_id: i for i, firm_id in enumerate(ids)}
    original = tuple(f.capacity for f in sorted(firms, key=lambda f: f.id))
    items = [
        (tuple(position[m] for m in members), weight, len(members) == 2)
        for members, weight in cycles.items()
    ]

    @cache
    def best(index: int, remaining: tuple[int, ...]) -> tuple[float, int]:
        if index == len(items):
            return (0.0, 0)
        skip = best(index + 1, remaining)
        members, weight, is_swap = items[index]
        if any(remaining[m] == 0 for m in members):
            return skip
        after = list(remaining)
        for m in members:
            after[m] -= 1
        rest = best(index + 1, tuple(after))
        gain = 0
        if secondary == "more_swaps":
            gain = int(is_swap)
        elif secondary == "more_firms":
            gain = sum(1 for m in members if remaining[m] == original[m])  # newly served
        take = (weight + rest[0], gain + rest[1])
        return max(skip, take)

    return best(0, original)


@st.composite
def networks(draw: st.DrawFn, *, integer_weights: bool = False) -> tuple[list[Firm], list[Edge]]:
    n = draw(st.integers(min_value=3, max_value=8))
    ids = [f"f{i}" for i in range(n)]
    firms = [Firm(i, draw(st.integers(min_value=0, max_value=2))) for i in ids]
    density = draw(st.sampled_from([0.2, 0.35, 0.5, 0.7]))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = random.Random(seed)
    edges = [
        Edge(u, v, float(rng.randint(1, 4)) if integer_weights else round(rng.uniform(0.1, 10), 3))
        for u in ids
        for v in ids
        if u != v and rng.random() < density
    ]
    return firms, edges


def assert_valid(result: RoundResult, firms: list[Firm], edges: list[Edge]) -> None:
    """The result is a feasible selection whose reported numbers add up."""
    weight: dict[tuple[str, str], float] = {}
    for e in edges:  # duplicates: the heaviest copy counts
        weight[(e.source, e.target)] = max(weight.get((e.source, e.target), 0.0), e.weight)
    capacity = {f.id: f.capacity for f in firms}
    load: dict[str, int] = dict.fromkeys(capacity, 0)
    assert result.cycles == sorted(result.cycles)
    assert len(set(result.cycles)) == len(result.cycles)
    for cycle, cycle_weight in zip(result.cycles, result.cycle_weights, strict=True):
        assert cycle[0] == min(cycle), "canonical rotation starts at the smallest id"
        hops = [(cycle[i], cycle[(i + 1) % len(cycle)]) for i in range(len(cycle))]
        assert all(hop in weight for hop in hops)
        assert math.isclose(cycle_weight, sum(weight[hop] for hop in hops))
        for firm in cycle:
            load[firm] += 1
    assert all(load[f] <= capacity[f] for f in capacity)
    assert math.isclose(result.total_weight, sum(result.cycle_weights), abs_tol=1e-9)
    assert result.counts.firms_served == sum(1 for f in load if load[f] > 0)
    assert result.counts.n_2cycles_chosen + result.counts.n_3cycles_chosen == len(result.cycles)


def comparable(result: RoundResult) -> RoundResult:
    return replace(result, seconds=0.0)


# --------------------------------------------------------------------------------------------
# Optimality


@PROPERTY
@given(network=networks(), max_cycle_length=st.sampled_from([2, 3]))
def test_total_equals_the_brute_force_optimum(
    network: tuple[list[Firm], list[Edge]], max_cycle_length: int
) -> None:
    firms, edges = network
    result = solve_round(firms, edges, max_cycle_length=max_cycle_length)
    cycles = naive_cycles(firms, edges, max_cycle_length)
    optimum, _ = exhaustive_best(firms, cycles)
    assert result.status == "optimal"
    assert result.proven_optimal
    assert result.tie_break_complete
    assert result.counts.n_cycles_enumerated == len(cycles)
    assert result.total_weight == pytest.approx(optimum, abs=1e-6 * max(1.0, optimum))
    assert_valid(result, firms, edges)


@settings(PROPERTY, max_examples=100)
@given(network=networks(), prefer=st.sampled_from(["none", "more_firms"]))
def test_pricing_cycles_out_finds_the_brute_force_optimum_too(
    network: tuple[list[Firm], list[Edge]], prefer: str
) -> None:
    # Column generation (for networks too dense to enumerate) forced on small ones: same optimum.
    firms, edges = network
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solver, "_ENUMERATION_WALKS", -1)
        patch.setattr(solver, "_SEED_EDGES", 1)  # start small, so pricing has work to do
        result = solve_round(firms, edges, prefer=prefer)  # type: ignore[arg-type]
    optimum, _ = exhaustive_best(firms, naive_cycles(firms, edges, 3))
    assert result.status == "optimal"
    assert result.total_weight == pytest.approx(optimum, abs=1e-6 * max(1.0, optimum))
    assert result.bound is not None and result.bound >= optimum * (1 - 1e-9)
    assert_valid(result, firms, edges)


def test_pricing_matches_full_enumeration_on_a_clustered_network() -> None:
    firms, edges = clustered_network(300, seed=9, local_hosts=5)
    full = solve_round(firms, edges)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solver, "_ENUMERATION_WALKS", -1)
        patch.setattr(solver, "_SEED_EDGES", 2)
        priced = solve_round(firms, edges, prefer="more_firms")
    assert full.proven_optimal and priced.proven_optimal
    assert priced.total_weight == pytest.approx(full.total_weight, rel=1e-6)


@settings(PROPERTY, max_examples=150)
@given(network=networks(integer_weights=True), prefer=st.sampled_from(["more_firms", "more_swaps"]))
def test_prefer_maximises_its_goal_among_the_heaviest_selections(
    network: tuple[list[Firm], list[Edge]], prefer: str
) -> None:
    # Integer weights make exact ties common, which is what `prefer` is about.
    firms, edges = network
    result = solve_round(firms, edges, prefer=prefer)  # type: ignore[arg-type]
    optimum, best_secondary = exhaustive_best(firms, naive_cycles(firms, edges, 3), prefer)
    assert result.total_weight == pytest.approx(optimum)
    achieved = (
        result.counts.firms_served if prefer == "more_firms" else result.counts.n_2cycles_chosen
    )
    assert achieved == best_secondary
    assert result.tie_break_complete
    assert_valid(result, firms, edges)


def test_enumeration_finds_each_cycle_once_in_canonical_rotation() -> None:
    firms = [Firm(x) for x in "abcd"]
    both_ways = [("a", "b"), ("b", "c"), ("c", "a"), ("a", "c"), ("c", "b"), ("b", "a")]
    edges = [Edge(u, v, 1.0) for u, v in [*both_ways, ("c", "d"), ("d", "a")]]
    graph = build_round_graph(firms, edges)
    candidates = enumerate_cycles(graph)
    found = [tuple(graph.firm_ids[m] for m in row if m >= 0) for row in candidates.members.tolist()]
    assert found == [
        ("a", "b"),
        ("a", "b", "c"),
        ("a", "c"),
        ("a", "c", "b"),
        ("a", "c", "d"),
        ("b", "c"),
    ]


# --------------------------------------------------------------------------------------------
# Where greedy goes wrong


def heavy_trio_blocking_two_swaps() -> tuple[list[Firm], list[Edge]]:
    """Afreen, Rajeev and Chitra form one heavy 3-cycle (12); Afreen↔Dev and Rajeev↔Esha are
    two swaps worth 7 each. Greedy grabs the 3-cycle and blocks both swaps (12 < 14)."""
    firms = [Firm(x) for x in ("afreen", "rajeev", "chitra", "dev", "esha")]
    edges = [
        Edge("afreen", "rajeev", 4.0),
        Edge("rajeev", "chitra", 4.0),
        Edge("chitra", "afreen", 4.0),
        Edge("afreen", "dev", 3.5),
        Edge("dev", "afreen", 3.5),
        Edge("rajeev", "esha", 3.5),
        Edge("esha", "rajeev", 3.5),
    ]
    return firms, edges


def test_solver_takes_two_swaps_where_greedy_takes_the_heavy_three_cycle() -> None:
    firms, edges = heavy_trio_blocking_two_swaps()
    exact = solve_round(firms, edges)
    greedy = greedy_round(firms, edges)
    assert exact.cycles == [("afreen", "dev"), ("esha", "rajeev")]
    assert exact.total_weight == 14.0
    assert greedy.cycles == [("afreen", "rajeev", "chitra")]
    assert greedy.total_weight == 12.0
    assert greedy.status == "heuristic"
    assert not greedy.proven_optimal


def test_greedy_selection_takes_heaviest_cycles_that_still_fit() -> None:
    members = np.array([[0, 1, -1], [0, 2, -1], [1, 2, 3]], dtype=np.int64)
    weights = np.array([5.0, 4.0, 6.0])
    capacities = np.array([1, 1, 1, 1], dtype=np.int64)
    assert greedy_selection(members, weights, capacities).tolist() == [False, False, True]


# --------------------------------------------------------------------------------------------
# Capacity


def star_of_swaps(hub_capacity: int) -> tuple[list[Firm], list[Edge]]:
    """Afreen's studio can swap with three firms; the swaps are worth 6, 4 and 2."""
    firms = [Firm("afreen", hub_capacity), Firm("b"), Firm("c"), Firm("d")]
    edges = []
    for partner, value in (("b", 3.0), ("c", 2.0), ("d", 1.0)):
        edges += [Edge("afreen", partner, value), Edge(partner, "afreen", value)]
    return firms, edges


def test_a_firm_with_capacity_two_joins_its_two_best_cycles_and_no_more() -> None:
    result = solve_round(*star_of_swaps(hub_capacity=2))
    assert result.cycles == [("afreen", "b"), ("afreen", "c")]
    assert result.total_weight == 10.0


def test_a_firm_with_capacity_one_joins_one_cycle() -> None:
    result = solve_round(*star_of_swaps(hub_capacity=1))
    assert result.cycles == [("afreen", "b")]


def test_a_firm_with_capacity_zero_is_never_chosen() -> None:
    firms, edges = star_of_swaps(hub_capacity=0)
    result = solve_round(firms, edges)
    assert result.cycles == []
    assert result.total_weight == 0.0
    assert result.counts.n_cycles_enumerated == 0


def test_capacity_two_on_both_sides_allows_a_swap_and_a_three_cycle_together() -> None:
    firms = [Firm("a", 2), Firm("b", 2), Firm("c")]
    edges = [Edge("a", "b", 1.0), Edge("b", "a", 1.0), Edge("b", "c", 1.0), Edge("c", "a", 1.0)]
    result = solve_round(firms, edges)
    assert result.cycles == [("a", "b"), ("a", "b", "c")]


# --------------------------------------------------------------------------------------------
# Input quirks and errors


def test_a_network_without_cycles_is_solved_with_nothing_chosen() -> None:
    firms = [Firm(x) for x in "abc"]
    result = solve_round(firms, [Edge("a", "b", 1.0), Edge("b", "c", 1.0)])
    assert result.status == "optimal"
    assert result.proven_optimal
    assert result.total_weight == 0.0
    assert result.cycles == []


def test_an_empty_network_is_solved_with_nothing_chosen() -> None:
    result = solve_round([], [])
    assert (result.status, result.cycles, result.total_weight) == ("optimal", [], 0.0)


def test_self_loops_are_ignored_with_a_note() -> None:
    firms = [Firm("a"), Firm("b")]
    edges = [Edge("a", "a", 9.0), Edge("a", "b", 1.0), Edge("b", "a", 1.0)]
    result = solve_round(firms, edges)
    assert result.cycles == [("a", "b")]
    assert result.ignored == ['self-loop "a" → "a" ignored']


def test_duplicate_edges_keep_the_heaviest_copy_whatever_the_order() -> None:
    firms = [Firm("a"), Firm("b")]
    light, heavy = Edge("a", "b", 1.0), Edge("a", "b", 5.0)
    back = Edge("b", "a", 2.0)
    first = solve_round(firms, [light, heavy, back])
    second = solve_round(firms, [heavy, back, light])
    assert first.total_weight == second.total_weight == 7.0
    assert first.ignored == second.ignored == ['duplicate edge "a" → "b": kept weight 5, ignored 1']


def test_an_edge_to_an_unknown_firm_is_an_error_naming_the_edge() -> None:
    with pytest.raises(RoundInputError) as caught:
        solve_round([Firm("a")], [Edge("a", "zz", 1.0)])
    assert caught.value.problems == ['edge "a" → "zz": unknown firm "zz"']


@pytest.mark.parametrize("weight", [0, -1.5, math.nan, math.inf, True, "3"])
def test_a_weight_that_is_not_a_finite_positive_number_is_an_error(weight: object) -> None:
    with pytest.raises(RoundInputError, match="weight must be a finite number > 0"):
        solve_round([Firm("a"), Firm("b")], [Edge("a", "b", weight)])  # type: ignore[arg-type]


def test_weights_too_large_to_add_up_are_an_error() -> None:
    firms = [Firm("a"), Firm("b")]
    with pytest.raises(RoundInputError, match="weight must be at most 1e"):
        solve_round(firms, [Edge("a", "b", 1e308), Edge("b", "a", 1e308)])


@pytest.mark.parametrize("capacity", [-1, 1.5, True, "2"])
def test_a_capacity_that_is_not_a_non_negative_integer_is_an_error(capacity: object) -> None:
    with pytest.raises(RoundInputError, match="capacity must be an integer ≥ 0"):
        solve_round([Firm("a", capacity)], [])  # type: ignore[arg-type]


def test_duplicate_firm_ids_are_an_error() -> None:
    with pytest.raises(RoundInputError, match='firm "a": duplicate id'):
        solve_round([Firm("a"), Firm("a")], [])


def test_all_problems_are_reported_together() -> None:
    with pytest.raises(RoundInputError) as caught:
        solve_round([Firm("a", -1)], [Edge("a", "b", 0.0), Edge("x", "a", 1.0)])
    assert len(caught.value.problems) == 3


@pytest.mark.parametrize(
    ("option", "value"),
    [("max_cycle_length", 4), ("prefer", "more_money"), ("time_limit", 0), ("time_limit", -1)],
)
def test_bad_options_are_errors(option: str, value: object) -> None:
    with pytest.raises(RoundInputError, match=option):
        solve_round([Firm("a")], [], **{option: value})  # type: ignore[arg-type]


def test_max_cycle_length_two_never_chooses_a_three_cycle() -> None:
    firms, edges = heavy_trio_blocking_two_swaps()
    edges = [e for e in edges if e.target != "esha" and e.source != "esha"]  # one swap left
    with_trios = solve_round(firms, edges)
    swaps_only = solve_round(firms, edges, max_cycle_length=2)
    assert with_trios.cycles == [("afreen", "rajeev", "chitra")]
    assert swaps_only.cycles == [("afreen", "dev")]
    assert swaps_only.counts.n_3cycles_enumerated == 0


def test_excluded_cycles_are_not_chosen_in_any_rotation() -> None:
    # Re-clearing after Afreen's partners declined: the big trio is off the table.
    firms, edges = heavy_trio_blocking_two_swaps()
    result = solve_round(firms, edges, exclude_cycles=[("rajeev", "afreen", "dev")])
    assert result.ignored == [
        "excluded cycle ['afreen', 'dev', 'rajeev'] is not a candidate; ignored"
    ]
    result = solve_round(firms, edges, exclude_cycles=[("dev", "afreen")])
    assert ("afreen", "dev") not in result.cycles
    assert result.cycles == [("afreen", "rajeev", "chitra")]


# --------------------------------------------------------------------------------------------
# Determinism and ties


@settings(PROPERTY, max_examples=60)
@given(network=networks(integer_weights=True), shuffle_seed=st.integers(0, 1000))
def test_shuffling_the_input_gives_the_identical_result(
    network: tuple[list[Firm], list[Edge]], shuffle_seed: int
) -> None:
    firms, edges = network
    rng = random.Random(shuffle_seed)
    shuffled_firms, shuffled_edges = firms[:], edges[:]
    rng.shuffle(shuffled_firms)
    rng.shuffle(shuffled_edges)
    for prefer in ("none", "more_firms", "more_swaps"):
        original = solve_round(firms, edges, prefer=prefer)
        again = solve_round(shuffled_firms, shuffled_edges, prefer=prefer)
        assert comparable(again) == comparable(original)


def swap_or_trio() -> tuple[list[Firm], list[Edge]]:
    """Afreen↔Rajeev as a swap is worth 6; Afreen→Rajeev→Chitra→Afreen too (6): a tie."""
    firms = [Firm("afreen"), Firm("rajeev"), Firm("chitra")]
    edges = [
        Edge("afreen", "rajeev", 3.0),
        Edge("rajeev", "afreen", 3.0),
        Edge("rajeev", "chitra", 1.5),
        Edge("chitra", "afreen", 1.5),
    ]
    return firms, edges


def test_prefer_more_firms_takes_the_three_cycle_among_equal_totals() -> None:
    result = solve_round(*swap_or_trio(), prefer="more_firms")
    assert result.cycles == [("afreen", "rajeev", "chitra")]
    assert result.total_weight == 6.0


def test_prefer_more_swaps_takes_the_swap_among_equal_totals() -> None:
    result = solve_round(*swap_or_trio(), prefer="more_swaps")
    assert result.cycles == [("afreen", "rajeev")]
    assert result.total_weight == 6.0


def test_prefer_never_costs_weight() -> None:
    # The trio is now worth slightly more: it wins whatever the preference.
    firms, edges = swap_or_trio()
    edges = [*edges[:2], Edge("rajeev", "chitra", 1.6), edges[3]]
    for prefer in ("none", "more_firms", "more_swaps"):
        result = solve_round(firms, edges, prefer=prefer)
        assert result.cycles == [("afreen", "rajeev", "chitra")]


def test_prefer_never_costs_weight_even_just_outside_the_tie_tolerance() -> None:
    # The swap is heavier by 2.5e-6 of the heaviest cycle: not a tie (tolerance 1e-6), but close
    # enough that the perturbed shortcut (δ = 1e-5 per firm) would pick the trio; the exact pass
    # must take over and keep the swap.
    firms, edges = swap_or_trio()
    edges = [edges[0], Edge("rajeev", "afreen", 3.000015), *edges[2:]]
    result = solve_round(firms, edges, prefer="more_firms")
    assert result.cycles == [("afreen", "rajeev")]
    assert result.tie_break_complete


def test_ties_are_broken_the_same_way_every_time() -> None:
    # Ten firms in a ring, each can swap with both neighbours for the same value: two optimal
    # selections of five swaps, and always the same one is chosen.
    ids = [f"firm-{i}" for i in range(10)]
    firms = [Firm(i) for i in ids]
    neighbours = [(ids[i], ids[(i + 1) % 10]) for i in range(10)]
    edges = [Edge(a, b, 1.0) for a, b in neighbours] + [Edge(b, a, 1.0) for a, b in neighbours]
    results = {tuple(solve_round(firms, edges).cycles) for _ in range(3)}
    results.add(tuple(solve_round(firms[::-1], edges[::-1]).cycles))
    assert len(results) == 1
    (cycles,) = results
    assert len(cycles) == 5


def test_totals_within_the_tie_tolerance_count_as_equal() -> None:
    # Float noise (0.1 + 0.2 ≠ 0.3) must not decide between otherwise equal selections.
    firms = [Firm("a"), Firm("b"), Firm("c")]
    edges = [
        Edge("a", "b", 0.1),
        Edge("b", "a", 0.2),
        Edge("b", "c", 0.1),
        Edge("c", "a", 0.1),
    ]
    swap = solve_round(firms, edges, prefer="more_swaps")
    trio = solve_round(firms, edges, prefer="more_firms")
    assert swap.cycles == [("a", "b")]
    assert trio.cycles == [("a", "b", "c")]
    assert abs(swap.total_weight - trio.total_weight) < TIE_TOLERANCE


# --------------------------------------------------------------------------------------------
# Time limit


def clustered_network(
    n_firms: int, seed: int, *, local_hosts: int = 8
) -> tuple[list[Firm], list[Edge]]:
    """Firms in towns of 20 that mostly host each other: many overlapping cycles.

    With 8 local hosts nearly every firm can be served and HiGHS needs seconds for a few hundred
    firms — exactly what a time-limit test wants.
    """
    rng = random.Random(seed)
    ids = [f"firm-{i:04d}" for i in range(n_firms)]
    firms = [Firm(i, 2 if rng.random() < 0.2 else 1) for i in ids]
    edges = []
    for i, source in enumerate(ids):
        town = i // 20
        hosts = rng.sample(range(town * 20, min(town * 20 + 20, n_firms)), local_hosts)
        hosts += rng.sample(range(n_firms), 4)
        edges += [Edge(source, ids[h], round(rng.uniform(1, 20), 2)) for h in hosts if h != i]
    return firms, edges


def test_a_time_limit_returns_a_feasible_round_at_least_as_good_as_greedy() -> None:
    firms, edges = clustered_network(600, seed=3)
    result = solve_round(firms, edges, time_limit=0.001)
    assert result.status == "time_limit"
    assert not result.proven_optimal
    assert not result.tie_break_complete
    assert "time limit" in result.detail
    assert result.total_weight >= greedy_round(firms, edges).total_weight
    assert_valid(result, firms, edges)


def test_a_time_limited_solve_returns_its_best_incumbent_with_a_correct_bound() -> None:
    # Hard enough that HiGHS cannot prove the optimum in a second on any machine, small enough
    # that the unlimited solve (the reference) takes a few seconds.
    firms, edges = clustered_network(400, seed=5)
    reports: list[SolveProgress] = []
    limited = solve_round(firms, edges, time_limit=1.0, progress=reports.append)
    exact = solve_round(firms, edges)
    assert exact.proven_optimal
    assert limited.status == "time_limit"
    assert not limited.proven_optimal
    assert_valid(limited, firms, edges)
    assert limited.bound is not None and limited.mip_gap is not None
    # The bound is proven: never below the true optimum, and the answer never above it.
    assert limited.bound >= exact.total_weight * (1 - 1e-9)
    assert limited.total_weight <= exact.total_weight * (1 + 1e-9)
    assert limited.mip_gap == pytest.approx(
        (limited.bound - limited.total_weight) / limited.bound
    )
    assert f"within {limited.mip_gap:.2%} of the best possible" in limited.detail
    # Never worse than greedy, and the best of everything the progress display showed.
    assert limited.total_weight >= greedy_round(firms, edges).total_weight
    assert reports and reports[0].stage == "greedy"
    assert limited.total_weight == pytest.approx(max(r.incumbent for r in reports), rel=1e-6)
    assert all(r.bound >= exact.total_weight * (1 - 1e-9) for r in reports)
    assert all(r.incumbent <= r.bound for r in reports)
    # The LP-guided incumbent and local search already beat greedy by far on such a network.
    assert limited.mip_gap < 0.05


def test_an_optimal_result_reports_its_bound() -> None:
    firms, edges = clustered_network(100, seed=4, local_hosts=3)
    result = solve_round(firms, edges)
    assert result.proven_optimal
    assert result.bound == pytest.approx(result.total_weight, rel=1e-6)
    assert result.mip_gap is not None and result.mip_gap <= 1e-6


def test_a_generous_time_limit_still_proves_optimality() -> None:
    firms, edges = clustered_network(100, seed=4, local_hosts=3)
    limited = solve_round(firms, edges, time_limit=120)
    assert limited.status == "optimal"
    assert limited.tie_break_complete
    assert comparable(limited) == comparable(solve_round(firms, edges))


# --------------------------------------------------------------------------------------------
# The speed-ups for ties (reduced-cost fixing, independent parts, perturbed secondary) against a
# plain lexicographic MILP on networks too big for brute force


def plain_lexicographic(firms: list[Firm], edges: list[Edge], prefer: str) -> tuple[float, int]:
    """(best total, best secondary) from two textbook MILPs over every cycle, no reductions."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    cycles = naive_cycles(firms, edges, 3)
    names = list(cycles)
    ids = sorted(f.id for f in firms)
    capacity = {f.id: f.capacity for f in firms}
    incidence = np.array([[f in name for name in names] for f in ids], dtype=float)
    weights = np.array([cycles[name] for name in names])
    swaps = np.array([len(name) == 2 for name in names], dtype=float)
    n_cycles, n_firms = len(names), len(ids)
    capacity_rows = np.hstack([incidence, np.zeros((n_firms, n_firms))])
    cover_rows = np.hstack([-incidence, np.eye(n_firms)])  # y_f ≤ Σ x over f's cycles
    rows = [
        LinearConstraint(capacity_rows, -np.inf, [capacity[f] for f in ids]),
        LinearConstraint(cover_rows, -np.inf, 0),
    ]
    integrality = np.r_[np.ones(n_cycles), np.zeros(n_firms)]
    primary = np.r_[weights, np.zeros(n_firms)]
    options = {"mip_rel_gap": 0.0}
    first = milp(-primary, integrality=integrality, bounds=Bounds(0, 1), constraints=rows,
                 options=options)  # fmt: skip
    total = -first.fun
    secondary = (
        np.r_[np.zeros(n_cycles), np.ones(n_firms)]
        if prefer == "more_firms"
        else (np.r_[swaps, np.zeros(n_firms)])
    )
    fixed = LinearConstraint(primary.reshape(1, -1), total - 1e-6 * weights.max(), np.inf)
    second = milp(-secondary, integrality=integrality, bounds=Bounds(0, 1),
                  constraints=[*rows, fixed], options=options)  # fmt: skip
    return total, round(-second.fun)


@settings(PROPERTY, max_examples=25)
@given(
    seed=st.integers(0, 10**6),
    n_firms=st.integers(20, 45),
    prefer=st.sampled_from(["more_firms", "more_swaps"]),
)
def test_prefer_matches_a_plain_lexicographic_milp_on_mid_sized_networks(
    seed: int, n_firms: int, prefer: str
) -> None:
    # Towns of 8 with integer weights 1-3: many exact ties across many interacting cycles.
    rng = random.Random(seed)
    ids = [f"f{i:02d}" for i in range(n_firms)]
    firms = [Firm(i, rng.choice([1, 1, 1, 2])) for i in ids]
    edges = [
        Edge(u, v, float(rng.randint(1, 3)))
        for i, u in enumerate(ids)
        for j, v in enumerate(ids)
        if i != j and rng.random() < (0.35 if i // 8 == j // 8 else 0.02)
    ]
    result = solve_round(firms, edges, prefer=prefer)  # type: ignore[arg-type]
    total, secondary = plain_lexicographic(firms, edges, prefer)
    assert result.total_weight == pytest.approx(total)
    achieved = (
        result.counts.firms_served if prefer == "more_firms" else result.counts.n_2cycles_chosen
    )
    assert achieved == secondary
    assert result.tie_break_complete
    assert_valid(result, firms, edges)
