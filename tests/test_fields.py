"""The shared field types (exchange/fields.py): what each refuses, and that what they accept
validates to itself again — so a model built from an accepted API value cannot fail later."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError

from exchange.errors import validation_errors_from_pydantic
from exchange.fields import (
    INT32_MAX,
    TEXT_PATTERN,
    Count,
    Day,
    Flag,
    Id,
    Line,
    Moment,
    Number,
    Prose,
    form_input,
)


class Sample(BaseModel):
    name: Line = Field("name", min_length=3, max_length=20)
    nickname: Line | None = Field(None, min_length=3, max_length=20)
    note: Prose = Field("", max_length=50)
    some_id: Id = 1
    capacity: Count = Field(0, le=20)
    day: Day | None = None
    since: Moment | None = None
    value: Number = 0
    flag: Flag = False


def problems(**fields: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Sample(**fields)
    return {e.field: e.message for e in validation_errors_from_pydantic(caught.value.errors())}


def test_text_is_measured_after_it_is_trimmed() -> None:
    # Said in words by exchange/field_messages.py, characters either way.
    assert problems(name="  a  ") == {"name": "The name must be at least 3 characters."}
    assert problems(nickname="  a  ") == {"nickname": "The nickname must be at least 3 characters."}
    assert Sample(name="  Kavya \t  Logistics ").name == "Kavya Logistics"


def test_prose_keeps_its_lines_and_trims() -> None:
    assert Sample(note="  first  line\r\n\tsecond\tthird \n").note == "first line\nsecond third"


@pytest.mark.parametrize(("text", "code"), [
    ("Ka\x00vya", "U+0000"), ("Kavya\x07", "U+0007"), ("Ka\x9bvya", "U+009B"),
    ("invoice\u202efdp.exe", "U+202E"), ("a\u2066b", "U+2066"), ("\ud800abc", "U+D800"),
])
def test_control_bidi_and_surrogate_characters_are_refused_in_every_text(
        text: str, code: str) -> None:
    for field in ("name", "nickname", "note"):
        message = problems(**{field: text})[field]
        assert code in message


def test_ordinary_right_to_left_text_and_emoji_are_kept() -> None:
    # Arabic with a right-to-left mark, an emoji sequence with a zero-width joiner.
    text = "شركة\u200f النور 👩\u200d💻"
    assert Sample(name=text).name == text


@pytest.mark.parametrize(("value", "why"), [
    (True, "must be an integer, not true or false"), ("2", "must be an integer, not text"),
    (2.5, "whole number"), (9223372036854775808, "must be between 1 and 2147483647"),
    (INT32_MAX + 1, "must be between 1 and 2147483647"), (0, "must be between 1 and"),
])
def test_ids_are_strict_and_fit_the_database(value: Any, why: str) -> None:
    assert why in problems(some_id=value)["some_id"]


def test_counts_refuse_booleans_and_strings_and_keep_the_fields_own_range() -> None:
    assert problems(capacity=True) == {"capacity": "must be an integer, not true or false"}
    assert problems(capacity="2") == {"capacity": "must be an integer, not text"}
    assert problems(capacity=21) == {"capacity": "The capacity can be at most 20."}
    assert Sample(capacity=2).capacity == 2
    assert Sample.model_json_schema()["properties"]["capacity"]["maximum"] == 20


def test_numbers_are_finite_and_flags_are_booleans() -> None:
    assert "finite" in problems(value=float("nan"))["value"]
    assert "finite" in problems(value=float("inf"))["value"]
    assert problems(value="3") == {"value": "must be a number, not text"}
    assert problems(value=1e16) == {
        "value": "must be between -1000000000000000 and 1000000000000000"}
    assert Sample(value=3).value == 3.0
    assert problems(flag=1) == {"flag": "must be true or false"}
    assert problems(flag="yes") == {"flag": "must be true or false"}


def test_forms_send_text_and_are_read_through_the_same_types() -> None:
    with form_input():
        read = Sample(some_id="7", capacity="3", value="2.5", flag="on")
        assert "can be at most 20" in problems(capacity="21")["capacity"]
        assert "ISO 8601" in problems(day="0")["day"]
    assert (read.some_id, read.capacity, read.value, read.flag) == (7, 3, 2.5, True)
    assert "not text" in problems(capacity="3")["capacity"]  # JSON again once the form is read


@pytest.mark.parametrize("value", [0, "0", 1767225600, "yesterday"])
def test_dates_are_iso_text_not_seconds_since_1970(value: Any) -> None:
    assert "ISO 8601" in problems(day=value)["day"]
    assert "ISO 8601" in problems(since=value)["since"]


def test_dates_stay_in_a_range_date_arithmetic_can_handle() -> None:
    assert "between the years" in problems(day="9999-12-31")["day"]
    assert "between the years" in problems(since="9999-12-31T23:00:00-05:00")["since"]
    assert Sample(day="2026-03-01").day == date(2026, 3, 1)


def test_moments_need_a_time_zone_and_are_read_as_utc() -> None:
    assert "time zone" in problems(since="2026-01-01")["since"]
    assert "time zone" in problems(since="2026-01-01T10:00:00")["since"]
    assert Sample(since="2026-01-01T10:00:00+05:30").since == datetime(2026, 1, 1, 4, 30,
                                                                       tzinfo=UTC)


def test_the_schema_documents_the_text_rule_and_the_python_rule_agrees() -> None:
    schema = Sample.model_json_schema()["properties"]
    assert schema["name"]["pattern"] == TEXT_PATTERN
    assert schema["some_id"] == {"default": 1, "maximum": INT32_MAX, "minimum": 1,
                                 "title": "Some Id", "type": "integer"}
    assert not re.match(TEXT_PATTERN, "a\u202eb")
    assert re.match(TEXT_PATTERN, "Kavya Logistics\n")


@given(st.text(max_size=30))
def test_accepted_text_validates_to_itself(text: str) -> None:
    """The property behind "  a  " on PUT …/agreement: the API accepted it, then the internal
    model, given the stored value, refused it (a 500). Whatever is accepted is a fixed point."""
    for field in ("name", "note"):
        try:
            once = getattr(Sample(**{field: text}), field)
        except ValidationError:
            continue
        assert getattr(Sample(**{field: once}), field) == once
