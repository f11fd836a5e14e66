"""Small builders for test data, going through the same services as the product."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from exchange.accounts.models import BusinessRole, User
from exchange.profiles import matrix as matrix_service
from exchange.profiles import service as profiles_service
from exchange.profiles.models import Business, BusinessMembership

AFREEN_FIRM = {
    "name": "Afreen Talent Studio",
    "description": "Gig staffing: clients book content writers and designers by the hour.",
    "website": "https://afreen-talent.example",
    "isic_class": "7830",
    "country": "IN",
    "region": "Maharashtra",
    "city": "Pune",
    "market_reach": "national",
    "size_band": "10-49",
    "languages": ["en", "hi", "mr"],
    "hosting_capacity": 1,
    "visibility": "public",
}
AFREEN_CELLS = [
    {"process": "marketing.paid_advertising", "level": 5, "offer": True, "need": 0,
     "evidence": "75% of new clients come from paid ads"},
    {"process": "marketing.content_marketing", "level": 1, "offer": False, "need": 3,
     "target_level": 4},
    {"process": "marketing.lead_generation", "level": 1, "offer": False, "need": 3},
    {"process": "hr.recruitment", "level": 5, "offer": True, "need": 0},
]
RAJEEV_FIRM = {
    "name": "Rajeev UX Consultancy",
    "description": "UI/UX design for software products.",
    "website": "https://rajeev-ux.example",
    "isic_class": "7410",
    "country": "IN",
    "region": "Maharashtra",
    "city": "Pune",
    "market_reach": "international",
    "size_band": "10-49",
    "languages": ["en", "hi"],
    "hosting_capacity": 2,
    "visibility": "public",
}
RAJEEV_CELLS = [
    {"process": "marketing.content_marketing", "level": 5, "offer": True, "need": 0,
     "evidence": "Blog and videos bring 40 organic leads a month"},
    {"process": "marketing.lead_generation", "level": 4, "offer": True, "need": 0},
    {"process": "hr.recruitment", "level": 1, "offer": False, "need": 3},
]


def make_business(session: Session, owner: User, cells: list[dict[str, Any]] | None = None,
                  **fields: Any) -> Business:
    business = profiles_service.create_business(session, owner, fields)
    if cells:
        matrix_service.replace_matrix(session, business, cells)
    session.commit()
    return business


def add_member(session: Session, business: Business, user: User, role: BusinessRole) -> None:
    assert business.id is not None and user.id is not None
    session.add(BusinessMembership(business_id=business.id, user_id=user.id, role=role))
    session.commit()
