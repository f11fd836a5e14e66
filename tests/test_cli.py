"""The `exchange` command, run against its own SQLite database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exchange.cli import app
from exchange.config import Mode, Settings, get_settings

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.delenv("EXCHANGE_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "args",
    [[], ["serve"], ["db"], ["db", "upgrade"], ["db", "downgrade"], ["db", "current"], ["demo"],
     ["users"], ["users", "create-admin"], ["outbox"], ["outbox", "list"], ["outbox", "send"],
     ["import"], ["rounds"], ["rounds", "solve"]],
)
def test_every_command_has_help(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_demo_twice_changes_nothing(cli_env: Path) -> None:
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "already there" in first.output and "afreen@example.com" in first.output
    # It says what it is doing while it loads, and the banner names the demo businesses.
    assert first.output.startswith("Loading the demo data:")
    assert "  businesses: 302 written, 0 already there" in first.output
    assert "owner of Rajeev Design Consultancy" in first.output
    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0
    assert " 0 created" in second.output


def test_db_upgrade_current_downgrade(cli_env: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    current = json.loads(runner.invoke(app, ["db", "current"]).output)
    assert current["current"] == current["head"] is not None
    assert runner.invoke(app, ["db", "downgrade", "base"]).exit_code == 0
    assert json.loads(runner.invoke(app, ["db", "current"]).output)["current"] is None


def test_create_admin(cli_env: Path) -> None:
    result = runner.invoke(app, ["users", "create-admin", "--email", "boss@example.com",
                                 "--display-name", "Boss", "--password", "a proper passphrase"])
    assert result.exit_code == 0, result.output
    assert "Created platform admin" in result.output
    bad = runner.invoke(app, ["users", "create-admin", "--email", "x@example.com",
                              "--display-name", "X", "--password", "short"])
    assert bad.exit_code == 1
    assert "password" in bad.output


def test_outbox_list_prints_json_lines(cli_env: Path) -> None:
    runner.invoke(app, ["demo"])
    result = runner.invoke(app, ["outbox", "list"])
    assert result.exit_code == 0
    assert result.output.strip() == ""  # the demo sends no e-mail


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path, database_url="sqlite://")
    second = Settings(data_dir=tmp_path, database_url="sqlite://")
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_a_real_secret(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="EXCHANGE_SECRET_KEY must be set"):
        Settings(mode=Mode.production, data_dir=tmp_path, database_url="sqlite://")
    with pytest.raises(ValueError, match="at least 32"):
        Settings(mode=Mode.production, secret_key="short", data_dir=tmp_path,
                 database_url="sqlite://")


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "new", secret_key="x" * 40)
    assert settings.database_url == f"sqlite:///{tmp_path / 'new' / 'exchange.sqlite3'}"
    assert (tmp_path / "new").is_dir()


def test_rounds_solve_prints_the_optimal_cycles(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_text(json.dumps({
        "nodes": [{"id": x, "capacity": 1} for x in "abcd"],
        "edges": [{"from": "a", "to": "b", "weight": 3.5}, {"from": "b", "to": "a", "weight": 2},
                  {"from": "c", "to": "d", "weight": 4}, {"from": "d", "to": "c", "weight": 4}],
        "max_cycle_length": 3,
    }))
    result = runner.invoke(app, ["rounds", "solve", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["status"] == "optimal"
    assert out["total_weight"] == 13.5
    assert out["cycles"] == [["a", "b"], ["c", "d"]]
    assert out["seconds"] >= 0


def test_rounds_solve_names_the_problem_in_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"nodes": [{"id": "a"}],
                                "edges": [{"from": "a", "to": "zz", "weight": 1}]}))
    result = runner.invoke(app, ["rounds", "solve", str(path)])
    assert result.exit_code == 1
    assert 'edges[0].to: unknown node "zz"' in result.output


@pytest.mark.parametrize(("host", "port", "expected"), [
    ("127.0.0.1", 8101, "http://127.0.0.1:8101"),
    ("0.0.0.0", 8000, "http://127.0.0.1:8000"),  # noqa: S104 - a wildcard serves loopback too
    ("exchange.lan", 9000, "http://exchange.lan:9000"),
    ("::", 8000, "http://[::1]:8000"),
])
def test_serve_derives_the_link_address_from_where_it_listens(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, host: str, port: int, expected: str
) -> None:
    from exchange.config import served_base_url

    monkeypatch.delenv("EXCHANGE_PUBLIC_BASE_URL", raising=False)
    assert served_base_url(Settings(), host, port) == expected


def test_a_configured_public_base_url_wins_over_the_served_address(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exchange.config import served_base_url

    monkeypatch.setenv("EXCHANGE_PUBLIC_BASE_URL", "https://exchange.example")
    assert served_base_url(Settings(), "127.0.0.1", 8101) is None
