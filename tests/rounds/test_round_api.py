"""Exchange rounds over HTTP: the network's integration (API key with `rounds:write`) runs the
round, member owners (personal tokens) confirm and answer; plus who may do what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, BusinessRole, User
from exchange.config import Settings
from exchange.demo.generator import generate_businesses
from exchange.internships.models import Internship
from exchange.networks import service as networks_service
from exchange.networks.models import Network, Scope
from exchange.profiles.models import Business
from tests.conftest import Client, _person
from tests.networks.factories import make_key, make_network
from tests.rounds.conftest import WINDOW_START, RoundWorld
from tests.support.factories import add_member, make_business

N_FIRMS = 30
# Three planted firms on processes no generated firm needs or offers (checked in the fixture):
# A hosts B for backup, B hosts A and C for usability testing… so A→B→C→A is a 3-cycle worth
# more than the A↔B swap inside it. When C declines the 3-cycle, the re-clear can still give
# A and B their swap: the "finds a new one where possible" case, made certain.
TRIO = [
    ("Trio Backup Works", "6311", "it.backup_recovery", ["design.usability_testing"]),
    ("Trio Usability Lab", "7220", "design.usability_testing",
     ["it.backup_recovery", "customer_service.complaint_handling"]),
    ("Trio Care Desk", "8220", "customer_service.complaint_handling", ["it.backup_recovery"]),
]


@dataclass
class Firm:
    business: Business
    owner: User
    intern: User
    token: str


def _token(session: Session, settings: Settings, user: User) -> str:
    issued = accounts_service.create_api_token(session, settings, user,
                                               ApiTokenCreate(name="rounds"))
    session.commit()
    return issued.token


@pytest.fixture
def thirty(session: Session, settings: Settings, ada: User) -> tuple[Network, list[Firm], str]:
    """30 realistic demo firms (the demo generator), each with an owner and an intern, members
    of one network whose integration holds a rounds:write key."""
    network = make_network(session, ada, "Deccan Business Circle", "deccan-circle")
    generated = generate_businesses(N_FIRMS - len(TRIO), seed=11)
    planted = {p for _, _, teaches, needs in TRIO for p in (teaches, *needs)}
    for record in generated:
        for cell in record["cells"]:
            touches = cell.get("need", 0) > 0 or (cell.get("offer") and cell["level"] >= 4)
            assert not (touches and cell["process"] in planted), cell
    for name, isic, teaches, needs in TRIO:
        generated.append({
            "id": name.lower().replace(" ", "-"), "name": name, "isic": isic, "country": "IN",
            "region": "Karnataka", "city": "Bengaluru", "market_reach": "local",
            "cells": [{"process": teaches, "level": 5, "offer": True, "need": 0},
                      *({"process": p, "level": 1, "offer": False, "need": 3} for p in needs)]})
    firms = []
    for n, record in enumerate(generated):
        owner = _person(session, f"owner{n}@deccan.example", f"Owner {n}")
        intern = _person(session, f"intern{n}@deccan.example", f"Intern {n}")
        business = make_business(
            session, owner, record["cells"], name=record["name"], isic_class=record["isic"],
            country=record["country"], region=record.get("region", ""), city=record["city"],
            market_reach=record["market_reach"], size_band=record.get("size_band", "10-49"),
            hosting_capacity=max(1, int(record.get("hosting_capacity", 1))))
        add_member(session, business, intern, BusinessRole.intern)
        networks_service.add_member(session, network, business, record["id"], managed=False)
        firms.append(Firm(business, owner, intern, _token(session, settings, owner)))
    session.commit()
    key = make_key(session, settings, network, [Scope.rounds_write])
    return network, firms, key


def _window() -> dict[str, str]:
    return {"window_start": WINDOW_START.isoformat(),
            "window_end": (WINDOW_START + timedelta(days=45)).isoformat()}


def test_a_network_of_thirty_runs_a_round_through_the_api(
        make_client: Callable[..., Client], session: Session, settings: Settings,
        thirty: tuple[Network, list[Firm], str]) -> None:
    network, firms, key = thirty
    base = f"/api/v1/networks/{network.slug}/rounds"
    integration = make_client().use_token(key)
    created = integration.post(base, json={"name": "Monsoon exchange", **_window()})
    assert created.status_code == 201, created.text
    round_id = created.json()["id"]
    assert len(created.json()["participants"]) == N_FIRMS

    owners = {f.business.slug: make_client().use_token(f.token) for f in firms}
    for firm in firms:
        confirmed = owners[firm.business.slug].put(
            f"/api/v1/rounds/{round_id}/participation",
            json={"business": firm.business.slug, "intern_ids": [firm.intern.id], "capacity": 1})
        assert confirmed.status_code == 200, confirmed.text

    cleared = integration.post(f"{base}/{round_id}/clear")
    assert cleared.status_code == 200, cleared.text
    result = cleared.json()
    assert result["state"] == "cleared"
    assert result["last_result"]["proven_optimal"] is True
    proposals = result["proposals"]
    assert len(proposals) >= 2, "the demo population should clear into several cycles"
    in_cycles = [slug for p in proposals for slug in p["cycle"]]
    assert len(in_cycles) == len(set(in_cycles)), "capacity 1: each firm in one cycle at most"

    # Every member of a demo cycle accepts; the care desk declines the planted 3-cycle.
    trio = [f.business.slug for f in firms[-len(TRIO):]]
    declined = next(p for p in proposals if trio[2] in p["cycle"])
    assert sorted(declined["cycle"]) == sorted(trio)
    accepted = next(p for p in proposals if not set(trio) & set(p["cycle"]))
    for slug in accepted["cycle"]:
        r = owners[slug].post(f"/api/v1/rounds/{round_id}/proposals/{accepted['id']}/answer",
                              json={"business": slug, "accept": True})
        assert r.status_code == 200, r.text
    slug = trio[2]
    r = owners[slug].post(f"/api/v1/rounds/{round_id}/proposals/{declined['id']}/answer",
                          json={"business": slug, "accept": False})
    assert r.status_code == 200, r.text
    # A member sees only the proposals it is part of.
    assert [p["id"] for p in r.json()["proposals"]] == [declined["id"]]

    again = integration.post(f"{base}/{round_id}/clear")
    assert again.status_code == 200, again.text
    after = {p["id"]: p for p in again.json()["proposals"]}
    assert after[accepted["id"]]["state"] == "accepted"
    assert after[accepted["id"]]["cycle"] == accepted["cycle"]  # untouched
    assert after[declined["id"]]["state"] == "declined"
    new = [p for p in after.values() if p["clear_pass"] == 2]
    assert again.json()["last_result"]["proven_optimal"] is True
    still_held = {s for p in after.values() if p["state"] in ("pending", "accepted")
                  and p["clear_pass"] == 1 for s in p["cycle"]}
    for proposal in new:
        assert sorted(proposal["cycle"]) != sorted(declined["cycle"])
        assert not still_held & set(proposal["cycle"]), "a re-clear reuses no held firm"
    # Where possible the re-clear matches released firms again: the backup works and the
    # usability lab still have their swap.
    assert sorted(sorted(p["cycle"]) for p in new) == [sorted(trio[:2])]

    # The accepted cycle's internships exist, proposed, visible to home owner, host owner and
    # intern alike.
    made = session.exec(select(Internship).where(
        Internship.round_proposal_id == accepted["id"])).all()
    assert len(made) == len(accepted["cycle"])
    by_id = {f.business.id: f for f in firms}
    for internship in made:
        assert internship.state == "proposed"
        for person in (by_id[internship.home_business_id].owner,
                       by_id[internship.host_business_id].owner,
                       by_id[internship.home_business_id].intern):
            viewer = make_client().use_token(_token(session, settings, person))
            seen = viewer.get(f"/api/v1/internships/{internship.id}")
            assert seen.status_code == 200, (person.display_name, seen.text)


# -- who may do what -----------------------------------------------------------------------------


@pytest.fixture
def ring_key(session: Session, settings: Settings, round_world: RoundWorld) -> str:
    return make_key(session, settings, round_world.network, [Scope.rounds_write])


@pytest.fixture
def ring_round(make_client: Callable[..., Client], round_world: RoundWorld,
               ring_key: str) -> dict[str, Any]:
    r = make_client().use_token(ring_key).post(
        f"/api/v1/networks/{round_world.network.slug}/rounds",
        json={"name": "Ring round", **_window()})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_key_of_another_network_finds_nothing(
        make_client: Callable[..., Client], session: Session, settings: Settings, ada: User,
        round_world: RoundWorld, ring_round: dict[str, Any]) -> None:
    other = make_network(session, ada, "Other Circle", "other-circle")
    foreign = make_key(session, settings, other, list(Scope))
    client = make_client().use_token(foreign)
    slug = round_world.network.slug
    for method, path in [("GET", f"/api/v1/networks/{slug}/rounds"),
                         ("POST", f"/api/v1/networks/{slug}/rounds/{ring_round['id']}/clear"),
                         ("GET", f"/api/v1/networks/other-circle/rounds/{ring_round['id']}"),
                         ("POST", f"/api/v1/networks/other-circle/rounds/{ring_round['id']}"
                                  "/clear")]:
        r = client.request(method, path)
        assert r.status_code == 404, (method, path, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json")


def test_a_key_without_rounds_write_is_refused(
        make_client: Callable[..., Client], session: Session, settings: Settings,
        round_world: RoundWorld) -> None:
    reader = make_key(session, settings, round_world.network,
                      [s for s in Scope if s is not Scope.rounds_write])
    r = make_client().use_token(reader).post(
        f"/api/v1/networks/{round_world.network.slug}/rounds",
        json={"name": "Sneaky", **_window()})
    assert r.status_code == 403
    assert "rounds:write" in r.json()["detail"]


def test_strangers_and_other_members_cannot_touch_a_round(
        make_client: Callable[..., Client], session: Session, settings: Settings,
        round_world: RoundWorld, ring_round: dict[str, Any], charlie: User) -> None:
    stranger = make_client().use_token(_token(session, settings, charlie))
    round_id = ring_round["id"]
    assert stranger.get(f"/api/v1/rounds/{round_id}").status_code == 404
    r = stranger.put(f"/api/v1/rounds/{round_id}/participation",
                     json={"business": round_world.firms[0].slug, "intern_ids": [1]})
    assert r.status_code == 404
    # The bakery's owner may not confirm for the content studio.
    baker = make_client().use_token(_token(session, settings, round_world.owners[0]))
    r = baker.put(f"/api/v1/rounds/{round_id}/participation",
                  json={"business": round_world.firms[1].slug,
                        "intern_ids": [round_world.interns[1].id]})
    assert r.status_code == 404
    # The bakery's intern is not an owner: nothing of the round is visible to her.
    intern = make_client().use_token(_token(session, settings, round_world.interns[0]))
    assert intern.get(f"/api/v1/rounds/{round_id}").status_code == 404


def test_bad_round_input_names_the_fields(make_client: Callable[..., Client],
                                          round_world: RoundWorld, ring_key: str) -> None:
    r = make_client().use_token(ring_key).post(
        f"/api/v1/networks/{round_world.network.slug}/rounds",
        json={"name": "Backwards", "window_start": WINDOW_START.isoformat(),
              "window_end": (WINDOW_START - timedelta(days=1)).isoformat(),
              "members": ["m-0", "nobody"]})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert "members" in fields or "window_end" in fields
    r = make_client().use_token(ring_key).post(
        f"/api/v1/networks/{round_world.network.slug}/rounds",
        json={"name": "Past", "window_start": (date.today() - timedelta(days=3)).isoformat(),
              "window_end": date.today().isoformat()})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"window_start"}
