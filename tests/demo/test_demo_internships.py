"""The demo's early-state internships: made through the real service, in the states promised,
loaded again without change, and sending no e-mail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from exchange.demo import internships as demo_internships
from exchange.demo.loader import load_demo
from exchange.internships import service
from exchange.internships.models import Internship, InternshipEvent
from exchange.notifications.models import Notification, OutboxEmail


def test_demo_internships_are_in_early_states_and_loading_twice_changes_nothing(
        session: Session) -> None:
    load_demo(session)
    session.commit()
    rows = {i.title: i for i in session.exec(select(Internship)).all()}
    states = {title: i.state for title, i in rows.items()}
    assert states == {
        "Search-engine optimisation for our job pages": "proposed",
        "Workforce planning for project peaks": "accepted",
        "Recruiting designers the way Afreen's team does": "active",
        # the late-state story (exchange/demo/late_internship.py, tested with its report)
        "Organic lead generation with content": "following_up",
    }
    accepted = rows["Workforce planning for project peaks"]
    assert len(service.acceptances_of(session, accepted)) == 3
    active = rows["Recruiting designers the way Afreen's team does"]
    assert active.started_at is not None and active.mentor_id is not None
    assert active.start_date < date.today() <= active.end_date  # a story that began days ago
    assert session.exec(select(func.count()).select_from(OutboxEmail)).one() == 0
    assert session.exec(select(func.count()).select_from(Notification)).one() > 0
    events = session.exec(select(func.count()).select_from(InternshipEvent)).one()

    again = load_demo(session)
    session.commit()
    assert again.created == 0
    assert session.exec(select(func.count()).select_from(Internship)).one() == 4
    assert session.exec(select(func.count()).select_from(InternshipEvent)).one() == events


def test_later_stories_plug_in_through_the_hook(session: Session,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def story(s: Session, ctx: demo_internships.DemoContext) -> tuple[int, int]:
        seen.append(ctx.person("meera@example.com").display_name)
        return 1, 0

    monkeypatch.setattr(demo_internships, "STORIES", [story])
    report = load_demo(session)
    assert seen == ["Meera Joshi"]
    assert report.created > 0
