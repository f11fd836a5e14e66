"""Issue 8's pages in a real browser: Nina, a network admin, opens an exchange round, members
confirm (one of them on her page), Nina clears it and sees the cycles drawn, and a member
accepts her firm's place in a cycle. Every page passes the accessibility checks."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.models import BusinessRole, User
from exchange.db import make_engine
from exchange.networks import service as networks_service
from exchange.networks.models import NetworkAdmin
from exchange.profiles import matrix as matrix_service
from exchange.profiles import service as profiles_service
from exchange.profiles.models import BusinessMembership
from tests.browser.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

PASSWORD = "round-browser-password-2026"
FIRMS = [
    ("Ring Bakery", "1071", "production.quality_control", "marketing.content_marketing"),
    ("Ring Content Studio", "7310", "marketing.content_marketing", "finance.bookkeeping"),
    ("Ring Accountants", "6920", "finance.bookkeeping", "production.quality_control"),
]


@dataclass
class Seeded:
    network_slug: str
    admin_email: str
    owners: list[str]
    business_names: list[str]
    intern_ids: list[int]
    business_ids: list[int]


def _seed(server: LiveServer) -> Seeded:
    """A network and three member firms in the live server's database, through the services."""
    tag = uuid.uuid4().hex[:6]
    engine = make_engine(server.database_url)
    with Session(engine, expire_on_commit=False) as s:
        def person(label: str) -> User:
            return accounts_service.sign_up(s, email=f"{label}-{tag}@rounds.example",
                                            display_name=label.replace("-", " ").title(),
                                            password=PASSWORD)

        nina = person("nina-admin")
        network = networks_service.create_network(s, nina, name=f"Circle {tag}")
        s.add(NetworkAdmin(network_id=network.id or 0, user_id=nina.id or 0))
        owners, names, interns, ids = [], [], [], []
        for n, (name, isic, teaches, needs) in enumerate(FIRMS):
            owner, intern = person(f"owner-{n}"), person(f"intern-{n}")
            firm = profiles_service.create_business(s, owner, {
                "name": f"{name} {tag}", "isic_class": isic, "country": "IN",
                "region": "Maharashtra", "city": "Pune", "market_reach": "local",
                "size_band": "10-49", "hosting_capacity": 1})
            matrix_service.replace_matrix(s, firm, [
                {"process": teaches, "level": 5, "offer": True, "need": 0},
                {"process": needs, "level": 1, "offer": False, "need": 3}])
            s.add(BusinessMembership(business_id=firm.id or 0, user_id=intern.id or 0,
                                     role=BusinessRole.intern.value))
            networks_service.add_member(s, network, firm, f"ring-{n}", managed=False)
            owners.append(owner.email)
            names.append(firm.name)
            interns.append(intern.id or 0)
            ids.append(firm.id or 0)
        s.commit()
        seeded = Seeded(network.slug, nina.email, owners, names, interns, ids)
    engine.dispose()
    return seeded


def _confirm_by_service(server: LiveServer, seeded: Seeded, round_id: int, n: int) -> None:
    from exchange.profiles.models import Business
    from exchange.rounds import service as rounds_service
    from exchange.rounds.models import ExchangeRound

    engine = make_engine(server.database_url)
    with Session(engine) as s:
        round_ = s.get(ExchangeRound, round_id)
        firm = s.get(Business, seeded.business_ids[n])
        owner = accounts_service.get_user_by_email(s, seeded.owners[n])
        assert round_ is not None and firm is not None and owner is not None
        rounds_service.confirm(s, round_, owner, firm, take_part=True,
                               intern_ids=[seeded.intern_ids[n]], capacity=1)
        s.commit()
    engine.dispose()


def test_a_round_from_opening_to_an_accepted_place(live_server: LiveServer, page: Page) -> None:
    seeded = _seed(live_server)
    log_in(page, seeded.admin_email, PASSWORD)
    page.goto(f"/networks/{seeded.network_slug}/rounds")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exchange rounds")
    assert_accessible(page)

    # A bad window first: the form comes back with the message and nothing is created.
    start = date.today() + timedelta(days=10)
    page.get_by_label("Name").fill("Winter exchange")
    page.get_by_label("Internships start on or after").fill(start.isoformat())
    page.get_by_label("and end by").fill((start - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Open the round").click()
    expect(page.locator(".error-summary")).to_contain_text("end on or after its start")
    assert_accessible(page)
    page.get_by_label("and end by").fill((start + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Winter exchange")
    round_id = int(re.search(r"/rounds/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    screenshot(page, "round-admin-open")
    assert_accessible(page)

    # Two members confirm through the service, the bakery's owner on her page.
    _confirm_by_service(live_server, seeded, round_id, 1)
    _confirm_by_service(live_server, seeded, round_id, 2)
    member = page.context.browser.new_page(base_url=live_server.base_url)  # type: ignore[union-attr]
    log_in(member, seeded.owners[0], PASSWORD)
    member.goto(f"/rounds/{round_id}")
    expect(member.get_by_role("heading", name="Your participation")).to_be_visible()
    member.get_by_label("Intern 0").check()
    member.get_by_role("button", name=re.compile("Save participation")).click()
    expect(member.locator(".flashes")).to_contain_text("participation confirmed")
    assert_accessible(member)

    # Nina clears: one 3-way cycle, drawn, with its text alternative, waiting on everyone.
    page.reload()
    page.get_by_role("button", name="Clear the round").click()
    expect(page.locator(".flashes")).to_contain_text("proven optimal")
    picture = page.get_by_role("img", name="Cycles of the round")
    expect(picture).to_be_visible()
    expect(page.locator("svg desc")).to_contain_text(" → ".join(seeded.business_names))
    expect(page.locator(".callout").first).to_contain_text("waits on")
    screenshot(page, "round-admin-cleared")
    assert_accessible(page)

    # The bakery reads what it learns where and accepts.
    member.goto(f"/rounds/{round_id}")
    proposal = member.locator("article.proposal")
    expect(proposal).to_contain_text("content marketing (host at level 5, learner at 1, need high)")
    screenshot(member, "round-member-proposal")
    assert_accessible(member)
    member.get_by_role("button", name=f"Accept for {seeded.business_names[0]}").click()
    expect(member.locator(".flashes")).to_contain_text("accepted the proposal")
    expect(proposal).to_contain_text("accepted")

    page.reload()
    expect(page.locator(".callout").first).not_to_contain_text(seeded.business_names[0])
    member.set_viewport_size(PHONE)
    member.goto(f"/rounds/{round_id}")
    assert member.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(member, "round-member-phone")
