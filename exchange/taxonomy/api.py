"""/api/v1 reference data: ISIC Rev. 4 industries and our process taxonomy.

Reading is public (no token): industry codes and the process vocabulary are what partner networks
map their own data onto. Changing the taxonomy is for platform admins only; anyone else gets 404,
as if the route did not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.json_schema import SkipJsonSchema
from sqlmodel import Field, Session, SQLModel

from exchange.accounts.deps import PlatformAdmin
from exchange.deps import SessionDep
from exchange.fields import Count, Line
from exchange.openapi import Problem
from exchange.profiles.matrix import LEVEL_NAMES, NEED_NAMES
from exchange.taxonomy import service
from exchange.taxonomy.models import Department, IndustryPublic, Process

router = APIRouter(prefix="/api/v1", tags=["taxonomy"])

MAX_OFFSET = 100_000  # far beyond the taxonomy; an offset the database can hold

# -- schemas ----------------------------------------------------------------------------------


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        404: "Not found (unknown code or key; admin routes answer 404 to everyone else)",
        401: "The token is invalid, expired or revoked",
        422: "Invalid input; `errors` names each field and the reason",
    }
    return {
        code: {"model": Problem, "description": described[code],
               "content": {"application/problem+json": {}}}
        for code in codes
    }


class IndustryList(SQLModel):
    items: list[IndustryPublic]
    total: int = Field(description="How many nodes match in all")
    next: str | None = Field(description="The next page, or null on the last one")


class IndustryDetail(IndustryPublic):
    path: list[IndustryPublic] = Field(description="From the section down to this node")
    children: list[IndustryPublic] = Field(description="The nodes one level below")


class ProcessPublic(SQLModel):
    key: str = Field(description="Stable `department.process` key, e.g. marketing.seo")
    department: str
    name: str
    description: str
    complexity: int = Field(ge=1, le=3)
    position: int
    version: int = Field(description="Goes up by one with every change of wording")
    retired: bool
    retired_at: datetime | None
    created_at: datetime
    updated_at: datetime


class DepartmentPublic(SQLModel):
    key: str
    name: str
    description: str
    position: int


class DepartmentWithProcesses(DepartmentPublic):
    processes: list[ProcessPublic]


class ScaleStep(SQLModel):
    value: int
    name: str
    description: str | None = None


class TaxonomyPublic(SQLModel):
    departments: list[DepartmentWithProcesses]
    levels: list[ScaleStep] = Field(description="Matrix cell `level` 0–5")
    needs: list[ScaleStep] = Field(description="Matrix cell `need` 0–3")
    complexities: list[ScaleStep] = Field(description="Process `complexity` 1–3")


class ProcessList(SQLModel):
    items: list[ProcessPublic]
    total: int
    next: str | None


class ProcessCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department: Line = Field(max_length=40, description="Department key, e.g. marketing")
    key: Line = Field(max_length=50, description="snake_case, unique in the department; the "
                      "full key becomes `department.key` and never changes")
    name: Line = Field(max_length=100)
    description: Line = Field(max_length=300, description="One sentence")
    complexity: Count = Field(ge=1, le=3)


class ProcessUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line | None = Field(default=None, max_length=100)
    description: Line | None = Field(default=None, max_length=300)
    complexity: Count | None = Field(default=None, ge=1, le=3)
    # Not part of the documented body: there only to answer a clear message to a client that
    # tries to rename a key, instead of "extra inputs are not permitted".
    key: SkipJsonSchema[Any] = Field(default=None, exclude=True)
    department: SkipJsonSchema[Any] = Field(default=None, exclude=True)

    @field_validator("key", "department")
    @classmethod
    def _stable(cls, value: Any) -> None:
        if value is not None:
            raise ValueError("never changes: retire this process and add a new one instead")
        return None


class DepartmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Line = Field(max_length=40, description="snake_case; prefixes its processes' keys")
    name: Line = Field(max_length=80)
    description: Line = Field(max_length=300, description="One sentence")


class DepartmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line | None = Field(default=None, max_length=80)
    description: Line | None = Field(default=None, max_length=300)


def _industry(node: service.IndustryNode) -> IndustryPublic:
    return IndustryPublic(code=node.code, level=node.level, title=node.title,
                          parent_code=node.parent_code, section=node.section)


def _process(process: Process, department_key: str) -> ProcessPublic:
    return ProcessPublic(
        key=process.key, department=department_key, name=process.name,
        description=process.description, complexity=process.complexity,
        position=process.position, version=process.version,
        retired=process.retired_at is not None, retired_at=process.retired_at,
        created_at=process.created_at, updated_at=process.updated_at,
    )


def _process_of(session: Session, process: Process) -> ProcessPublic:
    return _process(process, service.department_of(session, process).key)


def _department(department: Department) -> DepartmentPublic:
    return DepartmentPublic(key=department.key, name=department.name,
                            description=department.description, position=department.position)


def _next(request: Request, total: int, offset: int, limit: int) -> str | None:
    if offset + limit >= total:
        return None
    return str(request.url.include_query_params(offset=offset + limit, limit=limit))


# -- industries -------------------------------------------------------------------------------


@router.get(
    "/industries", response_model=IndustryList, summary="Search or list ISIC Rev. 4 industries",
    responses=_problems(422),
)
def list_industries(
    request: Request,
    session: SessionDep,
    q: Annotated[Line, Query(max_length=service.QUERY_MAX_LENGTH,
                            description="Words of the title or a code (prefix): `design`, "
                            "`7410`, `74`, `M`. Empty lists the whole level.")] = "",
    level: Annotated[Literal["section", "division", "group", "class", "any"],
                     Query(description="Which level of the tree to return")] = "class",
    limit: Annotated[int, Query(ge=1, le=service.SEARCH_MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> IndustryList:
    """Public reference data, no token needed. Results are ranked: exact code, code prefix,
    title words ("design" → 7410 Specialized design activities), everyday words the UN titles
    lack ("logistics", "staffing"), word stems, then fragments; the order is stable."""
    page = service.find_industries(session, q, level=level, limit=limit, offset=offset)
    return IndustryList(items=[_industry(n) for n in page.items], total=page.total,
                        next=_next(request, page.total, offset, limit))


@router.get(
    "/industries/{code}", response_model=IndustryDetail,
    summary="One ISIC Rev. 4 node with its path and children", responses=_problems(404),
)
def read_industry(code: str, session: SessionDep) -> IndustryDetail:
    """`code` is a section letter, a 2-digit division, 3-digit group or 4-digit class."""
    node = service.get_industry(session, code)
    return IndustryDetail(
        **_industry(node).model_dump(),
        path=[_industry(n) for n in service.industry_path(session, node.code)],
        children=[_industry(n) for n in service.industry_children(session, node.code)],
    )


# -- the process taxonomy: reading ------------------------------------------------------------


@router.get("/taxonomy", response_model=TaxonomyPublic,
            summary="The whole process taxonomy with the matrix scales")
def read_taxonomy(
    session: SessionDep,
    include_retired: Annotated[bool, Query(description="Also list retired processes")] = False,
) -> TaxonomyPublic:
    """Departments in order, each with its processes, plus what matrix levels, needs and
    process complexities mean. Public: it is the vocabulary integrators map their data onto."""
    departments = [
        DepartmentWithProcesses(**_department(group.department).model_dump(),
                                processes=[_process(p, group.department.key)
                                           for p in group.processes])
        for group in service.departments_with_processes(session, include_retired=include_retired)
    ]
    return TaxonomyPublic(
        departments=departments,
        levels=[ScaleStep(value=v, name=n, description=service.LEVEL_DESCRIPTIONS[v])
                for v, n in LEVEL_NAMES.items()],
        needs=[ScaleStep(value=v, name=n) for v, n in NEED_NAMES.items()],
        complexities=[ScaleStep(value=v, name=n) for v, n in service.COMPLEXITY_NAMES.items()],
    )


@router.get("/taxonomy/processes", response_model=ProcessList, summary="List processes",
            responses=_problems(422))
def list_processes(
    request: Request,
    session: SessionDep,
    department: Annotated[Line | None, Query(max_length=40,
                                            description="Only this department's")] = None,
    include_retired: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ProcessList:
    """Processes in taxonomy order (department, then position), paginated."""
    processes, total = service.list_processes(
        session, department=department, include_retired=include_retired, limit=limit,
        offset=offset)
    keys = service.department_keys(session)
    return ProcessList(items=[_process(p, keys[p.department_id]) for p in processes],
                       total=total, next=_next(request, total, offset, limit))


@router.get("/taxonomy/processes/{key}", response_model=ProcessPublic,
            summary="One process, retired or not", responses=_problems(404))
def read_process(key: str, session: SessionDep) -> ProcessPublic:
    """Retired processes stay readable here, so old matrices can always be explained."""
    return _process_of(session, service.get_process(session, key))


# -- the process taxonomy: admins -------------------------------------------------------------


ADMIN_PROBLEMS = _problems(401, 404, 422)


@router.post("/taxonomy/processes", response_model=ProcessPublic,
             status_code=status.HTTP_201_CREATED, summary="Add a process (platform admins)",
             responses=ADMIN_PROBLEMS)
def create_process(data: ProcessCreate, admin: PlatformAdmin, session: SessionDep
                   ) -> ProcessPublic:
    """The key becomes `department.key`, unique forever (retired keys are not reused)."""
    process = service.create_process(session, **data.model_dump())
    return _process_of(session, process)


@router.patch("/taxonomy/processes/{key}", response_model=ProcessPublic,
              summary="Edit a process's wording or complexity (platform admins)",
              responses=ADMIN_PROBLEMS)
def update_process(key: str, data: ProcessUpdate, admin: PlatformAdmin, session: SessionDep
                   ) -> ProcessPublic:
    """The key never changes. `version` goes up when something actually changed."""
    process = service.update_process(session, key, **data.model_dump(exclude_none=True))
    return _process_of(session, process)


@router.post("/taxonomy/processes/{key}/retire", response_model=ProcessPublic,
             summary="Retire a process (platform admins)", responses=ADMIN_PROBLEMS)
def retire_process(key: str, admin: PlatformAdmin, session: SessionDep) -> ProcessPublic:
    """No longer offered for new matrix cells; existing cells stay. Nothing is deleted."""
    return _process_of(session, service.retire_process(session, key))


@router.post("/taxonomy/processes/{key}/restore", response_model=ProcessPublic,
             summary="Offer a retired process again (platform admins)", responses=ADMIN_PROBLEMS)
def restore_process(key: str, admin: PlatformAdmin, session: SessionDep) -> ProcessPublic:
    return _process_of(session, service.restore_process(session, key))


@router.post("/taxonomy/departments", response_model=DepartmentPublic,
             status_code=status.HTTP_201_CREATED, summary="Add a department (platform admins)",
             responses=ADMIN_PROBLEMS)
def create_department(data: DepartmentCreate, admin: PlatformAdmin, session: SessionDep
                      ) -> DepartmentPublic:
    return _department(service.create_department(session, **data.model_dump()))


@router.patch("/taxonomy/departments/{department_key}", response_model=DepartmentPublic,
              summary="Rename or re-describe a department (platform admins)",
              responses=ADMIN_PROBLEMS)
def update_department(department_key: str, data: DepartmentUpdate, admin: PlatformAdmin,
                      session: SessionDep) -> DepartmentPublic:
    """The key stays: it is the prefix of every process key of the department."""
    return _department(service.update_department(
        session, department_key, **data.model_dump(exclude_none=True)))
