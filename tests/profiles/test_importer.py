"""Importing businesses from the shared JSON shape (`exchange import`, demo data, bulk sync)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from exchange.cli import app as cli_app
from exchange.config import get_settings
from exchange.demo.generator import generate_businesses, reference_story
from exchange.profiles.importer import import_businesses
from exchange.profiles.models import Business, BusinessExclusion, MatrixCell


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_import_twice_changes_nothing(session: Session) -> None:
    records = reference_story() + generate_businesses(40, seed=3)
    first = import_businesses(session, records)
    assert first.counts() == {"created": 42, "updated": 0, "unchanged": 0, "rejected": 0}
    cells = _count(session, MatrixCell)
    assert cells > 42 * 5
    second = import_businesses(session, copy.deepcopy(records))
    assert second.counts() == {"created": 0, "updated": 0, "unchanged": 42, "rejected": 0}
    assert _count(session, MatrixCell) == cells
    assert _count(session, Business) == 42


def test_changed_records_are_updated(session: Session) -> None:
    records = generate_businesses(10, seed=5)
    import_businesses(session, records)
    records[0]["city"] = "Nairobi"
    records[1]["cells"] = records[1]["cells"][1:]  # one cell fewer: it is cleared
    report = import_businesses(session, records)
    assert sorted(report.updated) == sorted([records[0]["id"], records[1]["id"]])
    assert len(report.unchanged) == 8


def test_bad_records_are_rejected_with_every_field_and_others_apply(session: Session) -> None:
    good = generate_businesses(2, seed=9)
    bad = {"id": "bad-1", "name": "", "isic": "0000", "country": "ZZ", "city": "X",
           "market_reach": "everywhere",
           "cells": [{"process": "marketing.nope", "level": 1}, {"process": "hr.recruitment",
                                                                 "level": 9}]}
    report = import_businesses(session, [*good, bad, "not an object"])
    assert report.counts() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    fields = {e.field for e in report.rejected[0].errors}
    assert {"name", "country", "market_reach", "cells[0].process", "cells[1].level"} <= fields
    assert report.rejected[0].external_id == "bad-1"
    assert _count(session, Business) == 2


def test_exclusions_resolve_external_ids_in_any_order(session: Session) -> None:
    a, b = generate_businesses(2, seed=11)
    a["excluded"] = [b["id"]]
    a["cells"] = []
    b["excluded"] = []
    report = import_businesses(session, [a, b])
    assert report.counts()["created"] == 2
    assert _count(session, BusinessExclusion) == 1
    assert import_businesses(session, [a, b]).counts()["unchanged"] == 2
    a["excluded"] = ["who-knows"]
    rejected = import_businesses(session, [a, b]).rejected
    assert rejected[0].errors[0].field == "excluded"


def test_duplicate_ids_in_a_file_are_rejected(session: Session) -> None:
    a = generate_businesses(1, seed=2)[0]
    report = import_businesses(session, [a, copy.deepcopy(a)])
    assert len(report.rejected) == 2
    assert _count(session, Business) == 0


def test_dry_run_writes_nothing(session: Session) -> None:
    report = import_businesses(session, generate_businesses(5, seed=1), dry_run=True)
    assert report.counts()["created"] == 5
    assert _count(session, Business) == 0


def test_sources_keep_ids_apart(session: Session) -> None:
    records = generate_businesses(3, seed=4)
    import_businesses(session, records, source="chamber-a")
    report = import_businesses(session, records, source="chamber-b")
    assert report.counts()["created"] == 3
    assert _count(session, Business) == 6


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", f"sqlite:///{tmp_path / 'import.sqlite3'}")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_import_command_reports_counts_and_is_idempotent(cli_db: Path) -> None:
    path = cli_db / "firms.json"
    path.write_text(json.dumps(generate_businesses(25, seed=8)))
    runner = CliRunner()
    first = runner.invoke(cli_app, ["import", str(path)])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output.strip().splitlines()[-1])["created"] == 25
    second = runner.invoke(cli_app, ["import", str(path)])
    assert json.loads(second.output.strip().splitlines()[-1])["unchanged"] == 25


def test_import_command_explains_a_broken_file(cli_db: Path) -> None:
    path = cli_db / "broken.json"
    path.write_text("[{")
    result = CliRunner().invoke(cli_app, ["import", str(path)])
    assert result.exit_code == 1
    assert "not valid JSON" in result.output
    path.write_text(json.dumps([{"id": "x", "name": "X"}]))
    result = CliRunner().invoke(cli_app, ["import", str(path)])
    assert result.exit_code == 2
    assert "rejected #0 (x)" in result.output
