"""An owner's edit of a member business reaches its networks as `member.updated` webhooks,
under each network's own id; the network's own sync is not announced twice."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.config import Settings
from exchange.networks import service, webhooks
from exchange.networks.models import Network, WebhookDelivery
from exchange.profiles import matrix as matrix_service
from exchange.profiles import service as profiles_service
from exchange.profiles.models import Business
from tests.conftest import Client
from tests.networks.conftest import member_record


def _member_updates(session: Session) -> list[dict[str, object]]:
    rows = session.exec(select(WebhookDelivery).where(
        WebhookDelivery.event_type == "member.updated").order_by(WebhookDelivery.id)).all()
    return [json.loads(r.body) for r in rows]


def test_an_owner_edit_is_announced_to_each_network_of_the_business(
        session: Session, settings: Settings, pune_chamber: Network, mumbai_guild: Network,
        afreen_firm: Business) -> None:
    service.add_member(session, pune_chamber, afreen_firm, "afreen-pune", managed=False)
    service.add_member(session, mumbai_guild, afreen_firm, "afreen-mumbai", managed=False)
    for network in (pune_chamber, mumbai_guild):
        webhooks.create_endpoint(session, settings, network, url="https://hooks.example/x",
                                 event_types=["member.updated"])
    session.flush()
    before = len(_member_updates(session))
    profiles_service.update_business(session, afreen_firm, {"city": "Nashik"})
    events = _member_updates(session)[before:]
    assert sorted((e["network"], tuple(e["members"])) for e in events) == [  # type: ignore[arg-type]
        ("mumbai-guild", ("afreen-mumbai",)), ("pune-chamber", ("afreen-pune",))]
    assert [e["data"]["fields"] for e in events] == [["city"], ["city"]]  # type: ignore[index]
    # Saving the same values again changes nothing and announces nothing.
    profiles_service.update_business(session, afreen_firm, {"city": "Nashik"})
    assert len(_member_updates(session)) == before + 2
    # A matrix edit is announced too.
    matrix_service.patch_cells(session, afreen_firm, [
        {"process": "marketing.seo", "level": 2, "offer": False, "need": 2}])
    cells = _member_updates(session)[before + 2:]
    assert [e["data"]["fields"] for e in cells] == [["cells"], ["cells"]]  # type: ignore[index]


def test_the_network_sync_is_announced_once(api: Client, session: Session,
                                            pune_chamber: Network, settings: Settings,
                                            afreen: User) -> None:
    webhooks.create_endpoint(session, settings, pune_chamber, url="https://hooks.example/y",
                             event_types=["member.updated"])
    session.commit()
    base = "/api/v1/networks/pune-chamber/members"
    api.put(base, json={"members": [member_record("crm-9")]})
    before = len(_member_updates(session))
    r = api.put(base, json={"members": [member_record("crm-9", city="Nagpur")]})
    assert r.status_code == 200, r.text
    assert len(_member_updates(session)) == before + 1
