"""Partner suggestions and "why not?" answers, told with the product's personas.

Afreen runs a gig-staffing firm in Pune: paid ads are her strength (level 5), organic lead
generation and content marketing are weak (level 1) and she needs them badly. Rajeev runs a UI/UX
consultancy whose content team is excellent (content marketing 5, lead generation 4, both offered);
he needs help with recruitment and invoicing, which Afreen runs well and offers. Charlie runs a
design studio in Pune that competes with Rajeev. Dev runs a bakery with nothing in common.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from exchange.matching import (
    BusinessRecord,
    Cell,
    MatchingIndex,
    NotSuggested,
    ProcessContribution,
    Suggestion,
    SuggestionQuery,
    Taxonomy,
    UnknownBusinessError,
    describe_contribution,
    explain_pair,
    learn_edges,
    learn_matrix,
    suggest_partners,
)

PROCESSES = [
    "marketing.paid_advertising",
    "marketing.lead_generation",
    "marketing.content_marketing",
    "marketing.seo",
    "hr.recruitment",
    "hr.onboarding",
    "hr.payroll_admin",
    "finance.bookkeeping",
    "finance.invoicing_collections",
    "finance.cash_flow",
    "design.ui_design",
    "design.user_research",
]
PUNE = {
    "country": "in",
    "country_display": "India",
    "region": "mh",
    "region_display": "Maharashtra",
    "city": "pune",
    "city_display": "Pune",
}


def taxonomy() -> Taxonomy:
    return Taxonomy(PROCESSES, {"finance.invoicing_collections": "invoicing and collections"})


def afreen(**changes: Any) -> BusinessRecord:
    fields: dict[str, Any] = {
        "id": "afreen",
        "name": "Afreen's gig staffing",
        "isic": "7830",
        **PUNE,
        "market_reach": "national",
        "hosting_capacity": 2,
        "languages": frozenset({"en", "hi"}),
        "networks": frozenset({"pune-chamber"}),
        "cells": {
            "marketing.paid_advertising": Cell(5, True, 0),
            "marketing.lead_generation": Cell(1, False, 3),
            "marketing.content_marketing": Cell(1, False, 3),
            "hr.recruitment": Cell(5, True, 0),
            "hr.onboarding": Cell(4, True, 0),
            "finance.invoicing_collections": Cell(5, True, 0),
            "finance.bookkeeping": Cell(3, False, 0),
        },
    }
    return BusinessRecord(**{**fields, **changes})


def rajeev(**changes: Any) -> BusinessRecord:
    fields: dict[str, Any] = {
        "id": "rajeev",
        "name": "Rajeev's UI/UX consultancy",
        "isic": "7410",
        **PUNE,
        "market_reach": "international",
        "hosting_capacity": 1,
        "languages": frozenset({"en", "mr"}),
        "cells": {
            "marketing.content_marketing": Cell(5, True, 0),
            "marketing.lead_generation": Cell(4, True, 0),
            "marketing.seo": Cell(4, False, 0),
            "design.ui_design": Cell(5, True, 0),
            "design.user_research": Cell(5, False, 0),
            "hr.recruitment": Cell(1, False, 2),
            "finance.invoicing_collections": Cell(2, False, 2),
            "finance.cash_flow": Cell(2, False, 1),
        },
    }
    return BusinessRecord(**{**fields, **changes})


def charlie(**changes: Any) -> BusinessRecord:
    """A Pune design studio, same ISIC group as Rajeev: his competitor, not Afreen's."""
    fields: dict[str, Any] = {
        "id": "charlie",
        "name": "Charlie's design studio",
        "isic": "7410",
        **PUNE,
        "market_reach": "local",
        "hosting_capacity": 1,
        "cells": {
            "marketing.content_marketing": Cell(4, True, 0),
            "design.ui_design": Cell(2, False, 3),
            "hr.recruitment": Cell(1, False, 1),
        },
    }
    return BusinessRecord(**{**fields, **changes})


def dev() -> BusinessRecord:
    fields: dict[str, Any] = {
        "id": "dev",
        "name": "Dev's bakery",
        "isic": "1071",
        **PUNE,
        "hosting_capacity": 1,
        "cells": {"finance.bookkeeping": Cell(2, False, 0)},
    }
    return BusinessRecord(**fields)


def build(*records: BusinessRecord) -> MatchingIndex:
    return MatchingIndex.from_records(records or (afreen(), rajeev(), charlie(), dev()), taxonomy())


def partners(index: MatchingIndex, business_id: str, **query: Any) -> list[str]:
    return [s.partner_id for s in suggest_partners(index, business_id, SuggestionQuery(**query))]


def only(index: MatchingIndex, asker: str, partner: str, **query: Any) -> Suggestion:
    answer = explain_pair(index, asker, partner, SuggestionQuery(**query))
    assert isinstance(answer, Suggestion), answer
    return answer


def refusal(index: MatchingIndex, asker: str, partner: str, **query: Any) -> NotSuggested:
    answer = explain_pair(index, asker, partner, SuggestionQuery(**query))
    assert isinstance(answer, NotSuggested), answer
    return answer


# --- what Afreen and Rajeev see --------------------------------------------------------------


def test_afreen_is_offered_rajeev_for_content_marketing_and_lead_generation() -> None:
    (first, *_) = suggest_partners(build(), "afreen")
    assert first.partner_id == "rajeev"
    assert first.partner_name == "Rajeev's UI/UX consultancy"
    assert [c.process for c in first.learn] == [
        "marketing.content_marketing",
        "marketing.lead_generation",
    ]
    assert first.sentences(limit=1) == [
        "They: content marketing 5 · You: 1 · you need it: high",
        "You: recruitment 5 · They: 1 · they need it: medium",
    ]


def test_the_learn_value_is_need_times_gap_times_the_department_weight() -> None:
    suggestion = only(build(), "afreen", "rajeev")
    # Afreen runs 3 of the 4 marketing processes: weight 0.5 + 0.5 * 3/4 = 0.875.
    content, lead_generation = suggestion.learn
    assert content == ProcessContribution(
        process="marketing.content_marketing",
        department="marketing",
        partner_level=5,
        own_level=1,
        need=3,
        value=10.5,  # 3 * (5 - 1) * 0.875
        share=10.5 / 18.375,
        direction="learn",
        process_name="content marketing",
        weight=0.875,
    )
    assert lead_generation.value == 7.875  # 3 * (4 - 1) * 0.875
    assert suggestion.learn_value == 18.375


def test_rajeev_learns_recruitment_and_invoicing_from_afreen() -> None:
    index = build()
    suggestion = only(index, "rajeev", "afreen")
    # Rajeev: hr 1 of 3 processes -> weight 2/3; finance 2 of 3 -> weight 5/6.
    recruitment, invoicing = suggestion.learn
    assert (recruitment.process, invoicing.process) == (
        "hr.recruitment",
        "finance.invoicing_collections",
    )
    assert recruitment.value == pytest.approx(2 * 4 * 2 / 3)
    assert invoicing.value == pytest.approx(2 * 3 * 5 / 6)
    assert suggestion.teach_value == only(index, "afreen", "rajeev").learn_value
    assert suggestion.learn_value == only(index, "afreen", "rajeev").teach_value


def test_the_teaching_side_is_described_from_the_askers_point_of_view() -> None:
    suggestion = only(build(), "afreen", "rajeev")
    recruitment, invoicing = suggestion.teach
    assert (recruitment.partner_level, recruitment.own_level, recruitment.need) == (1, 5, 2)
    assert describe_contribution(invoicing) == (
        "You: invoicing and collections 5 · They: 2 · they need it: medium"
    )
    assert describe_contribution(invoicing, {"finance.invoicing_collections": "billing"}) == (
        "You: billing 5 · They: 2 · they need it: medium"
    )


def test_the_mutual_score_counts_the_reciprocated_part_twice() -> None:
    suggestion = only(build(), "afreen", "rajeev")
    learn, teach = suggestion.learn_value, suggestion.teach_value
    assert suggestion.score == pytest.approx(learn + teach + min(learn, teach))
    assert suggestion.score == only(build(), "rajeev", "afreen").score


def test_a_need_in_a_department_barely_run_still_counts_at_half_weight_or_more() -> None:
    lone_need = afreen(cells={"hr.payroll_admin": Cell(0, False, 1)})
    host = rajeev(cells={"hr.payroll_admin": Cell(5, True, 0)})
    (contribution,) = only(build(lone_need, host), "afreen", "rajeev").learn
    assert contribution.weight == pytest.approx(0.5 + 0.5 / 3)
    assert contribution.value == pytest.approx(1 * 5 * (0.5 + 0.5 / 3))


def test_a_process_offered_below_the_host_minimum_level_is_not_a_strength() -> None:
    index = build()
    assert [c.process for c in only(index, "afreen", "rajeev", host_min_level=5).learn] == [
        "marketing.content_marketing"
    ]


def test_suggestion_shares_add_up_to_one_per_direction() -> None:
    suggestion = only(build(), "afreen", "rajeev")
    assert sum(c.share for c in suggestion.learn) == pytest.approx(1)
    assert sum(c.share for c in suggestion.teach) == pytest.approx(1)


def test_explain_pair_gives_the_suggestion_the_list_gives() -> None:
    index = build()
    for asker in ("afreen", "rajeev", "charlie"):
        for suggestion in suggest_partners(index, asker):
            assert explain_pair(index, asker, suggestion.partner_id) == suggestion


# --- who is never shown ----------------------------------------------------------------------


def test_a_business_never_sees_itself() -> None:
    index = build()
    assert "afreen" not in partners(index, "afreen")
    assert refusal(index, "afreen", "afreen").codes == ("self",)


def test_rajeev_never_sees_charlie_his_competitor_and_is_told_why() -> None:
    index = build()
    assert "charlie" not in partners(index, "rajeev")
    assert "rajeev" not in partners(index, "charlie")
    (reason,) = refusal(index, "rajeev", "charlie").reasons
    assert reason.code == "competitor"
    assert reason.message == "competitor: same ISIC group 741; both serve Pune"


def test_afreen_who_does_not_compete_with_charlie_sees_him() -> None:
    assert "charlie" in partners(build(), "afreen")


def test_afreen_who_excluded_rajeev_is_told_she_excluded_him() -> None:
    index = build(afreen(excluded=frozenset({"rajeev"})), rajeev())
    assert partners(index, "afreen") == []
    (reason,) = refusal(index, "afreen", "rajeev").reasons
    assert (reason.code, reason.message) == ("excluded", "you excluded them")


def test_rajeev_whom_afreen_excluded_reads_only_not_available() -> None:
    index = build(afreen(excluded=frozenset({"rajeev"})), rajeev())
    assert partners(index, "rajeev") == []
    (reason,) = refusal(index, "rajeev", "afreen").reasons
    assert (reason.code, reason.message) == ("not_available", "not available")


def test_no_wording_ever_says_the_partner_excluded_the_asker() -> None:
    records = [afreen(excluded=frozenset({"rajeev"})), rajeev(excluded=frozenset({"afreen"}))]
    index = build(*records)
    messages = [
        reason.message
        for asker, partner in (("afreen", "rajeev"), ("rajeev", "afreen"))
        for reason in refusal(index, asker, partner).reasons
    ]
    assert messages == ["you excluded them", "you excluded them"]
    one_sided = build(afreen(excluded=frozenset({"rajeev"})), rajeev())
    for reason in refusal(one_sided, "rajeev", "afreen").reasons:
        assert "exclud" not in reason.message
        assert "block" not in reason.message


def test_dev_with_nothing_in_common_is_told_there_is_no_overlap() -> None:
    index = build()
    assert "dev" not in partners(index, "afreen")
    assert refusal(index, "afreen", "dev").codes == ("no_overlap",)
    assert partners(index, "dev") == []


def test_a_full_host_is_not_offered_to_someone_who_would_intern_there() -> None:
    index = build(afreen(), rajeev(current_load=1))  # capacity 1, hosting one intern already
    assert "rajeev" not in partners(index, "afreen")
    assert refusal(index, "afreen", "rajeev").codes == ("no_capacity",)
    assert partners(index, "afreen", require_capacity=False) == ["rajeev"]


def test_a_full_business_is_still_offered_to_those_it_would_only_learn_from() -> None:
    learner_only = rajeev(
        current_load=1,
        cells={"hr.recruitment": Cell(1, False, 2)},  # Rajeev has nothing left to teach
    )
    index = build(afreen(), learner_only)
    (suggestion,) = suggest_partners(index, "afreen")
    assert (suggestion.partner_id, suggestion.learn_value) == ("rajeev", 0.0)


def test_a_networks_only_business_is_hidden_outside_its_networks_and_says_nothing_more() -> None:
    hidden = rajeev(visibility="networks", networks=frozenset({"design-guild"}))
    index = build(afreen(), hidden, charlie())
    assert "rajeev" not in partners(index, "afreen")
    assert refusal(index, "afreen", "rajeev").codes == ("not_visible",)
    # Even Charlie, his competitor, learns only that Rajeev is not visible.
    assert refusal(index, "charlie", "rajeev").codes == ("not_visible",)


def test_a_networks_only_business_is_visible_to_fellow_members() -> None:
    hidden = rajeev(visibility="networks", networks=frozenset({"pune-chamber"}))
    assert partners(build(afreen(), hidden), "afreen") == ["rajeev"]


# --- options ---------------------------------------------------------------------------------


def test_require_common_language() -> None:
    index = build(afreen(), rajeev(languages=frozenset({"mr"})))
    assert partners(index, "afreen", require_common_language=True) == []
    assert refusal(index, "afreen", "rajeev", require_common_language=True).codes == (
        "no_common_language",
    )
    assert partners(build(), "afreen", require_common_language=True)[0] == "rajeev"


def test_same_country_and_same_region() -> None:
    bengaluru = rajeev(region="ka", city="bengaluru")
    index = build(afreen(), bengaluru)
    assert partners(index, "afreen", same_country=True) == ["rajeev"]
    assert partners(index, "afreen", same_region=True) == []
    berlin = rajeev(country="de", region="be", city="berlin")
    assert refusal(build(afreen(), berlin), "afreen", "rajeev", same_country=True).codes == (
        "different_country",
    )


def test_within_networks_keeps_only_members_of_the_chosen_networks() -> None:
    member = rajeev(networks=frozenset({"design-guild"}))
    index = build(afreen(), member, charlie())
    assert partners(index, "afreen", within_networks=frozenset({"design-guild"})) == ["rajeev"]
    assert refusal(
        index, "afreen", "charlie", within_networks=frozenset({"design-guild"})
    ).codes == ("outside_networks",)


def test_require_learn_and_min_learn() -> None:
    pupil = rajeev(id="pupil", cells={"hr.recruitment": Cell(1, False, 2)})  # teaches nothing
    index = build(afreen(), rajeev(), pupil)
    assert partners(index, "afreen") == ["rajeev", "pupil"]
    assert partners(index, "afreen", require_learn=True) == ["rajeev"]
    assert refusal(index, "afreen", "pupil", require_learn=True).codes == ("below_min_learn",)
    assert partners(index, "afreen", min_learn=18.375) == ["rajeev"]
    assert partners(index, "afreen", min_learn=18.4) == []


def test_prefer_nearby_and_prefer_shared_networks_weight_the_score() -> None:
    mumbai = rajeev(id="rajeev-mumbai", city="mumbai")
    index = build(afreen(), rajeev(), mumbai)
    plain = {s.partner_id: s.score for s in suggest_partners(index, "afreen")}
    assert plain["rajeev"] == plain["rajeev-mumbai"]
    near = {
        s.partner_id: s.score
        for s in suggest_partners(index, "afreen", SuggestionQuery(prefer_nearby=1.0))
    }
    assert near["rajeev"] == pytest.approx(2 * plain["rajeev"])
    assert near["rajeev-mumbai"] == pytest.approx(1.5 * plain["rajeev"])
    fellow = rajeev(id="rajeev-fellow", networks=frozenset({"pune-chamber"}))
    index = build(afreen(), rajeev(), fellow)
    assert partners(index, "afreen", prefer_shared_networks=0.1) == ["rajeev-fellow", "rajeev"]


def test_ties_are_broken_by_partner_id() -> None:
    twins = [rajeev(id=twin_id) for twin_id in ("rajeev-c", "rajeev-a", "rajeev-b")]
    index = build(afreen(), *twins)
    assert partners(index, "afreen") == ["rajeev-a", "rajeev-b", "rajeev-c"]
    assert partners(index, "afreen", limit=2) == ["rajeev-a", "rajeev-b"]


def test_the_limit_caps_the_list() -> None:
    hosts = [rajeev(id=f"host-{i:02d}") for i in range(30)]
    index = build(afreen(), *hosts)
    assert len(partners(index, "afreen")) == 20
    assert len(partners(index, "afreen", limit=5)) == 5


@pytest.mark.parametrize(
    "bad",
    [{"limit": 0}, {"host_min_level": 6}, {"isic_depth": "family"}, {"min_learn": -1.0}],
)
def test_bad_query_options_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        SuggestionQuery(**bad)


def test_an_unknown_business_is_a_clear_error() -> None:
    index = build()
    with pytest.raises(UnknownBusinessError):
        suggest_partners(index, "nobody")
    with pytest.raises(UnknownBusinessError):
        explain_pair(index, "afreen", "nobody")


# --- building and updating the index ---------------------------------------------------------


def test_process_keys_outside_the_taxonomy_are_added_with_their_department() -> None:
    exotic = afreen(cells={**afreen().cells, "marketing.podcasts": Cell(0, False, 2)})
    host = rajeev(cells={**rajeev().cells, "marketing.podcasts": Cell(5, True, 0)})
    index = build(exotic, host)
    assert "marketing.podcasts" in index.taxonomy
    podcasts = [c for c in only(index, "afreen", "rajeev").learn if c.process.endswith("podcasts")]
    assert podcasts[0].department == "marketing"
    assert podcasts[0].process_name == "podcasts"
    # Marketing now has 5 processes and Afreen runs 4 of them.
    assert podcasts[0].weight == pytest.approx(0.5 + 0.5 * 4 / 5)


def test_a_process_key_without_a_department_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"department\.process"):
        Taxonomy(["podcasts"])


def test_cells_out_of_range_are_rejected_naming_business_and_process() -> None:
    with pytest.raises(ValueError, match=r"afreen, marketing\.seo"):
        build(afreen(cells={"marketing.seo": Cell(6, False, 0)}))
    index = build()
    with pytest.raises(ValueError, match=r"rajeev, hr\.onboarding"):
        index.upsert(rajeev(cells={"hr.onboarding": Cell(2, False, 4)}))


def test_a_cell_must_be_level_offer_need() -> None:
    broken: dict[str, Any] = {"marketing.seo": (5, True)}
    with pytest.raises(ValueError, match=r"afreen, marketing\.seo: a cell is"):
        build(afreen(cells=broken))
    with pytest.raises(ValueError, match=r"afreen, marketing\.seo: a cell is"):
        build().upsert(afreen(cells=broken))


def test_bad_record_fields_are_rejected() -> None:
    with pytest.raises(ValueError, match="market_reach"):
        afreen(market_reach="galactic")
    with pytest.raises(ValueError, match="hosting_capacity"):
        afreen(hosting_capacity=-1)
    with pytest.raises(ValueError, match="visibility"):
        afreen(visibility="secret")


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate id 'afreen'"):
        build(afreen(), afreen())


def test_building_from_arrays_matches_building_from_records() -> None:
    records = [afreen(), rajeev(), charlie(), dev()]
    tax = taxonomy()
    shape = (len(records), len(tax))
    level, offer, need = np.zeros(shape, np.int8), np.zeros(shape, bool), np.zeros(shape, np.int8)
    for row, record in enumerate(records):
        for key, (cell_level, cell_offer, cell_need) in record.cells.items():
            position = tax.index_of(key)
            level[row, position] = cell_level
            offer[row, position] = cell_offer
            need[row, position] = cell_need

    def column(name: str) -> list[Any]:
        return [getattr(record, name) for record in records]

    from_arrays = MatchingIndex.from_arrays(
        tax, ids=column("id"), names=column("name"), level=level, offer=offer, need=need,
        isic=column("isic"), country=column("country"), region=column("region"),
        city=column("city"), market_reach=column("market_reach"),
        hosting_capacity=column("hosting_capacity"), current_load=column("current_load"),
        visibility=column("visibility"), networks=column("networks"),
        languages=column("languages"), excluded=column("excluded"),
        city_display=column("city_display"), region_display=column("region_display"),
        country_display=column("country_display"),
    )  # fmt: skip
    from_records = build(*records)
    for record in records:
        assert suggest_partners(from_arrays, record.id) == suggest_partners(from_records, record.id)
    assert explain_pair(from_arrays, "rajeev", "charlie") == explain_pair(
        from_records, "rajeev", "charlie"
    )


def test_from_arrays_rejects_bad_shapes_and_values() -> None:
    tax = taxonomy()
    good = np.zeros((1, len(tax)), np.int8)
    with pytest.raises(ValueError, match="level: expected shape"):
        MatchingIndex.from_arrays(tax, ids=["a"], level=good[:, :3], offer=good, need=good)
    bad_need = good.copy()
    bad_need[0, 4] = 9
    with pytest.raises(ValueError, match=r"a, hr\.recruitment"):
        MatchingIndex.from_arrays(tax, ids=["a"], level=good, offer=good, need=bad_need)
    with pytest.raises(ValueError, match="market_reach"):
        MatchingIndex.from_arrays(
            tax, ids=["a"], level=good, offer=good, need=good, market_reach=["orbital"]
        )


def test_upsert_adds_replaces_and_remove_forgets() -> None:
    index = build(afreen(), rajeev())
    index.upsert(charlie())
    assert "charlie" in partners(index, "afreen")
    index.upsert(charlie(cells={}))
    assert "charlie" not in partners(index, "afreen")
    index.remove("rajeev")
    assert "rajeev" not in index
    assert partners(index, "afreen") == []
    with pytest.raises(UnknownBusinessError):
        explain_pair(index, "afreen", "rajeev")
    index.upsert(rajeev())
    assert partners(index, "afreen") == ["rajeev"]
    assert len(index) == 3


def test_an_exclusion_follows_the_excluder_through_updates() -> None:
    index = build(afreen(excluded=frozenset({"rajeev"})), rajeev())
    assert partners(index, "rajeev") == []
    index.upsert(afreen())  # Afreen lifts the exclusion
    assert partners(index, "rajeev") == ["afreen"]
    index.remove("afreen")
    index.upsert(afreen(excluded=frozenset({"rajeev"})))
    assert partners(index, "rajeev") == []


# --- the exchange-round view -----------------------------------------------------------------


def test_learn_matrix_holds_what_each_member_learns_from_each_other() -> None:
    index = build()
    members = ["afreen", "rajeev", "charlie", "dev"]
    values = learn_matrix(index, members)
    afreen_rajeev = only(index, "afreen", "rajeev")
    assert values[0, 1] == afreen_rajeev.learn_value
    assert values[1, 0] == afreen_rajeev.teach_value
    assert values[0, 2] == only(index, "afreen", "charlie").learn_value
    assert values[2, 0] == only(index, "afreen", "charlie").teach_value
    assert values[1, 2] == values[2, 1] == 0.0  # Rajeev and Charlie compete
    assert np.all(np.diag(values) == 0.0)
    assert np.all(values[3] == 0.0)


def test_learn_matrix_applies_exclusions_both_ways() -> None:
    index = build(afreen(), rajeev(excluded=frozenset({"afreen"})))
    assert not learn_matrix(index, ["afreen", "rajeev"]).any()


def test_learn_edges_lists_who_would_host_whom() -> None:
    index = build()
    edges = learn_edges(index, ["afreen", "rajeev", "charlie"])
    assert {(learner, host) for learner, host, _ in edges} == {
        ("afreen", "rajeev"),
        ("rajeev", "afreen"),
        ("afreen", "charlie"),
        ("charlie", "afreen"),
    }
    assert all(value > 0 for *_, value in edges)
