"""API reads under load with wrk, against a bare FastAPI endpoint measured in the same run
(issue 16: "p50 ≤ 3× the bare endpoint's at 50 connections; 0 errors at 200 connections").

    python -m benchmarks.load [--backend sqlite postgresql] [--workers 1 2]
                              [--connections 50 200] [--seconds 6]

For each backend: a fresh database with the demo data (`exchange demo`), then for each worker
count: `exchange serve --workers N --no-jobs` and the bare app (benchmarks/bare_app.py, one row
read with the same engine settings) under `uvicorn --workers N`, side by side on the same
database. Each endpoint is loaded with `wrk` for `--seconds` at each connection count, the bare
endpoint first and again last (its p50 is the mean of the two, so that a change in the machine's
background load during the run shows up as a gap between them: `bare_drift`).

Prints one JSON object: per backend, workers and connections, per endpoint p50/p90/p99 in ms,
requests/s, the answers by status, `errors` (socket errors and timeouts, any answer that is not
2xx, and 503s without Retry-After) and `ratio` (p50 / bare p50). Bounded in time: every wrk run
lasts `--seconds`, every server start has a timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.api_reads import _token
from tests.support.live_server import free_port, run_cli, server_environment

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60.0

# wrk counts answers by status per thread; `done` sums the threads and prints one JSON line.
WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {}; busy_without_retry_after = 0 end
function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status == 503 and headers["retry-after"] == nil and headers["Retry-After"] == nil then
    busy_without_retry_after = busy_without_retry_after + 1
  end
end
function done(summary, latency, requests)
  local total, missing = {}, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
    missing = missing + t:get("busy_without_retry_after")
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%s": %d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"statuses": {%s}, "busy_without_retry_after": %d, "requests": %d, ' ..
    '"duration_us": %d, "socket_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d}\n',
    table.concat(parts, ", "), missing, summary.requests, summary.duration,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (http only)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready in {READY_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


@contextmanager
def _serving(command: list[str], env: dict[str, str], ready_url: str,
             log: Path) -> Iterator[None]:
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out,  # noqa: S603
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_ready(ready_url, process, log)
        yield
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(15)


def _wrk(url: str, token: str | None, connections: int, seconds: int,
         script: Path) -> dict[str, Any]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
               "-s", str(script), url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,  # noqa: S603
                            check=True)
    found = re.search(r"^WRK_JSON (.*)$", result.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no result from wrk:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(found.group(1))
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    bad = sum(v for k, v in statuses.items() if not (200 <= k < 300 or k == 503))
    errors = bad + raw["busy_without_retry_after"] + raw["socket_errors"] + raw["timeouts"]
    seconds_run = raw["duration_us"] / 1e6
    return {
        "p50_ms": round(raw["p50_us"] / 1000, 2), "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "requests_per_second": round(raw["requests"] / seconds_run, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors, "socket_errors": raw["socket_errors"], "timeouts": raw["timeouts"],
    }


def _paths(base_url: str, token: str, workers: int) -> list[str]:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as probe:
        slug = probe.get("/api/v1/businesses", params={"q": "Afreen"}).json()["items"][0][
            "slug"]
        paths = [
            f"/api/v1/businesses/{slug}",
            "/api/v1/businesses?limit=20",
            f"/api/v1/businesses/{slug}/matrix",
            f"/api/v1/businesses/{slug}/suggestions?limit=20",
            "/api/v1/internships",
        ]
        # Every worker builds its matching index and warms its caches before we measure.
        for _ in range(4 * workers):
            for path in paths:
                assert probe.get(path).status_code == 200, path
    return paths


def _database(backend: str, data_dir: Path) -> tuple[str, Any]:
    if backend == "sqlite":
        return f"sqlite:///{data_dir / 'load.sqlite3'}", None
    from tests.support.postgres import start_postgres

    server = start_postgres()
    return server.create_database("exchange_load"), server


def run_backend(backend: str, workers_list: list[int], connections_list: list[int],
                seconds: int) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"exchange-load-{backend}-"))
    database_url, pg_server = _database(backend, data_dir)
    script = data_dir / "count.lua"
    script.write_text(WRK_SCRIPT)
    app_port, bare_port = free_port(), free_port()
    env = server_environment(data_dir, app_port, EXCHANGE_DATABASE_URL=database_url,
                             PYTHONPATH=str(ROOT))
    env.pop("PYTHONUNBUFFERED", None)
    out: dict[str, Any] = {"backend": backend, "runs": []}
    try:
        started = time.monotonic()
        run_cli(env, data_dir, "demo", timeout=600)
        out["demo_load_seconds"] = round(time.monotonic() - started, 1)
        token = _token(database_url, env["EXCHANGE_SECRET_KEY"], "afreen@example.com")
        for workers in workers_list:
            app_cmd = [sys.executable, "-m", "exchange.cli", "serve", "--port", str(app_port),
                       "--workers", str(workers), "--no-jobs"]
            bare_cmd = [sys.executable, "-m", "uvicorn", "benchmarks.bare_app:create_app",
                        "--factory", "--port", str(bare_port), "--workers", str(workers),
                        "--no-access-log", "--log-level", "warning"]
            app_url, bare_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
            with _serving(app_cmd, env, app_url + "/readyz", data_dir / "app.log"), \
                    _serving(bare_cmd, env, bare_url + "/bare", data_dir / "bare.log"):
                paths = _paths(app_url, token, workers)
                for connections in connections_list:
                    before = _wrk(bare_url + "/bare", None, connections, seconds, script)
                    endpoints = {p: _wrk(app_url + p, token, connections, seconds, script)
                                 for p in paths}
                    after = _wrk(bare_url + "/bare", None, connections, seconds, script)
                    bare_p50 = (before["p50_ms"] + after["p50_ms"]) / 2
                    for result in endpoints.values():
                        result["ratio"] = round(result["p50_ms"] / bare_p50, 2)
                    out["runs"].append({
                        "workers": workers, "connections": connections,
                        "bare": {"before": before, "after": after,
                                 "p50_ms": round(bare_p50, 2)},
                        "bare_drift": round(after["p50_ms"] / before["p50_ms"], 2)
                        if before["p50_ms"] else None,
                        "endpoints": endpoints,
                        "max_ratio": max(r["ratio"] for r in endpoints.values()),
                        "errors": sum(r["errors"] for r in endpoints.values()),
                    })
                    print(json.dumps({k: v for k, v in out["runs"][-1].items()
                                      if k in ("workers", "connections", "max_ratio",
                                               "errors")}
                                     | {"backend": backend,
                                        "ratios": [r["ratio"] for r in endpoints.values()]}),
                          file=sys.stderr)
    finally:
        if pg_server is not None:
            pg_server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--connections", nargs="+", type=int, default=[50, 200])
    parser.add_argument("--seconds", type=int, default=6)
    args = parser.parse_args()
    results = [run_backend(b, args.workers, args.connections, args.seconds)
               for b in args.backend]
    print(json.dumps({"benchmark": "load", "tool": "wrk -t2", "seconds_per_run": args.seconds,
                      "cpus": os.cpu_count(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
