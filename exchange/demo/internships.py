"""Demo internships in early states, walked through the real service (propose → accept → start)
so that every row, acceptance, timeline event and notification is what the product would write.

- proposed: Afreen's firm proposes Sana to learn search-engine optimisation at a generated firm
  that teaches it (nobody there has an account, so it stays proposed);
- accepted: Rajeev's firm sends Kiran to learn workforce planning at Afreen's firm, Farah mentors;
- active: Rajeev's firm sends Vikram to learn recruiting at Afreen's firm, started two days ago.

Idempotent: an internship is looked up by (home, host, title) and left alone when it exists.
The e-mails these steps queue are removed again (the demo sends no e-mail; the in-app inbox keeps
its notifications so the inbox has something to show).

HOOK for the late-state story (plan approved + one follow-up, tasks/feedback/plan/follow-ups
engineer): write `load_late_story(session, ctx: DemoContext) -> tuple[int, int]` (created,
unchanged) in your own module and add it to `STORIES` below — or call `walk_to(...)` from it to get
an internship to `completed` first; `DemoContext` gives you people by e-mail and businesses by
demo id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import User
from exchange.demo.generator import AFREEN_ID, RAJEEV_ID
from exchange.demo.late_internship import load_late_story
from exchange.internships import service
from exchange.internships.models import Internship
from exchange.internships.schemas import ProposalIn
from exchange.internships.states import Action, InternshipState
from exchange.matching.competition import industry_and_market_reason
from exchange.matching.serving import records_of
from exchange.notifications.models import OutboxEmail
from exchange.profiles.models import Business, ExternalRef, MatrixCell
from exchange.taxonomy.models import Process

DEMO_SOURCE = "demo"


@dataclass
class DemoContext:
    session: Session
    today: date = field(default_factory=date.today)

    def person(self, email: str) -> User:
        user = accounts_service.get_user_by_email(self.session, email)
        if user is None:
            raise RuntimeError(f"demo person {email} is missing (load the people first)")
        return user

    def business(self, demo_id: str) -> Business:
        ref = self.session.exec(select(ExternalRef).where(
            ExternalRef.source == DEMO_SOURCE, ExternalRef.external_id == demo_id)).one()
        found = self.session.get(Business, ref.business_id)
        assert found is not None
        return found


@dataclass(frozen=True)
class DemoInternship:
    title: str
    home: Callable[[DemoContext], Business]
    host: Callable[[DemoContext], Business]
    proposer: str
    intern: str
    host_owner: str
    mentor: str | None
    focus: tuple[str, ...]
    objectives: tuple[tuple[str, str], ...]
    starts_in_days: int  # negative: started that many days ago (active)
    days: int
    target: InternshipState
    schedule_notes: str = "Monday to Friday, 10:00–17:00."
    confidentiality_terms: str = "Client names, rates and candidate data stay confidential."


def _story(demo_id: str) -> Callable[[DemoContext], Business]:
    return lambda ctx: ctx.business(demo_id)


def _seo_teacher(ctx: DemoContext) -> Business:
    """The first generated firm (by address) that offers to host SEO at level 5 and may exchange
    with Afreen's firm under the matching rule — deterministic, since the generator is seeded."""
    home = ctx.business(AFREEN_ID)
    seo = ctx.session.exec(select(Process).where(Process.key == "marketing.seo")).one()
    candidates = ctx.session.exec(
        select(Business).join(MatrixCell, col(MatrixCell.business_id) == Business.id)
        .join(ExternalRef, col(ExternalRef.business_id) == Business.id)
        .where(ExternalRef.source == DEMO_SOURCE,
               col(ExternalRef.external_id).not_in([AFREEN_ID, RAJEEV_ID]),
               MatrixCell.process_id == seo.id, col(MatrixCell.offer).is_(True),
               MatrixCell.level == 5, Business.visibility == "public",
               col(Business.archived_at).is_(None))
        .order_by(col(Business.slug)).limit(50)).all()
    for candidate in candidates:
        assert home.id is not None and candidate.id is not None
        records = records_of(ctx.session, [home.id, candidate.id])
        if industry_and_market_reason(records[home.id], records[candidate.id]) is None:
            return candidate
    raise RuntimeError("no generated demo firm teaches SEO to Afreen's firm")


EARLY_INTERNSHIPS = (
    DemoInternship(
        title="Search-engine optimisation for our job pages",
        home=_story(AFREEN_ID), host=_seo_teacher, proposer="afreen@example.com",
        intern="sana@example.com", host_owner="", mentor=None,
        focus=("marketing.seo",),
        objectives=(("Audit our 40 job-category pages the way the host audits its own",
                     "An audit sheet with a fix for every page"),
                    ("Set up keyword tracking for the ten categories clients search most",
                     "Weekly ranking report running by the end of the internship")),
        starts_in_days=24, days=5, target=InternshipState.proposed),
    DemoInternship(
        title="Workforce planning for project peaks",
        home=_story(RAJEEV_ID), host=_story(AFREEN_ID), proposer="rajeev@example.com",
        intern="kiran@example.com", host_owner="afreen@example.com",
        mentor="farah@example.com", focus=("hr.workforce_planning",),
        objectives=(("Build a 3-month staffing forecast from our project pipeline",
                     "Forecast reviewed by Rajeev, within 10% of the real head-count"),),
        starts_in_days=21, days=5, target=InternshipState.accepted),
    DemoInternship(
        title="Recruiting designers the way Afreen's team does",
        home=_story(RAJEEV_ID), host=_story(AFREEN_ID), proposer="rajeev@example.com",
        intern="vikram@example.com", host_owner="afreen@example.com",
        mentor="farah@example.com", focus=("hr.recruitment", "hr.onboarding"),
        objectives=(("Run a candidate pipeline from sourcing to offer with Afreen's tools",
                     "Two designer roles sourced with at least 5 qualified candidates each"),
                    ("Write our onboarding checklist for new designers",
                     "Checklist used for the next hire, first week rated 4/5 or better")),
        starts_in_days=-2, days=8, target=InternshipState.active),
)


def _existing(session: Session, home: Business, host: Business, title: str
              ) -> Internship | None:
    return session.exec(select(Internship).where(
        Internship.home_business_id == home.id, Internship.host_business_id == host.id,
        Internship.title == title)).first()


def walk_to(ctx: DemoContext, spec: DemoInternship) -> tuple[Internship, bool]:
    """The internship of `spec` in its target state (proposed, accepted or active); (row, made
    now?). Proposed with future dates, accepted by the three parties, then — for an active one —
    moved to the dates of a story that began days ago and started by the mentor."""
    session = ctx.session
    home, host = spec.home(ctx), spec.host(ctx)
    found = _existing(session, home, host, spec.title)
    if found is not None:
        return found, False
    start = ctx.today + timedelta(days=max(1, spec.starts_in_days))
    intern = ctx.person(spec.intern)
    data = ProposalIn.model_validate({
        "host": host.slug, "intern_id": intern.id, "title": spec.title,
        "focus_processes": list(spec.focus),
        "objectives": [{"statement": s, "success_criterion": c} for s, c in spec.objectives],
        "start_date": start, "end_date": start + timedelta(days=spec.days - 1),
        "schedule_notes": spec.schedule_notes,
        "confidentiality_terms": spec.confidentiality_terms})
    internship = service.propose(session, ctx.person(spec.proposer), home, host, data,
                                 today=ctx.today)
    if spec.target == InternshipState.proposed:
        return internship, True
    mentor = ctx.person(spec.mentor) if spec.mentor else None
    service.accept(session, internship, ctx.person(spec.proposer))
    service.accept(session, internship, ctx.person(spec.host_owner),
                   mentor_id=mentor.id if mentor else None)
    internship = service.accept(session, internship, intern)
    if spec.target == InternshipState.accepted:
        return internship, True
    if spec.starts_in_days < 0:
        service.shift_dates_for_demo(internship, ctx.today + timedelta(days=spec.starts_in_days))
        session.add(internship)
        session.flush()
    assert mentor is not None
    internship = service.act(session, internship, mentor, Action.start)
    return internship, True


def load_internships(session: Session, today: date | None = None) -> tuple[int, int]:
    """(created, unchanged) over the early internships and every story in `STORIES`."""
    ctx = DemoContext(session, today or date.today())
    last_mail = session.exec(select(func.max(OutboxEmail.id))).one() or 0
    created = unchanged = 0
    for spec in EARLY_INTERNSHIPS:
        _, made = walk_to(ctx, spec)
        created, unchanged = created + made, unchanged + (not made)
    for story in STORIES:
        more, same = story(session, ctx)
        created, unchanged = created + more, unchanged + same
    # The demo's people are invented: their notification e-mails are not sent anywhere.
    session.execute(delete(OutboxEmail).where(col(OutboxEmail.id) > last_mail,
                                              col(OutboxEmail.to_address).like("%@example.com")))
    session.flush()
    return created, unchanged


# Later stories (see the module docstring): functions (session, ctx) -> (created, unchanged).
STORIES: list[Callable[[Session, DemoContext], tuple[int, int]]] = [load_late_story]

