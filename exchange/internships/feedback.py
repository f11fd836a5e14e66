"""Feedback on an internship: the host's ratings of each objective (midway and final), the
intern's reaction, and each owner's rating of the partnership.

Who may write what, and when:

====================  =====================  ===================================================
what                  written by             while the internship is
====================  =====================  ===================================================
objective ratings,    the mentor or a host   active
midway                owner/manager
objective ratings,    the mentor or a host   active or completed
final                 owner/manager
intern's reaction     the intern             active, completed or later (until closed)
home partnership      a home owner/manager   active, completed or later (until closed)
host partnership      a host owner/manager   active, completed or later (until closed)
====================  =====================  ===================================================

Each is submitted once (what was said stays said); ratings are 1–5.

**Who sees which feedback** — the one place this is decided is :func:`visible_to`:

- the host's objective ratings (both phases): every participant — the intern sees how the host
  judged her objectives, the home owners see everything about their intern's learning, the host
  side wrote them;
- the intern's reaction: the intern and the home owners at once; the host side (mentor, host
  owners) only once *both* the intern's reaction and the host's final objective ratings are in,
  so neither side's judgement colours the other's;
- the home owners' partnership rating: the home owners at once; the host owners once the host's
  own partnership rating is in (and the other way round) — a blind, mutual exchange. Partnership
  ratings are between the businesses: interns and mentors do not see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from exchange.accounts.models import User
from exchange.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from exchange.internships import service
from exchange.internships.models import (
    Feedback,
    FeedbackKind,
    FeedbackPhase,
    Internship,
    Objective,
    ObjectiveRating,
)
from exchange.internships.progress_schemas import ObjectiveRatingsIn, RatingIn
from exchange.internships.states import InternshipState, Role

S = InternshipState
HOST_ROLES = frozenset({Role.host_owner, Role.mentor})
RATING_STATES = {
    FeedbackPhase.midway: frozenset({S.active}),
    FeedbackPhase.final: frozenset({S.active, S.completed}),
}
# After the internship, until it is closed.
LATE_FEEDBACK_STATES = frozenset({S.active, S.completed, S.plan_submitted, S.changes_requested,
                                  S.plan_approved, S.following_up})

KIND_AUTHOR = {
    FeedbackKind.intern_reaction: Role.intern,
    FeedbackKind.home_partnership: Role.home_owner,
    FeedbackKind.host_partnership: Role.host_owner,
}
KIND_LABELS = {
    FeedbackKind.intern_reaction: "The intern's reaction",
    FeedbackKind.home_partnership: "The home business's rating of the partnership",
    FeedbackKind.host_partnership: "The host business's rating of the partnership",
}
OUTCOME_LABELS = {"achieved": "Achieved", "partly": "Partly achieved",
                  "not_achieved": "Not achieved"}


def _state_words(states: frozenset[InternshipState]) -> str:
    return " or ".join(sorted(s.value.replace("_", " ") for s in states))


def ratings_of(session: Session, internship: Internship) -> list[ObjectiveRating]:
    return list(session.exec(
        select(ObjectiveRating).where(ObjectiveRating.internship_id == internship.id)
        .order_by(col(ObjectiveRating.phase).desc(), col(ObjectiveRating.objective_id))
    ).all())


def feedback_of(session: Session, internship: Internship) -> list[Feedback]:
    return list(session.exec(
        select(Feedback).where(Feedback.internship_id == internship.id)
        .order_by(col(Feedback.id))
    ).all())


def phases_rated(session: Session, internship: Internship) -> set[FeedbackPhase]:
    return {FeedbackPhase(r.phase) for r in ratings_of(session, internship)}


def submitted_kinds(session: Session, internship: Internship) -> set[FeedbackKind]:
    return {FeedbackKind(f.kind) for f in feedback_of(session, internship)}


# -- writing ----------------------------------------------------------------------------------


def rate_objectives(session: Session, internship: Internship, actor: User,
                    data: ObjectiveRatingsIn) -> list[ObjectiveRating]:
    """The host rates every objective of the internship for one phase, all at once."""
    if not service.roles_of(session, internship, actor) & HOST_ROLES:
        raise PermissionDenied("Only the host's mentor, owners and managers rate objectives.")
    allowed = RATING_STATES[data.phase]
    if InternshipState(internship.state) not in allowed:
        raise Conflict(f"The {data.phase.value} rating is given while the internship is "
                       f"{_state_words(allowed)}.")
    if data.phase in phases_rated(session, internship):
        raise Conflict(f"The {data.phase.value} ratings were already submitted.")
    objectives = {o.id: o for o in service.objectives_of(session, internship)}
    errors: list[FieldError] = []
    seen: set[int] = set()
    for index, rating in enumerate(data.ratings):
        if rating.objective_id not in objectives:
            errors.append(FieldError(f"ratings[{index}].objective_id",
                                     "Not an objective of this internship."))
        elif rating.objective_id in seen:
            errors.append(FieldError(f"ratings[{index}].objective_id",
                                     "This objective is rated twice."))
        seen.add(rating.objective_id)
    for position, (objective_id, objective) in enumerate(objectives.items()):
        if objective_id not in seen:
            errors.append(FieldError(f"ratings[{position}]",
                                     f"Rate the objective “{objective.statement[:60]}” too."))
    if errors:
        raise ValidationFailed(errors)
    rows = [ObjectiveRating(internship_id=internship.id or 0, objective_id=r.objective_id,
                            phase=data.phase.value, outcome=r.outcome.value, score=r.score,
                            comment=r.comment, rated_by_id=actor.id) for r in data.ratings]
    _insert_once(session, rows, f"The {data.phase.value} ratings were already submitted.")
    service.record(session, internship, f"internship.objectives_rated_{data.phase.value}", actor,
                   f"{actor.display_name} rated the objectives ({data.phase.value}).",
                   {"phase": data.phase.value},
                   recipients=[internship.intern_id, *home_owner_ids(session, internship)])
    return rows


def _insert_once(session: Session, rows: list[ObjectiveRating] | list[Feedback],
                 message: str) -> None:
    """The unique constraints decide a race between two submissions: the loser gets 409."""
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(message) from exc


def home_owner_ids(session: Session, internship: Internship) -> list[int]:
    """The home business's owners and managers who are active users (notification targets)."""
    people = service.people_concerned(session, internship)
    return [uid for uid, user in people.items()
            if Role.home_owner in service.roles_of(session, internship, user)]


def submit(session: Session, internship: Internship, actor: User, kind: FeedbackKind,
           data: RatingIn) -> Feedback:
    """The intern's reaction or an owner's partnership rating (final phase, once)."""
    author_role = KIND_AUTHOR[kind]
    if author_role not in service.roles_of(session, internship, actor):
        who = {Role.intern: "the intern", Role.home_owner: "the home business's owners and "
               "managers", Role.host_owner: "the host business's owners and managers"}
        raise PermissionDenied(f"Only {who[author_role]} can give this feedback.")
    if InternshipState(internship.state) not in LATE_FEEDBACK_STATES:
        raise Conflict(f"This feedback is given while the internship is "
                       f"{_state_words(LATE_FEEDBACK_STATES)}.")
    if kind in submitted_kinds(session, internship):
        raise Conflict(f"{KIND_LABELS[kind]} was already submitted.")
    row = Feedback(internship_id=internship.id or 0, kind=kind.value,
                   phase=FeedbackPhase.final.value, rating=data.rating, comment=data.comment,
                   author_id=actor.id)
    _insert_once(session, [row], f"{KIND_LABELS[kind]} was already submitted.")
    service.record(session, internship, f"internship.feedback_{kind.value}", actor,
                   f"{actor.display_name} submitted {KIND_LABELS[kind][0].lower()}"
                   f"{KIND_LABELS[kind][1:]}.", {"kind": kind.value}, notify=False)
    return row


# -- reading: the visibility rules (the one place) ------------------------------------------------


@dataclass
class Visible:
    ratings: list[ObjectiveRating] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    hidden: list[tuple[FeedbackKind, str]] = field(default_factory=list)


def may_see(kind: FeedbackKind, roles: frozenset[Role], *, submitted: set[FeedbackKind],
            host_final_done: bool) -> tuple[bool, str]:
    """Whether someone with these roles may see one submitted piece of feedback; the reason
    when not (shown to those who would see it later, so they know why they wait)."""
    if kind is FeedbackKind.intern_reaction:
        if roles & {Role.intern, Role.home_owner}:
            return True, ""
        if roles & HOST_ROLES:
            if host_final_done:
                return True, ""
            return False, ("The intern's reaction is shown to the host once the host's final "
                           "ratings of the objectives are in.")
        return False, ""
    mine, theirs = ((Role.home_owner, FeedbackKind.host_partnership)
                    if kind is FeedbackKind.home_partnership
                    else (Role.host_owner, FeedbackKind.home_partnership))
    other_side = Role.host_owner if mine is Role.home_owner else Role.home_owner
    if mine in roles:
        return True, ""
    if other_side in roles:
        if theirs in submitted:
            return True, ""
        return False, ("The other business's rating of the partnership is shown once you have "
                       "submitted yours.")
    return False, ""


def visible_to(session: Session, internship: Internship, roles: frozenset[Role]) -> Visible:
    out = Visible()
    if not roles:
        return out
    ratings = ratings_of(session, internship)
    # Every participant sees the host's objective ratings (see the module docstring).
    out.ratings = ratings
    rows = feedback_of(session, internship)
    submitted = {FeedbackKind(f.kind) for f in rows}
    host_final_done = any(r.phase == FeedbackPhase.final.value for r in ratings)
    for row in rows:
        shown, why = may_see(FeedbackKind(row.kind), roles, submitted=submitted,
                             host_final_done=host_final_done)
        if shown:
            out.feedback.append(row)
        elif why:
            out.hidden.append((FeedbackKind(row.kind), why))
    return out


def objectives_by_id(session: Session, internship: Internship) -> dict[int, Objective]:
    return {o.id or 0: o for o in service.objectives_of(session, internship)}
