"""Internship fixtures: Afreen's firm sends Meera to learn content marketing at Rajeev's firm,
where Arjun mentors her. Each fixture walks the real service one step further."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from exchange.accounts.models import User
from exchange.internships import service
from exchange.internships.models import Internship
from exchange.internships.schemas import ProposalIn
from exchange.internships.states import Action
from exchange.profiles.models import Business

TODAY = date.today()


def proposal_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "host": "rajeev-ux-consultancy",
        "title": "Organic lead generation with content",
        "focus_processes": ["marketing.content_marketing", "marketing.lead_generation"],
        "objectives": [
            {"statement": "Plan a monthly content calendar for our gig-staffing audience",
             "success_criterion": "A 3-month calendar approved by Afreen"},
            {"statement": "Write and publish two blog articles the way Rajeev's team does",
             "success_criterion": "Two articles live with tracking of organic leads"},
        ],
        "start_date": (TODAY + timedelta(days=7)).isoformat(),
        "end_date": (TODAY + timedelta(days=11)).isoformat(),
        "schedule_notes": "Monday to Friday, 10:00–17:00 at the Pune office.",
        "confidentiality_terms": "Client names and rates stay confidential.",
    }
    data.update(overrides)
    return data


def propose(session: Session, afreen: User, afreen_firm: Business, rajeev_firm: Business,
            meera: User, arjun: User | None = None, **overrides: Any) -> Internship:
    data = ProposalIn.model_validate(proposal_data(
        host=rajeev_firm.slug, intern_id=meera.id,
        mentor_id=arjun.id if arjun is not None else None, **overrides))
    internship = service.propose(session, afreen, afreen_firm, rajeev_firm, data)
    session.commit()
    return internship


@pytest.fixture
def internship(session: Session, afreen: User, afreen_firm: Business, rajeev_firm: Business,
               meera: User, arjun: User) -> Internship:
    """Proposed by Afreen; nobody has accepted yet."""
    return propose(session, afreen, afreen_firm, rajeev_firm, meera, arjun)


def accept_all(session: Session, internship: Internship, *people: User) -> Internship:
    for person in people:
        internship = service.accept(session, internship, person)
    session.commit()
    return internship


@pytest.fixture
def accepted_internship(session: Session, internship: Internship, afreen: User, rajeev: User,
                        meera: User) -> Internship:
    return accept_all(session, internship, afreen, rajeev, meera)


@pytest.fixture
def active_internship(session: Session, accepted_internship: Internship,
                      arjun: User) -> Internship:
    done = service.act(session, accepted_internship, arjun, Action.start)
    session.commit()
    return done


@pytest.fixture
def completed_internship(session: Session, active_internship: Internship,
                         arjun: User) -> Internship:
    done = service.act(session, active_internship, arjun, Action.complete)
    session.commit()
    return done


# -- progress (tasks, feedback, plan, follow-ups): fixtures of the progress tests --------------


@pytest.fixture
def plan_submitted_internship(session: Session, completed_internship: Internship,
                              meera: User) -> Internship:
    from exchange.internships import plans
    from tests.internships.progress_helpers import plan_in

    plans.submit(session, completed_internship, meera, plan_in())
    session.commit()
    return completed_internship


@pytest.fixture
def plan_approved_internship(session: Session, plan_submitted_internship: Internship,
                             afreen: User) -> Internship:
    from exchange.internships import plans
    from exchange.internships.progress_schemas import ReviewIn

    plans.approve(session, plan_submitted_internship, afreen, ReviewIn(comment="Go ahead."))
    session.commit()
    return plan_submitted_internship
