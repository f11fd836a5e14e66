"""The migrations are the schema: run from nothing they build exactly what the models describe,
they undo cleanly, and the chain in migrations/versions/ stays a readable straight line.

Every check runs on a database of its own (a fresh SQLite file, a fresh PostgreSQL database), not
the session-wide test database, because these tests take the schema down and up again. They are
generic on purpose: later migrations that load data (the ISIC tree, the process taxonomy) are
covered without changes here.
"""

from __future__ import annotations

import pprint
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import exchange.all_models  # noqa: F401  (registers every table on the metadata)
from exchange import migrate
from exchange.db import make_test_engine
from exchange.paths import migrations_dir
from tests.support.postgres import PostgresServer

MIGRATION_FILE_NAME = re.compile(
    r"^(?P<stamp>\d{4}_\d{2}_\d{2}_\d{4})-(?P<slug>[a-z0-9]+(?:_[a-z0-9]+)*)\.py$"
)
VERSION_TABLE = "alembic_version"


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """A brand-new, empty database of each backend, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"exchange_migrations_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    yield url
    server.drop_database(name)


@pytest.fixture
def empty_engine(empty_database_url: str) -> Iterator[Engine]:
    engine = make_test_engine(empty_database_url)
    yield engine
    engine.dispose()


def _schema_differences(engine: Engine) -> list[Any]:
    """What `alembic revision --autogenerate` would put in a new migration: must be nothing."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": True},
        )
        return list(compare_metadata(context, SQLModel.metadata))


def _assert_models_match_migrations(engine: Engine, when: str) -> None:
    diff = _schema_differences(engine)
    assert not diff, (
        f"{when}, the migrated schema differs from the models (SQLModel.metadata). Write a "
        "migration (`alembic revision --autogenerate -m <slug>`) or fix the model. "
        f"Differences:\n{pprint.pformat(diff, width=100)}"
    )


def _leftovers(engine: Engine) -> dict[str, list[str]]:
    """Everything of ours still in the database: tables, views and, on PostgreSQL, enum types
    and sequences (which `DROP TABLE` does not always take with it)."""
    inspector = inspect(engine)
    found = {
        "tables": sorted(set(inspector.get_table_names()) - {VERSION_TABLE}),
        "views": sorted(inspector.get_view_names()),
    }
    if engine.dialect.name == "postgresql":
        found["enum types"] = sorted(e["name"] for e in inspector.get_enums())  # type: ignore[attr-defined]
        found["sequences"] = sorted(inspector.get_sequence_names())
    return {kind: names for kind, names in found.items() if names}


def _revisions_base_to_head() -> list[Script]:
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return list(reversed(list(scripts.walk_revisions("base", "heads"))))


# -- the schema ------------------------------------------------------------------------------


def test_migrations_from_empty_database_build_exactly_the_models(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine.url.render_as_string(hide_password=False))

    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    _assert_models_match_migrations(empty_engine, "After upgrading an empty database to head")


def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds_it(
    empty_engine: Engine,
) -> None:
    url = empty_engine.url.render_as_string(hide_password=False)
    migrate.upgrade(url)

    migrate.downgrade(url, "base")

    assert _leftovers(empty_engine) == {}, "downgrade to base left these behind"
    assert migrate.current_revision(empty_engine) is None
    with empty_engine.connect() as connection:
        if inspect(connection).has_table(VERSION_TABLE):
            rows = connection.execute(text(f"SELECT count(*) FROM {VERSION_TABLE}")).scalar_one()
            assert rows == 0

    migrate.upgrade(url)

    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    _assert_models_match_migrations(empty_engine, "After downgrading to base and upgrading again")


# -- the files -------------------------------------------------------------------------------


def test_migration_file_names_are_timestamp_and_slug() -> None:
    versions = migrations_dir() / "versions"
    files = sorted(p.name for p in versions.glob("*.py"))
    assert files, f"no migrations found in {versions}"
    for name in files:
        match = MIGRATION_FILE_NAME.match(name)
        assert match, (
            f"{name}: migration files are named YYYY_MM_DD_HHMM-slug.py (lower-case slug with "
            "underscores); `alembic revision -m <slug>` names them so"
        )
        datetime.strptime(match["stamp"], "%Y_%m_%d_%H%M")  # a real date and time


def test_migration_chain_is_one_straight_line() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))

    heads = scripts.get_heads()
    bases = scripts.get_bases()
    assert len(heads) == 1, f"several heads {heads}: rebase your migration on the newest one"
    assert len(bases) == 1, f"several bases {bases}: every migration but one needs a parent"
    chain = _revisions_base_to_head()
    merges = [s.revision for s in chain if s.is_merge_point]
    assert not merges, f"merge revisions {merges}: keep the history linear (rebase instead)"
    assert not [s.revision for s in chain if s.is_branch_point], "a revision has two children"

    on_disk = {Path(s.path).name for s in scripts.walk_revisions()}
    in_folder = {p.name for p in (migrations_dir() / "versions").glob("*.py")}
    assert on_disk == in_folder, "every file in versions/ is a revision of the chain"


def test_migration_files_sort_in_the_order_they_apply() -> None:
    # The timestamp in the name is what a reader goes by; a migration rebased onto a newer one
    # must be renamed (or regenerated) so that `ls` shows the real order.
    applied = [Path(s.path).name for s in _revisions_base_to_head()]
    assert applied == sorted(applied), (
        "file names (timestamps) are out of the order the chain applies them in:\n"
        + "\n".join(applied)
    )
