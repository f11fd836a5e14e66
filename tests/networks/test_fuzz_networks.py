"""schemathesis over the partner-network API with a valid all-scopes key: whatever a network's
integration sends, no 5xx, and every answer is one the schema documents (tests/api/test_fuzz.py
does the same for the rest of the API with personal tokens)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import Case
from schemathesis.python import asgi

from exchange.networks.deps import KeyRateLimit
from tests.api.test_fuzz import CHECKS, EXAMPLES_PER_OPERATION, schema

# Only this routes (exchange rounds under /networks/ are fuzzed by their own tests).
network_schema = schema.include(
    path_regex=r"^/api/v1/networks/\{network_slug\}"
               r"(/members.*|/webhooks.*|/internships.*|/reports.*)?$")


@pytest.fixture(autouse=True)
def _end_app_lifespans() -> Iterator[None]:
    yield
    asgi.shutdown_lifespans()


def _picks(case: Case) -> bool:
    seed = repr((case.operation.label, case.path_parameters, case.query, case.body))
    return zlib.crc32(seed.encode()) % 4 != 0


@network_schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_network_api_never_fails_and_answers_as_documented(
    case: Case, app: FastAPI, pune_key: str, pune_world: dict[str, str],
) -> None:
    # The fuzzer sends many requests per second; the rate limit is tested on its own.
    app.state.network_rate_limit = KeyRateLimit("1000000/minute")
    if case.path_parameters and _picks(case):
        case.path_parameters = {name: pune_world.get(name, value)
                                for name, value in case.path_parameters.items()}
    headers: dict[str, Any] = {"Authorization": f"Bearer {pune_key}"}
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)
