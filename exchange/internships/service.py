"""The internship lifecycle: proposing, the agreement, and every state change.

All state changes go through :func:`move`, which locks the internship row, checks the
transition table (`states.py`) for the caller's roles, compares the optimistic ``version`` and
bumps it with a conditional UPDATE — so two concurrent transitions never both win — then records
the timeline event, notifies the people concerned (inbox and e-mail) and emits the domain event
(webhooks). Services only flush; the request boundary commits.

Rules checked here, in one place:
- the intern is a member of the home business with the intern role; the mentor a member of the
  host;
- home and host do not compete and neither excluded the other — the matching engine's rule
  (`exchange.matching.competition`), fed with the same records the index uses;
- an intern has at most one accepted or active internship;
- the host's hosting capacity is never exceeded by accepted/active internships whose dates
  overlap (checked under a row lock on the host at acceptance and start);
- start on or before end, duration between one day and six months.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from exchange.accounts.models import BusinessRole, User
from exchange.config import public_base_url_var
from exchange.db import utcnow
from exchange.errors import Conflict, FieldError, NotFound, ValidationFailed
from exchange.events import DomainEvent, emit
from exchange.internships.models import (
    MAX_DAYS,
    MIN_DAYS,
    AgreementAcceptance,
    AgreementParty,
    AgreementVersion,
    FocusProcess,
    Internship,
    InternshipEvent,
    Objective,
)
from exchange.internships.schemas import AgreementIn, ProposalIn
from exchange.internships.states import (
    BUSY_STATES,
    Action,
    InternshipState,
    Role,
    actions_for,
    transition_for,
)
from exchange.notifications import inbox
from exchange.notifications.email import queue_email
from exchange.profiles.models import Business, BusinessMembership, MatrixCell
from exchange.taxonomy.models import Process

S = InternshipState
OWNER_ROLES = (BusinessRole.owner.value, BusinessRole.manager.value)

# -- duration --------------------------------------------------------------------------------

# Days at the host to learn one process of each complexity (1 simple … 3 complex): a simple
# routine is seen in a few days, a defined process needs a working week of practice, a complex
# one two weeks.
DAYS_FOR_COMPLEXITY = {1: 3, 2: 5, 3: 10}


def suggest_duration_days(complexities: Iterable[int]) -> int:
    """The most complex focus process sets the base; every further process adds half its own
    days (the intern is already settled in and sees related work side by side). Clamped to one
    day … six months."""
    days = sorted((DAYS_FOR_COMPLEXITY[c] for c in complexities), reverse=True)
    if not days:
        return DAYS_FOR_COMPLEXITY[2]
    total = days[0] + sum(math.ceil(d / 2) for d in days[1:])
    return max(MIN_DAYS, min(MAX_DAYS, total))


def duration_days(start: date, end: date) -> int:
    return (end - start).days + 1


# -- who is asking ---------------------------------------------------------------------------


def _role_rows(session: Session, user_id: int, business_ids: Sequence[int]) -> dict[int, str]:
    rows = session.exec(
        select(BusinessMembership).where(
            BusinessMembership.user_id == user_id,
            col(BusinessMembership.business_id).in_(list(business_ids)))
    ).all()
    return {row.business_id: row.role for row in rows}


def roles_of(session: Session, internship: Internship, user: User | None) -> frozenset[Role]:
    """The caller's roles in this internship (empty for anyone else)."""
    if user is None or user.id is None:
        return frozenset()
    memberships = _role_rows(session, user.id,
                             [internship.home_business_id, internship.host_business_id])
    return roles_given(internship, user.id, memberships)


def roles_given(internship: Internship, user_id: int,
                memberships: dict[int, str]) -> frozenset[Role]:
    """`roles_of` from the caller's memberships by business id (a page loads them at once)."""
    roles = set()
    if memberships.get(internship.home_business_id) in OWNER_ROLES:
        roles.add(Role.home_owner)
    if memberships.get(internship.host_business_id) in OWNER_ROLES:
        roles.add(Role.host_owner)
    if internship.mentor_id == user_id and internship.host_business_id in memberships:
        roles.add(Role.mentor)
    if internship.intern_id == user_id:
        roles.add(Role.intern)
    return frozenset(roles)


def visible_internships(user_id: int) -> Any:
    """WHERE clause: internships a user takes part in — as intern or mentor, or as an owner or
    manager of either business. Interns see only their own, never the rest of their firm's."""
    managed = select(BusinessMembership.business_id).where(
        BusinessMembership.user_id == user_id, col(BusinessMembership.role).in_(OWNER_ROLES))
    return or_(
        col(Internship.intern_id) == user_id,
        col(Internship.mentor_id) == user_id,
        col(Internship.home_business_id).in_(managed),
        col(Internship.host_business_id).in_(managed),
    )


def get_for(session: Session, internship_id: int, user: User) -> Internship:
    """The internship if this user takes part in it; 404 otherwise (it does not leak)."""
    assert user.id is not None
    found = session.exec(
        select(Internship).where(Internship.id == internship_id, visible_internships(user.id))
    ).first()
    if found is None:
        raise NotFound("No internship with that number is visible to you.")
    return found


def list_for(session: Session, user: User, *, state: str | None = None,
             limit: int = 200) -> list[Internship]:
    assert user.id is not None
    query = select(Internship).where(visible_internships(user.id))
    if state:
        query = query.where(Internship.state == state)
    return list(session.exec(
        query.order_by(col(Internship.updated_at).desc(), col(Internship.id).desc()).limit(limit)
    ).all())


# -- reading ---------------------------------------------------------------------------------


def objectives_of(session: Session, internship: Internship) -> list[Objective]:
    return list(session.exec(
        select(Objective).where(Objective.internship_id == internship.id)
        .order_by(col(Objective.position), col(Objective.id))
    ).all())


def focus_of(session: Session, internship: Internship) -> list[tuple[FocusProcess, Process]]:
    rows = session.exec(
        select(FocusProcess, Process).join(Process, col(Process.id) == FocusProcess.process_id)
        .where(FocusProcess.internship_id == internship.id)
        .order_by(col(Process.department_id), col(Process.position), col(Process.id))
    ).all()
    return [(focus, process) for focus, process in rows]


def acceptances_of(session: Session, internship: Internship,
                   version: int | None = None) -> dict[AgreementParty, AgreementAcceptance]:
    rows = session.exec(
        select(AgreementAcceptance).where(
            AgreementAcceptance.internship_id == internship.id,
            AgreementAcceptance.agreement_version == (version or internship.agreement_version))
    ).all()
    return {AgreementParty(row.party): row for row in rows}


def timeline_of(session: Session, internship: Internship) -> list[InternshipEvent]:
    return list(session.exec(
        select(InternshipEvent).where(InternshipEvent.internship_id == internship.id)
        .order_by(col(InternshipEvent.created_at), col(InternshipEvent.id))
    ).all())


def agreement_versions_of(session: Session, internship: Internship) -> list[AgreementVersion]:
    return list(session.exec(
        select(AgreementVersion).where(AgreementVersion.internship_id == internship.id)
        .order_by(col(AgreementVersion.version))
    ).all())


def available_actions(session: Session, internship: Internship, user: User) -> list[Action]:
    roles = roles_of(session, internship, user)
    return actions_given(internship, roles, lambda: acceptances_of(session, internship))


def actions_given(internship: Internship, roles: frozenset[Role],
                  acceptances: Callable[[], dict[AgreementParty, AgreementAcceptance]]
                  ) -> list[Action]:
    """`available_actions` from the caller's roles and (only read when it matters) the
    acceptances of the current agreement version."""
    found = actions_for(InternshipState(internship.state), roles)
    if Action.accept in found:
        party_done = acceptances()
        if all(p in party_done for p in _parties_of(roles)):
            found.remove(Action.accept)
    return found


# -- validation ------------------------------------------------------------------------------


def parse_agreement(raw: dict[str, Any], schema: type[AgreementIn] = AgreementIn) -> AgreementIn:
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed.from_pydantic(exc) from exc


def _check_agreement(session: Session, data: AgreementIn, *, today: date,
                     errors: list[FieldError]) -> list[Process]:
    if data.end_date < data.start_date:
        errors.append(FieldError("end_date", "The end date must be on or after the start date."))
    else:
        days = duration_days(data.start_date, data.end_date)
        if days > MAX_DAYS:
            errors.append(FieldError(
                "end_date", f"An internship lasts at most six months ({MAX_DAYS} days); "
                            f"this one would last {days}."))
    if data.start_date < today:
        errors.append(FieldError("start_date", "The start date is in the past."))
    keys = list(dict.fromkeys(data.focus_processes))
    found = {p.key: p for p in session.exec(
        select(Process).where(col(Process.key).in_(keys))).all()}
    processes = []
    for position, key in enumerate(keys):
        process = found.get(key)
        if process is None:
            errors.append(FieldError(f"focus_processes[{position}]",
                                     f"“{key}” is not a process of our taxonomy."))
        elif process.retired_at is not None:
            errors.append(FieldError(f"focus_processes[{position}]",
                                     f"“{process.name}” is retired and cannot be a focus."))
        else:
            processes.append(process)
    return processes


class _Party(Protocol):
    """A business as the competition rule needs it: a database Business or a suggestion's
    Partner."""

    @property
    def id(self) -> int | None: ...

    @property
    def name(self) -> str: ...


def competition_reason(session: Session, home: Business, host: Business) -> str | None:
    """Why these two may not exchange, in words safe to show the home side; None if they may.

    The matching engine's own rule on the same records the index uses: exclusions either way
    (worded "not available", never "they excluded you") and same industry with overlapping
    markets ("same ISIC group 731; both serve Pune")."""
    return _competition_reasons(session, [(home, host)])[0]


def _competition_reasons(session: Session, pairs: Sequence[tuple[_Party, _Party]]
                         ) -> list[str | None]:
    """:func:`competition_reason` for several (home, host) pairs, the records loaded once."""
    from exchange.matching.competition import industry_and_market_reason
    from exchange.matching.serving import index_key, records_of

    if not pairs:
        return []
    ids = {b.id for pair in pairs for b in pair}
    assert None not in ids
    records = records_of(session, [i for i in ids if i is not None])
    reasons: list[str | None] = []
    for home, host in pairs:
        assert home.id is not None and host.id is not None
        a, b = records.get(home.id), records.get(host.id)
        if a is None or b is None:
            reasons.append("archived businesses take part in no internships")
        elif index_key(host.id) in a.excluded or index_key(home.id) in b.excluded:
            reasons.append(f"{host.name} is not available for internships with {home.name}")
        elif (reason := industry_and_market_reason(a, b)) is not None:
            reasons.append(f"{home.name} and {host.name} compete ({reason})")
        else:
            reasons.append(None)
    return reasons


def refusal_words(reason: str) -> str:
    """The sentence the API answers with (409) when a proposal is refused for `reason`."""
    return f"No internship is possible: {reason}."


@dataclass(frozen=True)
class ProposalOffer:
    """Whether `home` may propose an internship at `host`, decided here once for every page
    that links to proposing (profile, propose form, suggestions, pair page): pages show the link
    or the send button only when `possible`, else `reason` — the API's own refusal sentence."""

    home: Any
    host: Any
    possible: bool
    reason: str | None


def proposal_offers(session: Session, pairs: Sequence[tuple[_Party, _Party]]
                    ) -> list[ProposalOffer]:
    """One :class:`ProposalOffer` per (home, host) pair, from :func:`competition_reason`'s rule
    — the check :func:`propose` makes — so a page never offers what the service refuses."""
    return [ProposalOffer(home, host, reason is None,
                          None if reason is None else refusal_words(reason))
            for (home, host), reason in zip(pairs, _competition_reasons(session, pairs),
                                            strict=True)]


def proposal_offer(session: Session, home: Business, host: _Party) -> ProposalOffer:
    return proposal_offers(session, [(home, host)])[0]


def _busy_internship(session: Session, intern_id: int, *, other_than: int | None) -> bool:
    query = select(Internship.id).where(
        Internship.intern_id == intern_id, col(Internship.state).in_(list(BUSY_STATES)))
    if other_than is not None:
        query = query.where(Internship.id != other_than)
    return session.exec(query).first() is not None


def places_taken(session: Session, host_id: int, start: date, end: date,
                 *, other_than: int | None = None) -> int:
    """Accepted or active internships at the host whose dates overlap [start, end]."""
    query = select(func.count()).select_from(Internship).where(
        Internship.host_business_id == host_id, col(Internship.state).in_(list(BUSY_STATES)),
        col(Internship.start_date) <= end, col(Internship.end_date) >= start)
    if other_than is not None:
        query = query.where(Internship.id != other_than)
    return int(session.exec(query).one())


def _check_capacity(session: Session, host: Business, start: date, end: date,
                    other_than: int | None) -> None:
    taken = places_taken(session, host.id or 0, start, end, other_than=other_than)
    if taken >= host.hosting_capacity:
        raise Conflict(
            f"{host.name} hosts at most {host.hosting_capacity} intern(s) at a time and has no "
            f"place left between {start.isoformat()} and {end.isoformat()}.")


def _member_role(session: Session, business_id: int, user_id: int) -> str | None:
    return _role_rows(session, user_id, [business_id]).get(business_id)


# -- proposing and the agreement ---------------------------------------------------------------


def propose(session: Session, proposer: User, home: Business, host: Business, data: ProposalIn,
            *, today: date | None = None, round_proposal_id: int | None = None) -> Internship:
    """A proposal from the home business (the caller's role was checked by the route's
    dependency); every problem is reported at once, and nothing is written on error."""
    today = today or date.today()
    errors: list[FieldError] = []
    if host.id == home.id:
        errors.append(FieldError("host", "A business cannot host its own employee."))
    if host.archived_at is not None:
        errors.append(FieldError("host", f"{host.name} is archived."))
    if home.archived_at is not None:
        errors.append(FieldError("host", f"{home.name} is archived; restore it first."))
    if _member_role(session, home.id or 0, data.intern_id) != BusinessRole.intern.value:
        errors.append(FieldError(
            "intern_id", f"The intern must be a member of {home.name} with the intern role."))
    if data.mentor_id is not None and _member_role(session, host.id or 0, data.mentor_id) is None:
        errors.append(FieldError("mentor_id", f"The mentor must be a member of {host.name}."))
    processes = _check_agreement(session, data, today=today, errors=errors)
    if errors:
        raise ValidationFailed(errors)
    reason = competition_reason(session, home, host)
    if reason is not None:
        raise Conflict(refusal_words(reason))
    if _busy_internship(session, data.intern_id, other_than=None):
        raise Conflict("This intern already has an accepted or active internship.")
    _check_capacity(session, host, data.start_date, data.end_date, None)

    internship = Internship(
        home_business_id=home.id or 0, host_business_id=host.id or 0,
        intern_id=data.intern_id, mentor_id=data.mentor_id, proposed_by_id=proposer.id,
        title=data.title, start_date=data.start_date, end_date=data.end_date,
        schedule_notes=data.schedule_notes, confidentiality_terms=data.confidentiality_terms,
        round_proposal_id=round_proposal_id,
    )
    session.add(internship)
    session.flush()
    _write_focus(session, internship, home, host, processes)
    _write_objectives(session, internship, data)
    _snapshot_agreement(session, internship, proposer)
    record(session, internship, "internship.proposed", proposer,
           f"{proposer.display_name} proposed the internship “{internship.title}”.")
    return internship


def _write_focus(session: Session, internship: Internship, home: Business, host: Business,
                 processes: Sequence[Process]) -> None:
    ids = [p.id for p in processes]
    levels = {
        (c.business_id, c.process_id): c.level for c in session.exec(
            select(MatrixCell).where(col(MatrixCell.business_id).in_([home.id, host.id]),
                                     col(MatrixCell.process_id).in_(ids))).all()
    }
    for process in processes:
        session.add(FocusProcess(
            internship_id=internship.id or 0, process_id=process.id or 0,
            home_level_at_proposal=levels.get((home.id or 0, process.id or 0), 0),
            host_level_at_proposal=levels.get((host.id or 0, process.id or 0), 0),
        ))


def _write_objectives(session: Session, internship: Internship, data: AgreementIn) -> None:
    for position, objective in enumerate(data.objectives):
        session.add(Objective(internship_id=internship.id or 0, position=position,
                              statement=objective.statement,
                              success_criterion=objective.success_criterion))
    session.flush()


def agreement_content(session: Session, internship: Internship) -> dict[str, Any]:
    """What the parties accept, as plain data (stored per version; compared for edits)."""
    return {
        "title": internship.title,
        "start_date": internship.start_date.isoformat(),
        "end_date": internship.end_date.isoformat(),
        "schedule_notes": internship.schedule_notes,
        "confidentiality_terms": internship.confidentiality_terms,
        "focus_processes": [p.key for _, p in focus_of(session, internship)],
        "objectives": [{"statement": o.statement, "success_criterion": o.success_criterion}
                       for o in objectives_of(session, internship)],
    }


def _snapshot_agreement(session: Session, internship: Internship, actor: User) -> None:
    session.add(AgreementVersion(
        internship_id=internship.id or 0, version=internship.agreement_version,
        content=agreement_content(session, internship), created_by_id=actor.id))
    session.flush()


def edit_agreement(session: Session, internship: Internship, actor: User, data: AgreementIn,
                   *, expected_version: int | None = None, today: date | None = None
                   ) -> Internship:
    """New objectives, dates, schedule or terms. A real change makes a new agreement version
    that every party accepts again (an accepted internship goes back to proposed); saving the
    same content changes nothing."""
    internship = lock(session, internship)
    roles = roles_of(session, internship, actor)
    transition = transition_for(InternshipState(internship.state), Action.edit_agreement, roles)
    _check_version(internship, expected_version)
    errors: list[FieldError] = []
    # An already agreed start date may stay as it was even when it has passed meanwhile.
    processes = _check_agreement(session, data, today=min(today or date.today(),
                                                            internship.start_date), errors=errors)
    if errors:
        raise ValidationFailed(errors)
    before = agreement_content(session, internship)
    home, host = _businesses(session, internship)
    internship.title = data.title
    internship.start_date, internship.end_date = data.start_date, data.end_date
    internship.schedule_notes = data.schedule_notes
    internship.confidentiality_terms = data.confidentiality_terms
    for row in session.exec(select(FocusProcess).where(
            FocusProcess.internship_id == internship.id)).all():
        session.delete(row)
    for old in objectives_of(session, internship):
        session.delete(old)
    session.flush()
    _write_focus(session, internship, home, host, processes)
    _write_objectives(session, internship, data)
    after = agreement_content(session, internship)
    if after == before:
        return internship  # nothing changed: no new version, acceptances stand
    internship.agreement_version += 1
    _snapshot_agreement(session, internship, actor)
    changed = sorted(k for k in after if after[k] != before[k])
    _apply(session, internship, transition.target, actor, "internship.agreement_edited",
           f"{actor.display_name} changed the agreement ({', '.join(changed)}); version "
           f"{internship.agreement_version} needs every party's acceptance.",
           {"changed": changed, "agreement_version": internship.agreement_version})
    return internship


def _parties_of(roles: Iterable[Role]) -> list[AgreementParty]:
    mapping = {Role.home_owner: AgreementParty.home_owner,
               Role.host_owner: AgreementParty.host_owner, Role.intern: AgreementParty.intern}
    return [mapping[r] for r in roles if r in mapping]


def accept(session: Session, internship: Internship, actor: User, *,
           agreement_version: int | None = None, mentor_id: int | None = None) -> Internship:
    """The caller accepts the current agreement version for every party they stand for (an owner
    who is also the intern accepts both). The last of the three moves it to accepted — after the
    intern-busy and capacity rules pass under a lock on the host."""
    internship = lock(session, internship)
    roles = roles_of(session, internship, actor)
    transition = transition_for(InternshipState(internship.state), Action.accept, roles)
    if agreement_version is not None and agreement_version != internship.agreement_version:
        raise Conflict(
            f"The agreement changed while you were reading it (now version "
            f"{internship.agreement_version}); read it again before you accept.")
    home, host = _businesses(session, internship)
    named_mentor = False
    if mentor_id is not None:
        if Role.host_owner not in roles:
            raise ValidationFailed.single("mentor_id", "Only the host names the mentor.")
        if _member_role(session, host.id or 0, mentor_id) is None:
            raise ValidationFailed.single("mentor_id", f"The mentor must be a member of "
                                                       f"{host.name}.")
        named_mentor = internship.mentor_id != mentor_id
        internship.mentor_id = mentor_id
    if Role.host_owner in roles and internship.mentor_id is None:
        raise ValidationFailed.single(
            "mentor_id", "Name the mentor who looks after the intern before you accept.")
    done = acceptances_of(session, internship)
    mine = [p for p in _parties_of(roles) if p not in done]
    if not mine:
        raise Conflict("You have already accepted this version of the agreement.")
    for party in mine:
        session.add(AgreementAcceptance(
            internship_id=internship.id or 0, agreement_version=internship.agreement_version,
            party=party.value, user_id=actor.id or 0))
    session.flush()
    if named_mentor:
        _record_mentor(session, internship, actor)
    # Every acceptance is on the timeline, the last one too (before "the internship is agreed").
    sides = {AgreementParty.home_owner: f"for {home.name}",
             AgreementParty.host_owner: f"for {host.name}", AgreementParty.intern: "as the intern"}
    record(session, internship, "internship.acceptance_recorded", actor,
           f"{actor.display_name} accepted version {internship.agreement_version} of the "
           f"agreement {' and '.join(sides[p] for p in mine)}.",
           {"parties": [p.value for p in mine], "agreement_version": internship.agreement_version},
           notify=False)
    if len(done) + len(mine) < len(AgreementParty):
        _bump(session, internship)
        return internship
    reason = competition_reason(session, home, host)
    if reason is not None:
        raise Conflict(f"This internship can no longer go ahead: {reason}.")
    if _busy_internship(session, internship.intern_id, other_than=internship.id):
        raise Conflict("The intern already has another accepted or active internship.")
    lock_business(session, host)
    _check_capacity(session, host, internship.start_date, internship.end_date, internship.id)
    _apply(session, internship, transition.target, actor, "internship.accepted",
           f"Every party accepted version {internship.agreement_version}: the internship is "
           f"agreed.", {"agreement_version": internship.agreement_version})
    return internship


def set_mentor(session: Session, internship: Internship, actor: User, mentor_id: int) -> None:
    internship = lock(session, internship)
    if Role.host_owner not in roles_of(session, internship, actor):
        from exchange.errors import PermissionDenied

        raise PermissionDenied("Only the host's owners and managers name the mentor.")
    _, host = _businesses(session, internship)
    if _member_role(session, host.id or 0, mentor_id) is None:
        raise ValidationFailed.single("mentor_id", f"The mentor must be a member of {host.name}.")
    internship.mentor_id = mentor_id
    _bump(session, internship)
    _record_mentor(session, internship, actor)


def _record_mentor(session: Session, internship: Internship, actor: User) -> None:
    mentor = session.get(User, internship.mentor_id)
    name = mentor.display_name if mentor is not None else "someone"
    record(session, internship, "internship.mentor_named", actor,
           f"{actor.display_name} named {name} as mentor.",
           {"mentor_id": internship.mentor_id})


# -- state changes -----------------------------------------------------------------------------


SIMPLE_ACTIONS = frozenset({Action.decline, Action.withdraw, Action.start, Action.cancel,
                            Action.complete, Action.close})

# What the timeline, the inbox and e-mail subjects say after the actor's name.
DONE_WORDS = {
    Action.decline: "declined the proposal",
    Action.withdraw: "withdrew the proposal",
    Action.start: "started the internship",
    Action.cancel: "cancelled the internship",
    Action.complete: "marked the internship completed",
    Action.close: "closed the internship",
}

_EVENT_OF = {
    Action.decline: "internship.declined",
    Action.withdraw: "internship.withdrawn",
    Action.start: "internship.started",
    Action.cancel: "internship.cancelled",
    Action.complete: "internship.completed",
    Action.close: "internship.closed",
}


def act(session: Session, internship: Internship, actor: User, action: Action, *,
        expected_version: int | None = None, note: str = "") -> Internship:
    """Decline, withdraw, start, cancel, complete or close (the other actions carry content
    and have their own functions: `edit_agreement`, `accept`, the plan and follow-up modules)."""
    if action not in SIMPLE_ACTIONS:
        raise ValidationFailed.single(
            "action", f"“{action.value}” needs its own form (it carries content).")

    def guard(current: Internship) -> None:
        if action == Action.start:
            _, host = _businesses(session, current)
            lock_business(session, host)
            _check_capacity(session, host, current.start_date, current.end_date, current.id)

    words = note.strip()
    return move(session, internship, actor, action, expected_version=expected_version,
                event=_EVENT_OF[action],
                summary=f"{actor.display_name} {DONE_WORDS[action]}"
                        + (f": “{words[:300]}”" if words else "."),
                data={"note": words[:2000]} if words else None, guard=guard)


def move(session: Session, internship: Internship, actor: User | None, action: Action, *,
         expected_version: int | None = None, event: str, summary: str,
         data: dict[str, Any] | None = None, roles: frozenset[Role] | None = None,
         guard: Any = None) -> Internship:
    """The one way a state changes (see the module docstring). `roles` defaults to the actor's
    roles; the scheduler and round clearing pass `{Role.system}` with no actor. `guard`, if
    given, runs on the locked row before the change and may raise to refuse it."""
    internship = lock(session, internship)
    if roles is None:
        roles = roles_of(session, internship, actor)
    transition = transition_for(InternshipState(internship.state), action, roles)
    _check_version(internship, expected_version)
    if guard is not None:
        guard(internship)
    _apply(session, internship, transition.target, actor, event, summary, data)
    return internship


def lock(session: Session, internship: Internship) -> Internship:
    """Re-read the row under a write lock (PostgreSQL: SELECT … FOR UPDATE; SQLite serialises
    writers anyway), with fresh values, so checks run against what is committed now."""
    locked = session.exec(
        select(Internship).where(Internship.id == internship.id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return locked


def lock_business(session: Session, business: Business) -> None:
    session.exec(select(Business.id).where(Business.id == business.id).with_for_update()).one()


def _check_version(internship: Internship, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != internship.version:
        raise Conflict("Someone else changed this internship since you loaded it. Reload the "
                       "page and try again.")


def _bump(session: Session, internship: Internship, **values: Any) -> None:
    """Compare-and-set on ``version``: 0 rows means a concurrent writer won."""
    result = session.execute(
        update(Internship)
        .where(col(Internship.id) == internship.id, col(Internship.version) == internship.version)
        .values(version=internship.version + 1, updated_at=utcnow(), **values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("Someone else changed this internship at the same moment. Reload the "
                       "page and try again.")
    # Keep the ORM object in step with the row we just wrote.
    session.refresh(internship)


_STAMPS = {
    S.accepted: "accepted_at",
    S.active: "started_at",
    S.completed: "completed_at",
    S.plan_approved: "plan_approved_at",
    S.closed: "closed_at",
}


def _apply(session: Session, internship: Internship, target: InternshipState, actor: User | None,
           event: str, summary: str, data: dict[str, Any] | None) -> None:
    previous = InternshipState(internship.state)
    values: dict[str, Any] = {"state": target.value}
    stamp = _STAMPS.get(target)
    if stamp and target != previous:
        values[stamp] = utcnow()
    # Scalar columns changed on the object before the state change (dates, title, mentor,
    # agreement version) are flushed first, so the compare-and-set writes on top of them.
    session.flush()
    _bump(session, internship, **values)
    if (previous in BUSY_STATES) != (target in BUSY_STATES):
        # The matching index counts accepted/active internships as hosting load: bump the
        # host's stamp so the index reloads it (exchange/matching/serving.py).
        session.execute(update(Business).where(col(Business.id) == internship.host_business_id)
                        .values(updated_at=utcnow()))
    record(session, internship, event, actor, summary,
           {**(data or {}), "from": previous.value, "to": target.value})


# -- the timeline, notifications and domain events ---------------------------------------------


def _businesses(session: Session, internship: Internship) -> tuple[Business, Business]:
    home = session.get(Business, internship.home_business_id)
    host = session.get(Business, internship.host_business_id)
    assert home is not None and host is not None
    return home, host


def people_concerned(session: Session, internship: Internship) -> dict[int, User]:
    """Owners and managers of both businesses, the intern and the mentor."""
    ids = set(session.exec(select(BusinessMembership.user_id).where(
        col(BusinessMembership.business_id).in_(
            [internship.home_business_id, internship.host_business_id]),
        col(BusinessMembership.role).in_(OWNER_ROLES))).all())
    ids.add(internship.intern_id)
    if internship.mentor_id is not None:
        ids.add(internship.mentor_id)
    users = session.exec(select(User).where(col(User.id).in_(list(ids)))).all()
    return {u.id: u for u in users if u.id is not None and u.is_active}


@dataclass(frozen=True)
class Recorded:
    event: InternshipEvent


def record(session: Session, internship: Internship, event_type: str, actor: User | None,
           summary: str, data: dict[str, Any] | None = None, *, notify: bool = True,
           recipients: Iterable[int] | None = None) -> InternshipEvent:
    """Timeline row + in-app notification and e-mail to the people concerned (not the actor)
    + the domain event for webhooks. Everything in the caller's transaction."""
    event = InternshipEvent(internship_id=internship.id or 0, type=event_type,
                            actor_id=actor.id if actor else None, summary=summary[:500],
                            data=data or {})
    session.add(event)
    session.flush()
    link = f"/internships/{internship.id}"
    if notify:
        people = people_concerned(session, internship)
        wanted = set(recipients) if recipients is not None else set(people)
        targets = [uid for uid in wanted if uid in people and (actor is None or uid != actor.id)]
        title = f"{internship.title}: {summary}"
        inbox.notify(session, targets, kind=event_type, title=title, body=summary, link=link)
        base = public_base_url_var.get().rstrip("/")
        for uid in targets:
            queue_email(session, to=people[uid].email, subject=title[:200],
                        body=f"{summary}\n\nOpen the internship: {base}{link}\n")
    home, host = _businesses(session, internship)
    emit(session, DomainEvent(
        type=event_type,
        data={"internship": {"id": internship.id, "title": internship.title,
                             "state": internship.state, "home": home.slug, "host": host.slug,
                             "start_date": internship.start_date.isoformat(),
                             "end_date": internship.end_date.isoformat()},
              "summary": summary},
        business_ids=(internship.home_business_id, internship.host_business_id),
        actor_id=actor.id if actor else None,
    ))
    return event


def shift_dates_for_demo(internship: Internship, start: date) -> None:
    """Moves an internship's dates (demo data only: the demo tells a story that started weeks
    ago, while proposals refuse past start dates)."""
    length = internship.end_date - internship.start_date
    internship.start_date = start
    internship.end_date = start + timedelta(days=length.days)


def complexities_of(session: Session, process_keys: Sequence[str]) -> list[int]:
    """The complexity (1–3) of each known process key, for `suggest_duration_days`."""
    return list(session.exec(select(Process.complexity).where(
        col(Process.key).in_(list(process_keys)))).all())
