"""Every (state, action, role) combination: the ones the transition table allows succeed and
move to the table's target, all others are refused with 409 (not possible in this state) or 403
(not your role) and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from exchange.accounts.models import BusinessRole, User
from exchange.errors import ExchangeError
from exchange.internships import service
from exchange.internships.models import AgreementAcceptance, Internship, InternshipEvent
from exchange.internships.schemas import AgreementIn
from exchange.internships.states import (
    TRANSITIONS,
    Action,
    InternshipState,
    InvalidTransition,
    Role,
    TransitionNotAllowed,
    actions_for,
    transition_for,
)
from exchange.notifications.models import Notification
from exchange.profiles.models import Business
from tests.conftest import _person
from tests.internships.conftest import proposal_data, propose
from tests.support.factories import add_member


@pytest.fixture
def kiran(session: Session, rajeev_firm: Business) -> User:
    """A host employee who mentors but does not manage the firm: the pure mentor role."""
    person = _person(session, "kiran@uxconsult.example", "Kiran Patel")
    add_member(session, rajeev_firm, person, BusinessRole.intern)
    return person


@pytest.fixture
def cast(session: Session, afreen: User, rajeev: User, meera: User, kiran: User,
         afreen_firm: Business, rajeev_firm: Business) -> dict[Role, User | None]:
    return {Role.home_owner: afreen, Role.host_owner: rajeev, Role.mentor: kiran,
            Role.intern: meera, Role.system: None}


def test_personas_hold_exactly_their_roles(session: Session, cast: dict[Role, User | None],
                                           afreen_firm: Business, rajeev_firm: Business,
                                           farah: User, arjun: User, charlie: User) -> None:
    afreen, meera, kiran = cast[Role.home_owner], cast[Role.intern], cast[Role.mentor]
    assert afreen is not None and meera is not None and kiran is not None
    internship = propose(session, afreen, afreen_firm, rajeev_firm, meera, kiran)
    for role, person in cast.items():
        if person is not None:
            assert service.roles_of(session, internship, person) == {role}
    # Managers act for their owners; a stranger holds no role at all.
    assert service.roles_of(session, internship, farah) == {Role.home_owner}
    assert service.roles_of(session, internship, arjun) == {Role.host_owner}
    assert service.roles_of(session, internship, charlie) == frozenset()


def _fingerprint(session: Session, internship_id: int) -> tuple[Any, ...]:
    session.expire_all()
    row = session.get(Internship, internship_id)
    assert row is not None

    def count(model: Any, column: Any) -> int:
        return int(session.exec(select(func.count()).select_from(model)
                                .where(column == internship_id)).one())

    return (row.state, row.version, row.agreement_version, row.start_date, row.schedule_notes,
            row.mentor_id,
            count(AgreementAcceptance, col(AgreementAcceptance.internship_id)),
            count(InternshipEvent, col(InternshipEvent.internship_id)),
            int(session.exec(select(func.count()).select_from(Notification)).one()))


def _attempt(session: Session, internship: Internship, action: Action, role: Role,
             actor: User | None) -> Callable[[], Internship]:
    """How the product would try `action` as `actor` (the system has no person)."""
    if action == Action.edit_agreement and actor is not None:
        data = AgreementIn.model_validate(
            {**proposal_data(), "schedule_notes": "Tuesday to Saturday instead."})
        return lambda: service.edit_agreement(session, internship, actor, data)
    if action == Action.accept and actor is not None:
        return lambda: service.accept(session, internship, actor)
    if action in service.SIMPLE_ACTIONS and actor is not None:
        return lambda: service.act(session, internship, actor, action)
    # Plan and follow-up actions carry content (their own modules); the system has no person:
    # both go through the same one door, `move`, with the role stated.
    return lambda: service.move(session, internship, actor, action, event="test.moved",
                                summary="moved by the enumeration test",
                                roles=frozenset({role}))


@pytest.mark.parametrize("state", list(InternshipState))
def test_every_action_by_every_role(state: InternshipState, session: Session,
                                    cast: dict[Role, User | None], afreen_firm: Business,
                                    rajeev_firm: Business) -> None:
    afreen, meera, kiran = cast[Role.home_owner], cast[Role.intern], cast[Role.mentor]
    assert afreen is not None and meera is not None and kiran is not None
    internship = propose(session, afreen, afreen_firm, rajeev_firm, meera, kiran)
    assert internship.id is not None
    # Put the internship in the state under test (the walk through the real steps is tested
    # in test_service.py; here only the table matters).
    session.execute(update(Internship).where(col(Internship.id) == internship.id)
                    .values(state=state.value))
    session.commit()
    tried = 0
    for action in Action:
        for role, actor in cast.items():
            before = _fingerprint(session, internship.id)
            allowed = TRANSITIONS.get((state, action))
            should_pass = allowed is not None and role in allowed.roles
            savepoint = session.begin_nested()
            refused: ExchangeError | None = None
            try:
                moved = _attempt(session, internship, action, role, actor)()
                after = (moved.state, moved.version)
            except ExchangeError as error:
                refused = error
            savepoint.rollback()  # what the request boundary does either way in this test
            if refused is not None:
                assert not should_pass, (state, action, role, refused.detail)
                expected = InvalidTransition if allowed is None else TransitionNotAllowed
                assert type(refused) is expected, (state, action, role, refused.detail)
                assert _fingerprint(session, internship.id) == before, (state, action, role)
            else:
                assert should_pass, (state, action, role)
                assert allowed is not None
                if action == Action.accept:
                    # One party's yes: recorded, the state waits for the other two.
                    assert after[0] == state.value
                else:
                    assert after[0] == allowed.target.value, (state, action, role)
                assert after[1] > before[1]
            tried += 1
    assert tried == len(Action) * len(cast)


def test_table_helpers_agree_with_the_table() -> None:
    for (state, action), transition in TRANSITIONS.items():
        for role in transition.roles:
            assert transition_for(state, action, {role}) is transition
            assert action in actions_for(state, {role})
    assert actions_for(InternshipState.closed, set(Role)) == []
    with pytest.raises(InvalidTransition):
        transition_for(InternshipState.closed, Action.start, set(Role))
    with pytest.raises(TransitionNotAllowed):
        transition_for(InternshipState.active, Action.complete, {Role.intern})


def test_refusals_are_409_and_403_problems() -> None:
    assert InvalidTransition.status_code == 409
    assert TransitionNotAllowed.status_code == 403
