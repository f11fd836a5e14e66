"""`exchange rounds solve` as a user runs it: a separate process, JSON on stdout (nothing else,
not even HiGHS's banner), progress on stderr for long solves, and the anytime answer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rounds.test_solver import clustered_network

EXCHANGE = str(Path(sys.executable).parent / "exchange")


def _write(path: Path, n_firms: int, seed: int) -> None:
    firms, edges = clustered_network(n_firms, seed=seed)
    path.write_text(json.dumps({
        "nodes": [{"id": f.id, "capacity": f.capacity} for f in firms],
        "edges": [{"from": e.source, "to": e.target, "weight": e.weight} for e in edges],
    }))


def test_a_time_limited_solve_prints_the_best_answer_its_bound_and_progress(
    tmp_path: Path,
) -> None:
    path = tmp_path / "towns.json"
    _write(path, 1000, seed=11)
    done = subprocess.run([EXCHANGE, "rounds", "solve", str(path), "--time-limit", "2.5"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)  # stdout is exactly one JSON document
    assert out["status"] == "time_limit"
    assert out["proven_optimal"] is False
    assert out["bound"] >= out["total_weight"] > 0
    assert 0 < out["mip_gap"] < 0.05
    assert out["mip_gap"] == pytest.approx((out["bound"] - out["total_weight"]) / out["bound"])
    assert "of the best possible" in out["detail"]
    # Progress lines: elapsed, best so far, bound, gap.
    lines = [line for line in done.stderr.splitlines() if " best " in line]
    assert lines, done.stderr
    assert all(" bound " in line and " gap " in line for line in lines)
    assert "done: time_limit" in done.stderr


def test_quiet_solves_show_no_progress(tmp_path: Path) -> None:
    path = tmp_path / "towns.json"
    _write(path, 1000, seed=11)
    done = subprocess.run(
        [EXCHANGE, "rounds", "solve", str(path), "--time-limit", "2.5", "--quiet"],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "time_limit"
    assert " best " not in done.stderr
