"""The late-state demo story: walked through the real services, idempotent, and the report
has all four levels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import User
from exchange.demo.late_internship import TITLE, load_late_story
from exchange.demo.loader import load_demo
from exchange.internships import report
from exchange.internships.models import Internship, InternshipEvent
from exchange.profiles.models import Business, ExternalRef


@dataclass
class Context:
    session: Session
    today: date = field(default_factory=date.today)

    def person(self, email: str) -> User:
        user = accounts_service.get_user_by_email(self.session, email)
        assert user is not None
        return user

    def business(self, demo_id: str) -> Business:
        ref = self.session.exec(select(ExternalRef).where(
            ExternalRef.source == "demo", ExternalRef.external_id == demo_id)).one()
        found = self.session.get(Business, ref.business_id)
        assert found is not None
        return found


def test_the_late_story_is_made_once_and_reports_all_four_levels(session: Session) -> None:
    load_demo(session)
    ctx = Context(session)
    existing = session.exec(select(Internship).where(Internship.title == TITLE)).first()
    if existing is None:  # the loader may not call the story yet
        assert load_late_story(session, ctx) == (1, 0)
    internship = session.exec(select(Internship).where(Internship.title == TITLE)).one()
    assert internship.state == "following_up"
    events = session.exec(select(func.count()).select_from(InternshipEvent)).one()
    assert load_late_story(session, ctx) == (0, 1)
    assert session.exec(select(func.count()).select_from(InternshipEvent)).one() == events

    r = report.internship_report(session, internship)
    assert (r.reaction.intern_rating, r.reaction.home_partnership,
            r.reaction.host_partnership) == (5, 4, 5)
    assert r.learning.rated == 3 and r.learning.achieved_share == 2 / 3
    assert [s.verdict for s in r.behaviour.steps] == ["done on time", "done late",
                                                      "not due yet"]
    assert r.behaviour.on_time_share == 0.5
    assert [round(k.progress or 0, 2) for k in r.results.kpis] == [0.4, 0.4]
    assert r.plan_version == 2
