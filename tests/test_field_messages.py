"""The one mapping from pydantic's errors to messages people read (exchange/field_messages.py):
the field in words, then the reason, for pages and the API alike."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, Field, ValidationError

from exchange import field_messages
from exchange.errors import ValidationFailed


class _Objective(BaseModel):
    statement: str = Field(min_length=5)
    success_criterion: str = Field(min_length=3)


class _Kpi(BaseModel):
    name: str
    actual: float


class _Form(BaseModel):
    title: str = Field(min_length=3, max_length=10)
    start_date: date
    hosting_capacity: int = Field(ge=0, le=20)
    objectives: list[_Objective] = Field(min_length=1)
    kpis: list[_Kpi] = []


def _messages(data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate(data)
    return ValidationFailed.from_pydantic(caught.value).by_field()


GOOD = {"title": "Content", "start_date": "2026-03-02", "hosting_capacity": 1,
        "objectives": [{"statement": "Write a blog plan", "success_criterion": "12 posts"}]}


def test_a_missing_field_in_a_list_names_the_row_and_the_field() -> None:
    messages = _messages({**GOOD, "objectives": [
        GOOD["objectives"][0], {"statement": "Run a video series"}]})  # type: ignore[index]
    assert messages == {
        "objectives[1].success_criterion": "Objective 2: the success criterion is missing."}


def test_an_empty_text_is_missing_not_too_short() -> None:
    assert _messages({**GOOD, "title": "  "}) == {"title": "The title is missing."}


def test_numbers_dates_and_bounds_are_said_in_words() -> None:
    messages = _messages({**GOOD, "start_date": "next week", "hosting_capacity": "two",
                          "title": "A title far too long",
                          "kpis": [{"name": "Leads", "actual": "lots"}]})
    assert messages == {
        "start_date": "The start date must be a date like 2026-03-31.",
        "hosting_capacity": "The hosting capacity must be a whole number.",
        "title": "The title can be at most 10 characters.",
        "kpis[0].actual": "KPI 1: the value now must be a number.",
    }
    assert "unable to parse" not in " ".join(messages.values())
    assert _messages({**GOOD, "hosting_capacity": 99}) == {
        "hosting_capacity": "The hosting capacity can be at most 20."}


def test_a_page_may_name_its_rows_in_its_own_words() -> None:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate({**GOOD, "kpis": [{"name": "Leads", "actual": "lots"}]})
    failed = ValidationFailed.from_pydantic(caught.value)
    assert failed.by_field({"kpis[0]": "Organic leads per month"}) == {
        "kpis[0].actual": "Organic leads per month: the value now must be a number."}
    # The API keeps {field, message}: the field's path, the message in words.
    assert failed.problem()["errors"] == [
        {"field": "kpis[0].actual", "message": "KPI 1: the value now must be a number."}]


def test_a_renumbered_form_row_says_its_new_number() -> None:
    failed = ValidationFailed.from_pydantic(_error({**GOOD, "objectives": [{"statement": "x"}]}))
    first = failed.errors[0].renamed("objectives[3].statement")
    assert first.message == "Objective 4: the statement must be at least 5 characters."


def test_our_own_validator_messages_stay_as_written() -> None:
    assert field_messages.message("end_date", {
        "type": "value_error", "msg": "Value error, The end date is before the start date.",
        "input": "2026-01-01"}) == "The end date is before the start date."


def _error(data: dict[str, object]) -> ValidationError:
    try:
        _Form.model_validate(data)
    except ValidationError as exc:
        return exc
    raise AssertionError("expected invalid data")
