"""/api/v1/businesses/{slug}/suggestions and …/suggestions/{other_slug}: typed answers,
paging, filters, problem+json errors, and who may ask."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.profiles import service as profiles_service
from exchange.profiles.models import Business
from tests.conftest import Client
from tests.matching_serving import STAR_CELLS, firm, rival_of_afreen

CONTENT_SENTENCE = "They: content marketing 5 · You: 1 · you need it: high"


def _api(make_client: Any, session: Session, settings: Settings, user: User) -> Client:
    issued = accounts_service.create_api_token(session, settings, user,
                                               ApiTokenCreate(name="suggestions"))
    session.commit()
    client: Client = make_client()
    return client.use_token(issued.token)


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    return body


def test_afreen_gets_rajeev_first_with_typed_explanations(
    make_client: Any, session: Session, settings: Settings, afreen: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    r = _api(make_client, session, settings, afreen).get(
        f"/api/v1/businesses/{afreen_firm.slug}/suggestions")
    assert r.status_code == 200
    body = r.json()
    assert body["business"] == afreen_firm.slug and body["next"] is None
    first = body["items"][0]
    assert first["partner"]["slug"] == rajeev_firm.slug
    assert first["partner"]["industry"] == "Specialized design activities"
    assert first["partner"]["country_name"] == "India"
    assert first["score"] == first["learn_value"] + first["teach_value"] + min(
        first["learn_value"], first["teach_value"])
    content = first["learn"][0]
    assert content == {
        "process": "marketing.content_marketing", "process_name": "content marketing",
        "department": "marketing", "partner_level": 5, "own_level": 1, "need": 3,
        "need_name": "high", "value": content["value"], "share": content["share"],
        "sentence": CONTENT_SENTENCE,
    }
    assert round(content["share"], 2) == 0.57
    assert [c["process"] for c in first["teach"]] == ["hr.recruitment"]


def test_pages_follow_with_next_links(
    make_client: Any, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    for i in range(3):
        firm(session, charlie, f"Content Studio {i}", city=f"Town {i}")
    api = _api(make_client, session, settings, afreen)
    seen: list[str] = []
    url: str | None = f"/api/v1/businesses/{afreen_firm.slug}/suggestions?limit=2"
    while url:
        body = api.get(url).json()
        seen.extend(item["partner"]["slug"] for item in body["items"])
        url = body["next"]
    assert len(seen) == 4 and len(set(seen)) == 4
    assert seen[-1] == rajeev_firm.slug


def test_filters_narrow_the_list(
    make_client: Any, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    firm(session, charlie, "Berlin Content Haus", country="DE", region="Berlin",
         city="Berlin", languages=["de"])
    api = _api(make_client, session, settings, afreen)
    url = f"/api/v1/businesses/{afreen_firm.slug}/suggestions"
    assert len(api.get(url).json()["items"]) == 2
    for name in ("same_country", "same_region", "common_language"):
        items = api.get(url, params={name: "true"}).json()["items"]
        assert [i["partner"]["slug"] for i in items] == [rajeev_firm.slug], name


def test_bad_parameters_are_problems_naming_the_field(
    make_client: Any, session: Session, settings: Settings, afreen: User,
    afreen_firm: Business,
) -> None:
    api = _api(make_client, session, settings, afreen)
    url = f"/api/v1/businesses/{afreen_firm.slug}/suggestions"
    for params, field in (({"isic_depth": "galaxy"}, "isic_depth"), ({"limit": "0"}, "limit"),
                          ({"limit": "101"}, "limit"), ({"same_country": "perhaps"},
                                                        "same_country"),
                          ({"offset": "450", "limit": "100"}, "offset")):
        body = _problem(api.get(url, params=params), 422)
        assert [e["field"] for e in body["errors"]] == [field], params


def test_explain_a_suggested_pair(
    make_client: Any, session: Session, settings: Settings, afreen: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    r = _api(make_client, session, settings, afreen).get(
        f"/api/v1/businesses/{afreen_firm.slug}/suggestions/{rajeev_firm.slug}")
    assert r.status_code == 200
    body = r.json()
    assert body["suggested"] is True and body["reasons"] == []
    assert body["suggestion"]["learn"][0]["sentence"] == CONTENT_SENTENCE


def test_explain_a_competitor_an_exclusion_and_what_the_excluded_side_reads(
    make_client: Any, session: Session, settings: Settings, afreen: User, rajeev: User,
    charlie: User, afreen_firm: Business, rajeev_firm: Business,
) -> None:
    rival = rival_of_afreen(session, charlie)
    profiles_service.set_exclusions(session, afreen_firm, [rajeev_firm.slug])
    session.commit()
    api = _api(make_client, session, settings, afreen)
    base = f"/api/v1/businesses/{afreen_firm.slug}/suggestions"
    assert api.get(base).json()["items"] == []
    competitor = api.get(f"{base}/{rival.slug}").json()
    assert competitor["suggested"] is False and competitor["suggestion"] is None
    assert competitor["reasons"] == [{"code": "competitor", "message":
                                      "competitor: same ISIC group 783; both serve India"}]
    excluded = api.get(f"{base}/{rajeev_firm.slug}").json()
    assert excluded["reasons"] == [{"code": "excluded", "message": "you excluded them"}]
    by_rajeev = _api(make_client, session, settings, rajeev).get(
        f"/api/v1/businesses/{rajeev_firm.slug}/suggestions/{afreen_firm.slug}").json()
    assert by_rajeev["reasons"] == [{"code": "not_available", "message": "not available"}]


def test_explain_with_filters_names_the_filter(
    make_client: Any, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business,
) -> None:
    berlin = firm(session, charlie, "Berlin Content Haus", country="DE", region="Berlin",
                  city="Berlin", languages=["de"])
    body = _api(make_client, session, settings, afreen).get(
        f"/api/v1/businesses/{afreen_firm.slug}/suggestions/{berlin.slug}",
        params={"same_country": "true", "common_language": "true"}).json()
    assert [r["code"] for r in body["reasons"]] == ["no_common_language", "different_country"]


def test_a_partner_without_a_free_place_is_not_offered_to_learn_from(
    make_client: Any, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business,
) -> None:
    full = firm(session, charlie, "Busy Studio", hosting_capacity=0)
    body = _api(make_client, session, settings, afreen).get(
        f"/api/v1/businesses/{afreen_firm.slug}/suggestions/{full.slug}").json()
    assert [r["code"] for r in body["reasons"]] == ["no_capacity"]


def test_an_archived_business_is_a_409_problem(
    make_client: Any, session: Session, settings: Settings, afreen: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    profiles_service.set_archived(session, afreen_firm, True)
    session.commit()
    api = _api(make_client, session, settings, afreen)
    body = _problem(api.get(f"/api/v1/businesses/{afreen_firm.slug}/suggestions"), 409)
    assert "archived" in body["detail"]
    _problem(api.get(f"/api/v1/businesses/{afreen_firm.slug}/suggestions/{rajeev_firm.slug}"),
             409)


# -- who may ask ----------------------------------------------------------------------------------


def test_a_stranger_gets_403_for_a_visible_firm_and_404_for_a_hidden_one(
    make_client: Any, session: Session, settings: Settings, charlie: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    api = _api(make_client, session, settings, charlie)
    _problem(api.get(f"/api/v1/businesses/{afreen_firm.slug}/suggestions"), 403)
    afreen_firm.visibility = "networks"
    session.add(afreen_firm)
    session.commit()
    _problem(api.get(f"/api/v1/businesses/{afreen_firm.slug}/suggestions"), 404)
    _problem(api.get(f"/api/v1/businesses/{afreen_firm.slug}/suggestions/{rajeev_firm.slug}"),
             404)


def test_a_partner_the_member_cannot_see_is_404_like_one_that_does_not_exist(
    make_client: Any, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business,
) -> None:
    hidden = firm(session, charlie, "Hidden Studio", STAR_CELLS, visibility="networks")
    api = _api(make_client, session, settings, afreen)
    base = f"/api/v1/businesses/{afreen_firm.slug}/suggestions"
    hidden_answer = _problem(api.get(f"{base}/{hidden.slug}"), 404)
    missing_answer = _problem(api.get(f"{base}/no-such-firm"), 404)
    assert hidden_answer == missing_answer


def test_anonymous_callers_get_401(client: Client, afreen_firm: Business) -> None:
    _problem(client.get(f"/api/v1/businesses/{afreen_firm.slug}/suggestions"), 401)


def test_the_routes_are_documented_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    listing = paths["/api/v1/businesses/{slug}/suggestions"]["get"]
    assert listing["summary"] == "Partner suggestions for your business (members)"
    assert {p["name"] for p in listing["parameters"]} >= {
        "limit", "offset", "same_country", "same_region", "common_language", "isic_depth"}
    assert "/api/v1/businesses/{slug}/suggestions/{other_slug}" in paths
