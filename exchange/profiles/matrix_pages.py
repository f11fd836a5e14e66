"""The matrix pages: the grid editor, the heatmap, the side-by-side comparison, and importing
and exporting the matrix (and the whole profile) as files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Annotated, Any
from urllib.parse import quote, urlencode

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
    recorded: bool = False  # a stored cell that says something (a level, an offer, a need)


@dataclass
class EditorDepartment:
    key: str
    name: str
    description: str
    rows: list[EditorRow]

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)

    @property
    def runs(self) -> bool:
        """The business runs this department: it recorded something in one of its processes."""
        return any(r.recorded for r in self.rows)


@dataclass(frozen=True)
class MatrixView:
    """What the editor shows: by department (the ones the business runs first, the others
    folded) or the whole grid on one page; optionally only processes matching a search, or
    only those with something recorded."""

    whole_grid: bool = False
    query: str = ""
    only_recorded: bool = False
    # Nothing recorded yet: the first fill is the whole grid at once, not a page of folds.
    automatic: bool = False

    @classmethod
    def from_query(cls, params: Any) -> MatrixView:
        return cls(whole_grid=params.get("view") == "all",
                   query=" ".join(str(params.get("q", "")).split())[:80],
                   only_recorded=params.get("recorded") == "1")

    @property
    def filtering(self) -> bool:
        return bool(self.query) or self.only_recorded

    def keeps(self, row: EditorRow) -> bool:
        if self.only_recorded and not row.recorded:
            return False
        wanted = self.query.casefold()
        return not wanted or wanted in row.name.casefold() or wanted in \
            row.description.casefold()

    def apply(self, departments: list[EditorDepartment]) -> list[EditorDepartment]:
        """Rows filtered (rows with errors always stay), empty departments dropped; by
        department, the ones the business runs first."""
        out = []
        for dept in departments:
            rows = [r for r in dept.rows if r.errors or self.keeps(r)]
            if rows:
                out.append(EditorDepartment(dept.key, dept.name, dept.description, rows))
        if not self.whole_grid:
            # Whether it runs is judged on all its rows, not only the ones shown.
            runs = {d.key for d in departments if d.runs}
            out.sort(key=lambda d: d.key not in runs)  # stable: taxonomy order within
        return out


def _recorded(row: matrix_service.GridRow) -> bool:
    cell = row.cell
    return cell is not None and (cell.level > 0 or cell.offer or cell.need > 0)


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
                recorded=_recorded(row),
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
    view: MatrixView | None = None,
) -> Response:
    errors = failed.by_field() if failed else {}
    view = view or MatrixView.from_query(request.query_params)
    every = _editor(matrix_service.grid(session, business), submitted, errors)
    runs = {d.key for d in every if d.runs}
    if not runs and not view.whole_grid:
        view = replace(view, whole_grid=True, automatic=True)
    departments = view.apply(every)
    return render(request, "profiles/matrix_edit.html", {
        "business": business,
        "departments": departments,
        "view": view,
        "runs": runs,
        "process_count": sum(len(d.rows) for d in every),
        "shown_count": sum(len(d.rows) for d in departments),
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
    # Where the form came from (a department's own form, the whole grid, a filter), to go back.
    back = MatrixView.from_query(form)
    department = str(form.get("department") or "")[:80]
    try:
        result = transfer.import_matrix(session, membership.business, rows, merge=True)
    except ValidationFailed as exc:
        session.rollback()
        # check_rows keeps what was typed on rows that failed: show it back.
        submitted = {r.cell["process"]: {f: r.cell.get(f, "") for f in EDITABLE}
                     for r in rows}
        return _editor_page(request, session, membership.business, membership.role,
                            submitted=submitted, failed=exc, view=back)
    url = f"/businesses/{membership.business.slug}/matrix" + _query(back)
    if department and not back.whole_grid:
        url += f"#dept-{quote(department)}"
    if result.changed == 0:
        return redirect(request, url, "Nothing changed.", "info")
    cells = "1 cell" if result.changed == 1 else f"{result.changed} cells"
    return redirect(request, url, f"Matrix saved: {cells} changed; the rest is as it was.")


def _query(view: MatrixView) -> str:
    params = {k: v for k, v in (("view", "all" if view.whole_grid else ""),
                                ("q", view.query), ("recorded", "1" if view.only_recorded
                                                    else "")) if v}
    return "?" + urlencode(params) if params else ""


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
