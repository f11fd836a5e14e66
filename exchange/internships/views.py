"""What the API and the pages show of internships: the public shape for one caller, the
caller's list with filters and a keyset cursor, the dashboard sections, and the pre-filled
proposal that starts from a suggestion. Reading only — every change goes through `service`.

Interns see their own internship and nothing else of either business: the focus processes'
matrix levels (each firm's self-assessment) are left out of what an intern is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from exchange.accounts.models import BusinessRole, User
from exchange.internships import next_steps, service
from exchange.internships.models import (
    AgreementAcceptance,
    AgreementParty,
    FocusProcess,
    Internship,
    Objective,
)
from exchange.internships.schemas import (
    AcceptancePublic,
    BusinessRef,
    FocusProcessPublic,
    InternshipPublic,
    ObjectivePublic,
    PersonPublic,
)
from exchange.internships.states import FINAL_STATES, Action, InternshipState, Role
from exchange.profiles.models import Business, BusinessMembership
from exchange.taxonomy.models import Process

PARTY_LABELS = {
    AgreementParty.home_owner: "Sending business",
    AgreementParty.host_owner: "Host business",
    AgreementParty.intern: "Intern",
}


def people_by_id(session: Session, ids: Sequence[int | None]) -> dict[int, User]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted))).all()
            if u.id is not None}


def person(user: User | None) -> PersonPublic | None:
    if user is None or user.id is None:
        return None
    return PersonPublic(id=user.id, display_name=user.display_name)


@dataclass
class _Loaded:
    """Everything the public shape of a page of internships needs, read in one query per
    kind (not per internship): a page of 20 costs 7 queries, not 8 per row."""

    memberships: dict[int, str]  # the caller's role by business id
    businesses: dict[int, Business]
    acceptances: dict[tuple[int, int], dict[AgreementParty, AgreementAcceptance]]
    people: dict[int, User]
    focus: dict[int, list[tuple[FocusProcess, Process]]]
    objectives: dict[int, list[Objective]]


def _load(session: Session, internships: Sequence[Internship], user: User) -> _Loaded:
    ids = [i.id for i in internships if i.id is not None]
    business_ids = sorted({b for i in internships
                           for b in (i.home_business_id, i.host_business_id)})
    memberships = {m.business_id: m.role for m in session.exec(select(BusinessMembership).where(
        BusinessMembership.user_id == user.id,
        col(BusinessMembership.business_id).in_(business_ids)))}
    businesses = {b.id: b for b in session.exec(select(Business).where(
        col(Business.id).in_(business_ids))) if b.id is not None}
    acceptances: dict[tuple[int, int], dict[AgreementParty, AgreementAcceptance]] = {}
    for row in session.exec(select(AgreementAcceptance).where(
            col(AgreementAcceptance.internship_id).in_(ids))):
        acceptances.setdefault((row.internship_id, row.agreement_version), {})[
            AgreementParty(row.party)] = row
    focus: dict[int, list[tuple[FocusProcess, Process]]] = {}
    for f, p in session.exec(
            select(FocusProcess, Process).join(Process, col(Process.id) == FocusProcess.process_id)
            .where(col(FocusProcess.internship_id).in_(ids))
            .order_by(col(Process.department_id), col(Process.position), col(Process.id))):
        focus.setdefault(f.internship_id, []).append((f, p))
    objectives: dict[int, list[Objective]] = {}
    for o in session.exec(select(Objective).where(col(Objective.internship_id).in_(ids))
                          .order_by(col(Objective.position), col(Objective.id))):
        objectives.setdefault(o.internship_id, []).append(o)
    people = people_by_id(session, [
        *(i.intern_id for i in internships), *(i.mentor_id for i in internships),
        *(a.user_id for done in acceptances.values() for a in done.values())])
    return _Loaded(memberships, businesses, acceptances, people, focus, objectives)


def public_page(session: Session, internships: Sequence[Internship],
                user: User) -> list[InternshipPublic]:
    """The internships as this caller may see them (their roles and the actions open to
    them), in a fixed number of queries however many there are."""
    loaded = _load(session, internships, user)
    return [_public(internship, user, loaded) for internship in internships]


def public_of(session: Session, internship: Internship, user: User) -> InternshipPublic:
    """One internship as this caller may see it."""
    return public_page(session, [internship], user)[0]


def _public(internship: Internship, user: User, loaded: _Loaded) -> InternshipPublic:
    assert internship.id is not None and user.id is not None
    roles = service.roles_given(internship, user.id, loaded.memberships)
    home = loaded.businesses[internship.home_business_id]
    host = loaded.businesses[internship.host_business_id]
    done = loaded.acceptances.get((internship.id, internship.agreement_version), {})
    people = loaded.people
    only_intern = roles <= {Role.intern}
    intern = person(people.get(internship.intern_id))
    assert intern is not None
    return InternshipPublic(
        id=internship.id or 0, title=internship.title, state=InternshipState(internship.state),
        version=internship.version, agreement_version=internship.agreement_version,
        home=BusinessRef(slug=home.slug, name=home.name),
        host=BusinessRef(slug=host.slug, name=host.name),
        intern=intern, mentor=person(people.get(internship.mentor_id or -1)),
        start_date=internship.start_date, end_date=internship.end_date,
        duration_days=service.duration_days(internship.start_date, internship.end_date),
        schedule_notes=internship.schedule_notes,
        confidentiality_terms=internship.confidentiality_terms,
        focus_processes=[
            FocusProcessPublic(
                key=p.key, name=p.name, complexity=p.complexity,
                home_level_at_proposal=None if only_intern else f.home_level_at_proposal,
                host_level_at_proposal=None if only_intern else f.host_level_at_proposal)
            for f, p in loaded.focus.get(internship.id, [])],
        objectives=[ObjectivePublic(id=o.id or 0, statement=o.statement,
                                    success_criterion=o.success_criterion)
                    for o in loaded.objectives.get(internship.id, [])],
        acceptances=[
            AcceptancePublic(
                party=party.value, accepted=party in done,
                accepted_at=done[party].accepted_at if party in done else None,
                user=person(people.get(done[party].user_id)) if party in done else None)
            for party in AgreementParty],
        your_roles=sorted(roles),
        your_actions=service.actions_given(internship, roles, lambda: done),
        created_at=internship.created_at, updated_at=internship.updated_at,
    )


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def still_to_accept(session: Session, internship: Internship, viewer: User) -> str:
    """Who still has to accept the current agreement version, in words, from the viewer's side
    ("you (for Afreen Talent Studio), Rajeev Design Consultancy (an owner or manager, who also
    names the mentor) and Meera Joshi (the intern)"); empty when every party has."""
    roles = service.roles_of(session, internship, viewer)
    home, host = service._businesses(session, internship)
    done = service.acceptances_of(session, internship)
    intern = session.get(User, internship.intern_id)
    no_mentor = internship.mentor_id is None
    words = []
    if AgreementParty.home_owner not in done:
        words.append(f"you (for {home.name})" if Role.home_owner in roles
                     else f"{home.name} (an owner or manager)")
    if AgreementParty.host_owner not in done:
        if Role.host_owner in roles:
            words.append(f"you (for {host.name}{', naming the mentor' if no_mentor else ''})")
        else:
            words.append(f"{host.name} (an owner or manager"
                         f"{', who also names the mentor' if no_mentor else ''})")
    if AgreementParty.intern not in done:
        words.append("you (the intern)" if Role.intern in roles
                     else f"{intern.display_name if intern else 'the intern'} (the intern)")
    return _and(words) if words else ""


# -- the caller's list -------------------------------------------------------------------------


def _managed(user_id: int) -> Any:
    return select(BusinessMembership.business_id).where(
        BusinessMembership.user_id == user_id,
        col(BusinessMembership.role).in_(service.OWNER_ROLES))


def _role_clause(role: Role, user_id: int) -> Any:
    if role == Role.home_owner:
        return col(Internship.home_business_id).in_(_managed(user_id))
    if role == Role.host_owner:
        return col(Internship.host_business_id).in_(_managed(user_id))
    if role == Role.mentor:
        return col(Internship.mentor_id) == user_id
    if role == Role.intern:
        return col(Internship.intern_id) == user_id
    return col(Internship.id) == -1  # "system" is nobody's role in a list


def list_page(session: Session, user: User, *, states: Sequence[InternshipState] = (),
              role: Role | None = None, business: str | None = None,
              before_id: int | None = None, limit: int = 20) -> tuple[list[Internship], bool]:
    """Newest first by id — a stable order that new internships and state changes never
    reshuffle, so the cursor (`before_id`, the last id seen) neither skips nor repeats one."""
    assert user.id is not None
    query = select(Internship).where(service.visible_internships(user.id))
    if states:
        query = query.where(col(Internship.state).in_([s.value for s in states]))
    if role is not None:
        query = query.where(_role_clause(role, user.id))
    if business:
        ids = select(Business.id).where(Business.slug == business)
        query = query.where(or_(col(Internship.home_business_id).in_(ids),
                                col(Internship.host_business_id).in_(ids)))
    if before_id is not None:
        query = query.where(col(Internship.id) < before_id)
    rows = list(session.exec(query.order_by(col(Internship.id).desc()).limit(limit + 1)).all())
    return rows[:limit], len(rows) > limit


# -- the dashboard -----------------------------------------------------------------------------


@dataclass
class Row:
    internship: Internship
    home: Business
    host: Business
    intern: User | None
    roles: frozenset[Role]
    actions: list[Action]
    # What moves it forward for this person: (what, path under the internship's address).
    next_steps: list[tuple[str, str]] = field(default_factory=list)

    @property
    def state(self) -> InternshipState:
        return InternshipState(self.internship.state)


@dataclass
class Dashboard:
    awaiting: list[Row] = field(default_factory=list)
    sending: list[Row] = field(default_factory=list)
    hosting: list[Row] = field(default_factory=list)
    as_intern: list[Row] = field(default_factory=list)
    past: list[Row] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.sending or self.hosting or self.as_intern or self.past)


DASHBOARD_LIMIT = 200


def dashboard(session: Session, user: User) -> Dashboard:
    internships = service.list_for(session, user, limit=DASHBOARD_LIMIT)
    businesses = {b.id: b for b in session.exec(select(Business).where(col(Business.id).in_(
        {i.home_business_id for i in internships} | {i.host_business_id for i in internships}
    ))).all()} if internships else {}
    people = people_by_id(session, [i.intern_id for i in internships])
    out = Dashboard()
    for internship in internships:
        roles = service.roles_of(session, internship, user)
        actions = service.available_actions(session, internship, user)
        row = Row(internship, businesses[internship.home_business_id],
                  businesses[internship.host_business_id], people.get(internship.intern_id),
                  roles, actions)
        if row.state in FINAL_STATES:
            out.past.append(row)
            continue
        row.next_steps = next_steps.next_steps(session, internship, roles, actions)
        # Waiting for you = something that moves it forward; cancelling is always possible.
        if row.next_steps:
            out.awaiting.append(row)
        if Role.home_owner in roles:
            out.sending.append(row)
        if roles & {Role.host_owner, Role.mentor}:
            out.hosting.append(row)
        if Role.intern in roles:
            out.as_intern.append(row)
    return out


# -- the detail page's extra reading -----------------------------------------------------------


def acceptance_history(session: Session, internship: Internship
                       ) -> list[tuple[int, list[tuple[str, User | None, Any]]]]:
    """Every agreement version, newest first, with who accepted it for which party and when."""
    rows = session.exec(select(AgreementAcceptance).where(
        AgreementAcceptance.internship_id == internship.id)
        .order_by(col(AgreementAcceptance.accepted_at), col(AgreementAcceptance.id))).all()
    people = people_by_id(session, [r.user_id for r in rows])
    by_version: dict[int, list[tuple[str, User | None, Any]]] = {
        v: [] for v in range(internship.agreement_version, 0, -1)}
    for r in rows:
        by_version.setdefault(r.agreement_version, []).append(
            (PARTY_LABELS[AgreementParty(r.party)], people.get(r.user_id), r.accepted_at))
    return sorted(by_version.items(), reverse=True)


def timeline_people(session: Session, internship: Internship) -> dict[int, User]:
    return people_by_id(session, [e.actor_id for e in service.timeline_of(session, internship)])


def host_members(session: Session, internship: Internship) -> list[User]:
    """Who the host may name as mentor: its members, by name."""
    rows = session.exec(
        select(User).join(BusinessMembership, col(BusinessMembership.user_id) == User.id)
        .where(BusinessMembership.business_id == internship.host_business_id,
               col(User.is_active).is_(True))
        .order_by(col(User.display_name), col(User.id))).all()
    return list(rows)


def interns_of(session: Session, business: Business) -> list[User]:
    """The home business's members with the intern role: whom it can send."""
    rows = session.exec(
        select(User).join(BusinessMembership, col(BusinessMembership.user_id) == User.id)
        .where(BusinessMembership.business_id == business.id,
               BusinessMembership.role == BusinessRole.intern.value,
               col(User.is_active).is_(True))
        .order_by(col(User.display_name), col(User.id))).all()
    return list(rows)


# -- duration and the pre-filled proposal ------------------------------------------------------


@dataclass(frozen=True)
class DurationSuggestion:
    days: int
    processes: list[Process]
    unknown: list[str]


def duration_suggestion(session: Session, keys: Sequence[str]) -> DurationSuggestion:
    wanted = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    found = {p.key: p for p in session.exec(
        select(Process).where(col(Process.key).in_(wanted))).all()} if wanted else {}
    processes = [found[k] for k in wanted if k in found]
    return DurationSuggestion(
        days=service.suggest_duration_days(p.complexity for p in processes),
        processes=processes, unknown=[k for k in wanted if k not in found])


def default_dates(days: int, today: date | None = None) -> tuple[date, date]:
    """Two weeks from today, for the suggested number of days (inclusive)."""
    start = (today or date.today()) + timedelta(days=14)
    return start, start + timedelta(days=days - 1)


MAX_PREFILLED = 3


@dataclass(frozen=True)
class Prefill:
    focus: list[str]
    objectives: list[dict[str, str]]
    title: str


def prefill_from_explanation(home: Business, host: Business, learn: Sequence[Any]) -> Prefill:
    """Focus processes and objectives from the processes the home business learns from the host
    (the suggestion's explanation, strongest first)."""
    chosen = list(learn)[:MAX_PREFILLED]
    objectives = []
    for c in chosen:
        target = min(5, c.own_level + 2)
        objectives.append({
            "statement": f"Learn how {host.name} does {c.process_name.lower()} and adapt it to "
                         f"{home.name}"[:500],
            "success_criterion": f"{home.name} rates itself {target} or better in "
                                 f"{c.process_name.lower()} (now {c.own_level}) within 90 days"
                                 [:500],
        })
    names = [c.process_name for c in chosen]
    title = (" and ".join(names[:2]) + f" at {host.name}") if names else f"Internship at " \
                                                                       f"{host.name}"
    return Prefill(focus=[c.process for c in chosen], objectives=objectives,
                   title=(title[:1].upper() + title[1:])[:160])
