"""The competition rule of PRODUCT §4: exclusions, shared industry at a depth, overlapping markets.

Firms are advertising agencies (ISIC 7310, group 731) unless a test says otherwise; the record
rule (``competes``) and the index's vectorised rule (through ``explain_pair``) are both checked.
"""

from __future__ import annotations

from typing import Any

import pytest

from exchange.matching import (
    BusinessRecord,
    Cell,
    IsicDepth,
    MatchingIndex,
    NotSuggested,
    SuggestionQuery,
    Taxonomy,
    competes,
    explain_pair,
    industry_and_market_reason,
    isic_codes,
)


def agency(business_id: str, **fields: Any) -> BusinessRecord:
    defaults: dict[str, Any] = {
        "name": business_id.title(),
        "isic": "7310",
        "country": "in",
        "country_display": "India",
        "region": "mh",
        "region_display": "Maharashtra",
        "city": "pune",
        "city_display": "Pune",
        "market_reach": "local",
    }
    return BusinessRecord(id=business_id, **{**defaults, **fields})


MUMBAI = {"city": "mumbai", "city_display": "Mumbai"}
DELHI = {"region": "dl", "region_display": "Delhi", "city": "delhi", "city_display": "Delhi"}
KARNATAKA = {
    "region": "ka",
    "region_display": "Karnataka",
    "city": "bengaluru",
    "city_display": "Bengaluru",
}
BERLIN = {
    "country": "de",
    "country_display": "Germany",
    "region": "be",
    "region_display": "Berlin",
    "city": "berlin",
    "city_display": "Berlin",
}


def index_competitor_reason(
    a: BusinessRecord, b: BusinessRecord, depth: IsicDepth = "group"
) -> str | None:
    """What the vectorised index says about the pair: the competitor reason's words, or None.

    The two get a process exchange so that "competitor" is the only thing that can stop them."""
    learner = BusinessRecord(**{**_fields(a), "cells": {"marketing.seo": Cell(1, False, 3)}})
    host = BusinessRecord(
        **{**_fields(b), "cells": {"marketing.seo": Cell(5, True, 0)}, "hosting_capacity": 1}
    )
    index = MatchingIndex.from_records([learner, host], Taxonomy(["marketing.seo"]))
    answer = explain_pair(index, a.id, b.id, SuggestionQuery(isic_depth=depth))
    if isinstance(answer, NotSuggested):
        (reason,) = [r for r in answer.reasons if r.code == "competitor"]
        return reason.message
    return None


def _fields(record: BusinessRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def assert_compete(
    a: BusinessRecord, b: BusinessRecord, words: str, depth: IsicDepth = "group"
) -> None:
    assert competes(a, b, depth)
    assert competes(b, a, depth)
    assert industry_and_market_reason(a, b, depth) == words
    assert index_competitor_reason(a, b, depth) == f"competitor: {words}"


def assert_do_not_compete(a: BusinessRecord, b: BusinessRecord, depth: IsicDepth = "group") -> None:
    assert not competes(a, b, depth)
    assert not competes(b, a, depth)
    assert index_competitor_reason(a, b, depth) is None
    assert index_competitor_reason(b, a, depth) is None


def test_a_local_agency_in_pune_and_a_national_one_in_mumbai_compete_in_pune() -> None:
    pune_local = agency("pune-local")
    mumbai_national = agency("mumbai-national", market_reach="national", **MUMBAI)
    assert_compete(pune_local, mumbai_national, "same ISIC group 731; both serve Pune")


def test_two_local_agencies_in_pune_and_delhi_do_not_compete() -> None:
    assert_do_not_compete(agency("pune-local"), agency("delhi-local", **DELHI))


def test_two_local_agencies_in_the_same_city_compete() -> None:
    assert_compete(agency("one"), agency("two"), "same ISIC group 731; both serve Pune")


def test_an_international_firm_overlaps_every_market() -> None:
    berlin_world = agency("berlin-world", market_reach="international", **BERLIN)
    assert_compete(agency("pune-local"), berlin_world, "same ISIC group 731; both serve Pune")
    delhi_national = agency("delhi-national", market_reach="national", **DELHI)
    assert_compete(delhi_national, berlin_world, "same ISIC group 731; both serve India")


def test_two_international_firms_both_serve_the_whole_world() -> None:
    assert_compete(
        agency("pune-world", market_reach="international"),
        agency("berlin-world", market_reach="international", **BERLIN),
        "same ISIC group 731; both serve the whole world",
    )


def test_national_firms_compete_only_in_the_same_country() -> None:
    assert_compete(
        agency("delhi-national", market_reach="national", **DELHI),
        agency("pune-national", market_reach="national"),
        "same ISIC group 731; both serve India",
    )
    assert_do_not_compete(
        agency("pune-national", market_reach="national"),
        agency("berlin-national", market_reach="national", **BERLIN),
    )


def test_regional_firms_in_different_regions_do_not_compete() -> None:
    assert_do_not_compete(
        agency("maharashtra", market_reach="regional"),
        agency("karnataka", market_reach="regional", **KARNATAKA),
    )


def test_regional_firms_in_the_same_region_compete() -> None:
    assert_compete(
        agency("pune-regional", market_reach="regional"),
        agency("mumbai-regional", market_reach="regional", **MUMBAI),
        "same ISIC group 731; both serve Maharashtra",
    )


def test_a_regional_firm_competes_with_local_ones_inside_its_region_only() -> None:
    regional = agency("mumbai-regional", market_reach="regional", **MUMBAI)
    assert_compete(agency("pune-local"), regional, "same ISIC group 731; both serve Pune")
    assert_do_not_compete(agency("bengaluru-local", **KARNATAKA), regional)


def test_a_same_named_city_in_another_country_is_another_market() -> None:
    assert_do_not_compete(agency("pune-in"), agency("pune-de", **{**BERLIN, "city": "pune"}))


def test_different_industries_in_the_same_market_do_not_compete() -> None:
    assert_do_not_compete(agency("agency"), agency("design-studio", isic="7410"))


def test_the_isic_depth_is_configurable() -> None:
    advertising = agency("advertising")  # 7310: group 731, division 73, section M
    market_research = agency("market-research", isic="7320")  # group 732, division 73
    accounting = agency("accounting", isic="6920")  # division 69, section M
    assert_do_not_compete(advertising, market_research, "group")
    assert_compete(
        advertising, market_research, "same ISIC division 73; both serve Pune", "division"
    )
    assert_do_not_compete(advertising, accounting, "division")
    assert_compete(advertising, accounting, "same ISIC section M; both serve Pune", "section")


def test_class_depth_separates_classes_of_one_group() -> None:
    supermarket = agency("supermarket", isic="4711")
    corner_shop = agency("corner-shop", isic="4719")
    assert_compete(supermarket, corner_shop, "same ISIC group 471; both serve Pune", "group")
    assert_do_not_compete(supermarket, corner_shop, "class")


def test_a_firm_without_an_industry_code_competes_with_nobody_on_industry() -> None:
    assert_do_not_compete(agency("unknown", isic=""), agency("other", isic=""))


def test_an_exclusion_either_way_makes_firms_compete() -> None:
    pune = agency("pune-local")
    design = agency("design-studio", isic="7410", excluded=frozenset({"pune-local"}))
    assert competes(pune, design)
    assert competes(design, pune)
    assert industry_and_market_reason(pune, design) is None


def test_isic_codes_derive_the_section_from_the_division() -> None:
    assert isic_codes("7310") == (ord("M") - ord("A"), 73, 731, 7310)
    assert isic_codes("7310", "M") == isic_codes("7310")
    assert isic_codes("73") == (ord("M") - ord("A"), 73, -1, -1)
    assert isic_codes("") == (-1, -1, -1, -1)


@pytest.mark.parametrize(
    ("isic", "section", "message"),
    [
        ("73A0", "", "isic"),
        ("73100", "", "isic"),
        ("0410", "", "not in an ISIC Rev. 4 division"),
        ("7310", "C", "does not match"),
        ("7310", "MM", "isic_section"),
    ],
)
def test_bad_industry_codes_are_rejected_naming_the_field(
    isic: str, section: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        agency("bad", isic=isic, isic_section=section)
