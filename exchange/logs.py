"""Logging set-up: secrets never reach a log line.

Reset links and tokens travel in URLs (an e-mailed link must), so every log record of ours and of
uvicorn's access log passes through a filter that masks anything shaped like one of our tokens.
"""

from __future__ import annotations

import logging
import re

TOKEN_PATTERN = re.compile(r"pie_[a-z]+_[A-Za-z0-9_\-]{8,}")
MASK = "pie_***"


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN_PATTERN.search(message):
            record.msg = TOKEN_PATTERN.sub(MASK, message)
            record.args = None
        return True


_FILTER = RedactSecrets()
LOGGERS = ("exchange", "exchange.requests", "exchange.errors", "exchange.email",
           "uvicorn.access", "uvicorn.error")


def install_redaction() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
