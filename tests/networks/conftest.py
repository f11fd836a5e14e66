"""Network personas: Nina administers the Pune chamber of commerce (`pune_chamber`), Otto
administers the Mumbai guild (`mumbai_guild`), a network that must never reach Pune's members.
Each network has a key with every scope; `make_key` makes others (fewer scopes, expired, …)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from exchange.accounts.models import User
from exchange.config import Settings
from exchange.networks.models import Network, Scope
from tests.conftest import Client, _person

# The internship fixtures (Afreen's firm sends Meera to Rajeev's firm), for the network reads.
from tests.internships.conftest import (  # noqa: F401
    accepted_internship,
    active_internship,
    completed_internship,
    internship,
    plan_approved_internship,
    plan_submitted_internship,
)
from tests.networks.factories import make_key, make_network


@pytest.fixture
def nina(session: Session) -> User:
    return _person(session, "nina@pune-chamber.example", "Nina Network")


@pytest.fixture
def otto(session: Session) -> User:
    return _person(session, "otto@mumbai-guild.example", "Otto Other")


@pytest.fixture
def pune_chamber(session: Session, ada: User, nina: User) -> Network:
    return make_network(session, ada, "Pune Chamber of Commerce", "pune-chamber", admins=[nina])


@pytest.fixture
def mumbai_guild(session: Session, ada: User, otto: User) -> Network:
    return make_network(session, ada, "Mumbai Business Guild", "mumbai-guild", admins=[otto])


@pytest.fixture
def pune_key(session: Session, settings: Settings, pune_chamber: Network) -> str:
    return make_key(session, settings, pune_chamber, list(Scope))


@pytest.fixture
def mumbai_key(session: Session, settings: Settings, mumbai_guild: Network) -> str:
    return make_key(session, settings, mumbai_guild, list(Scope))


@pytest.fixture
def api(make_client: Callable[..., Client], pune_key: str) -> Client:
    """A client of the Pune chamber's integration, with its all-scopes key."""
    return make_client().use_token(pune_key)


@pytest.fixture
def key_client(make_client: Callable[..., Client]) -> Callable[[str], Client]:
    def _make(key: str) -> Client:
        return make_client().use_token(key)

    return _make


def member_record(external_id: str, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": external_id, "name": f"Member {external_id}", "isic": "7410", "country": "IN",
        "region": "Maharashtra", "city": "Pune", "market_reach": "regional",
        "cells": [{"process": "marketing.content_marketing", "level": 5, "offer": True,
                   "need": 0},
                  {"process": "hr.recruitment", "level": 1, "offer": False, "need": 3}],
    }
    record.update(overrides)
    return record


@pytest.fixture
def pune_world(api: Client, session: Session, pune_chamber: Network, rajeev_firm: Any,
               request: pytest.FixtureRequest) -> dict[str, str]:
    """Pune's things that routes address: two members, Rajeev's firm as a third hosting an
    internship (Afreen's firm, not a member, sends Meera), a webhook endpoint with one
    delivery, its keys. Returns the values for the path parameters of
    tests/networks/route_rules.py."""
    from sqlmodel import select

    from exchange.networks import service
    from exchange.networks.models import NetworkApiKey, WebhookDelivery

    proposal = request.getfixturevalue("internship")
    service.add_member(session, pune_chamber, rajeev_firm, "rajeev", managed=False)
    session.commit()
    base = "/api/v1/networks/pune-chamber"
    created = api.put(f"{base}/members", json={"members": [
        member_record("crm-1"), member_record("crm-2")]}).json()
    assert created["counts"]["created"] == 2, created
    endpoint = api.post(f"{base}/webhooks", json={"url": "https://crm.example.org/hook"}).json()
    api.put(f"{base}/members", json={"members": [member_record("crm-2", name="Changed")]})
    delivery = session.exec(select(WebhookDelivery)).first()
    key = session.exec(select(NetworkApiKey)).first()
    assert delivery is not None and key is not None
    return {"network_slug": "pune-chamber", "external_id": "crm-1",
            "endpoint_id": str(endpoint["id"]), "delivery_id": str(delivery.id),
            "key_id": str(key.id), "action": "disable", "internship_id": str(proposal.id)}


def fill(path: str, values: dict[str, str]) -> str:
    import re

    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
