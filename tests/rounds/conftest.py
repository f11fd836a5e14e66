"""A small network whose members form known cycles: a ring of three firms where each learns
from the next (a 3-cycle), and a pair that swaps (a 2-cycle). Nina runs the network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import Session

from exchange.accounts.models import BusinessRole, User
from exchange.networks import service as networks_service
from exchange.networks.models import Network, NetworkAdmin
from exchange.profiles.models import Business
from tests.conftest import _person
from tests.support.factories import add_member, make_business

# (name, ISIC class in a group of its own, process it teaches, process it needs)
FIRMS = [
    ("Ring Bakery", "1071", "production.quality_control", "marketing.content_marketing"),
    ("Ring Content Studio", "7310", "marketing.content_marketing", "finance.bookkeeping"),
    ("Ring Accountants", "6920", "finance.bookkeeping", "production.quality_control"),
    ("Pair Logistics", "4923", "supply_chain.transport_planning", "hr.recruitment"),
    ("Pair Staffing", "7830", "hr.recruitment", "supply_chain.transport_planning"),
]
WINDOW_START = date.today() + timedelta(days=14)


@dataclass
class RoundWorld:
    network: Network
    nina: User
    firms: list[Business]
    owners: list[User]
    interns: list[User]


@pytest.fixture
def round_world(session: Session, nina_admin: User) -> RoundWorld:
    network = networks_service.create_network(session, nina_admin, name="Pune Exchange Circle")
    session.add(NetworkAdmin(network_id=network.id or 0, user_id=nina_admin.id or 0))
    firms, owners, interns = [], [], []
    for n, (name, isic, teaches, needs) in enumerate(FIRMS):
        owner = _person(session, f"owner{n}@ring.example", f"Owner {n}")
        intern = _person(session, f"intern{n}@ring.example", f"Intern {n}")
        cells = [
            {"process": teaches, "level": 5, "offer": True, "need": 0},
            {"process": needs, "level": 1, "offer": False, "need": 3},
        ]
        firm = make_business(session, owner, cells, name=name, isic_class=isic, country="IN",
                             region="Maharashtra", city="Pune", market_reach="local",
                             size_band="10-49", hosting_capacity=1)
        add_member(session, firm, intern, BusinessRole.intern)
        networks_service.add_member(session, network, firm, f"m-{n}", managed=False)
        firms.append(firm)
        owners.append(owner)
        interns.append(intern)
    session.commit()
    return RoundWorld(network, nina_admin, firms, owners, interns)


@pytest.fixture
def nina_admin(session: Session) -> User:
    return _person(session, "nina@ring-network.example", "Nina Network")
