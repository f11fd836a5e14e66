"""Properties of the matcher over generated populations (hypothesis).

Small universes on purpose — a handful of firms, processes, industries and places — so that
collisions (same city, same ISIC group, mutual exclusions, ties) happen all the time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange.matching import (
    ISIC_DEPTHS,
    MARKET_REACHES,
    BusinessRecord,
    Cell,
    IsicDepth,
    MatchingIndex,
    NotSuggested,
    Suggestion,
    SuggestionQuery,
    Taxonomy,
    competes,
    explain_pair,
    industry_and_market_reason,
    learn_matrix,
    suggest_partners,
)

KEYS = [
    "marketing.seo",
    "marketing.ads",
    "marketing.content",
    "hr.hiring",
    "hr.payroll",
    "it.cloud",
]
# Keys outside the taxonomy: records may bring them and the index must add them.
EXTRA_KEYS = ["marketing.podcasts", "legal.contracts"]
IDS = [f"firm-{i}" for i in range(6)]

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# For properties checked over every ordered pair of a population (dozens of queries per example).
PAIRWISE = settings(SETTINGS, max_examples=30)

cells = st.dictionaries(
    st.sampled_from(KEYS + EXTRA_KEYS),
    st.builds(
        Cell,
        level=st.integers(0, 5),
        offer=st.booleans(),
        need=st.integers(0, 3),
    ),
    max_size=6,
)


@st.composite
def business(draw: st.DrawFn, business_id: str | None = None) -> BusinessRecord:
    capacity = draw(st.integers(0, 2))
    return BusinessRecord(
        id=business_id or draw(st.sampled_from(IDS)),
        isic=draw(st.sampled_from(["7310", "7311", "7320", "7410", "6920", "0111", ""])),
        country=draw(st.sampled_from(["in", "de"])),
        region=draw(st.sampled_from(["north", "south"])),
        city=draw(st.sampled_from(["pune", "delhi", "berlin"])),
        market_reach=draw(st.sampled_from(MARKET_REACHES)),
        excluded=draw(st.frozensets(st.sampled_from(IDS), max_size=2)),
        hosting_capacity=capacity,
        current_load=draw(st.integers(0, 2)),
        visibility=draw(st.sampled_from(["public", "public", "networks"])),
        networks=draw(st.frozensets(st.sampled_from(["chamber", "guild"]), max_size=2)),
        languages=draw(st.frozensets(st.sampled_from(["en", "hi"]), max_size=2)),
        cells=draw(cells),
    )


@st.composite
def population(draw: st.DrawFn, min_size: int = 2) -> list[BusinessRecord]:
    ids = draw(st.lists(st.sampled_from(IDS), min_size=min_size, max_size=len(IDS), unique=True))
    return [draw(business(business_id)) for business_id in ids]


depths = st.sampled_from(ISIC_DEPTHS)


def by_id(index: MatchingIndex, business_id: str, query: SuggestionQuery) -> dict[str, Suggestion]:
    return {s.partner_id: s for s in suggest_partners(index, business_id, query)}


@SETTINGS
@given(business(), business(), depths)
def test_competition_is_symmetric(a: BusinessRecord, b: BusinessRecord, depth: IsicDepth) -> None:
    assert competes(a, b, depth) == competes(b, a, depth)
    # The same words from both sides, too: the meeting area does not depend on who asks.
    assert industry_and_market_reason(a, b, depth) == industry_and_market_reason(b, a, depth)


@PAIRWISE
@given(population(), depths)
def test_the_index_applies_the_same_competition_rule_as_the_records(
    records: list[BusinessRecord], depth: IsicDepth
) -> None:
    records = [replace(record, visibility="public") for record in records]
    index = MatchingIndex.from_records(records, Taxonomy(KEYS))
    query = SuggestionQuery(isic_depth=depth)
    for a in records:
        for b in records:
            if a.id == b.id:
                continue
            answer = explain_pair(index, a.id, b.id, query)
            codes = answer.codes if isinstance(answer, NotSuggested) else ()
            assert ("competitor" in codes) == (industry_and_market_reason(a, b, depth) is not None)
            assert ("excluded" in codes) == (b.id in a.excluded)
            assert ("not_available" in codes) == (a.id in b.excluded and b.id not in a.excluded)
            if isinstance(answer, NotSuggested):
                # Whoever excluded whom, only the excluder's own choice is ever put in words.
                worded = [r.message for r in answer.reasons if "exclud" in r.message]
                assert worded == (["you excluded them"] if b.id in a.excluded else [])


@PAIRWISE
@given(population(), depths)
def test_lists_never_hold_the_asker_a_competitor_or_a_hidden_firm(
    records: list[BusinessRecord], depth: IsicDepth
) -> None:
    index = MatchingIndex.from_records(records, Taxonomy(KEYS))
    record = {r.id: r for r in records}
    for asker in records:
        for suggestion in suggest_partners(index, asker.id, SuggestionQuery(isic_depth=depth)):
            partner = record[suggestion.partner_id]
            assert partner.id != asker.id
            assert not competes(asker, partner, depth)
            assert partner.visibility == "public" or partner.networks & asker.networks
            assert suggestion.score > 0


@PAIRWISE
@given(population())
def test_scores_are_mutual_and_teaching_mirrors_learning(records: list[BusinessRecord]) -> None:
    index = MatchingIndex.from_records(records, Taxonomy(KEYS))
    query = SuggestionQuery(require_capacity=False)
    for a in records:
        for b in records:
            ab, ba = explain_pair(index, a.id, b.id, query), explain_pair(index, b.id, a.id, query)
            if isinstance(ab, Suggestion) and isinstance(ba, Suggestion):
                assert ab.score == ba.score
                assert (ab.learn_value, ab.teach_value) == (ba.teach_value, ba.learn_value)


@PAIRWISE
@given(population())
def test_lists_and_explanations_and_the_matrix_agree(records: list[BusinessRecord]) -> None:
    index = MatchingIndex.from_records(records, Taxonomy(KEYS))
    ids = [record.id for record in records]
    matrix = learn_matrix(index, ids)
    for i, asker in enumerate(ids):
        listed = by_id(index, asker, SuggestionQuery(limit=len(ids)))
        for j, partner in enumerate(ids):
            answer = explain_pair(index, asker, partner)
            if partner in listed:
                assert answer == listed[partner]
                assert matrix[i, j] == listed[partner].learn_value
                assert matrix[j, i] == listed[partner].teach_value
            else:
                assert isinstance(answer, NotSuggested)


def pair_value(asker: dict[str, Cell], host: dict[str, Cell]) -> float:
    """What ``asker`` learns from ``host``, two firms in unrelated industries."""
    records = [
        BusinessRecord(id="asker", isic="0111", cells=asker),
        BusinessRecord(id="host", isic="6920", cells=host, hosting_capacity=1),
    ]
    return float(
        learn_matrix(MatchingIndex.from_records(records, Taxonomy(KEYS)), ["asker", "host"])[0, 1]
    )


@SETTINGS
@given(cells, cells, st.sampled_from(KEYS))
def test_value_grows_with_the_need(asker: dict[str, Cell], host: dict[str, Cell], key: str) -> None:
    current = asker.get(key, Cell(0))
    if current.need < 3:
        more = {**asker, key: current._replace(need=current.need + 1)}
        assert pair_value(more, host) >= pair_value(asker, host)


@SETTINGS
@given(cells, cells, st.sampled_from(KEYS))
def test_value_grows_with_the_level_gap(
    asker: dict[str, Cell], host: dict[str, Cell], key: str
) -> None:
    hosted = host.get(key, Cell(0))
    if hosted.level < 5:
        stronger_host = {**host, key: hosted._replace(level=hosted.level + 1)}
        assert pair_value(asker, stronger_host) >= pair_value(asker, host)
    own = asker.get(key, Cell(0))
    if own.level > 0 and own.need > 0:
        weaker_asker = {**asker, key: own._replace(level=own.level - 1)}
        assert pair_value(weaker_asker, host) >= pair_value(asker, host)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), business()),
        st.tuples(st.just("remove"), st.sampled_from(IDS)),
    ),
    max_size=12,
)


@PAIRWISE
@given(population(min_size=0), operations)
def test_incremental_updates_give_the_same_answers_as_a_rebuild(
    initial: list[BusinessRecord], changes: list[tuple[str, Any]]
) -> None:
    index = MatchingIndex.from_records(initial, Taxonomy(KEYS))
    current = {record.id: record for record in initial}
    for action, payload in changes:
        if action == "upsert":
            index.upsert(payload)
            current[payload.id] = payload
        elif payload in current:
            index.remove(payload)
            del current[payload]
    # The taxonomy only grows, so the rebuild uses the one the index ended with.
    fresh = MatchingIndex.from_records(current.values(), index.taxonomy)
    assert sorted(index.ids()) == sorted(fresh.ids())
    ids = sorted(current)
    query = SuggestionQuery(limit=len(IDS))
    for asker in ids:
        assert suggest_partners(index, asker, query) == suggest_partners(fresh, asker, query)
        for partner in ids:
            assert explain_pair(index, asker, partner) == explain_pair(fresh, asker, partner)
    assert np.array_equal(learn_matrix(index, ids), learn_matrix(fresh, ids))
