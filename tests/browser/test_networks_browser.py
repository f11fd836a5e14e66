"""The partner-network pages in a real browser: Ada creates a network with Nina as its admin;
Nina invites an existing firm, creates an API key and a webhook endpoint (each secret shown
once); the firm's owner consents on the invitation page. Every page passes the accessibility
checks."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from exchange.accounts import service as accounts_service
from exchange.db import make_engine
from exchange.notifications.models import OutboxEmail
from exchange.profiles import service as profiles_service
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

PASSWORD = "network-browser-password-2026"


@dataclass
class Seeded:
    tag: str
    ada: str
    nina: str
    owner: str
    firm_slug: str


def _seed(server: LiveServer) -> Seeded:
    tag = uuid.uuid4().hex[:6]
    engine = make_engine(server.database_url)
    with Session(engine, expire_on_commit=False) as s:
        ada = accounts_service.sign_up(s, email=f"ada-{tag}@net.example", display_name="Ada",
                                       password=PASSWORD, is_admin=True)
        nina = accounts_service.sign_up(s, email=f"nina-{tag}@net.example",
                                        display_name="Nina Network", password=PASSWORD)
        owner = accounts_service.sign_up(s, email=f"owner-{tag}@net.example",
                                         display_name="Olga Owner", password=PASSWORD)
        firm = profiles_service.create_business(s, owner, {
            "name": f"Olga Print {tag}", "isic_class": "1811", "country": "IN",
            "region": "Maharashtra", "city": "Pune", "market_reach": "local",
            "size_band": "10-49"})
        s.commit()
        seeded = Seeded(tag, ada.email, nina.email, owner.email, firm.slug)
    engine.dispose()
    return seeded


def _invitation_link(server: LiveServer, to: str) -> str:
    engine = make_engine(server.database_url)
    with Session(engine) as s:
        message = s.exec(select(OutboxEmail).where(OutboxEmail.to_address == to)
                         .order_by(col(OutboxEmail.id).desc())).first()
        assert message is not None
        found = re.search(r"/network-invitations/pie_ninv_[\w-]+", message.body_text)
    engine.dispose()
    assert found
    return found.group(0)


def _log_out(page: Page) -> None:
    page.context.clear_cookies()


def test_a_network_is_set_up_and_a_firm_joins(page: Page, live_server: LiveServer) -> None:
    seeded = _seed(live_server)
    network_name = f"Pune Chamber {seeded.tag}"

    log_in(page, seeded.ada, PASSWORD)
    page.goto("/admin/networks")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill(network_name)
    page.get_by_label("First admin's e-mail").fill(seeded.nina)
    page.get_by_role("button", name="Create network").click()
    expect(page.get_by_text(f"Network {network_name} created.")).to_be_visible()
    slug = f"pune-chamber-{seeded.tag}"
    _log_out(page)

    log_in(page, seeded.nina, PASSWORD)
    page.goto(f"/networks/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(network_name)
    assert_accessible(page)
    page.get_by_label("Business address").fill(seeded.firm_slug)
    page.get_by_label("Your id for it").fill("crm-olga")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent")).to_be_visible()

    page.goto(f"/networks/{slug}/keys")
    page.get_by_label("Name", exact=True).fill("CRM sync")
    page.get_by_label(re.compile("members:read")).check()
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#new-key")).to_contain_text("pie_net_")
    assert_accessible(page)
    screenshot(page, "network-keys")

    page.goto(f"/networks/{slug}/webhooks")
    page.get_by_label("URL").fill("https://crm.example.org/hooks")
    page.get_by_label(re.compile("member.updated")).check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("#new-secret")).to_contain_text("whsec_")
    assert_accessible(page)
    page.get_by_role("link", name="https://crm.example.org/hooks").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deliveries")
    assert_accessible(page)
    _log_out(page)

    log_in(page, seeded.owner, PASSWORD)
    page.goto(_invitation_link(live_server, seeded.owner))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {network_name}")
    assert_accessible(page)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text(f"is now a member of {network_name}")).to_be_visible()
    _log_out(page)

    log_in(page, seeded.nina, PASSWORD)
    page.goto(f"/networks/{slug}")
    expect(page.get_by_role("cell", name="crm-olga")).to_be_visible()
    screenshot(page, "network-members")
