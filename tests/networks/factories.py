"""Builders for network test data, through the product's own services."""

from __future__ import annotations

from sqlmodel import Session

from exchange.accounts.models import User
from exchange.config import Settings
from exchange.networks import keys as keys_service
from exchange.networks import service
from exchange.networks.models import Network, Scope


def make_network(session: Session, creator: User, name: str, slug: str,
                 admins: list[User] | None = None) -> Network:
    network = service.create_network(session, creator, name=name, slug=slug)
    for admin in admins or []:
        service.appoint_admin(session, network, admin.email)
    session.commit()
    return network


def make_key(session: Session, settings: Settings, network: Network, scopes: list[Scope],
             *, name: str = "crm", expires_in_days: int | None = None) -> str:
    issued = keys_service.create_key(
        session, settings, network, None,
        keys_service.ApiKeyCreate(name=name, scopes=scopes, expires_in_days=expires_in_days))
    session.commit()
    return issued.key
