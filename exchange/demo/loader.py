"""`exchange demo`: the people of the reference story, loaded idempotently.

Running it twice changes nothing: every row is looked up by its natural key first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from exchange.accounts import service as accounts_service

DEMO_PASSWORD = "exchange-demo-2026"  # noqa: S105  (printed for people trying the demo)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    role: str
    is_admin: bool = False


DEMO_PEOPLE = (
    DemoPerson("admin@example.com", "Platform Admin", "platform admin", is_admin=True),
    DemoPerson("afreen@example.com", "Afreen Sheikh", "owner of the gig-staffing firm"),
    DemoPerson("rajeev@example.com", "Rajeev Menon", "owner of the UI/UX consultancy"),
    DemoPerson("meera@example.com", "Meera Joshi", "intern (marketing executive at Afreen's)"),
    DemoPerson("arjun@example.com", "Arjun Rao", "manager (content lead at Rajeev's)"),
)


@dataclass
class DemoReport:
    created: int = 0
    unchanged: int = 0


def load_demo(session: Session) -> DemoReport:
    report = DemoReport()
    for person in DEMO_PEOPLE:
        if accounts_service.get_user_by_email(session, person.email) is not None:
            report.unchanged += 1
            continue
        accounts_service.sign_up(
            session,
            email=person.email,
            display_name=person.display_name,
            password=DEMO_PASSWORD,
            is_admin=person.is_admin,
        )
        report.created += 1
    session.flush()
    return report
