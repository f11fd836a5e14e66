"""The reference story in a late state, for the report page: Afreen's firm sent Meera to learn
content marketing and lead generation at Rajeev's firm two months ago; Arjun mentored her, she
did her tasks, the host rated her objectives midway and at the end, everyone gave feedback, she
wrote her implementation plan, Afreen asked for one change, approved the second version five weeks
ago, and the 30-day follow-up is recorded. The 60- and 90-day ones are still to come.

Every step goes through the real services (propose → accept → start → tasks → feedback →
complete → plan → review → follow-up), with the dates moved into the past where the services take
a `today`. Idempotent: looked up by (home, host, title) and left alone when it exists.

Used by the demo loader through `exchange.demo.internships.STORIES` (`load_late_story`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.demo.generator import AFREEN_ID, RAJEEV_ID
from exchange.internships import feedback, followups, plans, service, tasks
from exchange.internships.models import FeedbackKind, Internship, TaskStatus
from exchange.internships.progress_schemas import (
    FollowUpIn,
    ObjectiveRatingsIn,
    PlanIn,
    RatingIn,
    ReviewIn,
    TaskIn,
    TaskProgressIn,
    TaskUpdate,
)
from exchange.internships.schemas import ProposalIn
from exchange.internships.states import Action
from exchange.profiles.models import Business

TITLE = "Organic lead generation with content"
STARTED_DAYS_AGO = 60
DAYS = 5
APPROVED_DAYS_AGO = 35  # so the 30-day follow-up fell due five days ago


class DemoContext(Protocol):
    """What the demo loader hands every story (exchange/demo/internships.py)."""

    session: Session
    today: date

    def person(self, email: str) -> User: ...

    def business(self, demo_id: str) -> Business: ...


def load_late_story(session: Session, ctx: DemoContext) -> tuple[int, int]:
    """(created, unchanged): (1, 0) the first time, (0, 1) afterwards."""
    home, host = ctx.business(AFREEN_ID), ctx.business(RAJEEV_ID)
    if session.exec(select(Internship).where(
            Internship.home_business_id == home.id, Internship.host_business_id == host.id,
            Internship.title == TITLE)).first() is not None:
        return 0, 1
    afreen, rajeev = ctx.person("afreen@example.com"), ctx.person("rajeev@example.com")
    meera, arjun = ctx.person("meera@example.com"), ctx.person("arjun@example.com")
    today = ctx.today
    start = today - timedelta(days=STARTED_DAYS_AGO)
    end = start + timedelta(days=DAYS - 1)

    # Proposed with future dates (the rule), agreed, then moved to when the story took place.
    future = today + timedelta(days=1)
    internship = service.propose(session, afreen, home, host, ProposalIn.model_validate({
        "host": host.slug, "intern_id": meera.id, "mentor_id": arjun.id, "title": TITLE,
        "focus_processes": ["marketing.content_marketing", "marketing.lead_generation"],
        "objectives": [
            {"statement": "Plan a monthly content calendar for our gig-staffing audience",
             "success_criterion": "A 3-month calendar approved by Afreen"},
            {"statement": "Write and publish two blog articles the way Rajeev's team does",
             "success_criterion": "Two articles live with tracking of organic leads"},
            {"statement": "Set up lead-source tracking from article to signed client",
             "success_criterion": "Every new lead in the CRM carries its source"},
        ],
        "start_date": future, "end_date": future + timedelta(days=DAYS - 1),
        "schedule_notes": "Monday to Friday, 10:00–17:00 at Rajeev's Pune office.",
        "confidentiality_terms": "Client names, rates and unpublished designs stay "
                                 "confidential."}), today=today)
    for person in (afreen, rajeev, meera):
        internship = service.accept(session, internship, person)
    service.shift_dates_for_demo(internship, start)
    session.add(internship)
    session.flush()
    internship = service.act(session, internship, arjun, Action.start)

    # The week at the host: tasks, midway ratings, the end, final ratings and feedback.
    for offset, title, note, comment in (
            (0, "Sit in on the Monday editorial meeting", "Took notes on how topics are picked",
             "Good questions — keep the topic scorecard."),
            (1, "Draft a 3-month content calendar", "Calendar shared in the drive",
             "Solid; tie every topic to a client question."),
            (3, "Write the first article with the editor", "Published on our blog",
             "Ready to publish after one round of edits.")):
        task = tasks.add_task(session, internship, arjun, TaskIn(
            title=title, due_date=start + timedelta(days=offset)))
        tasks.set_progress(session, internship, meera, task.id or 0,
                           TaskProgressIn(status=TaskStatus.done, note=note))
        tasks.update_task(session, internship, arjun, task.id or 0,
                          TaskUpdate(mentor_comment=comment))
    objectives = service.objectives_of(session, internship)

    def ratings(phase: str, outcomes: tuple[str, ...], scores: tuple[int, ...]
                ) -> ObjectiveRatingsIn:
        return ObjectiveRatingsIn.model_validate({"phase": phase, "ratings": [
            {"objective_id": o.id, "outcome": outcome, "score": score}
            for o, outcome, score in zip(objectives, outcomes, scores, strict=True)]})

    feedback.rate_objectives(session, internship, arjun,
                             ratings("midway", ("partly", "partly", "not_achieved"), (3, 3, 2)))
    internship = service.act(session, internship, arjun, Action.complete)
    final = ratings("final", ("achieved", "achieved", "partly"), (5, 4, 3))
    final.ratings[2].comment = "Tracking is set up; the CRM field is not yet mandatory."
    feedback.rate_objectives(session, internship, arjun, final)
    feedback.submit(session, internship, meera, FeedbackKind.intern_reaction, RatingIn(
        rating=5, comment="Arjun's team showed me every step; I came back with a plan."))
    feedback.submit(session, internship, afreen, FeedbackKind.home_partnership, RatingIn(
        rating=4, comment="Well organised; we would like a longer stay next time."))
    feedback.submit(session, internship, rajeev, FeedbackKind.host_partnership, RatingIn(
        rating=5, comment="Meera was curious and prepared."))

    # The plan: version 1, changes requested, version 2 approved five weeks ago.
    written = end + timedelta(days=2)
    approved = today - timedelta(days=APPROVED_DAYS_AGO)
    first = _plan(written, publish_owner="Meera", backup=False)
    plans.submit(session, internship, meera, first, today=written)
    plans.request_changes(session, internship, afreen, ReviewIn(
        comment="Who writes the articles when Meera runs the ad campaigns? Name a backup."))
    plans.submit(session, internship, meera,
                 _plan(written, publish_owner="Meera, Farah as backup", backup=True),
                 today=written)
    plans.approve(session, internship, afreen, ReviewIn(comment="Approved — go ahead."),
                  today=approved)

    # The 30-day follow-up: step 1 on time, step 2 late, step 3 not yet due.
    version = plans.load(session, plans.approved(session, internship))  # type: ignore[arg-type]
    steps, kpis = version.steps, version.kpis
    followups.record(session, internship, meera, 30, FollowUpIn.model_validate({
        "steps": [
            {"step_id": steps[0].id, "status": "done", "done_on": steps[0].due_date},
            {"step_id": steps[1].id, "status": "done",
             "done_on": steps[1].due_date + timedelta(days=4),
             "note": "The second article slipped by four days."},
            {"step_id": steps[2].id, "status": "in_progress"},
        ],
        "kpis": [{"kpi_id": kpis[0].id, "actual": 6}, {"kpi_id": kpis[1].id, "actual": 260}],
        "notes": "Two articles live; organic leads up from 2 to 6 a month.",
    }), today=today)
    return 1, 0


def _plan(written: date, *, publish_owner: str, backup: bool) -> PlanIn:
    return PlanIn.model_validate({
        "current_state": "New clients come almost only from paid ads (75 %).\n"
                         "No blog, no newsletter; lead sources are not tracked.",
        "target_state": "Two articles a month answer the questions clients ask.\n"
                        "Every lead carries its source, so organic and paid can be compared.",
        "steps": [
            {"action": "Set up the blog section on our website", "owner": "Meera",
             "due_date": written + timedelta(days=10), "resources": "Web agency, 2 days"},
            {"action": "Publish the first two articles", "owner": publish_owner,
             "due_date": written + timedelta(days=30), "resources": "Editor's checklist"},
            {"action": "Review lead sources every month with Afreen", "owner": "Afreen",
             "due_date": written + timedelta(days=95), "resources": "CRM report"},
        ],
        "kpis": [
            {"name": "Organic leads per month", "unit": "leads", "baseline": 2, "target": 12,
             "target_date": written + timedelta(days=120)},
            {"name": "Cost per new client", "unit": "INR ×100", "baseline": 300, "target": 200,
             "target_date": written + timedelta(days=120)},
        ],
        "risks": "Meera's time is shared with the paid campaigns."
                 + ("\nFarah writes when the campaigns peak (March, September)." if backup
                    else ""),
    })
