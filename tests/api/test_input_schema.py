"""Every input the API documents is bounded, read from the served OpenAPI document: the class
of issue 17's 5xx answers (an integer beyond the database's, text nobody measured, a naive
date-time) cannot come back through a new field that forgets the shared types of
exchange/fields.py.

- every integer (parameter or body) has a minimum and a maximum within a 32-bit INTEGER, or is
  an enum; every number has both bounds;
- every string has a maximum length, or is an enum, a date or a pattern-bounded code;
- every string in a JSON body carries the text rule (`fields.TEXT_PATTERN`: no control or
  bidi-override character) or a stricter pattern of its own; query and path strings are
  checked by the app-wide `deps.plain_text_params`;
- a date-time parameter is documented as needing its time zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from exchange.config import Settings
from exchange.fields import INT32_MAX, INT32_MIN
from exchange.main import create_app
from tests.conftest import TEST_SECRET

FORMATS = {"date", "date-time", "binary"}
# e-mail addresses are checked by email-validator, which refuses every control character.
CHECKED_FORMATS = {"email"}
# Bodies that are files, read by their own parsers (exchange/profiles/transfer.py).
RAW_BODIES = {"text/csv"}


def _document() -> dict[str, Any]:
    return create_app(Settings(database_url="sqlite://", secret_key=TEST_SECRET)).openapi()


def _leaves(schema: dict[str, Any], where: str, components: dict[str, Any],
            seen: frozenset[str] = frozenset()) -> Iterator[tuple[str, dict[str, Any]]]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        schema, seen = components[name], seen | {name}
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _leaves(sub, where, components, seen)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            yield from _leaves(sub, f"{where}.{name}", components, seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            yield from _leaves(extra, f"{where}.*", components, seen)
    elif kind == "array":
        yield from _leaves(schema.get("items", {}), f"{where}[]", components, seen)
    elif kind in {"integer", "number", "string"}:
        yield where, schema


def _inputs(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(operation, where, leaf schema) for every API input; `where` starts with its place."""
    components = document["components"]["schemas"]
    for path, item in document["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                where = f"{parameter['in']}:{parameter['name']}"
                for leaf in _leaves(parameter["schema"], where, components):
                    yield (label, *leaf)
            content = operation.get("requestBody", {}).get("content", {})
            for media_type, body in content.items():
                if media_type not in RAW_BODIES:
                    for leaf in _leaves(body["schema"], "body", components):
                        yield (label, *leaf)


def _problem(where: str, schema: dict[str, Any]) -> str | None:
    kind = schema["type"]
    if "enum" in schema or "const" in schema:
        return None
    if {"ge", "le", "gt", "lt"} & set(schema):
        return "bounds under pydantic's names, which JSON Schema readers ignore"
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None or high is None:
            return "an integer without minimum and maximum"
        if not INT32_MIN <= low <= high <= INT32_MAX:
            return f"an integer range [{low}, {high}] beyond the database's INTEGER"
    elif kind == "number":
        if schema.get("minimum") is None or schema.get("maximum") is None:
            return "a number without minimum and maximum"
    elif schema.get("format") not in FORMATS:
        if "maxLength" not in schema and "pattern" not in schema:
            return "a string without maxLength"
        if (where.startswith("body") and "pattern" not in schema
                and schema.get("format") not in CHECKED_FORMATS):
            return "body text that does not use fields.Line/Prose (no text pattern)"
    return None


def test_every_documented_input_is_bounded() -> None:
    problems = [f"{label} {where}: {problem}"
                for label, where, schema in _inputs(_document())
                if not where.startswith("header:")  # headers are bounded by the server
                and (problem := _problem(where, schema))]
    assert not problems, "unbounded inputs:\n" + "\n".join(sorted(set(problems)))


def test_date_time_parameters_say_they_need_a_time_zone() -> None:
    moments = [(label, where) for label, where, schema in _inputs(_document())
               if schema.get("format") == "date-time" and not where.startswith("body")]
    assert moments, "no date-time parameter left: this test has nothing to check"
    document = _document()
    for label, where in moments:
        method, path = label.split(" ", 1)
        (parameter,) = [p for p in document["paths"][path][method.lower()]["parameters"]
                        if f"{p['in']}:{p['name']}" == where]
        assert "time zone" in parameter.get("description", ""), (label, where)
