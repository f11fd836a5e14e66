"""Business profiles over the API: create, read, edit, archive, exclusions, directory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.profiles.models import Business, BusinessMembership
from tests.conftest import Client
from tests.support.factories import AFREEN_FIRM


def _token(session: Session, settings: Settings, user: User) -> str:
    issued = accounts_service.create_api_token(session, settings, user, ApiTokenCreate(name="t"))
    session.commit()
    return issued.token


def _api(make_client: Any, session: Session, settings: Settings, user: User) -> Client:
    client: Client = make_client()
    return client.use_token(_token(session, settings, user))


def test_charlie_creates_a_business_and_becomes_its_owner(
    make_client: Any, session: Session, settings: Settings, charlie: User
) -> None:
    api = _api(make_client, session, settings, charlie)
    r = api.post("/api/v1/businesses", json={**AFREEN_FIRM, "name": "Charlie's Bakery",
                                             "isic_class": "1071", "city": "  São   Paulo ",
                                             "country": "br", "languages": ["PT", "en"]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["slug"] == "charlie-s-bakery"
    assert body["country"] == "BR"
    assert body["city"] == "São Paulo"
    assert body["languages"] == ["pt", "en"]
    business = session.exec(select(Business).where(Business.slug == "charlie-s-bakery")).one()
    assert business.city_normalized == "sao paulo"
    mine = api.get("/api/v1/me/businesses").json()
    assert [(m["business"]["slug"], m["role"]) for m in mine] == [("charlie-s-bakery", "owner")]


def test_same_name_gets_a_distinct_slug(
    make_client: Any, session: Session, settings: Settings, charlie: User, afreen_firm: Business
) -> None:
    api = _api(make_client, session, settings, charlie)
    r = api.post("/api/v1/businesses", json=AFREEN_FIRM)
    assert r.status_code == 201
    assert r.json()["slug"] == "afreen-talent-studio-2"


def test_create_reports_every_bad_field_and_stores_nothing(
    make_client: Any, session: Session, settings: Settings, charlie: User
) -> None:
    api = _api(make_client, session, settings, charlie)
    bad = {**AFREEN_FIRM, "country": "XX", "isic_class": "9999", "languages": ["english"],
           "website": "not a url", "hosting_capacity": -1, "market_reach": "galactic"}
    r = api.post("/api/v1/businesses", json=bad)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"market_reach", "hosting_capacity"} <= fields
    # Codes are checked once the types are right:
    r = api.post("/api/v1/businesses", json={**AFREEN_FIRM, "country": "XX", "isic_class": "9999",
                                             "languages": ["english"], "website": "not a url"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"country", "isic_class", "languages",
                                                         "website"}
    assert session.exec(select(func.count()).select_from(Business)).one() == 0
    assert session.exec(select(func.count()).select_from(BusinessMembership)).one() == 0


def test_isic_must_be_a_class_not_a_group(
    make_client: Any, session: Session, settings: Settings, charlie: User
) -> None:
    api = _api(make_client, session, settings, charlie)
    r = api.post("/api/v1/businesses", json={**AFREEN_FIRM, "isic_class": "741"})
    assert r.status_code == 422


def test_farah_the_manager_edits_the_profile(
    make_client: Any, session: Session, settings: Settings, farah: User, afreen_firm: Business
) -> None:
    api = _api(make_client, session, settings, farah)
    r = api.patch(f"/api/v1/businesses/{afreen_firm.slug}",
                  json={"hosting_capacity": 3, "city": "Mumbai"})
    assert r.status_code == 200, r.text
    assert r.json()["hosting_capacity"] == 3
    session.refresh(afreen_firm)
    assert afreen_firm.city_normalized == "mumbai"
    assert afreen_firm.name == AFREEN_FIRM["name"]  # untouched fields stay


def test_meera_the_intern_cannot_edit(
    make_client: Any, session: Session, settings: Settings, meera: User, afreen_firm: Business
) -> None:
    api = _api(make_client, session, settings, meera)
    assert api.get(f"/api/v1/businesses/{afreen_firm.slug}").status_code == 200
    r = api.patch(f"/api/v1/businesses/{afreen_firm.slug}", json={"name": "Hijacked"})
    assert r.status_code == 403
    session.refresh(afreen_firm)
    assert afreen_firm.name == AFREEN_FIRM["name"]


def test_networks_only_business_is_404_to_charlie(
    make_client: Any, session: Session, settings: Settings, charlie: User, afreen_firm: Business
) -> None:
    afreen_firm.visibility = "networks"
    session.add(afreen_firm)
    session.commit()
    api = _api(make_client, session, settings, charlie)
    assert api.get(f"/api/v1/businesses/{afreen_firm.slug}").status_code == 404
    listed = api.get("/api/v1/businesses").json()
    assert afreen_firm.slug not in [b["slug"] for b in listed["items"]]


def test_archived_business_leaves_the_directory_but_not_its_members(
    make_client: Any, session: Session, settings: Settings, afreen: User, charlie: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    owner = _api(make_client, session, settings, afreen)
    assert owner.post(f"/api/v1/businesses/{afreen_firm.slug}/archive").json()["archived"]
    stranger = _api(make_client, session, settings, charlie)
    assert stranger.get(f"/api/v1/businesses/{afreen_firm.slug}").status_code == 404
    assert [b["slug"] for b in stranger.get("/api/v1/businesses").json()["items"]] == [
        rajeev_firm.slug]
    assert owner.get(f"/api/v1/businesses/{afreen_firm.slug}").status_code == 200
    assert not owner.post(f"/api/v1/businesses/{afreen_firm.slug}/restore").json()["archived"]


def test_exclusions_replace_and_validate(
    make_client: Any, session: Session, settings: Settings, afreen: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    api = _api(make_client, session, settings, afreen)
    url = f"/api/v1/businesses/{afreen_firm.slug}/exclusions"
    assert api.put(url, json={"excluded": [rajeev_firm.slug]}).json() == {
        "excluded": [rajeev_firm.slug]}
    r = api.put(url, json={"excluded": ["no-such-firm"]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "excluded"
    assert api.get(url).json() == {"excluded": [rajeev_firm.slug]}  # unchanged
    r = api.put(url, json={"excluded": [afreen_firm.slug]})
    assert r.status_code == 422


def test_directory_filters(
    make_client: Any, session: Session, settings: Settings, charlie: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    api = _api(make_client, session, settings, charlie)

    def slugs(**params: str) -> list[str]:
        r = api.get("/api/v1/businesses", params=params)
        assert r.status_code == 200, r.text
        return [b["slug"] for b in r.json()["items"]]

    both = sorted([afreen_firm.slug, rajeev_firm.slug])
    assert sorted(slugs()) == both
    assert slugs(section="M") == [rajeev_firm.slug]  # 7410 design is in section M
    assert slugs(section="N") == [afreen_firm.slug]  # 7830 staffing is in section N
    assert slugs(offers="marketing.content_marketing") == [rajeev_firm.slug]
    assert slugs(needs="marketing.content_marketing") == [afreen_firm.slug]
    assert slugs(q="consultancy") == [rajeev_firm.slug]
    assert sorted(slugs(q="design")) == both  # Afreen places designers too
    assert slugs(q="pune") == sorted(both)
    assert slugs(country="in", region="MAHARASHTRA ") == sorted(both)
    assert slugs(country="DE") == []


def test_directory_pages_with_a_next_link(
    make_client: Any, session: Session, settings: Settings, charlie: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    api = _api(make_client, session, settings, charlie)
    first = api.get("/api/v1/businesses", params={"limit": 1}).json()
    assert first["total"] == 2
    assert first["next"] is not None
    second = api.get(first["next"]).json()
    assert second["next"] is None
    assert {first["items"][0]["slug"], second["items"][0]["slug"]} == {afreen_firm.slug,
                                                                        rajeev_firm.slug}


def test_a_huge_directory_offset_is_a_clear_422_not_a_crash(client: Client, afreen: User,
                                                            afreen_firm: Business,
                                                            settings: Settings,
                                                            session: Session) -> None:
    token = accounts_service.create_api_token(session, settings, afreen,
                                              ApiTokenCreate(name="t")).token
    session.commit()
    client.use_token(token)
    r = client.get("/api/v1/businesses", params={"offset": 10**20})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "offset"
    assert client.get("/api/v1/businesses", params={"offset": 10**9}).status_code == 200
