"""Rate limits with EXCHANGE_RATE_LIMIT_STORAGE: in memory they count per process; in Redis
every process (worker, replica) shares one count, so the limit holds for the deployment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from exchange.networks.deps import KeyRateLimit
from tests.support.redis import RedisServer, start_redis


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = start_redis()
    yield server
    server.stop()


def test_two_processes_share_one_limit_through_redis(redis_server: RedisServer) -> None:
    # Two limiters with their own connections, as two worker processes would have.
    first = KeyRateLimit("3/minute", redis_server.url)
    second = KeyRateLimit("3/minute", redis_server.url)
    assert first.hit("key-7").allowed and second.hit("key-7").allowed
    assert first.hit("key-7").allowed
    refused = second.hit("key-7")
    assert not refused.allowed
    assert 1 <= refused.retry_after <= 60
    assert refused.headers == {"RateLimit-Policy": '"per-key";q=3;w=60',
                               "RateLimit": f'"per-key";r=0;t={refused.retry_after}'}
    assert first.hit("key-8").allowed  # another key has its own count


def test_in_memory_each_process_counts_alone() -> None:
    first, second = KeyRateLimit("1/minute"), KeyRateLimit("1/minute")
    assert first.hit("key-7").allowed
    assert not first.hit("key-7").allowed
    assert second.hit("key-7").allowed  # why several processes need Redis
