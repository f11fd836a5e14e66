"""/api/v1 routes for the strength/weakness matrix: read, replace, patch, export, import and the
side-by-side comparison of two businesses.

Reading a matrix is part of a business's profile (matching and comparing need it): anyone who
can see the business may read it. Writing needs an owner or manager; exports (which sit next to
the profile's private parts in the page's menu) need a member.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from exchange.accounts.deps import CurrentUser
from exchange.deps import SessionDep
from exchange.errors import PROBLEM_JSON
from exchange.profiles import heatmap, transfer
from exchange.profiles import matrix as matrix_service
from exchange.profiles.deps import (
    BusinessManager,
    BusinessMember,
    VisibleBusiness,
    find_visible_business,
)
from exchange.profiles.models import Business, CellIn, CellPublic

router = APIRouter(prefix="/api/v1", tags=["matrix"])

# The error answers each route documents: RFC 9457 problem documents, as the handler sends them.
_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}
_REASONS = {
    400: "The body is not valid JSON.",
    401: "No valid personal token.",
    403: "You may see the business but not do this (e.g. an intern writing the matrix).",
    404: "No such business visible to you.",
    422: "Invalid input; `errors` names each field (`cells[3].level`, `line 7: level`).",
}


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"description": _REASONS[code],
                   "content": {PROBLEM_JSON: {"schema": _PROBLEM_SCHEMA}}} for code in codes}


_READ = _problems(401, 404, 422)
_MEMBER = _problems(401, 403, 404, 422)
_WRITE = _problems(400, 401, 403, 404, 422)


def get_other_visible_business(other_slug: str, session: SessionDep, user: CurrentUser) -> Business:
    """The second business of a comparison: any business the caller can see (else 404)."""
    return find_visible_business(session, user, other_slug)


OtherVisibleBusiness = Annotated[Business, Depends(get_other_visible_business)]


# -- schemas ---------------------------------------------------------------------------------


class MatrixIn(SQLModel):
    cells: list[CellIn] = Field(
        max_length=transfer.MAX_ROWS,
        description="One object per process; `process` is the `department.process` key.",
    )


class MatrixPublic(SQLModel):
    business: str = Field(description="The business's slug")
    cells: list[CellPublic]


class MatrixSaved(MatrixPublic):
    changed: int = Field(description="How many cells were added, changed or cleared")


class ImportReport(SQLModel):
    dry_run: bool
    mode: Literal["replace", "merge"]
    rows: int = Field(description="Rows (CSV) or cells (JSON) read from the body")
    changed: int = Field(description="Cells added, changed or cleared (or that would be)")
    detail: str


class CompareSide(SQLModel):
    level: int
    offer: bool
    need: int
    target_level: int | None
    evidence: str | None
    recorded: bool = Field(description="False when the business has no cell for the process")


class CompareRowPublic(SQLModel):
    department: str
    process: str
    process_name: str
    you: CompareSide
    them: CompareSide
    they_can_teach_you: bool
    you_can_teach_them: bool


class ComparisonPublic(SQLModel):
    business: str
    other: str
    they_can_teach_you: list[str] = PydanticField(
        description="Process keys where they host, you need it and they are ahead")
    you_can_teach_them: list[str]
    rows: list[CompareRowPublic]


def _matrix(session: SessionDep, business: Business, changed: int | None = None) -> Any:
    cells = matrix_service.public_cells(session, business)
    if changed is None:
        return MatrixPublic(business=business.slug, cells=cells)
    return MatrixSaved(business=business.slug, cells=cells, changed=changed)


def _side(cell: heatmap.CellView) -> CompareSide:
    return CompareSide(level=cell.level, offer=cell.offer, need=cell.need,
                       target_level=cell.target_level, evidence=cell.evidence,
                       recorded=cell.recorded)


# -- routes ----------------------------------------------------------------------------------


@router.get("/businesses/{slug}/matrix", response_model=MatrixPublic,
            summary="Read a business's matrix", responses=_READ)
def read_matrix(business: VisibleBusiness, session: SessionDep) -> Any:
    """Every cell the business has recorded, in taxonomy order, including cells of retired
    processes (flagged `retired`). Anyone who can see the business may read it."""
    return _matrix(session, business)


@router.put("/businesses/{slug}/matrix", response_model=MatrixSaved,
            summary="Replace the whole matrix", responses=_WRITE)
def replace_matrix(data: MatrixIn, membership: BusinessManager, session: SessionDep) -> Any:
    """The matrix becomes exactly these cells: processes left out are cleared. Every cell is
    checked first; one bad cell rejects the request (422, `errors[].field` like
    `cells[3].target_level`) and nothing changes."""
    changed = matrix_service.replace_matrix(
        session, membership.business, [c.model_dump() for c in data.cells])
    return _matrix(session, membership.business, changed)


@router.patch("/businesses/{slug}/matrix", response_model=MatrixSaved,
              summary="Add or change some cells", responses=_WRITE)
def patch_matrix(data: MatrixIn, membership: BusinessManager, session: SessionDep) -> Any:
    """Only the given cells change; a cell with everything at zero/blank clears it."""
    changed = matrix_service.patch_cells(
        session, membership.business, [c.model_dump() for c in data.cells])
    return _matrix(session, membership.business, changed)


@router.get(
    "/businesses/{slug}/matrix/export",
    summary="Export the matrix as CSV or JSON",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}},
                                 "application/json": {}},
                     "description": "The matrix file"}, **_MEMBER},
)
def export_matrix(
    membership: BusinessMember, session: SessionDep,
    format: Annotated[Literal["csv", "json"], Query(description="File format")] = "csv",
    every_process: Annotated[bool, Query(
        description="Add a blank row for each process not filled in (a template)")] = False,
) -> Response:
    """The file `POST …/matrix/import` reads back unchanged. CSV columns:
    `process,level,offer,need,target_level,evidence`; JSON: `{"format", "business", "name",
    "cells": [...]}`. Members only."""
    business = membership.business
    cells = transfer.export_cells(session, business, every_process=every_process)
    disposition = f'attachment; filename="{business.slug}-matrix.{format}"'
    if format == "json":
        return JSONResponse(transfer.matrix_to_json(business, cells),
                            headers={"Content-Disposition": disposition})
    return Response(transfer.matrix_to_csv(cells), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition})


async def _raw_body(request: Request) -> bytes:
    return await request.body()


_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}, "example": (
                "process,level,offer,need,target_level,evidence\r\n"
                "marketing.content_marketing,1,no,3,4,\r\n")},
            "application/json": {"schema": {"$ref": "#/components/schemas/MatrixIn"}},
        },
    }
}


@router.post(
    "/businesses/{slug}/matrix/import",
    response_model=ImportReport,
    summary="Import a matrix file (CSV or JSON)",
    openapi_extra=_IMPORT_BODY,
    responses=_MEMBER,
)
def import_matrix(
    membership: BusinessManager,
    session: SessionDep,
    request: Request,
    body: Annotated[bytes, Depends(_raw_body)],
    dry_run: Annotated[bool, Query(description="Only check the file and count changes")] = False,
    mode: Annotated[Literal["replace", "merge"], Query(
        description="replace: processes not in the file are cleared; merge: they are kept"
    )] = "replace",
) -> Any:
    """The body is a CSV (`Content-Type: text/csv`, header row
    `process,level,offer,need,target_level,evidence`) or JSON `{"cells": [...]}`. The whole file
    is checked first; every bad row is reported (`errors[].field` like `line 7: level` for CSV,
    `cells[3].level` for JSON) and nothing is applied unless every row is valid."""
    rows = transfer.read_matrix_file(body, content_type=request.headers.get("content-type"))
    result = transfer.import_matrix(session, membership.business, rows,
                                    merge=mode == "merge", dry_run=dry_run)
    return ImportReport(dry_run=dry_run, mode=mode, rows=result.rows, changed=result.changed,
                        detail=result.message())


@router.get("/businesses/{slug}/compare/{other_slug}", response_model=ComparisonPublic,
            summary="Compare your business's matrix with another's", responses=_MEMBER)
def compare_matrices(
    membership: BusinessMember, other: OtherVisibleBusiness, session: SessionDep
) -> Any:
    """Side by side, one row per process where either has a cell. `you` is `{slug}` (you must
    be a member), `them` is `{other_slug}` (any business you can see)."""
    comparison = heatmap.compare(
        matrix_service.grid(session, membership.business), matrix_service.grid(session, other),
        you_name=membership.business.name, them_name=other.name)
    return ComparisonPublic(
        business=membership.business.slug,
        other=other.slug,
        they_can_teach_you=[r.process_key for r in comparison.they_teach],
        you_can_teach_them=[r.process_key for r in comparison.you_teach],
        rows=[CompareRowPublic(
            department=r.department_key, process=r.process_key, process_name=r.process_name,
            you=_side(r.you), them=_side(r.them), they_can_teach_you=r.they_can_teach_you,
            you_can_teach_them=r.you_can_teach_them,
        ) for r in comparison.rows],
    )
