"""Regressions found by walking the profile pages in a real browser (tests/browser): a huge
directory offset, no way from a profile to its partner suggestions, raw codes on directory
cards, and the side-by-side view not leading to the match explanation."""

from __future__ import annotations

import html
import re
from typing import Any

from exchange.accounts.models import User
from exchange.profiles.models import Business
from tests.conftest import Client


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_directory_survives_an_offset_beyond_any_database_integer(
    client: Client, charlie: User, afreen_firm: Business
) -> None:
    client.login(charlie)
    r = client.get("/businesses", params={"offset": str(10**20)})
    assert r.status_code == 200  # was a 500: SQLite cannot bind an integer beyond 64 bits
    assert afreen_firm.name not in r.text  # far past the end: an empty page
    assert "1 business; this page is past the end: back to the first page" in _text(r.text)
    assert 'rel="prev"' not in r.text and "No business matches" not in r.text


def test_profile_page_leads_members_to_their_partner_suggestions(
    make_client: Any, afreen: User, meera: User, charlie: User, afreen_firm: Business
) -> None:
    link = f'href="/businesses/{afreen_firm.slug}/suggestions"'
    for member in (afreen, meera):  # the owner and the intern both read suggestions
        page = make_client(member).get(f"/businesses/{afreen_firm.slug}")
        assert page.status_code == 200
        assert link in page.text
        assert "Find partners" in page.text
        # ... and so does the matrix editor, where rating the processes leads to partners.
        assert link in make_client(member).get(f"/businesses/{afreen_firm.slug}/matrix").text
    stranger = make_client(charlie).get(f"/businesses/{afreen_firm.slug}")
    assert link not in stranger.text  # only members see a business's suggestions


def test_profile_page_names_the_industry_with_its_path(
    client: Client, charlie: User, afreen_firm: Business
) -> None:
    page = _text(client.login(charlie).get(f"/businesses/{afreen_firm.slug}").text)
    assert "Industry 7830 Other human resources provision" in page
    assert "N Administrative and support service activities › 78 Employment activities" in page


def test_directory_cards_name_industry_country_and_market_in_words(
    client: Client, charlie: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    page = _text(client.login(charlie).get("/businesses").text)
    assert "Specialized design activities · Pune, Maharashtra, India · serves several countries" \
        in page
    assert "Other human resources provision · Pune, Maharashtra, India · serves its whole " \
        "country" in page
    assert "ISIC 7410" not in page and "· IN ·" not in page


def test_side_by_side_view_links_to_the_match_explanation(
    client: Client, afreen: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    page = client.login(afreen).get(f"/businesses/{afreen_firm.slug}/compare/{rajeev_firm.slug}")
    assert page.status_code == 200
    assert f'href="/businesses/{afreen_firm.slug}/suggestions/{rajeev_firm.slug}"' in page.text
