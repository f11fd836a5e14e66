"""The strength/weakness matrix: reading it as a grid, validating and saving cells.

Saving is all-or-nothing: every cell is checked first and every problem reported with its
field name; nothing is written unless all are valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert
from sqlmodel import Session, col, select

from exchange.db import utcnow
from exchange.errors import FieldError, ValidationFailed
from exchange.profiles import service as profiles_service
from exchange.profiles.models import Business, CellIn, CellPublic, MatrixCell
from exchange.taxonomy.models import Department, Process

HOST_MIN_LEVEL = 4
LEVEL_NAMES = {0: "not practised", 1: "ad hoc", 2: "repeatable", 3: "defined", 4: "measured",
               5: "leading — can teach"}
NEED_NAMES = {0: "none", 1: "low", 2: "medium", 3: "high"}


@dataclass
class GridRow:
    process: Process
    cell: MatrixCell | None


@dataclass
class GridDepartment:
    department: Department
    rows: list[GridRow] = field(default_factory=list)


def taxonomy(session: Session) -> list[tuple[Department, list[Process]]]:
    departments = session.exec(select(Department).order_by(col(Department.position))).all()
    processes = session.exec(
        select(Process).order_by(col(Process.department_id), col(Process.position))
    ).all()
    by_dept: dict[int, list[Process]] = {}
    for p in processes:
        by_dept.setdefault(p.department_id, []).append(p)
    return [(d, by_dept.get(d.id or 0, [])) for d in departments]


def cells_of(session: Session, business: Business) -> dict[int, MatrixCell]:
    rows = session.exec(select(MatrixCell).where(MatrixCell.business_id == business.id)).all()
    return {c.process_id: c for c in rows}


def grid(session: Session, business: Business) -> list[GridDepartment]:
    """Departments with their processes and this business's cells. Retired processes appear only
    where the business has a cell for them, so old answers stay readable."""
    cells = cells_of(session, business)
    out = []
    for department, processes in taxonomy(session):
        rows = [GridRow(p, cells.get(p.id or 0)) for p in processes
                if p.retired_at is None or (p.id in cells)]
        if rows:
            out.append(GridDepartment(department, rows))
    return out


def public_cells(session: Session, business: Business) -> list[CellPublic]:
    """The business's cells in taxonomy order (retired processes included: old answers stay
    readable). One column query — the API reads it on every matrix request, and loading the
    whole taxonomy as ORM objects for it cost more than the rest of the request."""
    rows = session.exec(
        select(Process.key, Process.name, Process.retired_at, Department.key,
               MatrixCell.level, MatrixCell.offer, MatrixCell.need, MatrixCell.target_level,
               MatrixCell.evidence)
        .join(Process, col(Process.id) == MatrixCell.process_id)
        .join(Department, col(Department.id) == Process.department_id)
        .where(MatrixCell.business_id == business.id)
        .order_by(col(Department.position), col(Process.position))
    ).all()
    return [CellPublic(process=key, level=level, offer=offer, need=need,
                       target_level=target_level, evidence=evidence, department=department,
                       process_name=name, retired=retired_at is not None)
            for (key, name, retired_at, department, level, offer, need, target_level,
                 evidence) in rows]


def is_empty(cell: CellIn) -> bool:
    return (cell.level == 0 and not cell.offer and cell.need == 0 and cell.target_level is None
            and not cell.evidence)


def processes_by_key(session: Session) -> dict[str, Process]:
    return {p.key: p for p in session.exec(select(Process)).all()}


def validate_cells(
    session: Session, raw_cells: Sequence[dict[str, Any]], *, field_prefix: str = "cells",
    processes: dict[str, Process] | None = None,
) -> list[tuple[Process, CellIn]]:
    """Check every cell; raise one ValidationFailed listing all problems (field per cell)."""
    if processes is None:
        processes = processes_by_key(session)
    errors: list[FieldError] = []
    valid: list[tuple[Process, CellIn]] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_cells):
        where = f"{field_prefix}[{i}]"
        try:
            cell = CellIn.model_validate(raw)
        except ValidationError as exc:
            for err in ValidationFailed.from_pydantic(exc).errors:
                errors.append(FieldError(f"{where}.{err.field}", err.message))
            continue
        process = processes.get(cell.process)
        if process is None:
            errors.append(FieldError(f"{where}.process", f"unknown process “{cell.process}”"))
            continue
        if cell.process in seen:
            errors.append(FieldError(f"{where}.process", f"“{cell.process}” appears twice"))
            continue
        seen.add(cell.process)
        problem = cell_problem(cell)
        if problem:
            errors.append(FieldError(f"{where}.{problem[0]}", problem[1]))
            continue
        if cell.evidence is not None:
            cell.evidence = cell.evidence.strip() or None
        valid.append((process, cell))
    if errors:
        raise ValidationFailed(errors, message=f"{len(errors)} cell(s) have problems.")
    return valid


def cell_problem(cell: CellIn) -> tuple[str, str] | None:
    if cell.target_level is not None and cell.target_level <= cell.level:
        return ("target_level", f"must be above the current level ({cell.level})")
    return None


def write_cells(session: Session, business: Business, cells: Iterable[tuple[Process, CellIn]],
                existing: dict[int, MatrixCell],
                new_rows_out: list[dict[str, Any]] | None = None) -> int:
    """Apply cells against the business's `existing` ones; returns how many changed.
    With `new_rows_out`, new cells are appended there for the caller's one bulk INSERT
    (imports of many businesses) instead of being inserted here."""
    changed = 0
    now = utcnow()
    assert business.id is not None
    new_rows: list[dict[str, Any]] = []
    for process, cell in cells:
        assert process.id is not None
        current = existing.get(process.id)
        if is_empty(cell):
            if current is not None:
                session.delete(current)
                changed += 1
            continue
        values = {"level": cell.level, "offer": cell.offer, "need": cell.need,
                  "target_level": cell.target_level, "evidence": cell.evidence}
        if current is None:
            if process.retired_at is not None:
                continue  # nothing new is recorded against a retired process
            new_rows.append({"business_id": business.id, "process_id": process.id,
                             "updated_at": now, **values})
            changed += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.updated_at = now
            session.add(current)
            changed += 1
    if new_rows_out is not None:
        new_rows_out.extend(new_rows)
    elif new_rows:
        insert_cells(session, new_rows)
    return changed


def insert_cells(session: Session, rows: list[dict[str, Any]]) -> None:
    # A bulk INSERT: building ORM objects per cell costs more than the database does.
    if rows:
        session.flush()
        session.execute(insert(MatrixCell), rows)


def replace_matrix(
    session: Session, business: Business, raw_cells: Sequence[dict[str, Any]]
) -> int:
    """The whole matrix becomes exactly these cells; returns how many cells changed."""
    valid = validate_cells(session, raw_cells)
    existing = cells_of(session, business)
    given = {p.id for p, _ in valid}
    changed = write_cells(session, business, valid, existing)
    for process_id, cell in existing.items():
        if process_id not in given:
            session.delete(cell)
            changed += 1
    business.updated_at = utcnow()
    session.add(business)
    session.flush()
    if changed:
        profiles_service.announce_change(session, business, ["cells"])
    return changed


def patch_cells(
    session: Session, business: Business, raw_cells: Sequence[dict[str, Any]]
) -> int:
    """Only the given cells change (an all-zero cell removes it)."""
    valid = validate_cells(session, raw_cells)
    changed = write_cells(session, business, valid, cells_of(session, business))
    business.updated_at = utcnow()
    session.add(business)
    session.flush()
    if changed:
        profiles_service.announce_change(session, business, ["cells"])
    return changed


@dataclass(frozen=True)
class SummaryItem:
    process: Process
    department: Department
    cell: MatrixCell


def strengths_and_needs(
    session: Session, business: Business, host_min_level: int = HOST_MIN_LEVEL
) -> tuple[list[SummaryItem], list[SummaryItem]]:
    """Strengths: offered at ≥ the host minimum, strongest first. Needs: need > 0, most
    pressing first."""
    strengths, needs = [], []
    for dept in grid(session, business):
        for row in dept.rows:
            if row.cell is None or row.process.retired_at is not None:
                continue
            item = SummaryItem(row.process, dept.department, row.cell)
            if row.cell.offer and row.cell.level >= host_min_level:
                strengths.append(item)
            if row.cell.need > 0:
                needs.append(item)
    strengths.sort(key=lambda s: (-s.cell.level, s.process.key))
    needs.sort(key=lambda s: (-s.cell.need, s.cell.level, s.process.key))
    return strengths, needs
