"""Network pages: Ada (platform admin) creates the Pune chamber and appoints Nina; Nina manages
members, invitations and keys; Afreen consents to join; a claim link makes its opener owner."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from exchange.accounts.models import BusinessRole, User
from exchange.networks.models import (
    Network,
    NetworkAdmin,
    NetworkApiKey,
    NetworkMember,
    WebhookDelivery,
    WebhookEndpoint,
)
from exchange.notifications.models import OutboxEmail
from exchange.profiles.models import Business, BusinessMembership
from tests.conftest import Client
from tests.networks.conftest import fill, member_record
from tests.networks.route_rules import NETWORK_ADMIN_PAGES


def _link(session: Session, to: str) -> str:
    message = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == to)
                           .order_by(OutboxEmail.id.desc())).first()  # type: ignore[union-attr]
    assert message is not None
    found = re.search(r"/network-invitations/(pie_ninv_[\w-]+)", message.body_text)
    assert found
    return f"/network-invitations/{found.group(1)}"


def test_ada_creates_a_network_with_its_first_admin(make_client: Callable[..., Client],
                                                    ada: User, nina: User,
                                                    session: Session) -> None:
    client = make_client(ada)
    r = client.submit("/admin/networks", {"name": "Pune Chamber of Commerce",
                                          "admin_email": nina.email})
    assert r.status_code == 303
    network = session.exec(select(Network)).one()
    assert network.slug == "pune-chamber-of-commerce"
    assert session.exec(select(NetworkAdmin.user_id)).all() == [nina.id]
    assert "Pune Chamber of Commerce" in client.get("/admin/networks").text


def test_creating_a_network_names_the_bad_fields(make_client: Callable[..., Client],
                                                 ada: User, session: Session) -> None:
    r = make_client(ada).submit("/admin/networks", {"name": "X", "slug": "Bad Slug!",
                                                    "admin_email": "nobody@example.com"})
    assert r.status_code == 422
    assert "must be 2 to 120 characters" in r.text and "lower-case letters" in r.text
    assert session.exec(select(Network)).first() is None


def test_only_platform_admins_create_networks(make_client: Callable[..., Client],
                                              afreen: User, session: Session) -> None:
    assert make_client(afreen).get("/admin/networks").status_code == 404
    assert make_client(afreen).submit("/admin/networks", {"name": "Mine"}).status_code == 404
    assert session.exec(select(Network)).first() is None


@pytest.fixture
def pune_member(api: Client) -> None:
    r = api.put("/api/v1/networks/pune-chamber/members", json={"members": [
        member_record("crm-1")]})
    assert r.json()["created"] == ["crm-1"]


@pytest.mark.parametrize(("method", "path"), sorted(NETWORK_ADMIN_PAGES))
def test_strangers_and_other_networks_admins_get_404(
    method: str, path: str, make_client: Callable[..., Client], charlie: User, otto: User,
    mumbai_guild: Network, afreen_firm: Business, pune_world: dict[str, str],
    session: Session,
) -> None:
    form = {k: v.replace("{afreen_firm}", afreen_firm.slug)
            for k, v in (NETWORK_ADMIN_PAGES[(method, path)] or {}).items()}
    for intruder in (charlie, otto):
        before = (sorted(m.external_id for m in session.exec(select(NetworkMember))),
                  len(session.exec(select(NetworkApiKey)).all()),
                  len(session.exec(select(OutboxEmail)).all()),
                  sorted(str(e.disabled_at) for e in session.exec(select(WebhookEndpoint))),
                  len(session.exec(select(WebhookDelivery)).all()))
        client = make_client(intruder)
        url = fill(path, pune_world)
        r = client.get(url) if method == "GET" else client.submit(url, form)
        assert r.status_code == 404, (intruder.display_name, r.status_code)
        session.expire_all()
        assert before == (sorted(m.external_id for m in session.exec(select(NetworkMember))),
                          len(session.exec(select(NetworkApiKey)).all()),
                          len(session.exec(select(OutboxEmail)).all()),
                          sorted(str(e.disabled_at)
                                 for e in session.exec(select(WebhookEndpoint))),
                          len(session.exec(select(WebhookDelivery)).all()))


@pytest.mark.parametrize(("method", "path"), sorted(NETWORK_ADMIN_PAGES))
def test_nina_may_use_every_network_admin_page(
    method: str, path: str, make_client: Callable[..., Client], nina: User,
    afreen_firm: Business, pune_world: dict[str, str], session: Session,
) -> None:
    form = {k: v.replace("{afreen_firm}", afreen_firm.slug)
            for k, v in (NETWORK_ADMIN_PAGES[(method, path)] or {}).items()}
    client = make_client(nina)
    url = fill(path, pune_world)
    r = client.get(url) if method == "GET" else client.submit(url, form)
    assert r.status_code in {200, 201, 303}, (r.status_code, r.text[:300])


def test_a_new_key_is_shown_once_and_stored_hashed(make_client: Callable[..., Client],
                                                   nina: User, pune_chamber: Network,
                                                   session: Session) -> None:
    client = make_client(nina)
    r = client.submit("/networks/pune-chamber/keys", {"name": "CRM sync",
                                                      "scopes": ["members:read",
                                                                 "members:write"]})
    assert r.status_code == 201
    key = re.search(r"pie_net_[\w-]+", r.text)
    assert key
    record = session.exec(select(NetworkApiKey)).one()
    assert record.scopes == ["members:read", "members:write"]
    assert key.group(0) not in record.model_dump_json()
    page = client.get("/networks/pune-chamber/keys").text
    assert key.group(0) not in page and record.display_prefix in page
    me = make_client().use_token(key.group(0)).get("/api/v1/networks/pune-chamber")
    assert me.status_code == 200 and me.json()["key_scopes"] == ["members:read",
                                                                  "members:write"]


def test_a_key_without_scopes_is_refused_with_the_field(make_client: Callable[..., Client],
                                                       nina: User, pune_chamber: Network,
                                                       session: Session) -> None:
    r = make_client(nina).submit("/networks/pune-chamber/keys", {"name": "nothing"})
    assert r.status_code == 422 and "choose at least one scope" in r.text
    assert session.exec(select(NetworkApiKey)).first() is None


def test_revoked_keys_stop_working(make_client: Callable[..., Client], nina: User,
                                   api: Client, session: Session) -> None:
    record = session.exec(select(NetworkApiKey)).one()
    r = make_client(nina).submit(f"/networks/pune-chamber/keys/{record.id}/revoke")
    assert r.status_code == 303
    assert api.get("/api/v1/networks/pune-chamber").status_code == 401


def test_afreen_consents_and_her_firm_joins(make_client: Callable[..., Client], nina: User,
                                            afreen: User, rajeev: User, afreen_firm: Business,
                                            pune_chamber: Network, session: Session) -> None:
    r = make_client(nina).submit("/networks/pune-chamber/invitations",
                                 {"business": afreen_firm.slug, "external_id": "afreen"})
    assert r.status_code == 303
    link = _link(session, afreen.email)
    assert session.exec(select(NetworkMember)).first() is None  # not before she consents
    assert make_client(rajeev).get(link).status_code == 404
    assert make_client(rajeev).submit(link, {"answer": "accept"}).status_code == 404
    mine = make_client(afreen)
    assert "Join Pune Chamber of Commerce" in mine.get(link).text
    assert mine.submit(link, {"answer": "accept"}).status_code == 303
    member = session.exec(select(NetworkMember)).one()
    assert (member.business_id, member.external_id, member.managed_by_network) == (
        afreen_firm.id, "afreen", False)
    assert mine.submit(link, {"answer": "accept"}).status_code == 410  # single use


def test_declining_adds_nothing(make_client: Callable[..., Client], nina: User, afreen: User,
                                afreen_firm: Business, pune_chamber: Network,
                                session: Session) -> None:
    make_client(nina).submit("/networks/pune-chamber/invitations",
                             {"business": afreen_firm.slug, "external_id": "afreen"})
    link = _link(session, afreen.email)
    assert make_client(afreen).submit(link, {"answer": "decline"}).status_code == 303
    assert session.exec(select(NetworkMember)).first() is None


def test_inviting_names_the_bad_fields(make_client: Callable[..., Client], nina: User,
                                       pune_chamber: Network) -> None:
    r = make_client(nina).submit("/networks/pune-chamber/invitations",
                                 {"business": "no-such-firm", "external_id": ""})
    assert r.status_code == 422
    assert "no business has this address" in r.text and "must be 1 to 128" in r.text


def test_a_claim_link_makes_its_opener_the_owner(make_client: Callable[..., Client],
                                                 nina: User, charlie: User, api: Client,
                                                 pune_member: None, session: Session) -> None:
    make_client(nina).submit("/networks/pune-chamber/members/crm-1/claim",
                             {"email": charlie.email})
    link = _link(session, charlie.email)
    assert make_client(charlie).submit(link, {"answer": "accept"}).status_code == 303
    member = session.exec(select(NetworkMember)).one()
    session.refresh(member)
    assert member.managed_by_network is False
    owner = session.exec(select(BusinessMembership).where(
        BusinessMembership.business_id == member.business_id)).one()
    assert (owner.user_id, owner.role) == (charlie.id, BusinessRole.owner)
    # From now on the network's sync leaves the profile to its owner.
    again = api.put("/api/v1/networks/pune-chamber/members",
                    json={"members": [member_record("crm-1", name="Renamed")]}).json()
    assert again["owner_managed"] == ["crm-1"]


def test_removing_a_member_on_the_page_keeps_the_business(
    make_client: Callable[..., Client], nina: User, pune_member: None, session: Session,
) -> None:
    r = make_client(nina).submit("/networks/pune-chamber/members/crm-1/remove")
    assert r.status_code == 303
    assert session.exec(select(NetworkMember)).first() is None
    assert session.exec(select(Business)).first() is not None




def test_nina_adds_a_webhook_and_sees_its_secret_once(make_client: Callable[..., Client],
                                                      nina: User, pune_chamber: Network,
                                                      session: Session) -> None:
    client = make_client(nina)
    r = client.submit("/networks/pune-chamber/webhooks",
                      {"url": "https://crm.example.org/hooks", "event_types": ["member.updated"]})
    assert r.status_code == 201
    secret = re.search(r"whsec_[\w+/=]+", r.text)
    assert secret
    endpoint = session.exec(select(WebhookEndpoint)).one()
    assert endpoint.event_types == ["member.updated"]
    page = client.get("/networks/pune-chamber/webhooks").text
    assert secret.group(0) not in page and "https://crm.example.org/hooks" in page
    assert client.get(f"/networks/pune-chamber/webhooks/{endpoint.id}").status_code == 200


def test_a_bad_webhook_url_is_named(make_client: Callable[..., Client], nina: User,
                                    pune_chamber: Network, session: Session) -> None:
    r = make_client(nina).submit("/networks/pune-chamber/webhooks", {"url": "not a url"})
    assert r.status_code == 422 and "must be an http(s) address" in r.text
    assert session.exec(select(WebhookEndpoint)).first() is None


def test_the_dashboard_leads_network_admins_to_their_network(
    make_client: Callable[..., Client], nina: User, charlie: User, pune_chamber: Network,
) -> None:
    assert 'href="/networks/pune-chamber"' in make_client(nina).get("/dashboard").text
    assert "/networks/pune-chamber" not in make_client(charlie).get("/dashboard").text
