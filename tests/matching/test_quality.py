"""Ranking quality on a generated population: planted pairs among thousands of noise firms.

The noise is a seeded population of 3,000 firms with random practice, a few offers and needs,
random markets, capacities, networks and visibility. Planted pairs are deliberately complementary:
each is excellent (level 5, offered) where the other needs help most (need 3, level 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from exchange.matching import (
    MARKET_REACHES,
    BusinessRecord,
    Cell,
    MatchingIndex,
    SuggestionQuery,
    Taxonomy,
    competes,
    suggest_partners,
)

DEPARTMENTS = [
    "sales",
    "marketing",
    "hr",
    "operations",
    "production",
    "supply_chain",
    "finance",
    "it",
    "customer_service",
    "design",
    "administration",
    "strategy",
]
KEYS = [f"{department}.process_{i}" for department in DEPARTMENTS for i in range(8)]
NOISE_ISIC = [
    "1071",
    "1410",
    "2511",
    "4321",
    "4520",
    "4711",
    "4791",
    "5610",
    "6201",
    "6920",
    "7020",
    "7110",
    "7310",
    "7410",
    "7830",
    "8121",
    "8510",
    "8620",
    "9311",
    "9602",
]
N_NOISE = 3_000
N_PAIRS = 10
EVERYWHERE = 10_000  # a limit no list reaches: "never appears" means at any rank


def noise(rng: np.random.Generator) -> Iterator[BusinessRecord]:
    for i in range(N_NOISE):
        practised = rng.choice(len(KEYS), size=15, replace=False)
        levels = rng.choice([1, 2, 3, 4, 5], size=15, p=[0.3, 0.3, 0.2, 0.12, 0.08])
        cells = {
            KEYS[j]: Cell(int(level), bool(level >= 4 and rng.random() < 0.3), 0)
            for j, level in zip(practised, levels, strict=True)
        }
        for j in rng.choice(len(KEYS), size=3, replace=False):
            current = cells.get(KEYS[j], Cell(0))
            if current.level <= 2:
                cells[KEYS[j]] = Cell(current.level, False, int(rng.integers(1, 4)))
        capacity = int(rng.integers(0, 4))
        country = int(rng.integers(0, 10))
        yield BusinessRecord(
            id=f"noise-{i:04d}",
            isic=str(rng.choice(NOISE_ISIC)),
            country=f"c{country}",
            region=f"c{country}-r{rng.integers(0, 5)}",
            city=f"c{country}-city{rng.integers(0, 25)}",
            market_reach=MARKET_REACHES[int(rng.integers(0, 4))],
            hosting_capacity=capacity,
            current_load=int(rng.integers(0, capacity + 1)),
            visibility="networks" if rng.random() < 0.2 else "public",
            networks=frozenset(f"net{x}" for x in rng.choice(30, size=rng.integers(0, 3))),
            languages=frozenset({"en"}),
            excluded=frozenset({f"noise-{rng.integers(0, N_NOISE):04d}"})
            if rng.random() < 0.05
            else frozenset(),
            cells=cells,
        )


def planted_pair(rng: np.random.Generator, n: int) -> tuple[BusinessRecord, BusinessRecord]:
    """Two firms in different industries, each a level-5 host for the other's five top needs."""
    processes = [KEYS[j] for j in rng.choice(len(KEYS), size=10, replace=False)]
    a_strong, b_strong = processes[:5], processes[5:]

    def firm(name: str, isic: str, strong: list[str], weak: list[str]) -> BusinessRecord:
        cells = {key: Cell(5, True, 0) for key in strong}
        cells |= {key: Cell(0, False, 3) for key in weak}
        return BusinessRecord(
            id=f"planted-{n}-{name}",
            isic=isic,
            country="c0",
            region="c0-r0",
            city="c0-city0",
            market_reach="national",
            hosting_capacity=2,
            languages=frozenset({"en"}),
            cells=cells,
        )

    # Planted industries (ISIC groups 011 and 012) appear nowhere in the noise.
    return firm("a", "0111", a_strong, b_strong), firm("b", "0121", b_strong, a_strong)


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    rng = np.random.default_rng(20240607)
    records = list(noise(rng))
    pairs = [planted_pair(rng, n) for n in range(N_PAIRS)]
    for a, b in pairs:
        records += [a, b]
    index = MatchingIndex.from_records(records, Taxonomy(KEYS))
    return {"records": records, "pairs": pairs, "index": index}


def ranked(index: MatchingIndex, business_id: str, limit: int = 20, **query: Any) -> list[str]:
    options = SuggestionQuery(limit=limit, **query)
    return [s.partner_id for s in suggest_partners(index, business_id, options)]


def rebuilt(world: dict[str, Any], *changed: BusinessRecord) -> MatchingIndex:
    by_id = {record.id: record for record in world["records"]}
    by_id.update({record.id: record for record in changed})
    return MatchingIndex.from_records(by_id.values(), Taxonomy(KEYS))


def test_planted_complementary_pairs_rank_in_each_others_top_five(world: dict[str, Any]) -> None:
    for a, b in world["pairs"]:
        assert b.id in ranked(world["index"], a.id, limit=5)
        assert a.id in ranked(world["index"], b.id, limit=5)


def test_a_stronger_partner_that_competes_never_appears(world: dict[str, Any]) -> None:
    a, b = world["pairs"][0]
    # Even better than b for a: the same cells, plus some practice in every other process of the
    # departments where it needs a. It runs more of those departments, so what it learns from a
    # weighs more (the involvement weight) and the pair's mutual score is higher.
    departments = {key.split(".")[0] for key, cell in b.cells.items() if cell[2]}
    extra = {key: Cell(1) for key in KEYS if key.split(".")[0] in departments}
    stronger = replace(b, id="rival", cells={**extra, **b.cells})
    elsewhere = replace(stronger, isic="0311")  # a fishing firm: no industry in common with a
    assert ranked(rebuilt(world, elsewhere), a.id, limit=1) == ["rival"]

    competing = replace(stronger, isic="0112", city=a.city, market_reach="local")  # group 011
    assert competes(a, competing)
    index = rebuilt(world, competing)
    assert "rival" not in ranked(index, a.id, limit=EVERYWHERE)
    assert a.id not in ranked(index, "rival", limit=EVERYWHERE)
    assert ranked(index, a.id, limit=1) == [b.id]


def test_an_excluded_firm_never_appears_either_way(world: dict[str, Any]) -> None:
    a, b = world["pairs"][1]
    index = rebuilt(world, replace(a, excluded=frozenset({b.id})))
    assert b.id not in ranked(index, a.id, limit=EVERYWHERE)
    assert a.id not in ranked(index, b.id, limit=EVERYWHERE)


def test_same_industry_firms_in_markets_that_do_not_meet_do_appear(world: dict[str, Any]) -> None:
    a, b = world["pairs"][2]
    local_a = replace(a, market_reach="local")
    twin = replace(b, id="twin", isic=a.isic, market_reach="local", city="c0-city9")
    assert not competes(local_a, twin)
    assert "twin" in ranked(rebuilt(world, local_a, twin), a.id, limit=5)


def test_a_two_way_swap_ranks_above_a_slightly_larger_one_way_favour(
    world: dict[str, Any],
) -> None:
    sales = [f"sales.process_{i}" for i in range(4)]

    def firm(business_id: str, isic: str, levels: list[Cell]) -> BusinessRecord:
        return BusinessRecord(
            id=business_id,
            isic=isic,
            hosting_capacity=1,
            cells=dict(zip(sales, levels, strict=True)),
        )

    asker = firm("asker", "0510", [Cell(1, False, 3), Cell(1, False, 3), Cell(5, True, 0),
                                   Cell(5, True, 0)])  # fmt: skip
    favour = firm("favour", "0610", [Cell(5, True, 0), Cell(5, True, 0), Cell(5, True, 0),
                                     Cell(5, True, 0)])  # fmt: skip
    swap = firm("swap", "0710", [Cell(5, True, 0), Cell(1, False, 0), Cell(2, False, 3),
                                 Cell(4, False, 0)])  # fmt: skip
    index = rebuilt(world, asker, favour, swap)
    suggestions = {
        s.partner_id: s for s in suggest_partners(index, "asker", SuggestionQuery(limit=EVERYWHERE))
    }
    one_way, two_way = suggestions["favour"], suggestions["swap"]
    # Both run 4 of the 8 sales processes: weight 0.75. The favour totals 18, the swap 15.75.
    assert (one_way.learn_value, one_way.teach_value) == (18.0, 0.0)
    assert (two_way.learn_value, two_way.teach_value) == (9.0, 6.75)
    assert two_way.score == 9.0 + 6.75 + 6.75 > one_way.score == 18.0
    order = list(suggestions)
    assert order.index("swap") < order.index("favour")


def test_a_firm_with_no_needs_is_offered_nothing_to_learn(world: dict[str, Any]) -> None:
    a, _ = world["pairs"][3]
    teacher = replace(a, id="teacher", cells={k: v for k, v in a.cells.items() if v[2] == 0})
    suggestions = suggest_partners(
        rebuilt(world, teacher), "teacher", SuggestionQuery(limit=EVERYWHERE)
    )
    assert suggestions  # it can still host others
    assert all(s.learn_value == 0 and s.teach_value > 0 for s in suggestions)


def test_hosts_without_free_capacity_are_never_offered_to_learners(world: dict[str, Any]) -> None:
    records = {record.id: record for record in world["records"]}
    checked = 0
    for asker in list(records)[:150]:
        for suggestion in suggest_partners(world["index"], asker, SuggestionQuery(limit=50)):
            if suggestion.learn_value > 0:
                host = records[suggestion.partner_id]
                assert host.hosting_capacity - host.current_load > 0
                checked += 1
    assert checked > 500


def test_networks_only_firms_appear_only_to_fellow_members(world: dict[str, Any]) -> None:
    records = {record.id: record for record in world["records"]}
    hidden_seen = 0
    for asker in list(records)[:300]:
        for suggestion in suggest_partners(world["index"], asker, SuggestionQuery(limit=50)):
            partner = records[suggestion.partner_id]
            if partner.visibility == "networks":
                assert partner.networks & records[asker].networks
                hidden_seen += 1
    assert hidden_seen > 0


def test_no_list_contains_the_asker_a_competitor_or_an_exclusion(world: dict[str, Any]) -> None:
    records = {record.id: record for record in world["records"]}
    for asker in list(records)[:200]:
        for suggestion in suggest_partners(world["index"], asker, SuggestionQuery(limit=100)):
            assert suggestion.partner_id != asker
            assert not competes(records[asker], records[suggestion.partner_id])
