"""The seed migration (0003) loads the whole ISIC tree and our default process taxonomy, and
both survive a downgrade and upgrade — on a fresh SQLite file and a fresh PostgreSQL database
(not the session-wide test database, since these tests take the data out and back in)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlmodel import Session

from exchange import migrate
from exchange.db import make_test_engine
from exchange.taxonomy import service
from tests.support.postgres import PostgresServer

SEED_REVISION = "0003"
BEFORE_SEED = "0002"


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'seed.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"exchange_seed_{uuid.uuid4().hex[:12]}"
    yield server.create_database(name)
    server.drop_database(name)


@pytest.fixture
def fresh_engine(fresh_url: str) -> Iterator[Engine]:
    migrate.upgrade(fresh_url)
    engine = make_test_engine(fresh_url)
    yield engine
    engine.dispose()


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql)).all())


def _shipped_process_keys() -> set[str]:
    data = json.loads(resources.files("exchange.taxonomy").joinpath("data", "processes.json")
                      .read_text("utf-8"))
    return {f"{d['key']}.{p['key']}" for d in data["departments"] for p in d["processes"]}


def _check_seeded(engine: Engine) -> None:
    levels = Counter(level for (level,) in _rows(engine, "SELECT level FROM industries"))
    assert levels == {"section": 21, "division": 88, "group": 238, "class": 419}
    parents = dict(_rows(engine, "SELECT code, parent_code FROM industries"))
    chain, code = [], "7410"
    while code is not None:
        chain.append(code)
        code = parents[code]
    assert chain == ["7410", "741", "74", "M"]

    departments = _rows(engine, "SELECT key, name, description FROM departments")
    assert len(departments) >= 10
    assert all(name and description for _, name, description in departments)
    processes = _rows(engine, "SELECT key, name, description, complexity, version, retired_at "
                              "FROM processes")
    assert len(processes) >= 90
    assert {key for key, *_ in processes} == _shipped_process_keys()
    for key, name, description, complexity, version, retired_at in processes:
        assert name and description, key
        assert complexity in {1, 2, 3}, key
        assert (version, retired_at) == (1, None), key
    department_keys = {key for key, *_ in departments}
    assert {key.split(".", 1)[0] for key, *_ in processes} == department_keys


def test_the_seed_loads_the_isic_tree_and_the_taxonomy(fresh_engine: Engine) -> None:
    assert migrate.current_revision(fresh_engine) == migrate.head_revision()
    _check_seeded(fresh_engine)


def test_the_seed_survives_downgrade_and_upgrade(fresh_engine: Engine, fresh_url: str) -> None:
    migrate.downgrade(fresh_url, BEFORE_SEED)

    for table in ("industries", "departments", "processes"):
        assert _rows(fresh_engine, f"SELECT count(*) FROM {table}") == [(0,)], table

    migrate.upgrade(fresh_url)

    _check_seeded(fresh_engine)


def test_the_seed_is_searchable_right_after_upgrade(fresh_engine: Engine) -> None:
    service.clear_industry_cache()
    with Session(fresh_engine) as session:
        assert service.search_industries(session, "design")[0].code == "7410"
        assert [n.code for n in service.industry_path(session, "7410")] == [
            "M", "74", "741", "7410"]
    service.clear_industry_cache()


def test_the_seed_is_the_revision_after_the_schema() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    seed = scripts.get_revision(SEED_REVISION)
    assert seed is not None and seed.down_revision == BEFORE_SEED
