"""Logging set-up: secrets never reach a log line.

Reset links and tokens travel in URLs (an e-mailed link must), so every log record of ours and of
uvicorn's access log passes through a filter that masks anything shaped like one of our tokens.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

TOKEN_PATTERN = re.compile(r"pie_[a-z]+_[A-Za-z0-9_\-]{8,}")
MASK = "pie_***"


def redact(text: str) -> str:
    return TOKEN_PATTERN.sub(MASK, text)


_TOKEN_PARTS = re.compile(r"(pie_[a-z]+_)[A-Za-z0-9_\-]{8,}")
HIDDEN = "[secret hidden]"


def hide_secrets(text: str) -> str:
    """For people who may read a message but not use its links (a platform admin reading the
    outbox): every token loses its secret part but keeps its kind, e.g. `pie_r_[secret hidden]`
    for a reset link, so the reader still sees what the message was."""
    return _TOKEN_PARTS.sub(lambda m: m.group(1) + HIDDEN, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value  # `%d` and friends need the number itself
    text = str(value)
    return redact(text) if TOKEN_PATTERN.search(text) else value


def _mask_message(record: logging.LogRecord, message: str) -> None:
    if isinstance(record.msg, str) and isinstance(record.args, (tuple, dict)) and record.args:
        # Mask inside the arguments and keep their shape: formatters such as uvicorn's access
        # log unpack `record.args` (client, method, path, version, status), so a record whose
        # args were folded into the message could not be printed at all.
        record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        else:
            record.args = tuple(_redact_value(v) for v in record.args)
        try:
            if not TOKEN_PATTERN.search(record.getMessage()):
                return
        except (TypeError, ValueError):
            pass  # an argument changed type (an object printed with %d): fold, as below
    # A token only the formatted text shows (split across arguments, or no arguments at all).
    record.msg, record.args = redact(message), None


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        return  # a malformed call: left for the handler to report, as logging always does
    if TOKEN_PATTERN.search(message):
        _mask_message(record, message)
    if record.exc_info and not record.exc_text:
        # Formatters print `exc_text` when it is set: a traceback quoting a URL or a token is
        # masked like the message.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))


_FILTER = RedactSecrets()
LOGGERS = ("exchange", "exchange.requests", "exchange.errors", "exchange.email",
           "uvicorn.access", "uvicorn.error")


def _redacting_factory(
    previous: Callable[..., logging.LogRecord],
) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact_record(record)
        return record

    factory.redacts_secrets = True  # type: ignore[attr-defined]
    return factory


def install_redaction() -> None:
    """Mask at the source: a logger filter sees only the records of its own logger, not those
    of its children (`exchange.scheduler`, ...), so every record is redacted as it is created,
    whichever logger made it; the filters stay for records built by hand."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacts_secrets", False):
        logging.setLogRecordFactory(_redacting_factory(current))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
