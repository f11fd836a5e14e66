"""Business profile pages: create with the industry picker, view, edit, archive, directory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.profiles.models import Business, BusinessExclusion
from tests.conftest import Client

NEW_FIRM = {
    "name": "Kavya Logistics", "description": "Same-day freight across Pune.",
    "website": "https://kavya.example", "isic_class": "4923", "country": "IN",
    "region": "Maharashtra", "city": "Pune", "market_reach": "regional", "size_band": "10-49",
    "languages": "en, mr", "hosting_capacity": "2", "visibility": "public",
}


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Business)).one()


def test_charlie_lists_his_business(client: Client, session: Session, charlie: User) -> None:
    client.login(charlie)
    assert client.get("/businesses/new").status_code == 200
    r = client.submit("/businesses/new", NEW_FIRM)
    assert r.status_code == 303, r.text[:3000]
    assert r.headers["location"] == "/businesses/kavya-logistics/matrix"
    page = client.get("/businesses/kavya-logistics")
    assert page.status_code == 200
    assert "Kavya Logistics" in page.text
    assert "4923" in page.text  # the industry path is shown
    assert "Edit profile" in page.text


def test_industry_search_re_renders_the_form_and_keeps_what_was_typed(
    client: Client, session: Session, charlie: User
) -> None:
    client.login(charlie)
    r = client.submit("/businesses/new", {**NEW_FIRM, "isic_class": "", "isic_q": "design",
                                          "action": "search_isic"})
    assert r.status_code == 200
    assert 'value="7410"' in r.text
    assert "Specialized design activities" in r.text
    assert 'value="Kavya Logistics"' in r.text
    assert _count(session) == 0


def test_bad_profile_form_shows_every_error_and_saves_nothing(
    client: Client, session: Session, charlie: User
) -> None:
    client.login(charlie)
    r = client.submit("/businesses/new", {**NEW_FIRM, "name": "", "country": "",
                                          "isic_class": "", "languages": "klingon",
                                          "hosting_capacity": "lots", "market_reach": ""})
    assert r.status_code == 422
    for field in ("name", "country", "isic_class", "languages", "hosting_capacity",
                  "market_reach"):
        assert f'href="#f-{field}"' in r.text or f'id="f-{field}-error"' in r.text, field
    assert 'value="Kavya Logistics"' not in r.text
    assert "Same-day freight across Pune." in r.text  # typed text is kept
    assert _count(session) == 0


def test_afreen_edits_her_profile_and_exclusions(
    client: Client, session: Session, afreen: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    client.login(afreen)
    form = client.get(f"/businesses/{afreen_firm.slug}/edit")
    assert form.status_code == 200
    assert 'value="Afreen Talent Studio"' in form.text
    r = client.submit(f"/businesses/{afreen_firm.slug}/edit", {
        **NEW_FIRM, "name": "Afreen Talent Studio", "isic_class": "7830",
        "excluded": rajeev_firm.slug,
    })
    assert r.status_code == 303
    session.refresh(afreen_firm)
    assert afreen_firm.market_reach == "regional"
    assert session.exec(select(BusinessExclusion)).one().excluded_business_id == rajeev_firm.id


def test_edit_with_unknown_exclusion_changes_nothing(
    client: Client, session: Session, afreen: User, afreen_firm: Business
) -> None:
    client.login(afreen)
    r = client.submit(f"/businesses/{afreen_firm.slug}/edit", {
        **NEW_FIRM, "name": "Renamed", "isic_class": "7830", "excluded": "no-such-firm",
    })
    assert r.status_code == 422
    assert "no-such-firm" in r.text
    session.refresh(afreen_firm)
    assert afreen_firm.name == "Afreen Talent Studio"


def test_profile_page_shows_strengths_and_needs(
    client: Client, charlie: User, afreen_firm: Business
) -> None:
    client.login(charlie)
    page = client.get(f"/businesses/{afreen_firm.slug}")
    assert page.status_code == 200
    strengths = page.text.split('id="strengths"')[1].split('id="needs"')[0]
    needs = page.text.split('id="needs"')[1]
    assert "Paid advertising" in strengths and "75% of new clients" in strengths
    assert "Content marketing" in needs and "high" in needs
    assert "Edit profile" not in page.text  # Charlie is not a member


def test_owner_archives_and_restores(
    make_client: Any, session: Session, afreen: User, charlie: User, afreen_firm: Business
) -> None:
    owner = make_client(afreen)
    r = owner.submit(f"/businesses/{afreen_firm.slug}/archive")
    assert r.status_code == 303
    assert make_client(charlie).get(f"/businesses/{afreen_firm.slug}").status_code == 404
    assert "archived" in owner.get(f"/businesses/{afreen_firm.slug}").text
    owner.submit(f"/businesses/{afreen_firm.slug}/restore")
    session.refresh(afreen_firm)
    assert afreen_firm.archived_at is None


def test_directory_page_filters(
    client: Client, charlie: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    client.login(charlie)
    page = client.get("/businesses", params={"offers": "marketing.content_marketing"})
    assert page.status_code == 200
    assert rajeev_firm.name in page.text
    assert afreen_firm.name not in page.text
    assert "1 business," in page.text


def test_dashboard_lists_my_businesses(client: Client, meera: User, afreen_firm: Business) -> None:
    client.login(meera)
    page = client.get("/dashboard")
    assert afreen_firm.name in page.text
    assert "You are an intern" in page.text
