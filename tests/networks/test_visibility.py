"""The one visibility rule, extended: a "networks"-only profile is seen by members of businesses
that share a network with it, and by nobody else (besides its own members)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.networks import service
from exchange.networks.models import Network
from exchange.profiles.models import Business
from exchange.profiles.visibility import visible_to


def _visible(session: Session, user: User) -> set[str]:
    return set(session.exec(select(Business.slug).where(visible_to(user.id))).all())


def _networks_only(session: Session, business: Business) -> None:
    business.visibility = "networks"
    session.add(business)
    session.commit()


def test_networks_only_profiles_are_seen_inside_a_shared_network(
    session: Session, pune_chamber: Network, afreen_firm: Business, rajeev_firm: Business,
    rajeev: User, arjun: User, meera: User, charlie: User,
) -> None:
    _networks_only(session, afreen_firm)
    assert afreen_firm.slug not in _visible(session, rajeev)
    service.add_member(session, pune_chamber, afreen_firm, "afreen", managed=False)
    service.add_member(session, pune_chamber, rajeev_firm, "rajeev", managed=False)
    session.commit()
    # Every member of Rajeev's firm (owner and manager) now sees Afreen's firm.
    assert afreen_firm.slug in _visible(session, rajeev)
    assert afreen_firm.slug in _visible(session, arjun)
    assert afreen_firm.slug in _visible(session, meera)  # her own firm, as always
    assert afreen_firm.slug not in _visible(session, charlie)


def test_a_different_network_does_not_make_it_visible(
    session: Session, pune_chamber: Network, mumbai_guild: Network, afreen_firm: Business,
    rajeev_firm: Business, rajeev: User,
) -> None:
    _networks_only(session, afreen_firm)
    service.add_member(session, pune_chamber, afreen_firm, "afreen", managed=False)
    service.add_member(session, mumbai_guild, rajeev_firm, "rajeev", managed=False)
    session.commit()
    assert afreen_firm.slug not in _visible(session, rajeev)


def test_archived_networks_only_profiles_stay_hidden(
    session: Session, pune_chamber: Network, afreen_firm: Business, rajeev_firm: Business,
    rajeev: User,
) -> None:
    _networks_only(session, afreen_firm)
    service.add_member(session, pune_chamber, afreen_firm, "afreen", managed=False)
    service.add_member(session, pune_chamber, rajeev_firm, "rajeev", managed=False)
    from exchange.profiles import service as profiles_service

    profiles_service.set_archived(session, afreen_firm, True)
    session.commit()
    assert afreen_firm.slug not in _visible(session, rajeev)


def test_removing_the_membership_hides_it_again(
    session: Session, pune_chamber: Network, afreen_firm: Business, rajeev_firm: Business,
    rajeev: User,
) -> None:
    _networks_only(session, afreen_firm)
    service.add_member(session, pune_chamber, afreen_firm, "afreen", managed=False)
    service.add_member(session, pune_chamber, rajeev_firm, "rajeev", managed=False)
    session.commit()
    service.remove_member(session, pune_chamber, "afreen")
    session.commit()
    assert afreen_firm.slug not in _visible(session, rajeev)
    assert session.get(Business, afreen_firm.id) is not None


def _suggested(make_client: Any, user: User, firm: Business) -> list[str]:
    from exchange.accounts import service as accounts_service
    from exchange.accounts.models import ApiTokenCreate

    client = make_client()
    issued = accounts_service.create_api_token(client.db, client.settings, user,
                                               ApiTokenCreate(name="s"))
    client.db.commit()
    client.use_token(issued.token)
    r = client.get(f"/api/v1/businesses/{firm.slug}/suggestions")
    assert r.status_code == 200, r.text
    return [item["partner"]["slug"] for item in r.json()["items"]]


def test_matching_follows_network_membership(
    session: Session, make_client: Any, pune_chamber: Network, afreen_firm: Business,
    rajeev_firm: Business, rajeev: User,
) -> None:
    _networks_only(session, afreen_firm)
    assert afreen_firm.slug not in _suggested(make_client, rajeev, rajeev_firm)
    service.add_member(session, pune_chamber, afreen_firm, "afreen", managed=False)
    service.add_member(session, pune_chamber, rajeev_firm, "rajeev", managed=False)
    session.commit()
    assert afreen_firm.slug in _suggested(make_client, rajeev, rajeev_firm)
    service.remove_member(session, pune_chamber, "rajeev")
    session.commit()
    assert afreen_firm.slug not in _suggested(make_client, rajeev, rajeev_firm)
