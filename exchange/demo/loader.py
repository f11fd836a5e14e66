"""`exchange demo`: the reference story (Afreen's and Rajeev's firms and their people) plus a few
hundred generated businesses, loaded idempotently.

Running it twice changes nothing: people are looked up by e-mail, businesses by their demo ids
(through the same importer as `exchange import`), memberships by (business, person).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import BusinessRole
from exchange.demo.generator import AFREEN_ID, RAJEEV_ID, generate_businesses, reference_story
from exchange.demo.internships import load_internships
from exchange.profiles.importer import import_businesses
from exchange.profiles.models import BusinessMembership, ExternalRef

DEMO_PASSWORD = "exchange-demo-2026"  # noqa: S105  (printed for people trying the demo)
DEMO_SOURCE = "demo"
GENERATED_BUSINESSES = 300


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    role: str
    business_id: str | None = None
    business_role: BusinessRole | None = None
    is_admin: bool = False


DEMO_PEOPLE = (
    DemoPerson("admin@example.com", "Platform Admin", "platform admin", is_admin=True),
    DemoPerson("afreen@example.com", "Afreen Sheikh", "owner of Afreen Talent Studio",
               AFREEN_ID, BusinessRole.owner),
    DemoPerson("rajeev@example.com", "Rajeev Menon", "owner of Rajeev Design Consultancy",
               RAJEEV_ID, BusinessRole.owner),
    DemoPerson("meera@example.com", "Meera Joshi", "intern (marketing executive at Afreen's)",
               AFREEN_ID, BusinessRole.intern),
    DemoPerson("arjun@example.com", "Arjun Rao", "manager (content lead at Rajeev's)",
               RAJEEV_ID, BusinessRole.manager),
    # People of the early-state demo internships (exchange/demo/internships.py).
    DemoPerson("farah@example.com", "Farah Khan", "manager (recruiting lead at Afreen's)",
               AFREEN_ID, BusinessRole.manager),
    DemoPerson("sana@example.com", "Sana Qureshi", "intern (job-page writer at Afreen's)",
               AFREEN_ID, BusinessRole.intern),
    DemoPerson("kiran@example.com", "Kiran Patel", "intern (project coordinator at Rajeev's)",
               RAJEEV_ID, BusinessRole.intern),
    DemoPerson("vikram@example.com", "Vikram Nair", "intern (studio assistant at Rajeev's)",
               RAJEEV_ID, BusinessRole.intern),
)


@dataclass
class DemoReport:
    created: int = 0
    unchanged: int = 0


def load_demo(session: Session, progress: Callable[[str], None] | None = None) -> DemoReport:
    """Loads the demo; PROGRESS, if given, hears one line per step (the businesses' import takes
    most of the time)."""
    say = progress or (lambda _line: None)
    report = DemoReport()
    say(f"Loading the demo data: {len(DEMO_PEOPLE)} people, the Afreen and Rajeev story and "
        f"{GENERATED_BUSINESSES} generated businesses with their matrices…")
    started = time.monotonic()
    businesses = import_businesses(
        session, reference_story() + generate_businesses(GENERATED_BUSINESSES),
        source=DEMO_SOURCE,
    )
    if businesses.rejected:
        raise RuntimeError(f"demo data does not validate: {businesses.rejected[:3]}")
    report.created += len(businesses.created) + len(businesses.updated)
    report.unchanged += len(businesses.unchanged)
    say(f"  businesses: {len(businesses.created) + len(businesses.updated)} written, "
        f"{len(businesses.unchanged)} already there ({time.monotonic() - started:.0f} s)")
    for person in DEMO_PEOPLE:
        user = accounts_service.get_user_by_email(session, person.email)
        if user is None:
            user = accounts_service.sign_up(
                session, email=person.email, display_name=person.display_name,
                password=DEMO_PASSWORD, is_admin=person.is_admin,
            )
            report.created += 1
        else:
            report.unchanged += 1
        if person.business_id is None or person.business_role is None:
            continue
        ref = session.exec(select(ExternalRef).where(
            ExternalRef.source == DEMO_SOURCE, ExternalRef.external_id == person.business_id
        )).one()
        membership = session.exec(select(BusinessMembership).where(
            BusinessMembership.business_id == ref.business_id,
            BusinessMembership.user_id == user.id,
        )).first()
        if membership is None:
            assert user.id is not None
            session.add(BusinessMembership(business_id=ref.business_id, user_id=user.id,
                                           role=person.business_role))
            report.created += 1
    session.flush()
    say("  people and their log-ins: ready; now the demo internships…")
    created, unchanged = load_internships(session)
    report.created += created
    report.unchanged += unchanged
    say(f"  internships: {created} written, {unchanged} already there "
        f"({time.monotonic() - started:.0f} s in all)")
    return report
