"""The demo data generator: reproducible, in the import shape, and shaped like real industries."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any

import pycountry
import pytest

from exchange.demo.generator import (
    AFREEN_ID,
    ARCHETYPES,
    COUNTRIES,
    MARKET_REACHES,
    RAJEEV_ID,
    SIZE_BANDS,
    archetype_for_isic,
    department_processes,
    generate_businesses,
    process_keys,
    reference_story,
    slugify,
)

POPULATION = 400
REQUIRED_FIELDS = {
    "id", "name", "description", "website", "isic", "country", "region", "city",
    "market_reach", "size_band", "languages", "hosting_capacity", "visibility", "excluded",
    "cells",
}  # fmt: skip
OPTIONAL_FIELDS = {"slug"}
CELL_FIELDS = {"process", "level", "offer", "need"}
OPTIONAL_CELL_FIELDS = {"target_level", "evidence"}


@cache
def isic_rows() -> dict[str, dict[str, Any]]:
    text = (
        resources.files("exchange")
        .joinpath("taxonomy", "data", "isic4.json")
        .read_text(encoding="utf-8")
    )
    return {row["code"]: row for row in json.loads(text)}


def isic_classes() -> set[str]:
    return {code for code, row in isic_rows().items() if row["level"] == "class"}


def isic_group(code: str) -> str:
    group: str = isic_rows()[code]["parent"]
    return group


@pytest.fixture(scope="module")
def businesses() -> list[dict[str, Any]]:
    return generate_businesses(POPULATION)


def assert_import_shape(record: dict[str, Any]) -> None:
    """One business as the import and the network sync API accept it."""
    assert REQUIRED_FIELDS <= set(record) <= REQUIRED_FIELDS | OPTIONAL_FIELDS
    assert isinstance(record["id"], str) and record["id"]
    assert record["name"] == record["name"].strip() and record["name"]
    assert record["description"]
    assert re.fullmatch(r"https://[a-z0-9-]+\.example", record["website"])
    if "slug" in record:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", record["slug"])
    assert record["isic"] in isic_classes()
    assert pycountry.countries.get(alpha_2=record["country"]) is not None
    assert record["region"] and record["city"]
    assert record["market_reach"] in MARKET_REACHES
    assert record["size_band"] in SIZE_BANDS
    assert record["languages"] and len(record["languages"]) == len(set(record["languages"]))
    for language in record["languages"]:
        assert pycountry.languages.get(alpha_2=language) is not None, language
    assert type(record["hosting_capacity"]) is int and record["hosting_capacity"] >= 1
    assert record["visibility"] in ("public", "networks")
    assert isinstance(record["excluded"], list)
    assert record["id"] not in record["excluded"]

    processes = [cell["process"] for cell in record["cells"]]
    assert len(processes) == len(set(processes)), record["id"]
    for cell in record["cells"]:
        assert CELL_FIELDS <= set(cell) <= CELL_FIELDS | OPTIONAL_CELL_FIELDS
        assert cell["process"] in process_keys()
        assert type(cell["level"]) is int and 0 <= cell["level"] <= 5
        assert type(cell["need"]) is int and 0 <= cell["need"] <= 3
        assert type(cell["offer"]) is bool
        if "target_level" in cell:
            assert cell["level"] < cell["target_level"] <= 5
        if "evidence" in cell:
            assert 0 < len(cell["evidence"]) <= 500


def department_mean(business: dict[str, Any], department: str) -> float:
    """Mean level over all the department's processes, counting unrecorded ones as 0."""
    levels: dict[str, int] = {cell["process"]: cell["level"] for cell in business["cells"]}
    keys = department_processes()[department]
    return sum(levels.get(key, 0) for key in keys) / len(keys)


# --- Reproducibility and shape ---------------------------------------------------------------


def test_the_same_seed_gives_the_same_businesses() -> None:
    assert generate_businesses(60, seed=3) == generate_businesses(60, seed=3)


def test_a_different_seed_gives_different_businesses() -> None:
    assert generate_businesses(60, seed=3) != generate_businesses(60, seed=4)


def test_the_default_seed_is_stable() -> None:
    assert generate_businesses(25) == generate_businesses(25, seed=7)


def test_zero_businesses_is_an_empty_list_and_negative_is_refused() -> None:
    assert generate_businesses(0) == []
    with pytest.raises(ValueError, match="must not be negative"):
        generate_businesses(-1)


def test_every_business_has_the_import_shape(businesses: list[dict[str, Any]]) -> None:
    assert len(businesses) == POPULATION
    for business in businesses:
        assert_import_shape(business)


def test_the_records_survive_a_json_round_trip(businesses: list[dict[str, Any]]) -> None:
    assert json.loads(json.dumps(businesses)) == businesses


def test_ids_names_and_slugs_are_unique(businesses: list[dict[str, Any]]) -> None:
    for field in ("id", "name", "slug", "website"):
        values = [business[field] for business in businesses]
        assert len(values) == len(set(values)), field
    assert businesses[0]["id"] == "ext-0001"
    assert businesses[-1]["id"] == f"ext-{POPULATION:04d}"
    for business in businesses:
        assert business["slug"] == slugify(business["name"])


def test_names_stay_unique_in_a_large_population() -> None:
    population = generate_businesses(3000, seed=11)
    assert len({business["slug"] for business in population}) == 3000


def test_each_business_fills_ten_to_thirty_cells(businesses: list[dict[str, Any]]) -> None:
    for business in businesses:
        non_zero = [cell for cell in business["cells"] if cell["level"] or cell["need"]]
        assert 10 <= len(non_zero) <= 30, business["id"]


# --- Realism ---------------------------------------------------------------------------------


def test_every_archetype_uses_real_isic_classes_and_real_processes() -> None:
    seen: set[str] = set()
    for archetype in ARCHETYPES:
        for code in archetype.isic_classes:
            assert code in isic_classes(), (archetype.key, code)
            assert code not in seen, f"{code} belongs to two archetypes"
            seen.add(code)
        for key in archetype.strengths + archetype.typical_needs:
            assert key in process_keys(), (archetype.key, key)
        for department in archetype.core + archetype.secondary:
            assert department in department_processes(), (archetype.key, department)
    assert len(ARCHETYPES) >= 25


def test_a_few_hundred_businesses_cover_every_archetype(
    businesses: list[dict[str, Any]],
) -> None:
    kinds = Counter(archetype_for_isic(business["isic"]) for business in businesses)
    assert None not in kinds
    assert set(kinds) == set(ARCHETYPES)
    assert max(kinds.values()) < 0.15 * POPULATION


@pytest.mark.parametrize(
    ("archetype_key", "department"),
    [
        ("logistics", "supply_chain"),
        ("design_studio", "design"),
        ("accounting", "finance"),
        ("software", "it"),
        ("restaurant", "operations"),
        ("restaurant", "customer_service"),
        ("staffing", "hr"),
        ("marketing_agency", "marketing"),
        ("textile_mill", "production"),
    ],
)
def test_firms_are_strong_where_their_industry_is(
    businesses: list[dict[str, Any]], archetype_key: str, department: str
) -> None:
    members = [
        business
        for business in businesses
        if (kind := archetype_for_isic(business["isic"])) and kind.key == archetype_key
    ]
    assert len(members) >= 5
    population_mean = statistics.mean(department_mean(b, department) for b in businesses)
    industry_mean = statistics.mean(department_mean(b, department) for b in members)
    assert industry_mean > 1.5 * population_mean


def test_offers_sit_mostly_on_level_four_or_more(businesses: list[dict[str, Any]]) -> None:
    offered = [cell for business in businesses for cell in business["cells"] if cell["offer"]]
    strong = [cell for cell in offered if cell["level"] >= 4]
    assert len(strong) >= 0.9 * len(offered)
    assert all(cell["level"] >= 3 for cell in offered)
    assert not [cell for cell in offered if cell["need"]]


def test_most_firms_offer_something_and_every_firm_needs_something(
    businesses: list[dict[str, Any]],
) -> None:
    offering = [b for b in businesses if any(cell["offer"] for cell in b["cells"])]
    assert len(offering) >= 0.9 * POPULATION
    for business in businesses:
        assert any(cell["need"] for cell in business["cells"]), business["id"]


def test_needs_sit_on_weak_processes(businesses: list[dict[str, Any]]) -> None:
    needs = [cell for business in businesses for cell in business["cells"] if cell["need"]]
    weak = [cell for cell in needs if cell["level"] <= 2]
    assert len(weak) >= 0.9 * len(needs)


def test_some_cells_carry_evidence(businesses: list[dict[str, Any]]) -> None:
    evidence = [
        cell["evidence"] for business in businesses for cell in business["cells"]
        if "evidence" in cell
    ]  # fmt: skip
    assert len(evidence) > POPULATION
    assert len(set(evidence)) > 0.5 * len(evidence)


def test_places_are_real_cities_in_their_regions(businesses: list[dict[str, Any]]) -> None:
    places = {
        (country.code, city.region, city.name) for country in COUNTRIES for city in country.cities
    }
    for business in businesses:
        assert (business["country"], business["region"], business["city"]) in places
    countries = Counter(business["country"] for business in businesses)
    assert set(countries) == {"IN", "GB", "DE", "KE", "US", "BR"}
    assert countries.most_common(1)[0][0] == "IN"


def test_languages_fit_the_country(businesses: list[dict[str, Any]]) -> None:
    expected = {"IN": "en", "GB": "en", "DE": "de", "KE": "sw", "US": "en", "BR": "pt"}
    for business in businesses:
        assert expected[business["country"]] in business["languages"], business["id"]


def test_market_reach_and_size_are_spread_plausibly(businesses: list[dict[str, Any]]) -> None:
    reaches = Counter(business["market_reach"] for business in businesses)
    assert set(reaches) == set(MARKET_REACHES)
    assert max(reaches.values()) < 0.5 * POPULATION
    sizes = Counter(business["size_band"] for business in businesses)
    assert sizes["1-9"] + sizes["10-49"] > 0.6 * POPULATION
    assert sizes["250+"] > 0


def test_local_trades_serve_locally(businesses: list[dict[str, Any]]) -> None:
    local_kinds = {"restaurant", "auto_service", "clinic"}
    reaches = [
        business["market_reach"]
        for business in businesses
        if (kind := archetype_for_isic(business["isic"])) and kind.key in local_kinds
    ]
    assert "international" not in reaches
    assert Counter(reaches)["local"] > 0.5 * len(reaches)


def test_a_few_firms_exclude_others_by_id(businesses: list[dict[str, Any]]) -> None:
    ids = {business["id"] for business in businesses}
    excluding = [business for business in businesses if business["excluded"]]
    assert 0 < len(excluding) < 0.1 * POPULATION
    for business in excluding:
        assert set(business["excluded"]) <= ids - {business["id"]}
        assert 1 <= len(business["excluded"]) <= 2


# --- The reference story -----------------------------------------------------------------------


def story() -> dict[str, dict[str, Any]]:
    return {business["id"]: business for business in reference_story()}


def cells_of(business: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {cell["process"]: cell for cell in business["cells"]}


def test_the_story_has_afreens_and_rajeevs_firms_in_the_import_shape() -> None:
    assert sorted(story()) == sorted([AFREEN_ID, RAJEEV_ID])
    for business in story().values():
        assert_import_shape(business)
    assert story()[AFREEN_ID]["city"] == "Pune"
    assert story()[AFREEN_ID]["market_reach"] == "national"


def test_story_ids_and_names_never_clash_with_generated_ones(
    businesses: list[dict[str, Any]],
) -> None:
    for field in ("id", "name", "slug"):
        generated = {business[field] for business in businesses}
        assert not generated & {business[field] for business in story().values()}


def test_afreen_and_rajeev_do_not_compete() -> None:
    afreen, rajeev = story()[AFREEN_ID], story()[RAJEEV_ID]
    assert afreen["isic"] == "7830"
    assert rajeev["isic"] == "7410"
    assert isic_group(afreen["isic"]) != isic_group(rajeev["isic"])
    assert RAJEEV_ID not in afreen["excluded"] and AFREEN_ID not in rajeev["excluded"]


def test_afreen_wins_clients_with_paid_ads_but_needs_organic_leads() -> None:
    afreen = cells_of(story()[AFREEN_ID])
    ads = afreen["marketing.paid_advertising"]
    assert ads["level"] >= 4 and ads["offer"]
    assert "75% of new clients come from paid ads" in ads["evidence"]
    for process in ("marketing.lead_generation", "marketing.content_marketing"):
        assert afreen[process]["level"] == 1
        assert afreen[process]["need"] == 3
    assert afreen["hr.recruitment"]["level"] >= 4 and afreen["hr.recruitment"]["offer"]


def test_rajeev_can_teach_what_afreen_needs_and_learn_what_she_offers() -> None:
    afreen, rajeev = cells_of(story()[AFREEN_ID]), cells_of(story()[RAJEEV_ID])
    assert rajeev["marketing.content_marketing"]["level"] == 5
    for process, cell in afreen.items():
        if cell["need"] >= 2 and process.startswith("marketing."):
            assert rajeev[process]["offer"] and rajeev[process]["level"] >= 4, process
    assert rajeev["hr.recruitment"]["need"] == 3
    assert rajeev["finance.invoicing_collections"]["need"] == 2
    for process, cell in rajeev.items():
        if cell["need"] >= 2:
            assert afreen[process]["offer"] and afreen[process]["level"] >= 4, process
