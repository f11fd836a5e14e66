"""Dependencies shared by every domain: settings and the request's database session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant

from exchange.config import Settings
from exchange.db import SessionDep
from exchange.errors import FieldError, ValidationFailed
from exchange.fields import INT32_MAX, INT32_MIN, refused_character

# Every id column is an INTEGER: PostgreSQL's 32-bit range (SQLite's is wider, the same bound is
# applied to both).
ID_MIN, ID_MAX = INT32_MIN, INT32_MAX


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]

def _integer_path_params(route: object) -> list[str]:
    """The integer path parameters of a route, its dependencies' included (`internship_id` is
    often read by the dependency that loads the internship)."""
    def walk(dependant: Dependant) -> Iterator[str]:
        for param in dependant.path_params:
            if param.field_info.annotation is int:
                yield param.alias
        for sub in dependant.dependencies:
            yield from walk(sub)

    dependant = getattr(route, "dependant", None)
    return sorted(set(walk(dependant))) if dependant is not None else []


def _out_of_range(raw: object) -> bool:
    try:
        value = int(str(raw).strip())
    except ValueError:
        return False  # not a number at all: FastAPI's own validation names it
    return not ID_MIN <= value <= ID_MAX


def integer_path_params_in_range(request: Request) -> None:
    """An app-wide dependency: an integer in the path (always a row id here) beyond what the
    database can hold is invalid input (422 naming it), not an error of ours — the driver would
    otherwise fail on the overflow with a 500."""
    if not any(_out_of_range(value) for value in request.path_params.values()):
        return  # the usual case, decided without looking at the route
    errors = [
        FieldError(name, f"must be between {ID_MIN} and {ID_MAX}")
        for name in _integer_path_params(request.scope.get("route"))
        if _out_of_range(request.path_params.get(name, ""))
    ]
    if errors:
        raise ValidationFailed(errors)


# A search pasted with a tab or a line break is still a search (the fields collapse them).
_QUERY_WHITESPACE = frozenset("\t\n\r")
# Text in a path names something (a slug, a key, a network's member id: at most 128 characters).
PATH_TEXT_MAX = 200


def plain_text_params(request: Request) -> None:
    """An app-wide dependency: path and query values (slugs, keys, search words, cursors) reach
    the database as they are, so a control, surrogate or bidi-override character in one is
    invalid input (422 naming it), checked before any route looks anything up — PostgreSQL
    refuses NUL even in a comparison (a 500), SQLite would quietly compare it. Text in a path is
    at most `PATH_TEXT_MAX` characters (query parameters declare their own lengths)."""
    in_query = [(name, value, _QUERY_WHITESPACE)
                for name, value in request.query_params.multi_items()]
    in_path = [(name, value, frozenset[str]()) for name, value in request.path_params.items()]
    errors = [
        FieldError(name, problem)
        for name, value, allowed in [*in_path, *in_query]
        if isinstance(value, str) and (problem := refused_character(value, allowed=allowed))
    ]
    errors += [FieldError(name, f"must be at most {PATH_TEXT_MAX} characters")
               for name, value, _ in in_path
               if isinstance(value, str) and len(value) > PATH_TEXT_MAX]
    if errors:
        raise ValidationFailed(errors)


__all__ = ["SessionDep", "SettingsDep", "integer_path_params_in_range", "plain_text_params"]
