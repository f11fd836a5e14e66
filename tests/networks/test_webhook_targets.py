"""Webhook targets (issue 17.1, SSRF): a network key cannot make the server reach addresses inside
its own network — refused when saved (422 naming `url`) and again when delivered, after
resolving the name once and connecting to exactly the checked address; redirects are never
followed and only a short, sanitised excerpt of an answer is kept."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection
from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.config import Mode, Settings
from exchange.networks import targets, webhooks
from exchange.networks.models import Network, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.conftest import TEST_SECRET, Client, _savepoint_session
from tests.networks.receiver import Receiver, receiver

BASE = "/api/v1/networks/pune-chamber"

INTERNAL = [
    "http://127.0.0.1:9911/internal-admin",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://[fd00:ec2::254]/",
    "http://localhost:22/",
    "http://LocalHost./",
    "http://api.localhost/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[::1]:8104/",
    "http://0.0.0.0:8000/",
    "http://0:8000/",
    "http://2130706433:8000/",
    "http://0x7f.0.0.1:8000/",
    "http://017700000001/",
    "http://127.1:8000/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://100.100.100.200/latest/meta-data/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a00:1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://255.255.255.255/",
]


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


@pytest.mark.parametrize("url", INTERNAL)
def test_an_internal_target_is_refused_when_saved(api: Client, session: Session,
                                                  url: str) -> None:
    r = api.post(f"{BASE}/webhooks", json={"url": url})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert [e["field"] for e in errors] == ["url"]
    assert "public internet address" in errors[0]["message"]
    assert session.exec(select(WebhookEndpoint)).all() == []


@pytest.mark.parametrize("url", ["https://crm.example.org/hooks/exchange",
                                 "http://93.184.216.34:8080/hook",
                                 "https://[2606:4700:4700::1111]/hook"])
def test_a_public_target_is_accepted(api: Client, url: str) -> None:
    assert api.post(f"{BASE}/webhooks", json={"url": url}).status_code == 201


def _endpoint(session: Session, network: Network, url: str) -> WebhookEndpoint:
    """An endpoint written directly (as if saved before the rule, or under a name that
    resolved to a public address then), with one delivery due."""
    assert network.id is not None
    endpoint = WebhookEndpoint(network_id=network.id, url=url, secret_salt="s")
    session.add(endpoint)
    session.flush()
    assert endpoint.id is not None
    session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id="msg_ssrf",
                                event_type="member.updated", body="{}"))
    session.commit()
    return endpoint


def _deliver(connection: Connection, settings: Settings) -> None:
    with httpx.Client(timeout=5) as client:
        webhooks.deliver_due(lambda: _savepoint_session(connection), settings, client=client)


class _Resolver:
    """The system resolver answering `names` with the given addresses (a public-looking name
    pointing at this machine, the DNS-rebinding setup), counting lookups."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> None:
        self.names, self.lookups = names, 0
        real = socket.getaddrinfo

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if host in self.names:
                self.lookups += 1
                answer = self.names[host].pop(0) if len(self.names[host]) > 1 else \
                    self.names[host][0]
                return real(answer, port, *args, **kwargs)
            return real(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_resolving_to_loopback_is_refused_at_delivery(
    session: Session, connection: Connection, settings: Settings, pune_chamber: Network,
    hook: Receiver, monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = httpx.URL(hook.url).port
    resolver = _Resolver(monkeypatch, {"crm.rebind.example": ["127.0.0.1"]})
    _endpoint(session, pune_chamber, f"http://crm.rebind.example:{port}/hook")
    _deliver(connection, settings)
    assert hook.requests == [] and resolver.lookups == 1
    attempt = session.exec(select(WebhookAttempt)).one()
    assert not attempt.succeeded and attempt.response_status is None
    assert attempt.error == ("refused: crm.rebind.example resolves to 127.0.0.1, "
                             "a loopback address")


def test_a_saved_literal_internal_address_is_refused_at_delivery(
    session: Session, connection: Connection, settings: Settings, pune_chamber: Network,
    hook: Receiver,
) -> None:
    _endpoint(session, pune_chamber, hook.url)  # 127.0.0.1, saved before the rule
    _deliver(connection, settings)
    assert hook.requests == []
    attempt = session.exec(select(WebhookAttempt)).one()
    assert attempt.error == "refused: 127.0.0.1 is a loopback address"


def test_delivery_connects_to_the_checked_address_without_resolving_again(
    session: Session, connection: Connection, settings: Settings, pune_chamber: Network,
    hook: Receiver, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first lookup answers this machine's receiver, every later one an address where
    # nothing listens: the delivery arrives only if the request went to the first answer.
    port = httpx.URL(hook.url).port
    resolver = _Resolver(monkeypatch, {"crm.pinned.example": ["127.0.0.1", "127.0.0.2"]})
    _endpoint(session, pune_chamber, f"http://crm.pinned.example:{port}/hook")
    allowed = settings.model_copy(update={"webhook_allow_private_targets": True})
    _deliver(connection, allowed)
    assert resolver.lookups == 1
    assert len(hook.accepted) == 1
    assert hook.accepted[0].headers["host"] == f"crm.pinned.example:{port}"


def test_redirects_are_not_followed(
    session: Session, connection: Connection, settings: Settings, pune_chamber: Network,
    hook: Receiver,
) -> None:
    with receiver() as internal:
        hook.status, hook.answer_headers = 307, {"location": internal.url}
        _endpoint(session, pune_chamber, hook.url)
        _deliver(connection, settings.model_copy(
            update={"webhook_allow_private_targets": True}))
        assert len(hook.requests) == 1 and internal.requests == []
    attempt = session.exec(select(WebhookAttempt)).one()
    assert attempt.response_status == 307 and not attempt.succeeded


def test_only_a_short_sanitised_excerpt_of_an_answer_is_kept(
    session: Session, connection: Connection, settings: Settings, pune_chamber: Network,
    hook: Receiver,
) -> None:
    hook.status = 500
    hook.answer_body = ("<h1>Internal admin</h1>\x00\u202e\r\nroot:x:0:0:" + "s" * 5000).encode()
    _endpoint(session, pune_chamber, hook.url)
    _deliver(connection, settings.model_copy(update={"webhook_allow_private_targets": True}))
    attempt = session.exec(select(WebhookAttempt)).one()
    assert attempt.error is not None
    assert attempt.error.startswith("HTTP 500: <h1>Internal admin</h1> root:x:0:0:sss")
    assert len(attempt.error) <= 140
    assert not any(c in attempt.error for c in "\x00\u202e\r\n")


def test_the_allowance_is_refused_in_production(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="WEBHOOK_ALLOW_PRIVATE_TARGETS"):
        Settings(mode=Mode.production, secret_key=TEST_SECRET * 2, data_dir=tmp_path,
                 database_url="sqlite://", webhook_allow_private_targets=True)
    assert Settings(data_dir=tmp_path, database_url="sqlite://",
                    secret_key=TEST_SECRET).webhook_allow_private_targets is False


def test_the_address_rule_in_every_spelling() -> None:
    for url in INTERNAL:
        assert targets.refusal_for_url(url), url
    assert targets.refusal_for_url("https://crm.example.org/h") is None
    assert targets.literal_address("0x7f.0.0.1") == targets.literal_address("127.0.0.1")
    assert targets.literal_address("crm.example.org") is None


def test_the_webhooks_page_refuses_an_internal_target_with_the_reason(
    make_client: Callable[..., Client], nina: User, pune_chamber: Network, session: Session,
) -> None:
    r = make_client(nina).submit("/networks/pune-chamber/webhooks",
                                 {"url": "http://169.254.169.254/latest/meta-data/"})
    assert r.status_code == 422
    assert "must be a public internet address" in r.text and "cloud metadata" in r.text
    assert session.exec(select(WebhookEndpoint)).all() == []
