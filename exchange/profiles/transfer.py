"""Moving a matrix in and out: CSV and JSON files, the grid editor's form, a whole profile.

Every source becomes a list of `MatrixRow`s that remember where they came from, so that every
problem can be named the way the person will look for it: `line 7: level` in a CSV (the header
is line 1), `cells[3].level` in JSON, `cell.marketing.seo.level` on the grid page. The whole
input is checked first — every bad row reported — and nothing is written unless all rows are
valid. Export → import round-trips exactly (an import of a fresh export changes nothing).

The CSV format (documented to users on the import page):
  - UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" is fine);
  - a header row naming the columns, in any order: `process` and `level` are required,
    `offer`, `need`, `target_level`, `evidence` optional; any other column is an error;
  - `offer` is yes/no (also true/false, 1/0; blank = no), `need` 0–3 (blank = 0),
    `target_level` blank or 1–5 and above the level, `evidence` up to 500 characters and may
    hold commas, quotes and line breaks when quoted the CSV way.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from exchange import csvsafe, safejson
from exchange.errors import FieldError, ValidationFailed
from exchange.profiles import matrix as matrix_service
from exchange.profiles import service as profiles_service
from exchange.profiles.models import Business

CSV_COLUMNS = ("process", "level", "offer", "need", "target_level", "evidence")
REQUIRED_COLUMNS = ("process", "level")
# What `GET …/matrix` answers besides the editable fields: accepted back and ignored, so that
# a read can be sent straight back as a write.
READ_ONLY_KEYS = frozenset({"department", "process_name", "retired"})
JSON_FORMAT = "exchange-matrix/1"
MAX_FILE_BYTES = 1_000_000
MAX_ROWS = 2_000
EVIDENCE_MAX = 500

FIELD_LABELS = {"process": "Process", "level": "Level", "offer": "Offer", "need": "Need",
                "target_level": "Target level", "evidence": "Evidence"}
TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", ""})


@dataclass
class MatrixRow:
    """One cell as read from a file or form, with where it came from for error messages.

    Field names are `{where}{separator}{field}`: "line 7" + ": " + "level" for CSV,
    "cells[3]" + "." + "level" for JSON, "cell.marketing.seo" + "." + "level" for the grid.
    """

    cell: dict[str, Any]
    where: str
    separator: str = "."
    problems: list[tuple[str, str]] = field(default_factory=list)

    def field_name(self, name: str) -> str:
        return f"{self.where}{self.separator}{name}"

    def errors(self) -> list[FieldError]:
        return [FieldError(self.field_name(name), message) for name, message in self.problems]


@dataclass(frozen=True)
class ImportResult:
    rows: int
    changed: int
    merge: bool
    dry_run: bool

    def message(self) -> str:
        cells = "1 cell" if self.changed == 1 else f"{self.changed} cells"
        if self.dry_run:
            return (f"The file is valid: {self.rows} row(s); importing it would change {cells}. "
                    "Nothing was saved.")
        return f"Import complete: {cells} changed."


# -- reading values --------------------------------------------------------------------------


def _shown(value: Any) -> str:
    text = str(value)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _whole_number(value: Any, low: int, high: int) -> int | None:
    """An int from an int or its digits; None when it is not one or out of range."""
    if isinstance(value, bool):
        return None
    whole = (isinstance(value, int)
             or (isinstance(value, float) and value.is_integer())
             or (isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,3}\s*", value)))
    if not whole:
        return None
    number = int(value)
    return number if low <= number <= high else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def coerce_cell(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Typed cell values from strings (CSV, forms) or JSON values, and every problem found.

    Range checks live here, with messages a person can act on; the rules that need the
    taxonomy (known process, target above level) are checked by `matrix.validate_cells`.
    """
    problems: list[tuple[str, str]] = []
    cell: dict[str, Any] = {}

    process = raw.get("process")
    if _blank(process) or not isinstance(process, str):
        problems.append(("process", "Process is required: a key such as "
                                    "marketing.content_marketing"))
    else:
        cell["process"] = process.strip()

    level = raw.get("level")
    if _blank(level):
        problems.append(("level", "Level is required: a whole number from 0 (not practised) "
                                  "to 5 (leading)"))
    elif (number := _whole_number(level, 0, 5)) is None:
        problems.append(("level", f"Level must be a whole number from 0 to 5, not {_shown(level)}"))
    else:
        cell["level"] = number

    offer = raw.get("offer")
    if isinstance(offer, bool):
        cell["offer"] = offer
    elif offer is None or (isinstance(offer, str | int) and str(offer).strip().lower()
                           in TRUE_WORDS | FALSE_WORDS):
        cell["offer"] = offer is not None and str(offer).strip().lower() in TRUE_WORDS
    else:
        problems.append(("offer", f"Offer must be yes or no (true/false and 1/0 work too), "
                                  f"not {_shown(offer)}"))

    need = raw.get("need")
    if _blank(need):
        cell["need"] = 0
    elif (number := _whole_number(need, 0, 3)) is None:
        problems.append(("need", f"Need must be 0 (none), 1 (low), 2 (medium) or 3 (high), "
                                 f"not {_shown(need)}"))
    else:
        cell["need"] = number

    target = raw.get("target_level")
    if _blank(target):
        cell["target_level"] = None
    elif (number := _whole_number(target, 1, 5)) is None:
        problems.append(("target_level", f"Target level must be blank or a whole number from "
                                         f"1 to 5, not {_shown(target)}"))
    else:
        cell["target_level"] = number

    evidence = raw.get("evidence")
    if _blank(evidence):
        cell["evidence"] = None
    elif not isinstance(evidence, str):
        problems.append(("evidence", "Evidence must be text"))
    elif len(evidence.strip()) > EVIDENCE_MAX:
        problems.append(("evidence", f"Evidence must be at most {EVIDENCE_MAX} characters "
                                     f"(this has {len(evidence.strip())})"))
    else:
        cell["evidence"] = evidence.strip()
    return cell, problems


def _sentence(field_name: str, message: str) -> str:
    """`matrix.validate_cells` says "must be above the current level (3)" about a field; our
    messages name the field: "Target level must be above the current level (3)"."""
    if message.startswith("must "):
        return f"{FIELD_LABELS.get(field_name, field_name)} {message}"
    return message[:1].upper() + message[1:]


_CELL_FIELD = re.compile(r"^cells\[(\d+)\]\.(.+)$")


def check_rows(session: Session, rows: Sequence[MatrixRow]) -> list[dict[str, Any]]:
    """Every row checked, every problem reported at once (ValidationFailed); the typed cells
    when all are valid."""
    coerced: list[dict[str, Any]] = []
    for row in rows:
        cell, problems = coerce_cell(row.cell)
        row.problems.extend(problems)
        coerced.append(cell)
    clean = [i for i, row in enumerate(rows) if not row.problems]
    try:
        matrix_service.validate_cells(session, [coerced[i] for i in clean])
    except ValidationFailed as exc:
        for error in exc.errors:
            match = _CELL_FIELD.match(error.field)
            if match is None:  # pragma: no cover - validate_cells always names the cell
                raise
            name = match.group(2)
            rows[clean[int(match.group(1))]].problems.append((name, _sentence(name, error.message)))
    errors = [error for row in rows for error in row.errors()]
    if errors:
        bad_rows = sum(1 for row in rows if row.problems)
        raise ValidationFailed(errors, message=(
            f"{bad_rows} row(s) have problems; nothing was saved." if bad_rows != 1
            else "1 row has a problem; nothing was saved."))
    for row, cell in zip(rows, coerced, strict=True):
        row.cell = cell
    return coerced


def import_matrix(
    session: Session, business: Business, rows: Sequence[MatrixRow], *, merge: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Apply the rows: the matrix becomes exactly the file (merge=False: processes not in it
    are cleared) or only the given processes change (merge=True). All-or-nothing; a dry run
    checks and counts the changes inside a savepoint that is then rolled back."""
    cells = check_rows(session, rows)
    apply = matrix_service.patch_cells if merge else matrix_service.replace_matrix
    if dry_run:
        savepoint = session.begin_nested()
        try:
            changed = apply(session, business, cells)
        finally:
            savepoint.rollback()
    else:
        changed = apply(session, business, cells)
    return ImportResult(rows=len(rows), changed=changed, merge=merge, dry_run=dry_run)


# -- CSV -------------------------------------------------------------------------------------


def location(field_name: str) -> str:
    """Where a problem is, for people: "Line 7" (CSV), "cells[3]" (JSON), "File"."""
    if match := re.match(r"^line (\d+)", field_name):
        return f"Line {match.group(1)}"
    if match := re.match(r"^(\w+\[\d+\])", field_name):
        return match.group(1)
    return field_name[:1].upper() + field_name[1:]


def _fail(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field_name, message)], message=message)


def read_matrix_csv(text: str) -> list[MatrixRow]:
    """Rows of a CSV with their line numbers (a quoted value may span lines: a row is named by
    the line it starts on). Problems with the header stop here; problems with a row are kept
    on the row for `check_rows`, so that every bad row is reported together."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[MatrixRow] = []
    header: list[str] | None = None
    last_line = 0
    try:
        for record in reader:
            line, last_line = last_line + 1, reader.line_num
            if header is None:
                if not any(value.strip() for value in record):
                    continue  # blank lines before the header
                header = _check_header(record, line)
                continue
            if not any(value.strip() for value in record):
                continue  # blank lines and rows of empty cells (spreadsheets leave those)
            # Cells come back as our export wrote them (exchange/csvsafe.py): unescaped.
            values = [csvsafe.restore(value) for value in record]
            row = MatrixRow(dict(zip(header, values, strict=False)), f"line {line}", ": ")
            if len(record) > len(header):
                row.problems.append(("columns", (
                    f"This row has {len(record)} values but the header has {len(header)} "
                    "columns (put evidence that contains commas in double quotes)")))
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise _fail("file", f"The file has more than {MAX_ROWS} rows")
    except csv.Error as exc:
        raise _fail(f"line {last_line + 1}", (
            f"The CSV cannot be read from here on ({exc}); check the double quotes")) from exc
    if header is None:
        raise _fail("file", "The file is empty: the first line must be the header "
                            + ",".join(CSV_COLUMNS))
    return rows


def _check_header(record: list[str], line: int) -> list[str]:
    names = [value.strip().lower() for value in record]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for name in names:
        if name not in CSV_COLUMNS:
            shown = name or "(blank)"
            errors.append(FieldError(f"line {line}: {shown}", (
                f"Unknown column “{shown}”; the columns are {', '.join(CSV_COLUMNS)}")))
        elif name in seen:
            errors.append(FieldError(f"line {line}: {name}", f"Column “{name}” appears twice"))
        seen.add(name)
    for required in REQUIRED_COLUMNS:
        if required not in names:
            errors.append(FieldError(f"line {line}: {required}",
                                     f"The column “{required}” is missing (it is required)"))
    if errors:
        raise ValidationFailed(errors, message="The header row has problems; nothing was saved.")
    return names


def parse_matrix_csv(text: str) -> list[MatrixRow]:
    """Read and check a matrix CSV without the database: typed rows, or ValidationFailed naming
    every bad line (`line 7: level`). Whether each process exists is checked on import."""
    rows = read_matrix_csv(text)
    for row in rows:
        cell, problems = coerce_cell(row.cell)
        row.problems.extend(problems)
        if not problems:
            row.cell = cell
    errors = [error for row in rows for error in row.errors()]
    if errors:
        raise ValidationFailed(errors, message="The file has problems; nothing was saved.")
    return rows


def matrix_to_csv(cells: Iterable[Mapping[str, Any]]) -> str:
    """The CSV for `export_cells(...)`; `read_matrix_csv` reads it back unchanged."""
    out = io.StringIO(newline="")
    writer = csvsafe.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for cell in cells:
        writer.writerow([
            cell["process"], cell["level"], "yes" if cell["offer"] else "no", cell["need"],
            "" if cell.get("target_level") is None else cell["target_level"],
            cell.get("evidence") or "",
        ])
    return out.getvalue()


# -- JSON ------------------------------------------------------------------------------------


def rows_from_json(cells: Any, *, prefix: str = "cells") -> list[MatrixRow]:
    """Rows from a JSON list of cell objects; unknown keys are a problem of that cell."""
    if not isinstance(cells, list):
        raise _fail(prefix, "must be a list of cells: [{\"process\": …, \"level\": …}, …]")
    if len(cells) > MAX_ROWS:
        raise _fail(prefix, f"has more than {MAX_ROWS} cells")
    rows = []
    for index, item in enumerate(cells):
        row = MatrixRow({}, f"{prefix}[{index}]")
        if not isinstance(item, dict):
            row.problems.append(("process", "Each cell must be an object with process and level"))
        else:
            row.cell = {k: v for k, v in item.items() if k not in READ_ONLY_KEYS}
            for key in row.cell:
                if key not in CSV_COLUMNS:
                    row.problems.append((str(key), (
                        f"Unknown field “{key}”; the fields are {', '.join(CSV_COLUMNS)}")))
        rows.append(row)
    return rows


def read_matrix_json(data: str | Any) -> list[MatrixRow]:
    """Rows from a JSON document: `{"cells": [...]}` (a matrix or a whole-profile export, whose
    other fields are ignored here) or a bare list of cells."""
    if isinstance(data, str):
        try:
            data = safejson.loads(data.removeprefix("\ufeff"))
        except json.JSONDecodeError as exc:
            raise _fail("file", f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                f"column {exc.colno}") from exc
        except safejson.TooDeep as exc:
            raise _fail("file", f"{exc}; a matrix file is three levels deep") from exc
    if isinstance(data, dict):
        if "cells" not in data:
            raise _fail("cells", "The JSON object has no “cells” list")
        return rows_from_json(data["cells"])
    return rows_from_json(data)


def matrix_to_json(business: Business, cells: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"format": JSON_FORMAT, "business": business.slug, "name": business.name,
            "cells": [dict(cell) for cell in cells]}


# -- export ----------------------------------------------------------------------------------


def export_cells(
    session: Session, business: Business, *, every_process: bool = False
) -> list[dict[str, Any]]:
    """The business's cells in taxonomy order, as plain dicts in the import shape.
    `every_process` adds a blank row (level 0) for each current process it has not filled, as a
    template to fill in a spreadsheet; importing those blank rows changes nothing."""
    out = []
    for dept in matrix_service.grid(session, business):
        for row in dept.rows:
            cell = row.cell
            if cell is None:
                if every_process and row.process.retired_at is None:
                    out.append({"process": row.process.key, "level": 0, "offer": False,
                                "need": 0, "target_level": None, "evidence": None})
                continue
            out.append({"process": row.process.key, "level": cell.level, "offer": cell.offer,
                        "need": cell.need, "target_level": cell.target_level,
                        "evidence": cell.evidence})
    return out


def profile_to_json(session: Session, business: Business) -> dict[str, Any]:
    """The whole profile in the shape `exchange import` reads (one element of its list)."""
    return {
        "id": business.slug,
        "name": business.name,
        "isic": business.isic_class,
        "country": business.country,
        "region": business.region,
        "city": business.city,
        "market_reach": business.market_reach,
        "size_band": business.size_band,
        "languages": list(business.languages),
        "hosting_capacity": business.hosting_capacity,
        "visibility": business.visibility,
        "description": business.description,
        "website": business.website,
        "excluded": sorted(b.slug for b in profiles_service.exclusions_of(session, business)),
        "cells": export_cells(session, business),
    }


# -- files -----------------------------------------------------------------------------------


def looks_like_json(data: bytes, filename: str | None, content_type: str | None) -> bool:
    name = (filename or "").lower()
    if name.endswith(".json") or "json" in (content_type or ""):
        return True
    if name.endswith(".csv") or "csv" in (content_type or ""):
        return False
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def read_matrix_file(
    data: bytes, *, filename: str | None = None, content_type: str | None = None
) -> list[MatrixRow]:
    """Rows from an uploaded CSV or JSON file (told apart by name, type or first character)."""
    if not data.strip():
        raise _fail("file", "The file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise _fail("file", f"The file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail("file", "The file is not UTF-8 text; in Excel, save it as “CSV UTF-8”") \
            from exc
    if looks_like_json(data, filename, content_type):
        return read_matrix_json(text)
    return read_matrix_csv(text)


# -- the grid editor's form ------------------------------------------------------------------


_FORM_FIELD = re.compile(r"^cell\.(.+)\.(level|offer|need|target_level|evidence)$")


def rows_from_form(form: Iterable[tuple[str, Any]]) -> list[MatrixRow]:
    """Rows from the grid editor's fields `cell.<process key>.<field>`. A row counts as
    submitted when its level is; an unticked offer box sends nothing, so it means "no"."""
    by_process: dict[str, dict[str, Any]] = {}
    for name, value in form:
        match = _FORM_FIELD.match(name)
        if match and isinstance(value, str):
            by_process.setdefault(match.group(1), {})[match.group(2)] = value
    rows = []
    for key, values in by_process.items():
        if "level" not in values:
            continue
        rows.append(MatrixRow({"process": key, **values, "offer": "offer" in values},
                              f"cell.{key}"))
    return rows
