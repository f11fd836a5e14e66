"""Two simultaneous transitions never both succeed — raced with real threads, each with its own
connection and transaction, against PostgreSQL (where writers truly run in parallel).

Each thread loads the internship *before* the starting gun, so both act on the same stale
version, the situation a double-clicked button or two people on two laptops create. The database
of these tests is their own (committed rows, not the rolled-back test transaction).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from exchange import migrate
from exchange.accounts import service as accounts_service
from exchange.accounts.models import BusinessRole, User
from exchange.db import make_engine
from exchange.errors import Conflict
from exchange.internships import service
from exchange.internships.models import AgreementAcceptance, Internship, InternshipEvent
from exchange.internships.states import Action, InternshipState
from exchange.profiles.models import Business
from tests.conftest import PASSWORD
from tests.internships.conftest import propose
from tests.support.factories import (
    AFREEN_CELLS,
    AFREEN_FIRM,
    RAJEEV_CELLS,
    RAJEEV_FIRM,
    add_member,
    make_business,
)
from tests.support.postgres import PostgresServer

ROUNDS = 15  # bounded: each round is one race
pytestmark = pytest.mark.postgres


@dataclass
class Cast:
    engine: Engine
    afreen: User
    rajeev: User
    meera: User
    arjun: User
    home: Business
    host: Business


@pytest.fixture(scope="module")
def cast(postgres_server: PostgresServer) -> Iterator[Cast]:
    name = f"exchange_race_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=4)
    with Session(engine, expire_on_commit=False) as s:
        people = [accounts_service.sign_up(s, email=email, display_name=label, password=PASSWORD)
                  for email, label in (("afreen@race.example", "Afreen"),
                                       ("rajeev@race.example", "Rajeev"),
                                       ("meera@race.example", "Meera"),
                                       ("arjun@race.example", "Arjun"))]
        s.commit()
        afreen, rajeev, meera, arjun = people
        home = make_business(s, afreen, AFREEN_CELLS, **AFREEN_FIRM)
        host = make_business(s, rajeev, RAJEEV_CELLS, **RAJEEV_FIRM)
        add_member(s, home, meera, BusinessRole.intern)
        add_member(s, host, arjun, BusinessRole.manager)
    yield Cast(engine, afreen, rajeev, meera, arjun, home, host)
    engine.dispose()
    postgres_server.drop_database(name)


def _fresh_internship(cast: Cast, state: InternshipState) -> int:
    with Session(cast.engine, expire_on_commit=False) as s:
        # Earlier rounds' internships are finished, so the intern and the places are free.
        s.execute(update(Internship).values(state=InternshipState.closed.value))
        s.commit()
        internship = propose(s, cast.afreen, cast.home, cast.host, cast.meera, cast.arjun)
        s.execute(update(Internship).where(col(Internship.id) == internship.id)
                  .values(state=state.value))
        s.commit()
        assert internship.id is not None
        return internship.id


Step = Callable[[Session, Internship], object]


def _race(cast: Cast, internship_id: int, first: Step, second: Step) -> list[str]:
    """Runs both steps at once; returns "ok" or the refusal's class name for each."""
    gun = threading.Barrier(2, timeout=20)
    outcomes: list[str] = ["", ""]

    def runner(slot: int, step: Step) -> None:
        with Session(cast.engine, expire_on_commit=False) as s:
            stale = s.get(Internship, internship_id)
            assert stale is not None
            gun.wait()
            try:
                step(s, stale)
                s.commit()
                outcomes[slot] = "ok"
            except Conflict as refused:  # InvalidTransition is a Conflict too
                s.rollback()
                outcomes[slot] = type(refused).__name__

    threads = [threading.Thread(target=runner, args=(i, step))
               for i, step in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return outcomes


def _state_and_events(cast: Cast, internship_id: int, event_type: str) -> tuple[str, int]:
    with Session(cast.engine) as s:
        row = s.get(Internship, internship_id)
        assert row is not None
        events = s.exec(select(func.count()).select_from(InternshipEvent).where(
            InternshipEvent.internship_id == internship_id,
            col(InternshipEvent.type).like(event_type))).one()
        return row.state, int(events)


def _user(s: Session, user: User) -> User:
    found = s.get(User, user.id)
    assert found is not None
    return found


def test_complete_and_cancel_at_once_only_one_wins(cast: Cast) -> None:
    for _ in range(ROUNDS):
        internship_id = _fresh_internship(cast, InternshipState.active)
        outcomes = _race(
            cast, internship_id,
            lambda s, i: service.act(s, i, _user(s, cast.arjun), Action.complete),
            lambda s, i: service.act(s, i, _user(s, cast.afreen), Action.cancel),
        )
        assert sorted(outcomes) == ["InvalidTransition", "ok"], outcomes
        state, moves = _state_and_events(cast, internship_id, "internship.c%")
        winner = "completed" if outcomes[0] == "ok" else "cancelled"
        assert (state, moves) == (winner, 1)


def test_the_same_version_twice_only_one_wins(cast: Cast) -> None:
    """Both send the version they saw (a double submit): the second is refused."""
    for _ in range(ROUNDS):
        internship_id = _fresh_internship(cast, InternshipState.active)

        def complete(s: Session, i: Internship) -> object:
            return service.act(s, i, _user(s, cast.arjun), Action.complete,
                               expected_version=i.version)

        outcomes = _race(cast, internship_id, complete, complete)
        assert sorted(outcomes) in (["Conflict", "ok"], ["InvalidTransition", "ok"]), outcomes
        assert _state_and_events(cast, internship_id, "internship.completed") == ("completed", 1)


def test_the_last_two_acceptances_at_once_both_count(cast: Cast) -> None:
    """Home and host owner accept at the same moment after the intern: neither acceptance is
    lost and the internship ends up accepted exactly once."""
    for _ in range(ROUNDS):
        internship_id = _fresh_internship(cast, InternshipState.proposed)
        with Session(cast.engine, expire_on_commit=False) as s:
            row = s.get(Internship, internship_id)
            assert row is not None
            service.accept(s, row, _user(s, cast.meera))
            s.commit()
        outcomes = _race(
            cast, internship_id,
            lambda s, i: service.accept(s, i, _user(s, cast.afreen)),
            lambda s, i: service.accept(s, i, _user(s, cast.rajeev)),
        )
        assert outcomes == ["ok", "ok"]
        assert _state_and_events(cast, internship_id, "internship.accepted") == ("accepted", 1)
        with Session(cast.engine) as s:
            parties = s.exec(select(AgreementAcceptance.party).where(
                AgreementAcceptance.internship_id == internship_id)).all()
        assert sorted(parties) == ["home_owner", "host_owner", "intern"]
