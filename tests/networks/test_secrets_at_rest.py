"""No network API key or webhook signing secret is stored or logged in clear (the database is
dumped whole, every table and column)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from sqlalchemy import Connection

from exchange.accounts.models import User
from exchange.networks.models import Network
from tests.conftest import Client
from tests.test_secrets_at_rest import _all_stored_text


def test_keys_and_webhook_secrets_are_never_stored_or_logged(
    make_client: Callable[..., Client], nina: User, pune_chamber: Network,
    connection: Connection, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(nina)
    r = client.submit("/networks/pune-chamber/keys", {"name": "crm", "scopes": [
        "members:read", "webhooks:manage"]})
    key = re.search(r"pie_net_[\w-]+", r.text).group(0)  # type: ignore[union-attr]
    r = client.submit("/networks/pune-chamber/webhooks", {"url": "https://crm.example/h"})
    secret = re.search(r"whsec_[\w+/=]+", r.text).group(0)  # type: ignore[union-attr]
    api = make_client().use_token(key)
    created = api.post("/api/v1/networks/pune-chamber/webhooks",
                       json={"url": "https://crm.example/other"},
                       headers={"Idempotency-Key": "k-1"})
    api_secret = created.json()["secret"]
    assert api.get("/api/v1/networks/pune-chamber").status_code == 200
    stored = _all_stored_text(connection)
    logged = caplog.text
    # The stored first answer of the idempotent POST (to replay it) is kept encrypted.
    for value in (key, secret, api_secret):
        assert value not in stored and value not in logged
    replay = api.post("/api/v1/networks/pune-chamber/webhooks",
                      json={"url": "https://crm.example/other"},
                      headers={"Idempotency-Key": "k-1"})
    assert replay.json()["secret"] == api_secret
