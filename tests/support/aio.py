"""Run a coroutine to completion from a plain (synchronous) test.

The browser tests keep playwright's sync-API event loop running in the main thread for the whole
session, and `asyncio.run` refuses to start a loop in a thread that already runs one; so the
coroutine gets its own loop in its own thread, whatever ran before it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
