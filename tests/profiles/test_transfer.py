"""Reading and writing the matrix as CSV and JSON: every bad row named by its line, nothing
applied unless the whole file is valid, and export → import changing nothing."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from exchange.errors import ValidationFailed
from exchange.profiles import matrix as matrix_service
from exchange.profiles import service as profiles_service
from exchange.profiles import transfer
from exchange.profiles.models import Business, MatrixCell

HEADER = "process,level,offer,need,target_level,evidence\r\n"


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


def _snapshot(session: Session, business: Business) -> list[tuple]:
    session.expire_all()
    return sorted(
        (c.process_id, c.level, c.offer, c.need, c.target_level, c.evidence)
        for c in session.exec(select(MatrixCell).where(MatrixCell.business_id == business.id))
    )


# -- pure parsing ----------------------------------------------------------------------------


def test_csv_is_read_with_typed_values() -> None:
    rows = transfer.parse_matrix_csv(
        HEADER + "marketing.seo,3,yes,2,4,Ranks for 40 keywords\r\nhr.onboarding,1,,,,\r\n")
    assert [r.cell for r in rows] == [
        {"process": "marketing.seo", "level": 3, "offer": True, "need": 2, "target_level": 4,
         "evidence": "Ranks for 40 keywords"},
        {"process": "hr.onboarding", "level": 1, "offer": False, "need": 0,
         "target_level": None, "evidence": None},
    ]


def test_csv_accepts_a_byte_order_mark_and_columns_in_any_order_and_case() -> None:
    rows = transfer.parse_matrix_csv("\ufeffLevel, Process ,Offer\n3,marketing.seo,TRUE\n")
    assert rows[0].cell["process"] == "marketing.seo"
    assert rows[0].cell["level"] == 3
    assert rows[0].cell["offer"] is True


@pytest.mark.parametrize("word", ["yes", "Y", "true", "1", "no", "FALSE", "0", ""])
def test_offer_takes_the_usual_words(word: str) -> None:
    rows = transfer.parse_matrix_csv(f"process,level,offer\nmarketing.seo,4,{word}\n")
    assert rows[0].cell["offer"] is (word.lower() in {"yes", "y", "true", "1"})


def test_evidence_may_hold_commas_quotes_and_line_breaks() -> None:
    evidence = 'Blog, videos and "how-to" guides\nbring 40 leads a month'
    text = transfer.matrix_to_csv([{"process": "marketing.content_marketing", "level": 5,
                                    "offer": True, "need": 0, "evidence": evidence}])
    rows = transfer.parse_matrix_csv(text)
    assert rows[0].cell["evidence"] == evidence


def test_every_bad_line_is_reported_with_its_number() -> None:
    text = (HEADER
            + "marketing.seo,7,yes,0,,\r\n"           # line 2: level out of range
            + "marketing.brand,3,maybe,0,,\r\n"       # line 3: offer
            + 'hr.onboarding,2,no,0,,"two\nlines"\r\n'  # lines 4-5: fine
            + "hr.training,2,no,5,x,\r\n"             # line 6: need and target
            + ",2,no,0,,\r\n")                        # line 7: no process
    with pytest.raises(ValidationFailed) as exc:
        transfer.parse_matrix_csv(text)
    fields = _fields(exc)
    assert fields["line 2: level"] == "Level must be a whole number from 0 to 5, not “7”"
    assert fields["line 3: offer"].startswith("Offer must be yes or no")
    assert "line 6: need" in fields and "line 6: target_level" in fields
    assert "line 7: process" in fields
    assert not any(f.startswith(("line 4", "line 5")) for f in fields)


def test_unknown_and_missing_columns_are_errors_of_line_1() -> None:
    with pytest.raises(ValidationFailed) as exc:
        transfer.parse_matrix_csv("process,priority,offer\nmarketing.seo,3,yes\n")
    fields = _fields(exc)
    assert fields["line 1: priority"].startswith("Unknown column “priority”")
    assert fields["line 1: level"] == "The column “level” is missing (it is required)"


def test_a_row_with_too_many_values_is_named() -> None:
    with pytest.raises(ValidationFailed) as exc:
        transfer.parse_matrix_csv(HEADER + "marketing.seo,3,yes,0,,paid ads, organic\n")
    assert "line 2: columns" in _fields(exc)


def test_an_unclosed_quote_names_the_line_it_starts_on() -> None:
    with pytest.raises(ValidationFailed) as exc:
        transfer.parse_matrix_csv(HEADER + "marketing.seo,3,yes,0,,ok\n"
                                  + 'marketing.brand,3,yes,0,,"never closed\n')
    assert list(_fields(exc)) == ["line 3"]


def test_evidence_longer_than_500_characters_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        transfer.parse_matrix_csv(HEADER + f"marketing.seo,3,yes,0,,{'x' * 501}\n")
    assert _fields(exc)["line 2: evidence"] == (
        "Evidence must be at most 500 characters (this has 501)")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        transfer.read_matrix_file(b"  \n")
    assert list(_fields(exc)) == ["file"]


def test_a_file_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        transfer.read_matrix_file((HEADER + "marketing.seo,3,yes,0,,café\n").encode("latin-1"))
    assert "UTF-8" in _fields(exc)["file"]


def test_json_cells_with_unknown_fields_are_named_by_index() -> None:
    rows = transfer.read_matrix_json(json.dumps({"cells": [
        {"process": "marketing.seo", "level": 3},
        {"process": "marketing.brand", "level": 2, "levle": 3},
    ]}))
    assert rows[1].problems == [("levle", rows[1].problems[0][1])]
    assert rows[1].field_name("levle") == "cells[1].levle"


def test_broken_json_says_where() -> None:
    with pytest.raises(ValidationFailed) as exc:
        transfer.read_matrix_file(b'{"cells": [', filename="matrix.json")
    assert "not valid JSON" in _fields(exc)["file"]


def test_files_are_told_apart_by_name_type_or_first_character() -> None:
    assert transfer.looks_like_json(b"process,level", "m.json", None)
    assert transfer.looks_like_json(b"{}", None, "application/json")
    assert not transfer.looks_like_json(b"{}", "m.csv", None)
    assert transfer.looks_like_json(b"\xef\xbb\xbf  [", None, None)
    assert not transfer.looks_like_json(b"process,level", None, None)


# -- against the database --------------------------------------------------------------------


def test_unknown_processes_and_target_below_level_are_named_with_the_other_problems(
    session: Session, afreen_firm: Business
) -> None:
    before = _snapshot(session, afreen_firm)
    rows = transfer.read_matrix_csv(HEADER
                                    + "marketing.seo,3,yes,0,2,\r\n"        # line 2
                                    + "marketing.telepathy,3,yes,0,,\r\n"   # line 3
                                    + "hr.training,9,no,0,,\r\n"            # line 4
                                    + "marketing.seo,1,no,0,,\r\n")         # line 5: repeat
    with pytest.raises(ValidationFailed) as exc:
        transfer.import_matrix(session, afreen_firm, rows)
    fields = _fields(exc)
    assert fields["line 2: target_level"] == "Target level must be above the current level (3)"
    assert fields["line 3: process"] == "Unknown process “marketing.telepathy”"
    assert "line 4: level" in fields
    assert "line 5: process" in fields
    assert _snapshot(session, afreen_firm) == before


def test_import_replaces_the_whole_matrix(session: Session, afreen_firm: Business) -> None:
    rows = transfer.read_matrix_csv(HEADER + "marketing.seo,3,yes,1,4,\r\n")
    result = transfer.import_matrix(session, afreen_firm, rows)
    cells = matrix_service.public_cells(session, afreen_firm)
    assert [(c.process, c.level, c.offer, c.need, c.target_level) for c in cells] == [
        ("marketing.seo", 3, True, 1, 4)]
    assert result.changed == 5  # one added, four cleared


def test_merge_changes_only_the_processes_in_the_file(
    session: Session, afreen_firm: Business
) -> None:
    rows = transfer.read_matrix_csv(HEADER + "marketing.seo,3,yes,1,,\r\n")
    result = transfer.import_matrix(session, afreen_firm, rows, merge=True)
    assert result.changed == 1
    assert len(matrix_service.public_cells(session, afreen_firm)) == 5


def test_dry_run_counts_changes_and_writes_nothing(
    session: Session, afreen_firm: Business
) -> None:
    before = _snapshot(session, afreen_firm)
    rows = transfer.read_matrix_csv(HEADER + "marketing.seo,3,yes,1,,\r\n")
    result = transfer.import_matrix(session, afreen_firm, rows, dry_run=True)
    assert result.changed == 5
    assert "Nothing was saved" in result.message()
    assert _snapshot(session, afreen_firm) == before


def test_csv_export_then_import_changes_nothing(session: Session, afreen_firm: Business) -> None:
    transfer.import_matrix(session, afreen_firm, transfer.rows_from_json([
        {"process": "marketing.seo", "level": 2, "need": 1, "target_level": 5,
         "evidence": 'Ranks on "page one", for 3 terms;\nlosing ground'},
    ]), merge=True)
    before = _snapshot(session, afreen_firm)
    text = transfer.matrix_to_csv(transfer.export_cells(session, afreen_firm))
    result = transfer.import_matrix(session, afreen_firm, transfer.read_matrix_csv(text))
    assert result.changed == 0
    assert _snapshot(session, afreen_firm) == before
    assert transfer.matrix_to_csv(transfer.export_cells(session, afreen_firm)) == text


def test_json_export_then_import_changes_nothing(session: Session, afreen_firm: Business) -> None:
    before = _snapshot(session, afreen_firm)
    data = transfer.matrix_to_json(afreen_firm, transfer.export_cells(session, afreen_firm))
    rows = transfer.read_matrix_json(json.dumps(data))
    assert transfer.import_matrix(session, afreen_firm, rows).changed == 0
    assert _snapshot(session, afreen_firm) == before


def test_template_rows_for_every_process_import_as_no_change(
    session: Session, afreen_firm: Business
) -> None:
    before = _snapshot(session, afreen_firm)
    every = transfer.export_cells(session, afreen_firm, every_process=True)
    assert len(every) > 90
    rows = transfer.read_matrix_csv(transfer.matrix_to_csv(every))
    assert transfer.import_matrix(session, afreen_firm, rows).changed == 0
    assert _snapshot(session, afreen_firm) == before


def test_profile_json_has_the_import_shape(
    session: Session, afreen_firm: Business, rajeev_firm: Business
) -> None:
    profiles_service.set_exclusions(session, afreen_firm, [rajeev_firm.slug])
    data = transfer.profile_to_json(session, afreen_firm)
    assert data["id"] == afreen_firm.slug
    assert data["isic"] == "7830"
    assert data["excluded"] == [rajeev_firm.slug]
    assert set(data) >= {"name", "country", "region", "city", "market_reach", "size_band",
                         "languages", "hosting_capacity", "visibility", "description",
                         "website", "cells"}
    assert {"process": "marketing.content_marketing", "level": 1, "offer": False, "need": 3,
            "target_level": 4, "evidence": None} in data["cells"]
    # and its cells import back unchanged
    rows = transfer.read_matrix_json(json.dumps(data))
    assert transfer.import_matrix(session, afreen_firm, rows).changed == 0
