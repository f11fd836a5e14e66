"""The matrix pages: the grid editor, the heatmap, the side-by-side comparison, and importing
and exporting the matrix (and the whole profile) as files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from exchange.accounts.deps import CurrentUser
from exchange.accounts.models import BusinessRole
from exchange.deps import SessionDep
from exchange.errors import ValidationFailed
from exchange.profiles import heatmap, transfer
from exchange.profiles import matrix as matrix_service
from exchange.profiles import service as profiles_service
from exchange.profiles.deps import (
    ROLE_RANK,
    BusinessManager,
    BusinessMember,
    VisibleBusiness,
    membership_of,
)
from exchange.profiles.matrix_api import OtherVisibleBusiness
from exchange.profiles.models import Business
from exchange.web.csrf import verify_csrf
from exchange.web.render import redirect, render

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

EDITABLE = ("level", "offer", "need", "target_level", "evidence")


def _can_edit(role: BusinessRole | None) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[BusinessRole.manager]


# -- the grid editor -------------------------------------------------------------------------


@dataclass
class EditorRow:
    key: str
    name: str
    description: str
    complexity: int
    retired: bool
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class EditorDepartment:
    key: str
    name: str
    description: str
    rows: list[EditorRow]

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)


def _stored_values(row: matrix_service.GridRow) -> dict[str, Any]:
    cell = row.cell
    if cell is None:
        return {"level": "0", "offer": False, "need": "0", "target_level": "", "evidence": ""}
    return {"level": str(cell.level), "offer": cell.offer, "need": str(cell.need),
            "target_level": "" if cell.target_level is None else str(cell.target_level),
            "evidence": cell.evidence or ""}


def _editor(
    grid: list[matrix_service.GridDepartment],
    submitted: dict[str, dict[str, Any]] | None = None,
    errors: dict[str, str] | None = None,
) -> list[EditorDepartment]:
    """The grid as the form shows it: what was stored, or what the person typed when the form
    comes back with errors (so nothing they typed is lost)."""
    errors = errors or {}
    out = []
    for dept in grid:
        rows = []
        for row in dept.rows:
            key = row.process.key
            values = _stored_values(row)
            if submitted and key in submitted:
                values = {**values, **submitted[key]}
            rows.append(EditorRow(
                key=key, name=row.process.name, description=row.process.description,
                complexity=row.process.complexity, retired=row.process.retired_at is not None,
                values=values,
                errors={f: errors[f"cell.{key}.{f}"] for f in (*EDITABLE, "process")
                        if f"cell.{key}.{f}" in errors},
            ))
        out.append(EditorDepartment(dept.department.key, dept.department.name,
                                    dept.department.description, rows))
    return out


def _summary(departments: list[EditorDepartment], errors: dict[str, str]) -> list[dict[str, Any]]:
    """The error summary above the form: one link per bad field, named by its process."""
    names = {r.key: r.name for d in departments for r in d.rows}
    items: list[dict[str, Any]] = []
    for name, message in errors.items():
        key, _, field_name = name.removeprefix("cell.").rpartition(".")
        if key in names and field_name in EDITABLE:
            items.append({"href": f"#f-{name}", "text": f"{names[key]}: {message}"})
        else:
            items.append({"href": None, "text": f"{key or name}: {message}"})
    return items


def _editor_page(
    request: Request, session: Session, business: Business, role: BusinessRole,
    *, submitted: dict[str, dict[str, Any]] | None = None, failed: ValidationFailed | None = None,
) -> Response:
    errors = failed.by_field() if failed else {}
    departments = _editor(matrix_service.grid(session, business), submitted, errors)
    return render(request, "profiles/matrix_edit.html", {
        "business": business,
        "departments": departments,
        "can_edit": _can_edit(role),
        "level_names": matrix_service.LEVEL_NAMES,
        "need_names": matrix_service.NEED_NAMES,
        "error_summary": _summary(departments, errors),
        "failed": failed,
    }, status_code=422 if failed else 200, errors=errors)


@router.get("/businesses/{slug}/matrix")
def matrix_page(request: Request, membership: BusinessMember, session: SessionDep) -> Response:
    """Owners and managers edit the grid; interns see it read-only."""
    return _editor_page(request, session, membership.business, membership.role)


async def _form(request: Request) -> FormData:
    return await request.form()


@router.post("/businesses/{slug}/matrix")
def save_matrix(
    request: Request, membership: BusinessManager, session: SessionDep,
    form: Annotated[FormData, Depends(_form)],
) -> Response:
    """Saves every row the form sent in one transaction (rows it did not send, such as retired
    processes shown read-only, stay as they are); one bad cell and nothing is saved."""
    rows = transfer.rows_from_form(form.multi_items())
    try:
        result = transfer.import_matrix(session, membership.business, rows, merge=True)
    except ValidationFailed as exc:
        session.rollback()
        # check_rows keeps what was typed on rows that failed: show it back.
        submitted = {r.cell["process"]: {f: r.cell.get(f, "") for f in EDITABLE}
                     for r in rows}
        return _editor_page(request, session, membership.business, membership.role,
                            submitted=submitted, failed=exc)
    slug = membership.business.slug
    if result.changed == 0:
        return redirect(request, f"/businesses/{slug}/matrix", "Nothing changed.", "info")
    cells = "1 cell" if result.changed == 1 else f"{result.changed} cells"
    return redirect(request, f"/businesses/{slug}/matrix", f"Matrix saved: {cells} changed.")


# -- heatmap and side by side ----------------------------------------------------------------


@router.get("/businesses/{slug}/heatmap")
def heatmap_page(
    request: Request, business: VisibleBusiness, user: CurrentUser, session: SessionDep,
    show: str = "all",
) -> Response:
    only_recorded = show == "recorded"
    role = membership_of(session, user, business)
    own = [b for b, _ in profiles_service.businesses_of(session, user)
           if b.id != business.id and b.archived_at is None]
    return render(request, "profiles/heatmap.html", {
        "business": business,
        "heatmap": heatmap.build_heatmap(matrix_service.grid(session, business),
                                         only_recorded=only_recorded),
        "role": role,
        "can_edit": _can_edit(role),
        "own_businesses": own,
    })


@router.get("/businesses/{slug}/compare/{other_slug}")
def compare_page(
    request: Request, membership: BusinessMember, other: OtherVisibleBusiness,
    session: SessionDep,
) -> Response:
    business = membership.business
    comparison = heatmap.compare(
        matrix_service.grid(session, business), matrix_service.grid(session, other),
        you_name=business.name, them_name=other.name)
    return render(request, "profiles/compare.html", {
        "business": business, "other": other, "comparison": comparison,
    })


# -- files -----------------------------------------------------------------------------------


def _download(content: str, filename: str, media_type: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/businesses/{slug}/matrix.csv")
def download_matrix_csv(
    membership: BusinessMember, session: SessionDep, every_process: bool = False
) -> Response:
    business = membership.business
    cells = transfer.export_cells(session, business, every_process=every_process)
    # The byte-order mark makes Excel open the file as UTF-8; the import accepts it.
    return _download("\ufeff" + transfer.matrix_to_csv(cells), f"{business.slug}-matrix.csv",
                     "text/csv; charset=utf-8")


@router.get("/businesses/{slug}/matrix.json")
def download_matrix_json(membership: BusinessMember, session: SessionDep) -> Response:
    business = membership.business
    data = transfer.matrix_to_json(business, transfer.export_cells(session, business))
    return _download(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                     f"{business.slug}-matrix.json", "application/json")


@router.get("/businesses/{slug}/profile.json")
def download_profile_json(membership: BusinessMember, session: SessionDep) -> Response:
    business = membership.business
    data = transfer.profile_to_json(session, business)
    return _download(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                     f"{business.slug}-profile.json", "application/json")


def _import_page(request: Request, business: Business, *, status_code: int = 200,
                 failed: ValidationFailed | None = None, checked: str | None = None,
                 merge: bool = False) -> Response:
    return render(request, "profiles/matrix_import.html", {
        "business": business,
        "failed": failed,
        "problems": [{"where": transfer.location(e.field), "message": e.message}
                     for e in (failed.errors if failed else [])],
        "checked": checked,
        "merge": merge,
        "columns": transfer.CSV_COLUMNS,
        "evidence_max": transfer.EVIDENCE_MAX,
        "max_rows": transfer.MAX_ROWS,
    }, status_code=status_code)


@router.get("/businesses/{slug}/matrix/import")
def import_form(request: Request, membership: BusinessManager) -> Response:
    return _import_page(request, membership.business)


@router.post("/businesses/{slug}/matrix/import")
def import_file(
    request: Request,
    membership: BusinessManager,
    session: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
    mode: Annotated[str, Form()] = "replace",
    action: Annotated[str, Form()] = "import",
) -> Response:
    business = membership.business
    merge = mode == "merge"
    dry_run = action == "check"
    try:
        if file is None or not file.filename:
            raise ValidationFailed.single("file", "Choose a CSV or JSON file to import")
        rows = transfer.read_matrix_file(file.file.read(transfer.MAX_FILE_BYTES + 1),
                                         filename=file.filename, content_type=file.content_type)
        result = transfer.import_matrix(session, business, rows, merge=merge, dry_run=dry_run)
    except ValidationFailed as exc:
        session.rollback()
        return _import_page(request, business, status_code=422, failed=exc, merge=merge)
    if dry_run:
        return _import_page(request, business, checked=result.message(), merge=merge)
    return redirect(request, f"/businesses/{business.slug}/matrix",
                    f"Imported {file.filename}: " + result.message().removeprefix(
                        "Import complete: "))
