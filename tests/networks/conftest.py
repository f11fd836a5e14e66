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
