"""JSON from uploaded files, read with a bound on nesting.

Python's JSON reader recurses once per level of nesting, so a small file of 50,000 `[` raises
RecursionError (a 500, and code walking the result could recurse as deep). No file we read is
more than a few levels deep (a matrix file is three: `{"cells": [{…}]}`), so the nesting is
measured first, without recursion, and anything deeper than `MAX_DEPTH` is refused by name.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
# A JSON string literal (escapes included): brackets inside strings do not nest anything.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class TooDeep(ValueError):
    def __init__(self, max_depth: int) -> None:
        super().__init__(f"The JSON is nested more than {max_depth} levels deep")
        self.max_depth = max_depth


def nesting_depth(text: str, *, stop_after: int = MAX_DEPTH) -> int:
    """How deep the arrays and objects of `text` nest (counting stops past `stop_after`)."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub('""', text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop_after:
                break
        else:
            depth = max(depth - 1, 0)
    return deepest


def loads(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads` that raises `TooDeep` (a ValueError) instead of recursing without bound;
    other problems raise `json.JSONDecodeError` as usual."""
    if nesting_depth(text, stop_after=max_depth) > max_depth:
        raise TooDeep(max_depth)
    return json.loads(text)
