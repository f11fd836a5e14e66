"""The suggestion pages: Afreen reads her firm's partners with their explanations, narrows the
list, asks "why not this business?", and strangers are turned away."""

from __future__ import annotations

import html
import re

from sqlmodel import Session

from exchange.accounts.models import User
from exchange.profiles import service as profiles_service
from exchange.profiles.models import Business
from tests.conftest import Client
from tests.matching_serving import firm, rival_of_afreen

CONTENT_SENTENCE = "They: content marketing 5 · You: 1 · you need it: high"


def _text(page: str) -> str:
    """The page's visible words, tags dropped and spaces squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _partner_names(page: str) -> list[str]:
    return [html.unescape(name) for name in re.findall(
        r'<h3 class="ms-name">.*?<a href="/businesses/[^"]+">([^<]+)</a>', page, re.S)]


def _make_networks_only(session: Session, business: Business) -> None:
    business.visibility = "networks"
    session.add(business)
    session.commit()


def test_afreen_sees_rajeev_first_with_the_content_marketing_explanation(
    client: Client, afreen: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/suggestions")
    assert r.status_code == 200
    assert _partner_names(r.text) == [rajeev_firm.name]
    card = r.text[r.text.index(f'id="partner-{rajeev_firm.slug}"'):]
    assert CONTENT_SENTENCE in _text(card)
    assert "You: recruitment 5 · They: 1 · they need it: high" in _text(card)
    assert "They: <strong>content marketing</strong> 5" in card
    assert "Two-way swap" in card
    assert f'href="/businesses/{afreen_firm.slug}/compare/{rajeev_firm.slug}"' in card
    assert f'href="/businesses/{afreen_firm.slug}/suggestions/{rajeev_firm.slug}"' in card
    assert f'href="/businesses/{rajeev_firm.slug}"' in card


def test_each_process_shows_its_share_of_the_direction(
    client: Client, afreen: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/suggestions")
    # content marketing: 3 x (5 - 1) = 12 of 12 + 3 x (4 - 1) = 9, at the same weight
    assert "57% of what you learn" in _text(r.text)
    assert "43% of what you learn" in _text(r.text)
    assert "100% of what they learn" in _text(r.text)


def test_meera_the_intern_sees_her_firms_suggestions_too(
    client: Client, meera: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = client.login(meera).get(f"/businesses/{afreen_firm.slug}/suggestions")
    assert r.status_code == 200
    assert _partner_names(r.text) == [rajeev_firm.name]


def test_a_competitor_and_an_excluded_firm_are_not_listed(
    client: Client, session: Session, afreen: User, charlie: User, afreen_firm: Business,
    rajeev_firm: Business,
) -> None:
    rival = rival_of_afreen(session, charlie)
    star = firm(session, charlie, "Content Star Studio")
    profiles_service.set_exclusions(session, afreen_firm, [star.slug])
    session.commit()
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/suggestions")
    assert _partner_names(r.text) == [rajeev_firm.name]
    assert rival.name not in r.text


def test_filters_narrow_the_list_and_stay_checked(
    client: Client, session: Session, afreen: User, charlie: User, afreen_firm: Business,
    rajeev_firm: Business,
) -> None:
    berlin = firm(session, charlie, "Berlin Content Haus", country="DE", region="Berlin",
                  city="Berlin", languages=["de"])
    client.login(afreen)
    everyone = client.get(f"/businesses/{afreen_firm.slug}/suggestions")
    assert _partner_names(everyone.text) == [berlin.name, rajeev_firm.name]
    for filters in ("same_country=1", "same_region=1", "common_language=1"):
        r = client.get(f"/businesses/{afreen_firm.slug}/suggestions?{filters}")
        assert _partner_names(r.text) == [rajeev_firm.name], filters
        name = filters.split("=")[0]
        assert re.search(rf'name="{name}" value="1"\s+checked', r.text)
    one = client.get(f"/businesses/{afreen_firm.slug}/suggestions?limit=10&isic_depth=section")
    assert re.search(r'<option value="section"\s+selected', one.text)


def test_odd_filter_values_fall_back_to_the_defaults(
    client: Client, afreen: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = client.login(afreen).get(
        f"/businesses/{afreen_firm.slug}/suggestions?limit=lots&isic_depth=galaxy&same_country=x")
    assert r.status_code == 200
    assert _partner_names(r.text) == [rajeev_firm.name]


def test_a_firm_with_nothing_to_match_is_told_how_to_get_suggestions(
    client: Client, afreen: User, afreen_firm: Business
) -> None:
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/suggestions")
    assert "No suggestions" in r.text
    assert f'href="/businesses/{afreen_firm.slug}/matrix"' in r.text


# -- why not this business? ----------------------------------------------------------------------


def _why(client: Client, business: Business, text: str) -> str:
    r = client.get(f"/businesses/{business.slug}/suggestions", params={"why": text})
    assert r.status_code == 200
    page = r.text
    return _text(page[page.index('class="ms-why-answer"'):page.index('class="card ms-how"')])


def test_why_not_a_competitor_says_why_they_compete(
    client: Client, session: Session, afreen: User, charlie: User, afreen_firm: Business
) -> None:
    rival = rival_of_afreen(session, charlie)
    answer = _why(client.login(afreen), afreen_firm, rival.slug)
    assert "Mumbai Gig Staffing is not suggested" in answer
    assert "Competitor: same ISIC group 783; both serve India" in answer


def test_why_not_an_excluded_firm_and_what_the_excluded_firm_reads(
    client: Client, make_client: object, session: Session, afreen: User, rajeev: User,
    afreen_firm: Business, rajeev_firm: Business,
) -> None:
    profiles_service.set_exclusions(session, afreen_firm, [rajeev_firm.slug])
    session.commit()
    assert "You excluded them" in _why(client.login(afreen), afreen_firm, rajeev_firm.name)
    rajeevs = make_client(rajeev)  # type: ignore[operator]
    seen_by_rajeev = _why(rajeevs, rajeev_firm, afreen_firm.slug)
    assert "Not available" in seen_by_rajeev
    assert "exclu" not in seen_by_rajeev.lower()


def test_why_not_a_suggested_firm_shows_the_match(
    client: Client, afreen: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    answer = _why(client.login(afreen), afreen_firm, "rajeev ux")
    assert "Rajeev UX Consultancy is a match" in answer
    assert CONTENT_SENTENCE in answer
    assert "Full explanation" in answer


def test_why_not_by_part_of_a_name_offers_a_pick_list(
    client: Client, session: Session, afreen: User, charlie: User, afreen_firm: Business,
) -> None:
    one = firm(session, charlie, "Pune Content Works")
    two = firm(session, charlie, "Pune Content Lab")
    client.login(afreen)
    r = client.get(f"/businesses/{afreen_firm.slug}/suggestions", params={"why": "content"})
    assert "Several businesses match" in r.text
    for business in (one, two):
        assert f"why={business.slug}#why-not" in r.text


def test_why_not_a_business_nobody_can_see_finds_nothing(
    client: Client, session: Session, afreen: User, afreen_firm: Business,
    rajeev_firm: Business,
) -> None:
    _make_networks_only(session, rajeev_firm)
    answer = _why(client.login(afreen), afreen_firm, rajeev_firm.slug)
    assert "No business you can see is called" in answer
    assert rajeev_firm.name not in answer


def test_why_not_your_own_business(
    client: Client, afreen: User, afreen_firm: Business
) -> None:
    assert "This is your own business" in _why(client.login(afreen), afreen_firm,
                                                afreen_firm.slug)


# -- one pair -------------------------------------------------------------------------------------


def test_the_pair_page_explains_a_match_with_the_formula(
    client: Client, afreen: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/suggestions/{rajeev_firm.slug}")
    assert r.status_code == 200
    text = _text(r.text)
    assert "Rajeev UX Consultancy is a match" in text
    assert CONTENT_SENTENCE in text
    assert "Score = what you learn + what they learn + the smaller of the two" in text
    assert f'href="/businesses/{afreen_firm.slug}/compare/{rajeev_firm.slug}"' in r.text


def test_the_pair_page_names_every_reason(
    client: Client, session: Session, afreen: User, charlie: User, afreen_firm: Business
) -> None:
    rival = rival_of_afreen(session, charlie)
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/suggestions/{rival.slug}")
    assert "Competitor: same ISIC group 783; both serve India" in _text(r.text)


def test_the_pair_page_keeps_the_lists_filters(
    client: Client, session: Session, afreen: User, charlie: User, afreen_firm: Business
) -> None:
    berlin = firm(session, charlie, "Berlin Content Haus", country="DE", region="Berlin",
                  city="Berlin")
    client.login(afreen)
    r = client.get(f"/businesses/{afreen_firm.slug}/suggestions/{berlin.slug}?same_country=1")
    assert "Based in another country" in _text(r.text)
    assert "Explain without filters" in r.text


def test_an_archived_business_is_told_it_takes_part_in_no_matching(
    client: Client, session: Session, afreen: User, afreen_firm: Business,
    rajeev_firm: Business,
) -> None:
    profiles_service.set_archived(session, afreen_firm, True)
    session.commit()
    client.login(afreen)
    r = client.get(f"/businesses/{afreen_firm.slug}/suggestions")
    assert r.status_code == 200
    assert "is archived" in r.text and _partner_names(r.text) == []
    pair = client.get(f"/businesses/{afreen_firm.slug}/suggestions/{rajeev_firm.slug}")
    assert pair.status_code == 200 and "is archived" in pair.text


def test_an_archived_partner_is_explained_to_its_own_members(
    client: Client, session: Session, afreen: User, afreen_firm: Business, charlie: User,
) -> None:
    """Afreen can still see her other, archived firm; it takes part in no matching."""
    other = firm(session, afreen, "Afreen Old Studio")
    profiles_service.set_archived(session, other, True)
    session.commit()
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/suggestions/{other.slug}")
    assert "Archived: it takes part in no matching" in _text(r.text)


# -- who may look -------------------------------------------------------------------------------


def test_charlie_may_not_see_the_suggestions_of_a_firm_he_can_see(
    client: Client, charlie: User, afreen_firm: Business
) -> None:
    r = client.login(charlie).get(f"/businesses/{afreen_firm.slug}/suggestions")
    assert r.status_code == 403


def test_charlie_gets_404_for_a_firm_he_cannot_see(
    client: Client, session: Session, charlie: User, afreen_firm: Business
) -> None:
    _make_networks_only(session, afreen_firm)
    assert client.login(charlie).get(f"/businesses/{afreen_firm.slug}/suggestions"
                                     ).status_code == 404


def test_the_pair_page_is_404_for_a_partner_afreen_cannot_see(
    client: Client, session: Session, afreen: User, afreen_firm: Business,
    rajeev_firm: Business,
) -> None:
    _make_networks_only(session, rajeev_firm)
    r = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/suggestions/{rajeev_firm.slug}")
    assert r.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client: Client, afreen_firm: Business) -> None:
    r = client.get(f"/businesses/{afreen_firm.slug}/suggestions")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")
