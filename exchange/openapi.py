"""The served OpenAPI document tells the truth about errors, in one place for every router.

FastAPI documents a `422 application/json HTTPValidationError` and nothing else, while every
`/api/` error is answered by exchange/errors.py as RFC 9457 `application/problem+json`. So
`install_openapi` replaces `app.openapi` with a builder that post-processes FastAPI's document.
It runs lazily, on the first request for the schema, so routers included after `create_app`
(or by a later issue) are covered without doing anything.

For every `/api/` operation it documents as `application/problem+json` with the `Problem` schema:

- every 4xx the route declares itself (`responses={409: {...}}`), its content replaced;
- 401 (with `WWW-Authenticate`) when the route reads a bearer token: a bad token is refused even
  where a token is optional;
- 404 when the path has parameters (unknown or not visible to the caller: the same answer);
  integer path parameters (row ids) get the range `integer_path_params_in_range` enforces,
  text path parameters the length and text rule `plain_text_params` enforces;
- 422 when the operation takes any input (parameters or a body), replacing FastAPI's
  `HTTPValidationError`, and 400 when it takes a body (FastAPI's answer to undecodable bytes);
- every status of an `ExchangeError` subclass that the endpoint, its dependencies, or the
  `exchange.*` functions they call (followed a few calls deep, by name) refer to — so a
  dependency that raises `PermissionDenied` documents 403 on every route that uses it, and a
  service raising `Conflict` documents 409 on the routes calling it. This reads references, not
  control flow: a class that is only caught would be documented too, which errs on the side of
  saying a status may happen.

Security: operations that require a signed-in caller keep `security: [{PersonalToken: []}]`;
those where a token is optional say so with an empty alternative (`[{}, {PersonalToken: []}]`).
"""

from __future__ import annotations

import dis
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FunctionType, ModuleType
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.security.base import SecurityBase
from sqlmodel import SQLModel

from exchange.deps import ID_MAX, ID_MIN, PATH_TEXT_MAX
from exchange.errors import PROBLEM_JSON, ExchangeError
from exchange.fields import PATH_TEXT_PATTERN

API_PREFIX = "/api/"
PROBLEM_REF = "#/components/schemas/Problem"
# How many calls deep the references of an endpoint are followed to find what it may raise.
_SEARCH_DEPTH = 4

DESCRIPTIONS: dict[int, str] = {
    400: "The body could not be read at all (not UTF-8, or not the declared content type)",
    401: "No valid token: it is missing, invalid, expired or revoked",
    403: "You can see this resource, but your role does not allow this action",
    404: "Not found, or not visible to you: private things answer 404 as if they did not exist",
    409: "The request conflicts with the current state of the resource",
    410: "Gone: it existed but can no longer be used",
    422: "Invalid input; `errors` names each field and the reason",
    429: "Too many requests; try again after `Retry-After` seconds",
}

_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Always `Bearer`", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}},
}


class ProblemFieldError(SQLModel):
    field: str
    message: str


class Problem(SQLModel):
    """RFC 9457 problem details, as every error of this API is answered."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemFieldError] | None = None


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that answers a status the rules above cannot see."""
    return {
        code: {"model": Problem, "description": DESCRIPTIONS.get(code, "Error"),
               "content": {PROBLEM_JSON: {}}}
        for code in codes
    }


def install_openapi(app: FastAPI) -> None:
    """Post-process the document FastAPI builds. FastAPI rebuilds it when routes are added after
    it was first served; each new build is post-processed once."""
    build = app.openapi
    processed: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        document = build()
        if not any(document is done for done in processed):
            document_problems(app, document)
            processed[:] = [document]
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def document_problems(app: FastAPI, document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _model_schemas(Problem).items():
        schemas.setdefault(name, schema)

    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        if not (route.path_format or "").startswith(API_PREFIX):
            continue
        item = document.get("paths", {}).get(route.path_format, {})
        for method in route.methods or ():
            operation = item.get(method.lower())
            if operation is not None:
                _document_operation(route, operation)

    _drop_unreferenced(document, ("HTTPValidationError", "ValidationError"))
    _json_bounds(document.get("components", {}).get("schemas", {}))
    document_links(document)


_JSON_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum",
                "lt": "exclusiveMaximum"}


def _json_bounds(node: Any) -> None:
    """pydantic writes a field's own bounds on an optional strict number (`Count | None =
    Field(ge=1, le=3650)`, exchange/fields.py) under their Python names, where JSON Schema
    readers ignore them; they are the field's real bounds, so they become `minimum`/`maximum`."""
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number"):
            for python_name, json_name in _JSON_BOUNDS.items():
                if python_name in node:
                    node[json_name] = node.pop(python_name)
        for value in node.values():
            _json_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _json_bounds(value)


def _model_schemas(model: type[SQLModel]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    return {model.__name__: schema, **definitions}


def _document_operation(route: RouteContext, operation: dict[str, Any]) -> None:
    calls = list(_calls(route.dependant))
    reads_token = any(isinstance(call, SecurityBase) for call in calls)
    responses: dict[str, Any] = operation.setdefault("responses", {})

    codes = {int(code) for code in responses if code.isdigit() and 400 <= int(code) < 500}
    if reads_token:
        codes.add(401)
    if route.dependant.path_params:
        codes.add(404)
    if operation.get("parameters") or operation.get("requestBody"):
        codes.add(422)
    if operation.get("requestBody"):
        codes.add(400)  # FastAPI's answer to a body it cannot even decode
    codes |= _raised_statuses([route.endpoint, *calls])
    _document_id_ranges(operation)

    for code in sorted(codes):
        declared = responses.get(str(code), {})
        description = declared.get("description")
        if not description or description == "Validation Error":
            description = DESCRIPTIONS.get(code, "Error")
        documented: dict[str, Any] = {
            "description": description,
            "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
        }
        if code in _HEADERS:
            documented["headers"] = _HEADERS[code]
        responses[str(code)] = documented
    operation["responses"] = dict(sorted(responses.items()))

    if reads_token and not _requires_user(calls):
        requirements = operation.get("security", [])
        if {} not in requirements:
            operation["security"] = [{}, *requirements]


def _document_id_ranges(operation: dict[str, Any]) -> None:
    """Integer path parameters are row ids; `integer_path_params_in_range` enforces the range.
    Text path parameters name things; `plain_text_params` enforces their length and rule."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") == "path" and schema.get("type") == "integer":
            schema.setdefault("minimum", ID_MIN)
            schema.setdefault("maximum", ID_MAX)
        elif parameter.get("in") == "path" and schema.get("type") == "string":
            schema.setdefault("maxLength", PATH_TEXT_MAX)
            schema.setdefault("pattern", PATH_TEXT_PATTERN)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _requires_user(calls: list[Any]) -> bool:
    from exchange.accounts.deps import get_current_user

    return get_current_user in calls


def _raised_statuses(roots: list[Any]) -> set[int]:
    """Statuses of the `ExchangeError` classes the roots refer to, following the `exchange.*`
    functions they call by name (`helper(...)`, `service.helper(...)`) a few calls deep."""
    statuses: set[int] = set()
    seen: set[int] = set()
    frontier = [fn for fn in (_function_of(root) for root in roots) if fn is not None]
    for _ in range(_SEARCH_DEPTH):
        following: list[FunctionType] = []
        for fn in frontier:
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            for target in _referenced(fn):
                if isinstance(target, type) and issubclass(target, ExchangeError):
                    statuses.add(target.status_code)
                elif isinstance(target, FunctionType) and _ours(target):
                    following.append(target)
        frontier = following
    return {status for status in statuses if 400 <= status < 500}


def _function_of(call: Any) -> FunctionType | None:
    if isinstance(call, FunctionType):
        return call
    method = type(call).__dict__.get("__call__")  # a callable instance used as a dependency
    return method if isinstance(method, FunctionType) and _ours(method) else None


def _ours(fn: Callable[..., Any]) -> bool:
    return (getattr(fn, "__module__", None) or "").startswith("exchange.")


def _referenced(fn: FunctionType) -> Iterator[Any]:
    """The globals, and attributes of global `exchange.*` modules (`service.helper`), that the
    function's code names, including the code of functions and lambdas defined inside it."""
    namespace = fn.__globals__
    for code in _code_objects(fn.__code__):
        module: ModuleType | None = None
        for instruction in dis.get_instructions(code):
            if instruction.opname in {"LOAD_GLOBAL", "LOAD_NAME"}:
                target = namespace.get(instruction.argval)
                if isinstance(target, ModuleType):
                    module = target if (target.__name__ or "").startswith("exchange.") else None
                    continue
                if target is not None:
                    yield target
            elif instruction.opname in {"LOAD_ATTR", "LOAD_METHOD"} and module is not None:
                target = module.__dict__.get(instruction.argval)
                if target is not None:
                    yield target
            module = None
    for cell in fn.__closure__ or ():
        try:
            yield cell.cell_contents
        except ValueError:  # an empty cell
            continue


def _code_objects(code: Any) -> Iterator[Any]:
    yield code
    for constant in code.co_consts:
        if inspect.iscode(constant):
            yield from _code_objects(constant)


def _drop_unreferenced(document: dict[str, Any], names: tuple[str, ...]) -> None:
    schemas = document.get("components", {}).get("schemas", {})
    text = repr(document.get("paths", {}))
    for name in names:
        if f"#/components/schemas/{name}'" not in text:
            schemas.pop(name, None)
    # ValidationError is only referenced from HTTPValidationError.
    if "HTTPValidationError" not in schemas:
        schemas.pop("ValidationError", None)


# -- links: where what a POST created can be read and changed ----------------------------------


@dataclass(frozen=True)
class CreatedAt:
    """`POST creator` answers 201 with `field`; every operation under `target` takes it as its
    path parameter `parameter`. Its other path parameters come from the creating request."""

    creator: str
    field: str
    target: str
    parameter: str


CREATED = (
    CreatedAt("/api/v1/businesses", "slug", "/api/v1/businesses/{slug}", "slug"),
    CreatedAt("/api/v1/businesses/{slug}/internships", "id",
              "/api/v1/internships/{internship_id}", "internship_id"),
    CreatedAt("/api/v1/businesses/{slug}/invitations", "id",
              "/api/v1/businesses/{slug}/invitations/{invitation_id}", "invitation_id"),
    CreatedAt("/api/v1/internships/{internship_id}/tasks", "id",
              "/api/v1/internships/{internship_id}/tasks/{task_id}", "task_id"),
    CreatedAt("/api/v1/me/tokens", "id", "/api/v1/me/tokens/{token_id}", "token_id"),
    CreatedAt("/api/v1/networks/{network_slug}/webhooks", "id",
              "/api/v1/networks/{network_slug}/webhooks/{endpoint_id}", "endpoint_id"),
    CreatedAt("/api/v1/networks/{network_slug}/rounds", "id",
              "/api/v1/networks/{network_slug}/rounds/{round_id}", "round_id"),
    CreatedAt("/api/v1/networks/{network_slug}/rounds", "id", "/api/v1/rounds/{round_id}",
              "round_id"),
    CreatedAt("/api/v1/taxonomy/processes", "key", "/api/v1/taxonomy/processes/{key}", "key"),
    CreatedAt("/api/v1/taxonomy/departments", "key",
              "/api/v1/taxonomy/departments/{department_key}", "department_key"),
)
_PATH_PARAMETER = re.compile(r"{([^}]+)}")


def document_links(document: dict[str, Any]) -> None:
    """OpenAPI `links` from each create to the operations on what it created (`CREATED`), so
    that clients — and stateful fuzzing — follow real ids: `$response.body#/id` of the 201,
    the creating request's own path parameters for the rest. An operation that needs a path
    parameter neither provides is not linked."""
    paths: dict[str, Any] = document.get("paths", {})
    for created in CREATED:
        answer = paths.get(created.creator, {}).get("post", {}).get("responses", {}).get("201")
        if answer is None:
            continue
        known = set(_PATH_PARAMETER.findall(created.creator))
        links = answer.setdefault("links", {})
        for path, item in paths.items():
            if path != created.target and not path.startswith(created.target + "/"):
                continue
            needed = set(_PATH_PARAMETER.findall(path))
            if not needed <= known | {created.parameter}:
                continue
            for operation in item.values():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                parameters = {name: f"$request.path.{name}" for name in needed
                              if name != created.parameter}
                parameters[created.parameter] = f"$response.body#/{created.field}"
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": dict(sorted(parameters.items())),
                }
