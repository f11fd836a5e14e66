"""The field types every API input is built from, so that a value the schema accepts is one the
database and the internal models accept too (issue 17: every 5xx on bad input was a value that
one layer let through and a deeper one choked on).

- **Integers are strict and bounded.** `"2"` and `true` are not numbers (JSON already says
  what a number is; pydantic's lax mode would read `true` as 1); every integer fits the
  database's 32-bit INTEGER, so no id, cursor or count can overflow the driver. Pages read
  their forms (all text) through the same schemas inside `form_input()`.
- **Numbers are finite.** Python's JSON reader accepts `NaN` and `Infinity`; they would be
  stored, then fail every later JSON answer.
- **Dates and moments are ISO 8601 text.** pydantic would read `0` (or `"0"`) as 1970-01-01;
  a moment must carry its time zone (a naive one cannot be compared with our aware UTC stamps)
  and is converted to UTC; years outside 1900…2999 are refused before date arithmetic can
  overflow.
- **Text is normalised first, then measured.** `Line` collapses runs of whitespace and trims,
  `Prose` does the same on each line and keeps the line breaks; the length limits are checked
  on the normalised value, which is what is stored and what a model built from it validates
  again. Both refuse control characters (NUL among them: PostgreSQL cannot store it, SQLite
  would), unpaired surrogates (not encodable as UTF-8) and the bidirectional embedding,
  override and isolate controls (U+202A…U+202E, U+2066…U+2069: "Trojan Source" text that
  reads differently from what it is). The OpenAPI schema documents the rule as a `pattern`.

Write lengths with `Field(...)` on the field, as in `name: Line = Field(max_length=120)`: pydantic
then checks them on the normalised text with its usual "at least 3 characters" message.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, GetCoreSchemaHandler
from pydantic import GetJsonSchemaHandler as _JsonHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

# Every integer column (ids included) is a 32-bit INTEGER on PostgreSQL; SQLite's is wider, the
# same bound is applied to both.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
# Money, KPI values, rates: far beyond any real figure, well inside a double's exact range.
NUMBER_LIMIT = 1e15
FIRST_YEAR, LAST_YEAR = 1900, 2999

# -- integers and numbers ----------------------------------------------------------------------

_reading_form: ContextVar[bool] = ContextVar("reading_form", default=False)


@contextmanager
def form_input() -> Iterator[None]:
    """HTML forms send every field as text (`"3"`, `"on"`): inside this block the strict types
    read text as the number or flag it spells, as pydantic's lax mode would. JSON stays strict.
    (A context variable rather than `model_validate(strict=False)`: SQLModel builds nested
    models through their `__init__`, which does not pass that flag on.)"""
    token = _reading_form.set(True)
    try:
        yield
    finally:
        _reading_form.reset(token)


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


@dataclass(frozen=True)
class _StrictNumber:
    """JSON numbers only (no `true` or `"2"`; an integer may be written `2.0`), finite, within
    [minimum, maximum]. A field narrows the range with its own `Field(ge=…, le=…)`, which
    pydantic applies to the number inside (bounds written into the type's own `Annotated` would
    be dropped silently once a field adds its own: so the type checks its range itself)."""

    minimum: float
    maximum: float
    integer: bool = True

    def check_type(self, value: Any) -> Any:
        kind = "an integer" if self.integer else "a number"
        if isinstance(value, bool):
            raise ValueError(f"must be {kind}, not true or false")
        if isinstance(value, str) and not _reading_form.get():
            raise ValueError(f"must be {kind}, not text")
        # An integral float (`2.0`) is an integer to JSON Schema, and pydantic takes it as one;
        # `2.5` is refused by pydantic's own integer check.
        return value

    def check_range(self, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        if not self.minimum <= value <= self.maximum:
            raise ValueError(f"must be between {_plain(self.minimum)} and "
                             f"{_plain(self.maximum)}")
        return value

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            self.check_range,
            core_schema.no_info_before_validator_function(self.check_type, handler(source)))

    def __get_pydantic_json_schema__(self, schema: CoreSchema,
                                     handler: _JsonHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.setdefault("minimum", self.minimum)
        json_schema.setdefault("maximum", self.maximum)
        return json_schema


def _json_boolean(value: Any) -> Any:
    if not isinstance(value, bool) and not _reading_form.get():
        raise ValueError("must be true or false")
    return value


StrictInt = Annotated[int, _StrictNumber(INT32_MIN, INT32_MAX)]
"""Any integer a column can hold; narrow it on the field: `Field(ge=0, le=20)`."""

Id = Annotated[int, _StrictNumber(1, INT32_MAX)]
"""A row id in a JSON body."""

IdParam = Annotated[int, Field(ge=1, le=INT32_MAX)]
"""A row id in a query string (text by nature, so not strict: `?cursor=12` is a number)."""

Count = Annotated[int, _StrictNumber(0, INT32_MAX)]
"""A non-negative strict integer (capacities, days, ratings); narrow it on the field."""

Version = Annotated[int, _StrictNumber(1, INT32_MAX)]
"""An optimistic-lock version sent back as `expected_version`."""

Number = Annotated[float, Field(allow_inf_nan=False),
                   _StrictNumber(-NUMBER_LIMIT, NUMBER_LIMIT, integer=False)]
"""A finite number; an integer is a number too (`3`, not `"3"`)."""

Flag = Annotated[bool, BeforeValidator(_json_boolean)]
"""`true` or `false`; not `1`, `"yes"` or `"on"` (except from a form)."""


# -- dates and moments -------------------------------------------------------------------------

_ISO_DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(value: Any) -> Any:
    """Dates come as ISO 8601 text (or already as dates, from our own code): never as a number
    of seconds since 1970, which pydantic's lax mode would otherwise accept."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE_START.match(value.strip()):
        return value.strip()
    raise ValueError("must be an ISO 8601 date (YYYY-MM-DD)")


def _year_in_range(value: date) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}")


def _day(value: date) -> date:
    _year_in_range(value)
    return value


def _moment(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must include a time zone, e.g. 2026-01-01T00:00:00Z")
    _year_in_range(value)  # before converting: 9999-12-31T23:00-05:00 would overflow
    return value.astimezone(UTC)


Day = Annotated[date, BeforeValidator(_iso_text), AfterValidator(_day)]
"""A calendar date, `YYYY-MM-DD`."""

Moment = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_moment)]
"""A point in time with its time zone (`2026-01-01T09:00:00+05:30`, `…Z`), read as UTC."""


# -- text --------------------------------------------------------------------------------------

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The same rule as a regular expression, for the OpenAPI document (ECMA-262 syntax, which
# Python's `re` reads too). Tab, line feed and carriage return pass: `Line` turns them into
# spaces, `Prose` keeps line breaks.
TEXT_PATTERN = (r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
                r"\u202a-\u202e\u2066-\u2069]*$")
# In a path nothing is whitespace-tolerant (exchange/deps.py `plain_text_params`).
PATH_TEXT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"
_PROSE_WHITESPACE = frozenset("\n")
# Every character `refused_character` may refuse (Cc is exactly U+0000…U+001F and U+007F…U+009F).
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def refused_character(text: str, *, allowed: frozenset[str] = frozenset()) -> str | None:
    """Why `text` cannot be stored as text, or None: the first control character, unpaired
    surrogate or bidirectional control in it, named by its code point."""
    if not _SUSPECT.search(text):
        return None  # the usual case, decided by one regular-expression scan
    for position, char in enumerate(text, start=1):
        if char in allowed:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            return f"contains a control character (U+{ord(char):04X}) at position {position}"
        if category == "Cs":
            return f"contains an unpaired surrogate (U+{ord(char):04X}) at position {position}"
        if char in BIDI_CONTROLS:
            return (f"contains a bidirectional control character (U+{ord(char):04X}) at "
                    f"position {position}, which can make text read differently from what it is")
    return None


def clean_line(value: str) -> str:
    """One line of text: whitespace runs (tabs and line breaks included) become one space."""
    return " ".join(value.split())


def clean_prose(value: str) -> str:
    """Several lines: each line trimmed with its whitespace runs collapsed, line breaks kept
    (free text keeps its paragraphs; the diff of plan versions compares line by line)."""
    return "\n".join(" ".join(line.split()) for line in value.strip().splitlines())


@dataclass(frozen=True)
class _PlainText:
    """Normalise, then refuse what text must not hold, *before* pydantic's str checks (length
    limits of the field included) run on the result."""

    multiline: bool

    def normalise(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value  # not text at all: pydantic's own str check names it
        value = clean_prose(value) if self.multiline else clean_line(value)
        problem = refused_character(value, allowed=_PROSE_WHITESPACE if self.multiline
                                    else frozenset())
        if problem:
            raise ValueError(problem)
        return value

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.normalise, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema,
                                     handler: _JsonHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.setdefault("pattern", TEXT_PATTERN)
        return json_schema


Line = Annotated[str, _PlainText(multiline=False)]
"""A name, title or key: one line, trimmed, inner whitespace collapsed."""

Prose = Annotated[str, _PlainText(multiline=True)]
"""A description, note or comment: line breaks kept, each line trimmed and collapsed."""


__all__ = [
    "INT32_MAX", "INT32_MIN", "Count", "Day", "Flag", "Id", "IdParam", "Line", "Moment",
    "Number", "Prose", "StrictInt", "Version", "clean_line", "clean_prose", "form_input",
    "refused_character",
]
