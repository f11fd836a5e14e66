"""Secrets never reach a log line, whichever logger writes it (exchange/logs.py)."""

from __future__ import annotations

import contextlib
import io
import logging
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from exchange.logs import MASK, install_redaction
from tests.support.live_server import start_live_server

SECRET = "pie_r_" + "Zx9" * 10


@pytest.mark.parametrize("name", ["exchange.scheduler", "exchange.networks.webhooks", "httpcore"])
def test_any_logger_masks_tokens(name: str, caplog: pytest.LogCaptureFixture) -> None:
    install_redaction()
    caplog.set_level(logging.DEBUG)
    logging.getLogger(name).info("GET /reset-password/%s 200", SECRET)
    assert SECRET not in caplog.text
    assert f"/reset-password/{MASK}" in caplog.text


def test_tracebacks_are_masked_too(caplog: pytest.LogCaptureFixture) -> None:
    install_redaction()
    caplog.set_level(logging.DEBUG)
    try:
        raise ValueError(f"bad link /reset-password/{SECRET}")
    except ValueError:
        logging.getLogger("exchange.errors").exception("unhandled error")
    assert "ValueError: bad link /reset-password/" + MASK in caplog.text
    assert SECRET not in caplog.text


def test_installing_twice_wraps_the_record_factory_once() -> None:
    install_redaction()
    factory = logging.getLogRecordFactory()
    install_redaction()
    assert logging.getLogRecordFactory() is factory



def test_uvicorn_access_lines_keep_their_arguments_and_are_masked() -> None:
    """uvicorn's AccessFormatter unpacks `record.args` (client, method, path, version, status):
    masking must keep that shape instead of folding the arguments into the message."""
    from uvicorn.logging import AccessFormatter

    install_redaction()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s',
                                         use_colors=False))
    handler.handleError = _raise  # type: ignore[method-assign]  # "--- Logging error ---" fails
    logger = logging.getLogger("uvicorn.access")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        # Exactly the call uvicorn's protocols make for every request.
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", "GET",
                    f"/reset-password/{SECRET}", "1.1", 200)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    line = stream.getvalue()
    assert line == f'127.0.0.1:50000 - "GET /reset-password/{MASK} HTTP/1.1" 200 OK\n'


def _raise(record: logging.LogRecord) -> None:
    raise  # re-raises the formatting error logging would only print


@pytest.mark.slow
def test_a_real_server_logs_the_access_line_of_a_reset_link_masked(tmp_path: Path) -> None:
    """`exchange serve` with uvicorn's own logging configuration: the access line of a request
    whose path holds a token is printed, masked, and no logging error appears."""
    server = start_live_server(tmp_path / "server")
    try:
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(server.url(f"/reset-password/{SECRET}"), timeout=10)
        deadline = time.monotonic() + 10
        while "/reset-password/" not in _access_lines(server.log()) and (
                time.monotonic() < deadline):
            time.sleep(0.05)
    finally:
        server.stop()
    log = server.log()
    assert "Logging error" not in log, log
    assert SECRET not in log
    assert f'"GET /reset-password/{MASK} HTTP/1.1" 400' in _access_lines(log), log


def _access_lines(log: str) -> str:
    return "\n".join(line for line in log.splitlines() if "HTTP/1.1\"" in line)
