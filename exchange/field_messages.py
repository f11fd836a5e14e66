"""One mapping from pydantic's validation errors to messages a person reads: the field in the
user's words, then the reason ("Objective 2: the success criterion is missing", "The hosting
capacity must be a whole number") — never "Field required" or "unable to parse string as a
number". The API answers the same messages in `errors: [{field, message}]`; pages show them in
their error summary, each linked to its field.

Pure: no web, no database. Messages our own validators write (pydantic's `value_error`) are
already sentences and are kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Field names whose words are not simply the name with spaces.
WORDS: dict[str, str] = {
    "isic": "industry code",
    "isic_code": "industry code",
    "intern_id": "intern",
    "mentor_id": "mentor",
    "objective_id": "objective",
    "step_id": "step",
    "kpi_id": "KPI",
    "kpis": "KPIs",
    "url": "address",
    "email": "e-mail address",
    "display_name": "name",
    "done_on": "date it was done",
    "actual": "value now",
    "need": "need (0–3)",
    "level": "level (0–5)",
    "target_level": "target level",
    "expires_in_days": "number of days until it expires",
    "expected_version": "version you saw",
}
# One item of a list field ("objectives[1]" is "Objective 2").
ITEM_WORDS: dict[str, str] = {
    "kpis": "KPI",
    "cells": "Row",
    "ratings": "Rating",
    "steps": "Step",
    "objectives": "Objective",
    "focus_processes": "Focus process",
    "members": "Member",
    "participants": "Participant",
}

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def words_for(name: str) -> str:
    return WORDS.get(name, name.replace("_", " "))


def _item_words(name: str) -> str:
    if name in ITEM_WORDS:
        return ITEM_WORDS[name]
    words = words_for(name)
    return (words[:-1] if words.endswith("s") else words).capitalize()


def describe(field: str, names: Mapping[str, str] | None = None) -> tuple[str, str]:
    """("Objective 2", "success criterion") for objectives[1].success_criterion; ("", "title")
    for title; ("Step 3", "") for steps[2]. NAMES may give a list item its own words, by its
    path ({"kpis[0]": "Leads per month"})."""
    parts: list[str | int] = []
    for name, index in _PART.findall(field):
        parts.append(int(index) if index else name)
    where: list[str] = []
    leaf = ""
    path = ""
    for position, part in enumerate(parts):
        following = parts[position + 1] if position + 1 < len(parts) else None
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        path += f".{part}" if path else part
        if isinstance(following, int):
            item = f"{path}[{following}]"
            where.append((names or {}).get(item) or f"{_item_words(part)} {following + 1}")
        else:
            leaf = words_for(part) if not leaf else f"{leaf} {words_for(part)}"
    return ", ".join(where), leaf


def sentence(field: str, reason: str, names: Mapping[str, str] | None = None) -> str:
    """The message for FIELD failing for REASON ("is missing", "must be a number")."""
    where, leaf = describe(field, names)
    if where and leaf:
        return f"{where}: the {leaf} {reason}."
    if where:
        return f"{where} {reason}."
    if leaf and leaf != "body":
        return f"The {leaf} {reason}."
    return f"The input {reason}."


def _plural(n: Any, one: str, many: str) -> str:
    return f"{n} {one if str(n) == '1' else many}"


def reason(error: dict[str, Any]) -> str | None:
    """The reason in words for one pydantic error, or None when its message is our own."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    msg = str(error.get("msg", ""))
    given = error.get("input")
    blank = given is None or (isinstance(given, str) and not given.strip())
    if kind == "missing" or (blank and kind not in {"value_error", "assertion_error"}):
        return "is missing"
    if kind in {"too_short", "too_long"} and isinstance(given, str):
        # A length limit checked after our text normalisation (exchange/fields.py) speaks of
        # "items"; it counts characters.
        kind = "string_" + kind
    if kind == "string_too_short":
        return f"must be at least {_plural(ctx.get('min_length'), 'character', 'characters')}"
    if kind == "string_too_long":
        return f"can be at most {_plural(ctx.get('max_length'), 'character', 'characters')}"
    if kind == "too_short":
        return f"need at least {ctx.get('min_length')}"
    if kind == "too_long":
        return f"can be at most {ctx.get('max_length')}"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return "must be a whole number"
    if kind == "finite_number":
        return "must be a finite number"
    if kind in {"float_parsing", "float_type", "decimal_parsing", "decimal_type"}:
        return "must be a number"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"can be at most {ctx.get('le')}"
    if kind == "less_than":
        return f"must be less than {ctx.get('lt')}"
    if kind in {"date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact",
                "date_type"}:
        return "must be a date like 2026-03-31"
    if kind in {"datetime_parsing", "datetime_from_date_parsing", "datetime_type"}:
        return "must be a date and time like 2026-03-31T09:00"
    if kind in {"bool_parsing", "bool_type"}:
        return "must be yes or no"
    if kind in {"enum", "literal_error"}:
        expected = ctx.get("expected")
        return f"must be one of {expected}" if expected else "must be one of the choices"
    if kind.startswith("url_"):
        return "must be a web address like https://example.com"
    if kind == "string_pattern_mismatch":
        return "is not in the expected form"
    if kind == "extra_forbidden":
        return "is not a field of this form"
    if kind in {"string_type", "list_type", "dict_type", "model_type", "model_attributes_type"}:
        return "has the wrong type"
    if kind == "value_error" and msg.startswith("value is not a valid email address"):
        return "must be an e-mail address like name@example.com"
    if kind in {"value_error", "assertion_error"}:
        return None
    return msg[:1].lower() + msg[1:] if msg else "is not valid"


def message(field: str, error: dict[str, Any]) -> str:
    """The whole message for one pydantic error at FIELD."""
    why = reason(error)
    if why is None:
        own = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix(
            "Assertion failed, ")
        return own or sentence(field, "is not valid")
    return sentence(field, why)
