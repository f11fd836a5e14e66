"""Rules of the internship routes and the inbox, with the personas they need.

`{internship_id}` is a proposal from Afreen's firm to Rajeev's firm with Meera as intern and Arjun
(a manager at Rajeev's) as mentor, made once per test through the real service
(tests/internships/conftest.py). A second internship sends Nila, an intern of Rajeev's firm, to
Afreen's firm, so that "the intern of another internship" is a real person with a real
internship of her own — who must still see nothing of the first one.

Intruders of the vocabulary (tests/support/inventory.py):

- participant: Charlie (stranger), Nila (intern of another internship) → 404;
- internship_owner (owners/managers of either business): also Meera, the intern → 403;
- home_side: also Meera, Rajeev and Arjun (the host's owner and manager-mentor) → 403;
- host_side: also Meera, Afreen and Farah (the home's owner and manager) → 403.

The fingerprint is every internship's state, version, agreement version and mentor, the
acceptances, the timeline and the read notifications: a turned-away caller changes none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import BusinessRole, User
from exchange.internships.models import AgreementAcceptance, Internship, InternshipEvent
from exchange.notifications.models import Notification
from tests.support.inventory import (
    HOME_SIDE,
    HOST_SIDE,
    INTERNSHIP_OWNER,
    MANAGER,
    PARTICIPANT,
    USER,
    Rule,
)

PUBLIC: set[tuple[str, str]] = set()


def _agreement() -> dict[str, Any]:
    from tests.internships.conftest import proposal_data

    return {k: v for k, v in proposal_data().items() if k != "host"}


_AGREEMENT = _agreement()
# The same agreement as the pages' form fields.
_FORM = {
    **{k: v for k, v in _AGREEMENT.items() if k != "objectives"},
    **{f"objectives[{n}].{part}": objective[part] for n, objective in
       enumerate(_AGREEMENT["objectives"]) for part in ("statement", "success_criterion")},
}

PROTECTED: dict[tuple[str, str], Rule] = {
    # API
    ("POST", "/api/v1/businesses/{slug}/internships"): Rule(
        "manager", body={**_AGREEMENT, "host": "rajeev-ux-consultancy", "intern_id": 1}),
    ("GET", "/api/v1/internships"): USER,
    ("GET", "/api/v1/internships/duration-suggestion"): USER,
    ("GET", "/api/v1/internships/{internship_id}"): PARTICIPANT,
    ("PUT", "/api/v1/internships/{internship_id}/agreement"): Rule(
        "internship_owner", body={**_AGREEMENT, "title": "Changed by an intruder"}),
    ("POST", "/api/v1/internships/{internship_id}/accept"): PARTICIPANT,
    ("POST", "/api/v1/internships/{internship_id}/mentor"): Rule(
        "host_side", body={"mentor_id": 1}),
    ("POST", "/api/v1/internships/{internship_id}/actions"): Rule(
        "home_side", body={"action": "withdraw"}),
    ("GET", "/api/v1/internships/{internship_id}/timeline"): PARTICIPANT,
    ("GET", "/api/v1/internships/{internship_id}/agreement/versions"): PARTICIPANT,
    ("GET", "/api/v1/me/notifications"): USER,
    ("POST", "/api/v1/me/notifications/read"): USER,
    # pages
    ("GET", "/internships"): USER,
    ("GET", "/internships/{internship_id}"): PARTICIPANT,
    ("GET", "/businesses/{slug}/internships/new"): MANAGER,
    ("POST", "/businesses/{slug}/internships/new"): Rule(
        "manager", body={**_FORM, "host": "rajeev-ux-consultancy", "intern_id": "1"}),
    ("GET", "/internships/{internship_id}/agreement/edit"): INTERNSHIP_OWNER,
    ("POST", "/internships/{internship_id}/agreement"): Rule(
        "internship_owner", body={**_FORM, "title": "Changed by an intruder"}),
    ("POST", "/internships/{internship_id}/accept"): PARTICIPANT,
    ("POST", "/internships/{internship_id}/mentor"): Rule("host_side", body={"mentor_id": "1"}),
    ("POST", "/internships/{internship_id}/actions"): Rule(
        "home_side", body={"action": "withdraw"}),
    ("GET", "/inbox"): USER,
    ("POST", "/inbox/read"): USER,
}
_ = (HOME_SIDE, HOST_SIDE)  # the vocabulary, used above by name


@dataclass
class InternshipWorld:
    internship: Internship
    arjun: User
    nila: User
    other: Internship


def setup(world: Any) -> InternshipWorld:
    """The two internships, made once per test world."""
    found: InternshipWorld | None = getattr(world, "_internships", None)
    if found is not None:
        return found
    from exchange.internships import service
    from exchange.internships.schemas import ProposalIn
    from tests.conftest import PASSWORD
    from tests.internships.conftest import TODAY, proposal_data, propose
    from tests.support.factories import add_member

    session = world.session
    arjun = accounts_service.get_user_by_email(session, "arjun@uxconsult.example")
    assert arjun is not None, "the rajeev_firm fixture makes Arjun its manager"
    internship = propose(session, world.afreen, world.afreen_firm, world.rajeev_firm,
                         world.meera, arjun)
    nila = accounts_service.sign_up(session, email="nila@uxconsult.example",
                                    display_name="Nila Iyer", password=PASSWORD)
    session.commit()
    add_member(session, world.rajeev_firm, nila, BusinessRole.intern)
    other = service.propose(
        session, world.rajeev, world.rajeev_firm, world.afreen_firm,
        ProposalIn.model_validate(proposal_data(
            host=world.afreen_firm.slug, intern_id=nila.id, title="Recruiting at Afreen's",
            focus_processes=["hr.recruitment"],
            start_date=(TODAY + timedelta(days=30)).isoformat(),
            end_date=(TODAY + timedelta(days=34)).isoformat())))
    session.commit()
    found = InternshipWorld(internship, arjun, nila, other)
    world._internships = found
    return found


def _intruders(*names: str) -> Any:
    def pick(world: Any) -> list[User]:
        extra = setup(world)
        people = {"charlie": world.charlie, "nila": extra.nila, "meera": world.meera,
                  "afreen": world.afreen, "farah": world.farah, "rajeev": world.rajeev,
                  "arjun": extra.arjun}
        return [people[n] for n in ("charlie", "nila", *names)]

    return pick


INTRUDERS = {
    "participant": _intruders(),
    "internship_owner": _intruders("meera"),
    "home_side": _intruders("meera", "rajeev", "arjun"),
    "host_side": _intruders("meera", "afreen", "farah"),
}


def _fingerprint(world: Any) -> tuple[Any, ...]:
    setup(world)
    s = world.session
    s.expire_all()
    return (
        sorted((i.id, i.state, i.version, i.agreement_version, i.mentor_id, i.title,
                i.schedule_notes) for i in s.exec(select(Internship))),
        s.exec(select(func.count()).select_from(AgreementAcceptance)).one(),
        s.exec(select(func.count()).select_from(InternshipEvent)).one(),
        s.exec(select(func.count()).select_from(Notification).where(
            col(Notification.read_at).is_not(None))).one(),
    )


FINGERPRINTS = [_fingerprint]

PARAMS = {"internship_id": lambda w: setup(w).internship.id}

# The progress routes (tasks, feedback, plan, follow-ups, reports) keep their rules apart.
from tests.internships import progress_route_rules as _progress  # noqa: E402

PUBLIC |= _progress.PUBLIC
PROTECTED.update(_progress.PROTECTED)
INTRUDERS.update(_progress.INTRUDERS)
FINGERPRINTS.extend(_progress.FINGERPRINTS)
PARAMS.update(_progress.PARAMS)
