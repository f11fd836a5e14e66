"""The lifecycle service: proposing with every rule, the versioned agreement, notifications,
the timeline and domain events. Afreen's firm sends Meera to Rajeev's firm; Arjun mentors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from exchange.accounts.models import BusinessRole, User
from exchange.errors import Conflict, ValidationFailed
from exchange.events import DomainEvent, subscribe
from exchange.events import _subscribers as event_subscribers
from exchange.internships import service
from exchange.internships.models import (
    AgreementVersion,
    FocusProcess,
    Internship,
    InternshipEvent,
)
from exchange.internships.schemas import AgreementIn, ProposalIn
from exchange.internships.states import Action, InternshipState
from exchange.notifications.models import Notification, OutboxEmail
from exchange.profiles import service as profiles_service
from exchange.profiles.models import Business
from exchange.taxonomy.models import Process
from tests.conftest import _person
from tests.internships.conftest import TODAY, accept_all, proposal_data, propose
from tests.support.factories import add_member, make_business


def _proposal(rajeev_firm: Business, meera: User, arjun: User | None, **overrides: Any
              ) -> ProposalIn:
    return ProposalIn.model_validate(proposal_data(
        host=rajeev_firm.slug, intern_id=meera.id, mentor_id=arjun.id if arjun else None,
        **overrides))


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return exc.value.by_field()


# -- proposing ----------------------------------------------------------------------------------


def test_afreen_proposes_and_the_levels_are_snapshotted(
        session: Session, internship: Internship) -> None:
    assert internship.state == InternshipState.proposed
    focus = {p.key: f for f, p in service.focus_of(session, internship)}
    assert set(focus) == {"marketing.content_marketing", "marketing.lead_generation"}
    # Afreen's firm is at 1 in content marketing, Rajeev's at 5 (tests/support/factories.py).
    content = focus["marketing.content_marketing"]
    assert (content.home_level_at_proposal, content.host_level_at_proposal) == (1, 5)
    assert [o.position for o in service.objectives_of(session, internship)] == [0, 1]
    versions = service.agreement_versions_of(session, internship)
    assert [v.version for v in versions] == [1]
    assert versions[0].content["focus_processes"] == sorted(focus)


def test_every_problem_of_a_proposal_is_named_at_once(
        session: Session, afreen: User, afreen_firm: Business, rajeev_firm: Business,
        farah: User, charlie: User) -> None:
    data = _proposal(rajeev_firm, farah, charlie,
                     start_date=(TODAY - timedelta(days=1)).isoformat(),
                     end_date=(TODAY - timedelta(days=3)).isoformat(),
                     focus_processes=["marketing.content_marketing", "marketing.telepathy"])
    with pytest.raises(ValidationFailed) as refused:
        service.propose(session, afreen, afreen_firm, rajeev_firm, data)
    fields = _fields(refused)
    assert "intern role" in fields["intern_id"]  # Farah is a manager, not an intern
    assert "member of Rajeev UX Consultancy" in fields["mentor_id"]  # Charlie is a stranger
    assert "on or after the start date" in fields["end_date"]
    assert "in the past" in fields["start_date"]
    assert "telepathy" in fields["focus_processes[1]"]
    assert session.exec(select(Internship)).all() == []


def test_longer_than_six_months_is_refused(session: Session, afreen: User, meera: User,
                                           afreen_firm: Business, rajeev_firm: Business) -> None:
    data = _proposal(rajeev_firm, meera, None,
                     end_date=(TODAY + timedelta(days=7 + 183)).isoformat())
    with pytest.raises(ValidationFailed) as refused:
        service.propose(session, afreen, afreen_firm, rajeev_firm, data)
    assert "six months" in _fields(refused)["end_date"]


def test_a_one_day_internship_is_fine(session: Session, afreen: User, meera: User,
                                      afreen_firm: Business, rajeev_firm: Business) -> None:
    day = (TODAY + timedelta(days=3)).isoformat()
    done = service.propose(session, afreen, afreen_firm, rajeev_firm,
                           _proposal(rajeev_firm, meera, None, start_date=day, end_date=day))
    assert service.duration_days(done.start_date, done.end_date) == 1


def test_a_retired_process_cannot_be_a_focus(session: Session, afreen: User, meera: User,
                                             afreen_firm: Business,
                                             rajeev_firm: Business) -> None:
    process = session.exec(select(Process).where(Process.key == "marketing.seo")).one()
    process.retired_at = process.updated_at
    session.add(process)
    session.flush()
    with pytest.raises(ValidationFailed) as refused:
        service.propose(session, afreen, afreen_firm, rajeev_firm, _proposal(
            rajeev_firm, meera, None, focus_processes=["marketing.seo"]))
    assert "retired" in _fields(refused)["focus_processes[0]"]


def test_competitors_cannot_exchange_and_the_reason_is_given(
        session: Session, afreen: User, meera: User, afreen_firm: Business,
        charlie: User) -> None:
    # Same ISIC group (783, temporary employment) and both serve India.
    rival = make_business(session, charlie, None, name="Pune Temps", isic_class="7830",
                          country="IN", region="Maharashtra", city="Mumbai",
                          market_reach="national", size_band="10-49")
    with pytest.raises(Conflict) as refused:
        service.propose(session, afreen, afreen_firm, rival, _proposal(rival, meera, None))
    assert "compete" in refused.value.detail
    assert "ISIC group 783" in refused.value.detail


def test_an_excluded_host_is_only_not_available(session: Session, afreen: User, meera: User,
                                                afreen_firm: Business,
                                                rajeev_firm: Business) -> None:
    profiles_service.set_exclusions(session, rajeev_firm, [afreen_firm.slug])
    with pytest.raises(Conflict) as refused:
        service.propose(session, afreen, afreen_firm, rajeev_firm,
                        _proposal(rajeev_firm, meera, None))
    assert "not available" in refused.value.detail
    assert "exclu" not in refused.value.detail


def test_an_intern_has_at_most_one_accepted_internship(
        session: Session, accepted_internship: Internship, afreen: User, meera: User,
        afreen_firm: Business, rajeev_firm: Business) -> None:
    with pytest.raises(Conflict) as refused:
        propose(session, afreen, afreen_firm, rajeev_firm, meera, None)
    assert "already has an accepted or active internship" in refused.value.detail


def test_the_host_capacity_is_never_exceeded_on_overlapping_dates(
        session: Session, afreen: User, afreen_firm: Business, rajeev: User,
        rajeev_firm: Business, arjun: User) -> None:
    rajeev_firm.hosting_capacity = 1
    session.add(rajeev_firm)
    session.commit()
    interns = []
    for n in range(2):
        person = _person(session, f"intern{n}@gigstaff.example", f"Intern {n}")
        add_member(session, afreen_firm, person, BusinessRole.intern)
        interns.append(person)
    first = propose(session, afreen, afreen_firm, rajeev_firm, interns[0], arjun)
    # A second proposal for the same week is possible while the first one is only proposed …
    second = propose(session, afreen, afreen_firm, rajeev_firm, interns[1], arjun)
    accept_all(session, first, afreen, rajeev, interns[0])
    # … but once the first is agreed, the last acceptance of the second is refused.
    service.accept(session, second, afreen)
    service.accept(session, second, interns[1])
    with pytest.raises(Conflict) as refused:
        service.accept(session, second, rajeev)
    assert "at most 1 intern" in refused.value.detail
    # A week that does not overlap is fine.
    later = (TODAY + timedelta(days=30)).isoformat()
    third_intern = _person(session, "intern9@gigstaff.example", "Intern 9")
    add_member(session, afreen_firm, third_intern, BusinessRole.intern)
    third = propose(session, afreen, afreen_firm, rajeev_firm, third_intern, arjun,
                    start_date=later, end_date=later)
    accept_all(session, third, afreen, rajeev, third_intern)
    assert third.state == InternshipState.accepted


# -- the agreement ----------------------------------------------------------------------------


def test_the_last_of_three_acceptances_agrees_it(session: Session, internship: Internship,
                                                 afreen: User, rajeev: User,
                                                 meera: User) -> None:
    service.accept(session, internship, afreen)
    service.accept(session, internship, meera)
    assert internship.state == InternshipState.proposed
    with pytest.raises(Conflict):
        service.accept(session, internship, meera)  # once is enough
    service.accept(session, internship, rajeev)
    assert internship.state == InternshipState.accepted
    assert internship.accepted_at is not None
    assert set(service.acceptances_of(session, internship)) == {"home_owner", "host_owner",
                                                                "intern"}


def test_the_host_must_name_a_mentor_before_accepting(
        session: Session, afreen: User, afreen_firm: Business, rajeev: User,
        rajeev_firm: Business, meera: User, arjun: User, charlie: User) -> None:
    internship = propose(session, afreen, afreen_firm, rajeev_firm, meera, None)
    with pytest.raises(ValidationFailed) as refused:
        service.accept(session, internship, rajeev)
    assert "mentor" in _fields(refused)["mentor_id"]
    with pytest.raises(ValidationFailed):
        service.accept(session, internship, rajeev, mentor_id=charlie.id)
    service.accept(session, internship, rajeev, mentor_id=arjun.id)
    assert internship.mentor_id == arjun.id


def test_editing_after_acceptance_makes_a_new_version_all_accept_again(
        session: Session, accepted_internship: Internship, afreen: User, rajeev: User,
        meera: User) -> None:
    internship = accepted_internship
    data = AgreementIn.model_validate({**proposal_data(), "end_date": (
        TODAY + timedelta(days=13)).isoformat()})
    service.edit_agreement(session, internship, rajeev, data)
    assert (internship.state, internship.agreement_version) == (InternshipState.proposed, 2)
    assert service.acceptances_of(session, internship) == {}
    with pytest.raises(Conflict):  # Meera read version 1
        service.accept(session, internship, meera, agreement_version=1)
    accept_all(session, internship, afreen, rajeev, meera)
    assert internship.state == InternshipState.accepted
    versions = service.agreement_versions_of(session, internship)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].content["end_date"] != versions[1].content["end_date"]


def test_saving_the_same_agreement_changes_nothing(session: Session,
                                                   accepted_internship: Internship,
                                                   afreen: User) -> None:
    before = (accepted_internship.version, accepted_internship.agreement_version)
    service.edit_agreement(session, accepted_internship, afreen,
                           AgreementIn.model_validate(proposal_data()))
    assert accepted_internship.state == InternshipState.accepted
    assert (accepted_internship.version, accepted_internship.agreement_version) == before
    assert len(session.exec(select(AgreementVersion)).all()) == 1


def test_a_stale_version_is_a_conflict(session: Session, active_internship: Internship,
                                       arjun: User) -> None:
    stale = active_internship.version - 1
    with pytest.raises(Conflict):
        service.act(session, active_internship, arjun, Action.complete, expected_version=stale)
    assert active_internship.state == InternshipState.active


# -- what people hear about it -------------------------------------------------------------------


def test_everyone_concerned_but_the_actor_is_notified(
        session: Session, internship: Internship, afreen: User, rajeev: User, arjun: User,
        farah: User, meera: User) -> None:
    service.accept(session, internship, meera)
    service.accept(session, internship, afreen)
    service.accept(session, internship, rajeev)
    notes = session.exec(select(Notification).where(
        Notification.kind == "internship.accepted")).all()
    assert {n.user_id for n in notes} == {afreen.id, farah.id, meera.id, arjun.id}
    assert all(n.link == f"/internships/{internship.id}" for n in notes)
    mails = session.exec(select(OutboxEmail).where(
        col(OutboxEmail.subject).contains("Every party accepted"))).all()
    assert {m.to_address for m in mails} == {afreen.email, farah.email, meera.email, arjun.email}


def test_the_timeline_has_every_step_with_its_actor(session: Session,
                                                    completed_internship: Internship,
                                                    afreen: User, arjun: User) -> None:
    events = service.timeline_of(session, completed_internship)
    # All three acceptances, the last one too, come before "agreed".
    assert [e.type for e in events] == [
        "internship.proposed", "internship.acceptance_recorded",
        "internship.acceptance_recorded", "internship.acceptance_recorded",
        "internship.accepted", "internship.started", "internship.completed"]
    assert events[0].actor_id == afreen.id
    assert events[-1].actor_id == arjun.id
    assert events[-1].summary == f"{arjun.display_name} marked the internship completed."
    assert events[-1].data == {"from": "active", "to": "completed"}


def test_domain_events_carry_both_businesses(session: Session, afreen: User, meera: User,
                                             afreen_firm: Business,
                                             rajeev_firm: Business) -> None:
    heard: list[DomainEvent] = []

    def listener(_session: Session, event: DomainEvent) -> None:
        heard.append(event)

    subscribe(listener)
    try:
        propose(session, afreen, afreen_firm, rajeev_firm, meera, None)
    finally:
        event_subscribers.remove(listener)
    assert [e.type for e in heard] == ["internship.proposed"]
    assert heard[0].business_ids == (afreen_firm.id, rajeev_firm.id)
    assert heard[0].data["internship"]["host"] == rajeev_firm.slug


def test_hosting_shows_in_the_matching_load(session: Session, accepted_internship: Internship,
                                            rajeev_firm: Business) -> None:
    from exchange.matching.serving import current_load_of

    assert current_load_of(session, [rajeev_firm.id or 0]) == {rajeev_firm.id: 1}


def test_only_participants_see_an_internship(session: Session, internship: Internship,
                                             charlie: User, meera: User, farah: User) -> None:
    from exchange.errors import NotFound

    assert internship.id is not None
    assert service.get_for(session, internship.id, meera).id == internship.id
    assert service.get_for(session, internship.id, farah).id == internship.id
    with pytest.raises(NotFound):
        service.get_for(session, internship.id, charlie)


def test_another_intern_of_the_same_firm_does_not_see_it(
        session: Session, internship: Internship, afreen_firm: Business) -> None:
    from exchange.errors import NotFound

    other = _person(session, "sana@gigstaff.example", "Sana Intern")
    add_member(session, afreen_firm, other, BusinessRole.intern)
    assert internship.id is not None
    with pytest.raises(NotFound):
        service.get_for(session, internship.id, other)
    assert service.list_for(session, other) == []


# -- duration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("complexities", "days"), [
    ([], 5), ([1], 3), ([2], 5), ([3], 10), ([2, 2], 8), ([3, 1, 1], 14),
    ([3] * 40, 183),
])
def test_the_suggested_duration_follows_the_documented_rule(complexities: list[int],
                                                            days: int) -> None:
    assert service.suggest_duration_days(complexities) == days


def test_focus_rows_follow_agreement_edits(session: Session, internship: Internship,
                                           afreen: User) -> None:
    data = AgreementIn.model_validate({**proposal_data(),
                                       "focus_processes": ["marketing.content_marketing"]})
    service.edit_agreement(session, internship, afreen, data)
    rows = session.exec(select(FocusProcess).where(
        FocusProcess.internship_id == internship.id)).all()
    assert len(rows) == 1
    kinds = [e.type for e in session.exec(select(InternshipEvent)).all()]
    assert kinds[-1] == "internship.agreement_edited"
