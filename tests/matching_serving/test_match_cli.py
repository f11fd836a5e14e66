"""`exchange match`: suggestions for businesses in a JSON file (no database) or in the database,
one JSON line per business asked, and clear errors with exit code 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from exchange import migrate
from exchange.cli import app
from exchange.config import get_settings
from exchange.db import make_engine
from exchange.demo.generator import AFREEN_ID, RAJEEV_ID, generate_businesses, reference_story
from exchange.profiles import service as profiles_service
from exchange.profiles.importer import import_businesses
from exchange.profiles.models import Business, ExternalRef

runner = CliRunner()
CONTENT_SENTENCE = "They: content marketing 5 · You: 1 · you need it: high"


def _run(*args: str) -> Any:
    """The real `exchange` command: fails with "No such command" unless cli.py registers it."""
    return runner.invoke(app, ["match", *args])


def _lines(result: Any) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def story_file(tmp_path: Path) -> Path:
    path = tmp_path / "story.json"
    path.write_text(json.dumps(reference_story() + generate_businesses(60, seed=3)))
    return path


# -- dataset mode ---------------------------------------------------------------------------------


def test_afreen_gets_rajeev_first_from_a_file(story_file: Path) -> None:
    (line,) = _lines(_run("--dataset", str(story_file), "--business", AFREEN_ID))
    assert line["business"] == AFREEN_ID
    first = line["suggestions"][0]
    assert first["partner"] == RAJEEV_ID
    assert set(first) >= {"partner", "score", "learn", "teach"}
    assert first["learn"][0]["sentence"] == CONTENT_SENTENCE
    assert first["learn"][0]["process"] == "marketing.content_marketing"
    assert len(line["suggestions"]) == 20


def test_several_businesses_give_one_line_each_in_order(story_file: Path) -> None:
    lines = _lines(_run("--dataset", str(story_file), "-b", RAJEEV_ID, "--business", AFREEN_ID,
                        "--limit", "3", "--isic-depth", "section"))
    assert [line["business"] for line in lines] == [RAJEEV_ID, AFREEN_ID]
    assert all(len(line["suggestions"]) == 3 for line in lines)
    assert lines[0]["suggestions"][0]["partner"] == AFREEN_ID


def test_process_keys_outside_our_taxonomy_are_accepted(tmp_path: Path) -> None:
    records = [
        {"id": "a", "name": "A", "isic": "7830", "country": "IN", "region": "", "city": "Pune",
         "market_reach": "local", "excluded": [],
         "cells": [{"process": "podcasting.recording", "level": 1, "offer": False, "need": 3}]},
        {"id": "b", "name": "B", "isic": "7410", "country": "IN", "region": "", "city": "Pune",
         "market_reach": "local", "excluded": [],
         "cells": [{"process": "podcasting.recording", "level": 5, "offer": True, "need": 0}]},
    ]
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(records))
    (line,) = _lines(_run("--dataset", str(path), "--business", "a"))
    (suggestion,) = line["suggestions"]
    assert suggestion["partner"] == "b"
    assert suggestion["learn"][0]["sentence"] == "They: recording 5 · You: 1 · you need it: high"


def test_places_are_compared_normalised(tmp_path: Path) -> None:
    """ " PUNE " and "Pune" are the same city: two local agencies there compete."""
    records = [
        {"id": "a", "name": "A", "isic": "7310", "country": "in", "city": " PUNE ",
         "market_reach": "local",
         "cells": [{"process": "marketing.seo", "level": 1, "offer": False, "need": 3}]},
        {"id": "b", "name": "B", "isic": "7310", "country": "IN", "city": "Pune",
         "market_reach": "local",
         "cells": [{"process": "marketing.seo", "level": 5, "offer": True, "need": 0}]},
    ]
    path = tmp_path / "places.json"
    path.write_text(json.dumps(records))
    (line,) = _lines(_run("--dataset", str(path), "--business", "a"))
    assert line["suggestions"] == []


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('{"id": "a"}', "expected a JSON list of businesses"),
])
def test_a_bad_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = _run("--dataset", str(path), "--business", "a")
    assert result.exit_code == 1
    assert message in result.stderr


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = _run("--dataset", str(tmp_path / "nowhere.json"), "--business", "a")
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_bad_records_are_listed_with_their_fields(tmp_path: Path) -> None:
    good = generate_businesses(1, seed=1)[0]
    bad = {"id": "x", "name": "X", "isic": "0000", "country": "ZZ", "city": "Y",
           "market_reach": "everywhere", "excluded": ["ghost"],
           "cells": [{"process": "seo", "level": 1},
                     {"process": "marketing.seo", "level": 9}]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([good, bad, good]))
    result = _run("--dataset", str(path), "--business", "x")
    assert result.exit_code == 1
    for expected in ("isic '0000' is not an ISIC Rev. 4 code",
                     "country 'ZZ' is not an ISO 3166-1 alpha-2 code",
                     "market_reach must be one of", "excluded: unknown ids: ghost",
                     "cells[0].process: expected a 'department.process' key",
                     "cells[1].level: must be an integer 0-5",
                     "id appears more than once"):
        assert expected in result.stderr, expected
    assert result.stdout == ""


def test_an_unknown_business_id_is_a_clear_error(story_file: Path) -> None:
    result = _run("--dataset", str(story_file), "--business", "nobody")
    assert result.exit_code == 1
    assert "no business with id 'nobody'" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    ((), "Name a business"),
    (("--dataset", "x.json"), "--business"),
    (("--business", "a"), "--business needs --dataset"),
    (("some-slug", "--dataset", "x.json", "--business", "a"), "not both"),
])
def test_the_two_modes_are_not_mixed(args: tuple[str, ...], message: str) -> None:
    result = _run(*args)
    assert result.exit_code == 1
    assert message in result.stderr


def test_help_explains_both_modes() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    for words in ("--dataset", "--business", "--limit", "--isic-depth", "SLUG"):
        assert words in result.output


# -- database mode --------------------------------------------------------------------------------


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'match.sqlite3'}"
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _fill(url: str, records: list[dict[str, Any]]) -> dict[str, str]:
    """Import `records`; returns external id → slug."""
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        assert not import_businesses(session, records).rejected
        session.commit()
        slugs = {ref.external_id: business.slug for ref, business in session.exec(
            select(ExternalRef, Business).where(ExternalRef.business_id == Business.id))}
    engine.dispose()
    return slugs


def test_a_business_in_the_database_by_its_address(cli_database: str) -> None:
    records = reference_story() + generate_businesses(40, seed=3)
    slugs = _fill(cli_database, records)
    (line,) = _lines(_run(slugs[AFREEN_ID], "--limit", "5"))
    assert line["business"] == slugs[AFREEN_ID]
    assert line["suggestions"][0]["partner"] == slugs[RAJEEV_ID]
    assert line["suggestions"][0]["learn"][0]["sentence"] == CONTENT_SENTENCE


def test_the_database_and_the_file_give_the_same_answer(cli_database: str, tmp_path: Path
                                                        ) -> None:
    records = reference_story() + generate_businesses(40, seed=3)
    slugs = _fill(cli_database, records)
    path = tmp_path / "same.json"
    path.write_text(json.dumps(records))
    from_file = _lines(_run("--dataset", str(path), "--business", AFREEN_ID, "-b", RAJEEV_ID))
    from_db = _lines(_run(slugs[AFREEN_ID], slugs[RAJEEV_ID]))

    def comparable(line: dict[str, Any], name: dict[str, str]) -> list[Any]:
        return [(name.get(s["partner"], s["partner"]), s["score"], s["learn"], s["teach"])
                for s in line["suggestions"]]

    for file_line, db_line in zip(from_file, from_db, strict=True):
        assert comparable(file_line, slugs) == comparable(db_line, {})


def test_unknown_and_archived_businesses_are_clear_errors(cli_database: str) -> None:
    slugs = _fill(cli_database, reference_story())
    assert "No business with address 'nobody'" in _run("nobody").stderr
    engine = make_engine(cli_database)
    with Session(engine) as session:
        business = session.exec(select(Business).where(
            Business.slug == slugs[RAJEEV_ID])).one()
        profiles_service.set_archived(session, business, True)
        session.commit()
    engine.dispose()
    result = _run(slugs[RAJEEV_ID])
    assert result.exit_code == 1
    assert "archived" in result.stderr


def test_a_database_that_is_not_set_up_is_a_clear_error(cli_database: str) -> None:
    result = _run("afreen-talent-studio")
    assert result.exit_code == 1
    assert "exchange db upgrade" in result.stderr


def test_match_is_a_command_of_the_installed_exchange_program() -> None:
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("exchange")
    listed = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60,
                            check=True)
    assert "match" in listed.stdout
    helped = subprocess.run([str(exe), "match", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert "--dataset" in helped.stdout
