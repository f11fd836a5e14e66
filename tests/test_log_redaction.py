"""Secrets never reach a log line, whichever logger writes it (exchange/logs.py)."""

from __future__ import annotations

import logging

import pytest

from exchange.logs import MASK, install_redaction

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

