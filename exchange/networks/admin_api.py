"""/api/v1/admin/networks: what a platform admin does to start a network, over the API with a
personal token (`pie_pat_…`) of a platform admin — the same services as the admin page and the
`exchange networks` commands. Anyone else gets 404, as for the admin pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from exchange.accounts.deps import PlatformAdmin
from exchange.deps import SessionDep, SettingsDep
from exchange.errors import NotFound
from exchange.fields import Line, Prose
from exchange.networks import keys, service
from exchange.networks.models import Network

router = APIRouter(prefix="/api/v1/admin/networks", tags=["platform admin"])

NetworkSlug = Annotated[str, Path(max_length=60, description="The network's address")]


class NetworkCreate(BaseModel):
    name: Line = Field(min_length=2, max_length=120, examples=["Pune Chamber of Commerce"])
    slug: Line = Field(default="", max_length=60,
                       description="Its address; made from the name when empty")
    description: Prose = Field(default="", max_length=2000)
    admins: list[Line] = Field(default_factory=list, max_length=20,
                               description="E-mail addresses of existing accounts who will "
                                           "run the network", examples=[["nina@example.org"]])


class NetworkSummary(BaseModel):
    slug: str
    name: str
    description: str
    created_at: datetime
    admins: list[str] = Field(description="The admins' e-mail addresses")
    member_count: int
    active_keys: int

    @classmethod
    def of(cls, session: SessionDep, network: Network) -> NetworkSummary:
        live = [k for k in keys.keys_of(session, network) if k.revoked_at is None]
        return cls(slug=network.slug, name=network.name, description=network.description,
                   created_at=network.created_at,
                   admins=[u.email for u in service.admins_of(session, network)],
                   member_count=service.member_count(session, network), active_keys=len(live))


class KeyCreated(keys.ApiKeyPublic):
    key: str = Field(description="The key (`pie_net_…`), shown only this once")


@router.get("", response_model=list[NetworkSummary], summary="Every network")
def list_networks(admin: PlatformAdmin, session: SessionDep) -> list[NetworkSummary]:
    return [NetworkSummary.of(session, n) for n in service.all_networks(session)]


@router.post("", response_model=NetworkSummary, status_code=status.HTTP_201_CREATED,
             summary="Create a network and appoint its admins")
def create_network(admin: PlatformAdmin, session: SessionDep, data: NetworkCreate
                   ) -> NetworkSummary:
    network = service.create_network_with_admins(
        session, admin, name=data.name, slug=data.slug, description=data.description,
        admin_emails=data.admins)
    return NetworkSummary.of(session, network)


@router.post("/{network_slug}/keys", response_model=KeyCreated,
             status_code=status.HTTP_201_CREATED,
             summary="Create an API key for a network (the key is shown only here)")
def create_key(admin: PlatformAdmin, session: SessionDep, settings: SettingsDep,
               network_slug: NetworkSlug, data: keys.ApiKeyCreate) -> KeyCreated:
    network = service.get_network(session, network_slug)
    if network is None:
        raise NotFound("No such network.")
    issued = keys.create_key(session, settings, network, admin, data)
    return KeyCreated(**keys.ApiKeyPublic.model_validate(issued.record,
                                                         from_attributes=True).model_dump(),
                      key=issued.key)
