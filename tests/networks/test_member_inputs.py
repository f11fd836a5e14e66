"""The typed member record (issue 14.3) on the sync: the schema names every member field, and the
inputs issue 17 found (an object for `country`, a 100,000-character id, NUL and U+202E in names,
`"hosting_capacity": "2"` or `true`) are per-item rejections naming the field — never a 500,
never stored — while the good members of the same request apply. `exchange import` reads the
same model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from exchange.cli import app as cli_app
from exchange.profiles.models import Business
from tests.conftest import Client
from tests.networks.conftest import member_record

BASE = "/api/v1/networks/pune-chamber"

BAD = [
    ({"country": {"code": "IN"}}, "country"),
    ({"region": {"name": "Maharashtra"}}, "region"),
    ({"city": ["Pune"]}, "city"),
    ({"id": "x" * 100_000}, "id"),
    ({"name": "Kavya\x00Logistics"}, "name"),
    ({"name": "Kavya \u202escitsigoL"}, "name"),
    ({"hosting_capacity": "2"}, "hosting_capacity"),
    ({"hosting_capacity": True}, "hosting_capacity"),
    ({"market_reach": "galactic"}, "market_reach"),
    ({"isic": "49"}, "isic"),
    ({"visibility": "secret"}, "visibility"),
    ({"cells": [{"process": "marketing.seo", "level": "5"}]}, "cells[0].level"),
    ({"cells": [{"process": "marketing.seo", "level": 1, "offer": "yes"}]}, "cells[0].offer"),
    ({"languages": ["english"]}, "languages[0]"),
]


@pytest.mark.parametrize(("override", "field"), BAD, ids=[f for _, f in BAD])
def test_a_bad_member_is_rejected_by_field_and_the_others_apply(
    api: Client, session: Session, override: dict[str, Any], field: str,
) -> None:
    bad = member_record("crm-bad", **override)
    r = api.put(f"{BASE}/members", json={"members": [member_record("crm-good"), bad]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] == ["crm-good"]
    [rejected] = body["rejected"]
    assert rejected["index"] == 1
    assert field in {e["field"] for e in rejected["errors"]}, rejected
    names = set(session.exec(select(Business.name)).all())
    assert "Member crm-bad" not in names and not any("\x00" in n for n in names)


def test_atomic_sync_names_the_member_and_field(api: Client, session: Session) -> None:
    r = api.put(f"{BASE}/members?atomic=true", json={"members": [
        member_record("crm-good"), member_record("crm-bad", hosting_capacity=True)]})
    assert r.status_code == 422
    assert "members[1].hosting_capacity" in {e["field"] for e in r.json()["errors"]}
    assert session.exec(select(Business)).all() == []


def test_the_served_schema_types_every_member_field(client: Client) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    items = schemas["SyncIn"]["properties"]["members"]["items"]
    assert items == {"$ref": "#/components/schemas/MemberRecord"}
    member = schemas["MemberRecord"]
    assert set(member["required"]) == {"id", "name", "isic", "country", "city",
                                       "market_reach"}
    props = member["properties"]
    assert props["isic"]["pattern"] == "^[0-9]{4}$"
    assert props["country"]["pattern"] == "^[A-Za-z]{2}$"
    assert props["market_reach"] == {"$ref": "#/components/schemas/MarketReach"}
    assert props["hosting_capacity"]["type"] == "integer"
    assert props["cells"]["items"] == {"$ref": "#/components/schemas/CellRecord"}
    assert schemas["CellRecord"]["properties"]["level"]["maximum"] == 5


def test_exchange_import_reads_the_same_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    from exchange.config import get_settings

    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", f"sqlite:///{tmp_path / 'import.sqlite3'}")
    get_settings.cache_clear()
    try:
        path = tmp_path / "members.json"
        path.write_text(json.dumps([member_record("crm-good"),
                                    member_record("crm-bad", hosting_capacity="2",
                                                  country={"code": "IN"})]))
        result = CliRunner().invoke(cli_app, ["import", str(path)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert "rejected #1 (crm-bad)" in result.stderr
    assert "hosting_capacity:" in result.stderr and "country:" in result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["created"] == 1


@pytest.mark.parametrize("value", ["2026-01-01", "2026-01-01T00:00:00", "0", "yesterday"])
def test_updated_since_needs_a_moment_with_its_time_zone(api: Client, value: str) -> None:
    """Issue 17.3: a naive or numeric moment was a 500."""
    r = api.get(f"{BASE}/members", params={"updated_since": value})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["updated_since"]


def test_updated_since_with_a_time_zone_works(api: Client) -> None:
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]})
    r = api.get(f"{BASE}/members", params={"updated_since": "2020-01-01T00:00:00+05:30"})
    assert r.status_code == 200 and [m["external_id"] for m in r.json()["items"]] == ["crm-1"]


@pytest.mark.parametrize("path", ["reports", "reports.csv"])
def test_report_periods_are_dates_not_numbers(api: Client, path: str) -> None:
    """Issue 17.11: `until=0` was read as 1970-01-01."""
    r = api.get(f"{BASE}/{path}", params={"until": "0"})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["until"]
    assert api.get(f"{BASE}/{path}", params={"until": "2026-12-31"}).status_code == 200
