"""exchange/safejson.py: nesting is measured without recursion before JSON is parsed."""

from __future__ import annotations

import json

import pytest

from exchange import safejson


def test_it_reads_ordinary_json() -> None:
    text = '{"cells": [{"process": "marketing.seo", "evidence": "[[[{{{ \\" ]]]"}]}'
    assert safejson.loads(text) == json.loads(text)
    assert safejson.nesting_depth(text) == 3  # the brackets inside the string do not count


def test_it_refuses_json_nested_50000_deep_without_recursing() -> None:
    with pytest.raises(safejson.TooDeep, match="more than 32 levels"):
        safejson.loads("[" * 50_000 + "]" * 50_000)


def test_the_limit_is_inclusive() -> None:
    assert safejson.loads("[" * 32 + "]" * 32) is not None
    with pytest.raises(safejson.TooDeep):
        safejson.loads("[" * 33 + "]" * 33)


def test_invalid_json_is_still_a_decode_error() -> None:
    with pytest.raises(json.JSONDecodeError):
        safejson.loads('{"cells": [')
