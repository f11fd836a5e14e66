"""Operator commands (issue 14.4): a platform admin starts a network and its key from the shell
(`exchange networks create|list`, `exchange networks keys create`) or over the API with a
personal token — no HTML form needed — and the key works at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.cli import app as cli_app
from exchange.config import Settings, get_settings
from exchange.db import make_engine
from exchange.main import create_app
from exchange.networks.models import Network, NetworkApiKey
from tests.conftest import TEST_SECRET, Client

runner = CliRunner()


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'operator.sqlite3'}"
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", url)
    monkeypatch.setenv("EXCHANGE_SECRET_KEY", TEST_SECRET)
    get_settings.cache_clear()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    with Session(make_engine(url)) as session:
        accounts_service.sign_up(session, email="nina@pune-chamber.example",
                                 display_name="Nina", password="a long test password")
        session.commit()
    yield url
    get_settings.cache_clear()


def test_a_network_and_its_key_from_the_shell(shell: str, tmp_path: Path) -> None:
    created = runner.invoke(cli_app, ["networks", "create", "Pune Chamber of Commerce",
                                      "--admin", "nina@pune-chamber.example"])
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout) == {"slug": "pune-chamber-of-commerce",
                                          "name": "Pune Chamber of Commerce",
                                          "admins": ["nina@pune-chamber.example"]}
    issued = runner.invoke(cli_app, ["networks", "keys", "create", "pune-chamber-of-commerce",
                                     "--scope", "members:read", "--scope", "members:write",
                                     "--name", "crm"])
    assert issued.exit_code == 0, issued.output
    key = issued.stdout.strip()
    assert key.startswith("pie_net_") and "shown only now" in issued.stderr
    with Session(make_engine(shell)) as session:
        stored = session.exec(select(NetworkApiKey)).one()
        assert key not in stored.token_hash  # only a keyed hash is kept
    listed = runner.invoke(cli_app, ["networks", "list"])
    assert json.loads(listed.stdout.strip()) == {
        "slug": "pune-chamber-of-commerce", "name": "Pune Chamber of Commerce",
        "admins": ["nina@pune-chamber.example"], "members": 0, "active_keys": 1}
    settings = Settings(database_url=shell, secret_key=TEST_SECRET, data_dir=tmp_path)
    with TestClient(create_app(settings)) as api:
        me = api.get("/api/v1/networks/pune-chamber-of-commerce",
                      headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200, me.text
    assert me.json()["key_scopes"] == ["members:read", "members:write"]


def test_the_shell_names_what_is_wrong_and_creates_nothing(shell: str) -> None:
    refused = runner.invoke(cli_app, ["networks", "create", "X", "--admin", "nobody@x.example"])
    assert refused.exit_code == 1
    assert "name: must be 2 to 120 characters" in refused.stderr
    assert "admins[0]: no account has this e-mail address" in refused.stderr
    with Session(make_engine(shell)) as session:
        assert session.exec(select(Network)).all() == []
    unknown = runner.invoke(cli_app, ["networks", "keys", "create", "nowhere",
                                      "--scope", "members:read"])
    assert unknown.exit_code == 1 and "No network 'nowhere'" in unknown.stderr
    bad_scope = runner.invoke(cli_app, ["networks", "keys", "create", "nowhere",
                                        "--scope", "everything"])
    assert bad_scope.exit_code == 2


def _token(session: Session, settings: Settings, user: User) -> str:
    issued = accounts_service.create_api_token(session, settings, user,
                                               ApiTokenCreate(name="ops"))
    session.commit()
    return issued.token


def test_a_platform_admin_does_the_same_over_the_api(
    make_client: Callable[..., Client], session: Session, settings: Settings, ada: User,
    nina: User,
) -> None:
    api = make_client().use_token(_token(session, settings, ada))
    created = api.post("/api/v1/admin/networks", json={"name": "Pune Chamber",
                                                       "admins": [nina.email]})
    assert created.status_code == 201, created.text
    assert created.json()["slug"] == "pune-chamber" and created.json()["admins"] == [nina.email]
    key = api.post("/api/v1/admin/networks/pune-chamber/keys",
                   json={"name": "crm", "scopes": ["members:read"]})
    assert key.status_code == 201, key.text
    secret = key.json()["key"]
    assert [n["slug"] for n in api.get("/api/v1/admin/networks").json()] == ["pune-chamber"]
    network = make_client().use_token(secret).get("/api/v1/networks/pune-chamber")
    assert network.status_code == 200 and network.json()["key_scopes"] == ["members:read"]
    # An e-mail without an account: 422 naming it, and no network.
    refused = api.post("/api/v1/admin/networks", json={"name": "Second",
                                                       "admins": ["nobody@x.example"]})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["admins[0]"]
    assert api.post("/api/v1/admin/networks/nowhere/keys",
                    json={"name": "x", "scopes": ["members:read"]}).status_code == 404


def test_the_admin_api_is_404_for_everyone_else(
    make_client: Callable[..., Client], session: Session, settings: Settings, nina: User,
    pune_key: str,
) -> None:
    personal = make_client().use_token(_token(session, settings, nina))
    assert personal.get("/api/v1/admin/networks").status_code == 404
    assert personal.post("/api/v1/admin/networks", json={"name": "Mine"}).status_code == 404
    network_key = make_client().use_token(pune_key)
    assert network_key.get("/api/v1/admin/networks").status_code == 401
    assert make_client().get("/api/v1/admin/networks").status_code == 401
