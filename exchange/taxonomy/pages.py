"""Reference-data pages: the ISIC browser (/industries), the process vocabulary (/taxonomy) —
both public — and the platform admins' taxonomy management (/admin/taxonomy)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from exchange.accounts.deps import OptionalUser, PlatformAdmin
from exchange.deps import SessionDep
from exchange.errors import ValidationFailed
from exchange.profiles.matrix import LEVEL_NAMES, NEED_NAMES
from exchange.taxonomy import service
from exchange.web.csrf import verify_csrf
from exchange.web.render import redirect, render

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

FormStr = Annotated[str, Form()]
INDUSTRY_PAGE_SIZE = 50
LEVEL_CHOICES = (("class", "Classes (4 digits)"), ("group", "Groups (3 digits)"),
                 ("division", "Divisions (2 digits)"), ("section", "Sections (A–U)"),
                 ("any", "Any level"))


def _scales() -> dict[str, Any]:
    return {"level_names": LEVEL_NAMES, "level_descriptions": service.LEVEL_DESCRIPTIONS,
            "need_names": NEED_NAMES, "complexity_names": service.COMPLEXITY_NAMES}


def _complexity(raw: str) -> int | str:
    """Form text → int when it is one; anything else goes to the service, which says why."""
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 3 else raw


def _anchor(key: str) -> str:
    return "p-" + key.replace(".", "-")


# -- ISIC Rev. 4, public ----------------------------------------------------------------------


@router.get("/industries")
def industries(request: Request, session: SessionDep, user: OptionalUser, q: str = "",
               level: str = "class", offset: int = 0) -> Response:
    """Search (or, without a query, browse from the 21 sections)."""
    if level not in dict(LEVEL_CHOICES):
        level = "class"
    context: dict[str, Any] = {"q": q[:200], "level": level, "levels": LEVEL_CHOICES,
                               "sections": service.industry_children(session, None),
                               "page": None}
    try:
        query = service.check_query(q)
        if query:
            context["page"] = service.find_industries(
                session, query, level=level, limit=INDUSTRY_PAGE_SIZE,
                offset=min(max(offset, 0), 1000))
    except ValidationFailed as exc:
        return render(request, "taxonomy/industries.html", context, status_code=422,
                      errors=exc.by_field())
    if context["page"] is not None:
        tree = service.industry_tree(session)
        context["paths"] = {n.code: tree.path(n.code)[:-1] for n in context["page"].items}
    return render(request, "taxonomy/industries.html", context)


@router.get("/industries/{code}")
def industry(request: Request, code: str, session: SessionDep, user: OptionalUser) -> Response:
    node = service.get_industry(session, code)
    return render(request, "taxonomy/industry.html", {
        "node": node, "path": service.industry_path(session, node.code)[:-1],
        "children": service.industry_children(session, node.code),
    })


# -- the process vocabulary, public -----------------------------------------------------------


@router.get("/taxonomy")
def taxonomy(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    """Every department and process we rate, and what the matrix levels mean."""
    groups = service.departments_with_processes(session)
    return render(request, "taxonomy/taxonomy.html", {
        "groups": groups, "process_count": sum(len(g.processes) for g in groups), **_scales(),
    })


# -- admins: the taxonomy ---------------------------------------------------------------------


@router.get("/admin/taxonomy")
def admin_taxonomy(request: Request, session: SessionDep, admin: PlatformAdmin) -> Response:
    groups = service.departments_with_processes(session, include_retired=True)
    return render(request, "taxonomy/admin.html", {
        "groups": groups, "complexity_names": service.COMPLEXITY_NAMES, "anchor": _anchor,
        "active": sum(1 for g in groups for p in g.processes if p.retired_at is None),
        "retired": sum(1 for g in groups for p in g.processes if p.retired_at is not None),
    })


def _process_form(request: Request, session: SessionDep, *, process: Any = None,
                  form: dict[str, Any], errors: dict[str, str] | None = None,
                  status_code: int = 200) -> Response:
    context = {"process": process, "complexity_names": service.COMPLEXITY_NAMES,
               "departments": [g.department for g in service.departments_with_processes(session)],
               "department": service.department_of(session, process) if process else None,
               "description_max": service.DESCRIPTION_MAX}
    return render(request, "taxonomy/process_form.html", context, status_code=status_code,
                  errors=errors, form=form)


@router.get("/admin/taxonomy/processes/new")
def new_process_form(request: Request, session: SessionDep, admin: PlatformAdmin,
                     department: str = "") -> Response:
    return _process_form(request, session, form={"department": department[:40]})


@router.post("/admin/taxonomy/processes/new")
def create_process(
    request: Request, session: SessionDep, admin: PlatformAdmin,
    department: FormStr = "", key: FormStr = "", name: FormStr = "", description: FormStr = "",
    complexity: FormStr = "",
) -> Response:
    form = {"department": department, "key": key, "name": name, "description": description,
            "complexity": complexity}
    try:
        process = service.create_process(
            session, department=department, key=key, name=name, description=description,
            complexity=_complexity(complexity))
    except ValidationFailed as exc:
        session.rollback()
        return _process_form(request, session, form=form, errors=exc.by_field(),
                             status_code=422)
    return redirect(request, f"/admin/taxonomy#{_anchor(process.key)}",
                    f"“{process.name}” ({process.key}) is added. Owners can rate it from now on.")


@router.get("/admin/taxonomy/processes/{key}/edit")
def edit_process_form(request: Request, key: str, session: SessionDep,
                      admin: PlatformAdmin) -> Response:
    process = service.get_process(session, key)
    return _process_form(request, session, process=process, form={
        "name": process.name, "description": process.description,
        "complexity": str(process.complexity)})


@router.post("/admin/taxonomy/processes/{key}/edit")
def edit_process(
    request: Request, key: str, session: SessionDep, admin: PlatformAdmin,
    name: FormStr = "", description: FormStr = "", complexity: FormStr = "",
) -> Response:
    process = service.get_process(session, key)
    before = process.version
    try:
        process = service.update_process(session, key, name=name, description=description,
                                         complexity=_complexity(complexity))
    except ValidationFailed as exc:
        session.rollback()
        return _process_form(request, session, process=service.get_process(session, key),
                             form={"name": name, "description": description,
                                   "complexity": complexity},
                             errors=exc.by_field(), status_code=422)
    message = (f"“{process.name}” is saved as version {process.version}."
               if process.version != before else "Nothing changed.")
    return redirect(request, f"/admin/taxonomy#{_anchor(process.key)}", message)


@router.post("/admin/taxonomy/processes/{key}/retire")
def retire_process(request: Request, key: str, session: SessionDep,
                   admin: PlatformAdmin) -> Response:
    process = service.retire_process(session, key)
    return redirect(request, f"/admin/taxonomy#{_anchor(process.key)}",
                    f"“{process.name}” is retired: it is no longer offered for new matrix cells. "
                    "Businesses that rated it keep their answers.")


@router.post("/admin/taxonomy/processes/{key}/restore")
def restore_process(request: Request, key: str, session: SessionDep,
                    admin: PlatformAdmin) -> Response:
    process = service.restore_process(session, key)
    return redirect(request, f"/admin/taxonomy#{_anchor(process.key)}",
                    f"“{process.name}” is offered again.")


def _department_form(request: Request, *, department: Any = None, form: dict[str, Any],
                     errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "taxonomy/department_form.html",
                  {"department": department, "description_max": service.DESCRIPTION_MAX},
                  status_code=status_code, errors=errors, form=form)


@router.get("/admin/taxonomy/departments/new")
def new_department_form(request: Request, admin: PlatformAdmin) -> Response:
    return _department_form(request, form={})


@router.post("/admin/taxonomy/departments/new")
def create_department(
    request: Request, session: SessionDep, admin: PlatformAdmin,
    key: FormStr = "", name: FormStr = "", description: FormStr = "",
) -> Response:
    try:
        department = service.create_department(session, key=key, name=name,
                                               description=description)
    except ValidationFailed as exc:
        session.rollback()
        return _department_form(request, form={"key": key, "name": name,
                                               "description": description},
                                errors=exc.by_field(), status_code=422)
    return redirect(request, f"/admin/taxonomy/processes/new?department={department.key}",
                    f"The {department.name} department is added. Now add its processes.")


@router.get("/admin/taxonomy/departments/{department_key}/edit")
def edit_department_form(request: Request, department_key: str, session: SessionDep,
                         admin: PlatformAdmin) -> Response:
    department = service.get_department(session, department_key)
    return _department_form(request, department=department, form={
        "name": department.name, "description": department.description})


@router.post("/admin/taxonomy/departments/{department_key}/edit")
def edit_department(
    request: Request, department_key: str, session: SessionDep, admin: PlatformAdmin,
    name: FormStr = "", description: FormStr = "",
) -> Response:
    department = service.get_department(session, department_key)
    try:
        service.update_department(session, department_key, name=name, description=description)
    except ValidationFailed as exc:
        session.rollback()
        return _department_form(request, department=service.get_department(
            session, department_key), form={"name": name, "description": description},
            errors=exc.by_field(), status_code=422)
    return redirect(request, f"/admin/taxonomy#d-{department.key}",
                    f"The {department.name} department is saved.")
