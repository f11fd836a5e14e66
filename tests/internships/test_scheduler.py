"""The follow-up reminders: sent when due and when overdue, to the intern and the home
owners, never twice and never lost — across crashes, restarts and concurrent tickers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func
from sqlmodel import Session, select

from exchange import migrate
from exchange.accounts.models import BusinessRole, User
from exchange.db import make_engine
from exchange.internships import followups, plans, service
from exchange.internships.models import FollowUp, Internship
from exchange.internships.progress_schemas import ReviewIn
from exchange.internships.states import Action
from exchange.notifications.models import Notification, OutboxEmail
from tests.conftest import _person
from tests.internships.conftest import accept_all, propose
from tests.internships.progress_helpers import TODAY, follow_up_in, plan_in
from tests.support.factories import (
    AFREEN_CELLS,
    AFREEN_FIRM,
    RAJEEV_CELLS,
    RAJEEV_FIRM,
    add_member,
    make_business,
)

DUE = TODAY + timedelta(days=30)
OVERDUE = DUE + followups.OVERDUE_AFTER


def _factory(connection: Connection) -> Callable[[], Session]:
    # Every scheduler session is a fresh Session on the test's connection (its own SAVEPOINT),
    # like a new process would open its own.
    return lambda: Session(bind=connection, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)


def _reminders(session: Session, kind: str) -> list[tuple[int, str]]:
    return sorted((n.user_id, n.title) for n in session.exec(
        select(Notification).where(Notification.kind == f"internship.follow_up_{kind}")))


def test_a_due_reminder_goes_to_the_intern_and_the_home_owners_only(
        session: Session, connection: Connection, plan_approved_internship: Internship,
        meera: User, afreen: User, farah: User) -> None:
    assert followups.tick(_factory(connection), today=DUE - timedelta(days=1)).due_sent == 0
    report = followups.tick(_factory(connection), today=DUE)
    assert report.as_dict() == {"due_sent": 1, "overdue_sent": 0, "failed": 0}
    got = _reminders(session, "due")
    assert [uid for uid, _ in got] == sorted([meera.id, afreen.id, farah.id])
    assert "30-day follow-up is due" in got[0][1]
    mails = session.exec(select(OutboxEmail.to_address).where(
        OutboxEmail.subject.contains("30-day follow-up"))).all()  # type: ignore[attr-defined]
    assert sorted(mails) == sorted([meera.email, afreen.email, farah.email])


def test_a_second_tick_sends_nothing(session: Session, connection: Connection,
                                     plan_approved_internship: Internship) -> None:
    followups.tick(_factory(connection), today=DUE)
    assert followups.tick(_factory(connection), today=DUE).as_dict() == {
        "due_sent": 0, "overdue_sent": 0, "failed": 0}
    assert len(_reminders(session, "due")) == 3


def test_the_overdue_reminder_follows_a_week_later(session: Session, connection: Connection,
                                                   plan_approved_internship: Internship) -> None:
    followups.tick(_factory(connection), today=DUE)
    assert followups.tick(_factory(connection), today=OVERDUE - timedelta(days=1)).as_dict()[
        "overdue_sent"] == 0
    assert followups.tick(_factory(connection), today=OVERDUE).overdue_sent == 1
    assert followups.tick(_factory(connection), today=OVERDUE + timedelta(days=3)).as_dict() == {
        "due_sent": 0, "overdue_sent": 0, "failed": 0}
    assert len(_reminders(session, "overdue")) == 3


def test_after_a_long_outage_the_overdue_reminder_stands_in_for_the_due_one(
        session: Session, connection: Connection, plan_approved_internship: Internship) -> None:
    report = followups.tick(_factory(connection), today=OVERDUE + timedelta(days=1))
    assert (report.due_sent, report.overdue_sent) == (0, 1)
    row = session.exec(select(FollowUp).where(FollowUp.day == 30)).one()
    session.refresh(row)
    assert row.due_reminder_sent_at is not None and row.overdue_reminder_sent_at is not None
    assert _reminders(session, "due") == []


def test_a_recorded_follow_up_is_not_reminded(session: Session, connection: Connection,
                                              plan_approved_internship: Internship,
                                              meera: User) -> None:
    followups.record(session, plan_approved_internship, meera, 30,
                     follow_up_in(session, plan_approved_internship))
    session.commit()
    assert followups.tick(_factory(connection), today=OVERDUE).as_dict() == {
        "due_sent": 0, "overdue_sent": 0, "failed": 0}


def test_a_closed_internship_is_not_reminded(session: Session, connection: Connection,
                                             plan_approved_internship: Internship,
                                             afreen: User) -> None:
    service.act(session, plan_approved_internship, afreen, Action.close)
    session.commit()
    assert followups.tick(_factory(connection), today=OVERDUE).overdue_sent == 0
    assert _reminders(session, "overdue") == []


def test_a_crash_between_claim_and_commit_loses_nothing_and_repeats_nothing(
        session: Session, connection: Connection, plan_approved_internship: Internship) -> None:
    crashed = _factory(connection)()
    pending = followups.pending_reminders(crashed, DUE)
    assert len(pending) == 1
    assert followups.send_reminder(crashed, *pending[0]) is True
    crashed.rollback()  # the process dies before its commit: claim and notifications go
    crashed.close()
    assert _reminders(session, "due") == []

    assert followups.tick(_factory(connection), today=DUE).due_sent == 1  # "after the restart"
    assert followups.tick(_factory(connection), today=DUE).due_sent == 0
    assert len(_reminders(session, "due")) == 3


# -- a real restart: separate engines on a database of their own ---------------------------------


@pytest.fixture
def own_database(database_url: str, tmp_path: Path,
                 request: pytest.FixtureRequest) -> Iterator[str]:
    """A freshly migrated database that this test may commit to (the shared one is rolled back
    after every test)."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'scheduler.sqlite3'}"
        migrate.upgrade(url)
        yield url
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_database("exchange_scheduler")
    migrate.upgrade(url)
    yield url
    server.drop_database("exchange_scheduler")


def _approved_internship_in(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as s:
        afreen = _person(s, "afreen@gigstaff.example", "Afreen Sheikh")
        meera = _person(s, "meera@gigstaff.example", "Meera Joshi")
        rajeev = _person(s, "rajeev@uxconsult.example", "Rajeev Menon")
        arjun = _person(s, "arjun@uxconsult.example", "Arjun Rao")
        home = make_business(s, afreen, AFREEN_CELLS, **AFREEN_FIRM)
        add_member(s, home, meera, BusinessRole.intern)
        host = make_business(s, rajeev, RAJEEV_CELLS, **RAJEEV_FIRM)
        add_member(s, host, arjun, BusinessRole.manager)
        s.commit()
        internship = propose(s, afreen, home, host, meera, arjun)
        internship = accept_all(s, internship, afreen, rajeev, meera)
        for action in (Action.start, Action.complete):
            internship = service.act(s, internship, arjun, action)
        plans.submit(s, internship, meera, plan_in())
        plans.approve(s, internship, afreen, ReviewIn())
        s.commit()


def _count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(Notification).where(
            Notification.kind == "internship.follow_up_due")).one())


def test_no_duplicate_and_no_lost_reminder_across_a_restart(own_database: str) -> None:
    first = make_engine(own_database)
    _approved_internship_in(first)
    with Session(first) as dying:
        pending = followups.pending_reminders(dying, DUE)
        assert followups.send_reminder(dying, *pending[0])
        dying.rollback()  # the server is killed before the commit
    first.dispose()

    restarted = make_engine(own_database)
    assert _count(restarted) == 0
    assert followups.tick(lambda: Session(restarted), today=DUE).due_sent == 1
    restarted.dispose()
    again = make_engine(own_database)
    assert followups.tick(lambda: Session(again), today=DUE).due_sent == 0
    assert _count(again) == 2  # Meera and Afreen, once each
    again.dispose()


def test_concurrent_tickers_send_each_reminder_once(own_database: str) -> None:
    engine = make_engine(own_database)
    _approved_internship_in(engine)
    barrier = threading.Barrier(3, timeout=20)
    reports: list[followups.TickReport] = []

    def run() -> None:
        barrier.wait()
        reports.append(followups.tick(lambda: Session(engine), today=DUE))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(r.due_sent for r in reports) == 1
    assert sum(r.failed for r in reports) == 0
    assert _count(engine) == 2
    engine.dispose()


def test_exchange_tick_sends_once_and_prints_json(own_database: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from typer.testing import CliRunner

    from exchange.cli import app
    from exchange.config import get_settings

    engine = make_engine(own_database)
    _approved_internship_in(engine)
    engine.dispose()
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", own_database)
    get_settings.cache_clear()
    try:
        # Nothing is due today; the follow-ups fall due 30 days after the approval.
        result = CliRunner().invoke(app, ["tick"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == {"due_sent": 0, "overdue_sent": 0, "failed": 0,
                                             "proposals_expired": 0}
        sent = CliRunner().invoke(app, ["tick", "--today", DUE.isoformat()])
        assert json.loads(sent.output) == {"due_sent": 1, "overdue_sent": 0, "failed": 0,
                                           "proposals_expired": 0}
        again = CliRunner().invoke(app, ["tick", "--today", DUE.isoformat()])
        assert json.loads(again.output)["due_sent"] == 0
        bad = CliRunner().invoke(app, ["tick", "--today", "soon"])
        assert bad.exit_code == 1 and "--today" in bad.output
    finally:
        get_settings.cache_clear()
