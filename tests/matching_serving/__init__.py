"""Tests of matching served from the database: the shared index, the suggestion pages and API,
and `exchange match`. The builders below add the firms that make Afreen's list interesting."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from exchange.accounts.models import User
from exchange.profiles.models import Business
from tests.support.factories import make_business

# A content-marketing star that also wants what Afreen's firm teaches: on merit it would beat
# Rajeev's firm for the first place.
STAR_CELLS = [
    {"process": "marketing.content_marketing", "level": 5, "offer": True, "need": 0},
    {"process": "marketing.lead_generation", "level": 5, "offer": True, "need": 0},
    {"process": "hr.recruitment", "level": 1, "offer": False, "need": 3},
    {"process": "marketing.paid_advertising", "level": 1, "offer": False, "need": 3},
]


def firm(session: Session, owner: User, name: str, cells: list[dict[str, Any]] | None = None,
         **fields: Any) -> Business:
    """A business owned by `owner`, by default a public Pune design studio (ISIC 7410)."""
    profile = {"name": name, "isic_class": "7410", "country": "IN", "region": "Maharashtra",
               "city": "Pune", "market_reach": "local", "size_band": "10-49",
               "languages": ["en"], "hosting_capacity": 2, "visibility": "public", **fields}
    return make_business(session, owner, STAR_CELLS if cells is None else cells, **profile)


def rival_of_afreen(session: Session, owner: User) -> Business:
    """Another gig-staffing firm (ISIC group 783) serving all of India: it competes with
    Afreen's national firm however good its content marketing is."""
    return firm(session, owner, "Mumbai Gig Staffing", isic_class="7830", city="Mumbai",
                market_reach="national")
