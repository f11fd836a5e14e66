"""Building blocks for the progress tests: a realistic implementation plan for Meera's
content-marketing internship, and a follow-up that reports on it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from exchange.internships import plans
from exchange.internships.models import Internship
from exchange.internships.progress_schemas import FollowUpIn, PlanIn

TODAY = date.today()


def plan_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "current_state": "New clients come from paid ads only.\nNo blog, no newsletter.",
        "target_state": "A blog with two articles a month brings organic leads.\n"
                        "Every article is tracked.",
        "steps": [
            {"action": "Set up the blog on our website", "owner": "Meera",
             "due_date": (TODAY + timedelta(days=14)).isoformat(), "resources": "Web agency"},
            {"action": "Publish the first two articles", "owner": "Meera",
             "due_date": (TODAY + timedelta(days=28)).isoformat(), "resources": ""},
            {"action": "Review lead sources monthly", "owner": "Afreen",
             "due_date": (TODAY + timedelta(days=45)).isoformat(), "resources": "CRM report"},
        ],
        "kpis": [
            {"name": "Organic leads per month", "unit": "leads", "baseline": 2, "target": 12,
             "target_date": (TODAY + timedelta(days=90)).isoformat()},
            {"name": "Cost per new client", "unit": "EUR", "baseline": 300, "target": 200,
             "target_date": (TODAY + timedelta(days=90)).isoformat()},
        ],
        "risks": "Meera's time is shared with paid campaigns.",
    }
    data.update(overrides)
    return data


def plan_in(**overrides: Any) -> PlanIn:
    return PlanIn.model_validate(plan_data(**overrides))


def follow_up_in(session: Session, internship: Internship, *, done: int = 1,
                 done_on: date | None = None, actuals: tuple[float, ...] = (7, 250),
                 notes: str = "On track.") -> FollowUpIn:
    """The first `done` steps done (on `done_on`, default today), the rest in progress."""
    plan = plans.approved(session, internship)
    assert plan is not None
    version = plans.load(session, plan)
    return FollowUpIn.model_validate({
        "steps": [{"step_id": s.id, "status": "done" if i < done else "in_progress",
                   "done_on": (done_on or TODAY).isoformat() if i < done else None,
                   "note": ""} for i, s in enumerate(version.steps)],
        "kpis": [{"kpi_id": k.id, "actual": a} for k, a in zip(version.kpis, actuals,
                                                                strict=True)],
        "notes": notes,
    })
