"""The exception hierarchy, rendered by one handler as problem+json (API) or an HTML page.

Policy on private resources: a caller who may not see a resource gets 404, exactly as if it did
not exist, so that slugs and ids of private things do not leak. 403 is used only when the caller
can already see the resource (e.g. an intern viewing their business) but may not do the action.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException

from exchange import field_messages

log = logging.getLogger("exchange.errors")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://peer-internship-exchange.invalid/problems/"


@dataclass
class FieldError:
    field: str
    message: str
    # Why, without the field's name ("is missing"), when the message was built from it by
    # exchange/field_messages.py: a page that renames the field (form rows renumbered) says it
    # again with `renamed`.
    reason: str | None = None

    def renamed(self, field: str) -> FieldError:
        if self.reason is None:
            return FieldError(field, self.message)
        return FieldError(field, field_messages.sentence(field, self.reason), self.reason)

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ExchangeError(Exception):
    status_code: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None):
        self.detail = detail or self.title
        self.headers = headers or {}
        super().__init__(self.detail)

    def problem(self) -> dict[str, Any]:
        return {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status_code,
            "detail": self.detail,
        }


class NotAuthenticated(ExchangeError):
    status_code = 401
    slug = "not-authenticated"
    title = "Authentication required"

    def __init__(self, detail: str | None = None):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class PermissionDenied(ExchangeError):
    status_code = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFound(ExchangeError):
    status_code = 404
    slug = "not-found"
    title = "Not found"


class Conflict(ExchangeError):
    status_code = 409
    slug = "conflict"
    title = "Conflict"


class RateLimited(ExchangeError):
    status_code = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int = 60):
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after


class ServiceUnavailable(ExchangeError):
    """The service is saturated (exchange/loadshed.py): try again after `Retry-After`."""

    status_code = 503
    slug = "overloaded"
    title = "Service busy"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1):
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ValidationFailed(ExchangeError):
    """Input that names the fields at fault; pages re-render their form with these messages."""

    status_code = 422
    slug = "validation-error"
    title = "Invalid input"

    def __init__(self, errors: list[FieldError], message: str = "The input has errors."):
        super().__init__(message)
        self.errors = errors

    @classmethod
    def single(cls, field_name: str, message: str) -> ValidationFailed:
        return cls(errors=[FieldError(field_name, message)], message=message)

    @classmethod
    def from_pydantic(cls, exc: Any) -> ValidationFailed:
        """From a pydantic ``ValidationError`` (raised when a schema is built by hand)."""
        return cls(validation_errors_from_pydantic(exc.errors()))

    def by_field(self, names: Mapping[str, str] | None = None) -> dict[str, str]:
        """The first message per field, for a page's error summary. NAMES gives list items the
        words the page shows for them ({"kpis[0]": "Leads per month"})."""
        out: dict[str, str] = {}
        for error in self.errors:
            message = error.message
            if names and error.reason is not None:
                message = field_messages.sentence(error.field, error.reason, names)
            out.setdefault(error.field, message)
        return out

    def problem(self) -> dict[str, Any]:
        body = super().problem()
        body["errors"] = [e.as_dict() for e in self.errors]
        return body


def wants_problem_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    # FastAPI prefixes the location ("body", "query", ...): keep it out of the field name but
    # keep list indexes, e.g. body.cells.3.level -> cells[3].level
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    name = ""
    for part in parts:
        if part.isdigit():
            name += f"[{part}]"
        else:
            name += ("." if name else "") + part
    return name or "body"


def validation_errors_from_pydantic(errors: Any) -> list[FieldError]:
    """Each error named by its field and said in words (exchange/field_messages.py)."""
    out = []
    for err in errors:
        name = _field_name(err.get("loc", ()))
        out.append(FieldError(name, field_messages.message(name, err),
                              field_messages.reason(err)))
    return out


def _render_html_error(request: Request, status: int, title: str, detail: str) -> Response:
    from exchange.web.render import render

    return render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail},
        status_code=status,
    )


def _allowed_methods(request: Request) -> str:
    """Every method the path answers (RFC 9110 `Allow`): Starlette names only those of the first
    route that matched the path, while GET and POST of one path are often two routes."""
    methods: set[str] = set()
    path = request.scope.get("path", "")
    for route in iter_route_contexts(request.app.routes):
        pattern = getattr(route.route, "path_regex", None)
        if pattern is not None and pattern.match(path):
            methods |= set(route.methods or ())
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ExchangeError)
    async def _exchange_error(request: Request, exc: ExchangeError) -> Response:
        if wants_problem_json(request):
            return problem_response(exc.status_code, exc.problem(), exc.headers)
        if isinstance(exc, NotAuthenticated):
            from urllib.parse import quote

            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return _render_html_error(request, exc.status_code, exc.title, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> Response:
        failed = ValidationFailed(errors=validation_errors_from_pydantic(exc.errors()))
        if wants_problem_json(request):
            return problem_response(422, failed.problem())
        detail = " ".join(e.message for e in failed.errors)
        return _render_html_error(request, 422, failed.title, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        try:
            title = HTTPStatus(status).phrase
        except ValueError:
            title = "Error"
        detail = exc.detail if isinstance(exc.detail, str) else title
        if status == 404:
            detail = "There is nothing at this address."
        elif status == 405:
            detail = "This address does not accept that method."
        headers = dict(exc.headers or {})
        if status == 405:
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        if wants_problem_json(request):
            body = {
                "type": PROBLEM_BASE + title.lower().replace(" ", "-"),
                "title": title,
                "status": status,
                "detail": detail,
            }
            return problem_response(status, body, headers)
        page = _render_html_error(request, status, title, detail)
        page.headers.update(headers)
        return page

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Never show a stack trace or SQL to a client; the log has it.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        detail = "Something went wrong on our side. Nothing was changed; please try again."
        if wants_problem_json(request):
            body = {
                "type": PROBLEM_BASE + "internal-error",
                "title": "Internal Server Error",
                "status": 500,
                "detail": detail,
            }
            return problem_response(500, body)
        return _render_html_error(request, 500, "Internal Server Error", detail)
