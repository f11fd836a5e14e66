"""The served OpenAPI document (exchange/openapi.py): error answers documented in one place for
every /api route, including routers added after the app was built."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.deps import ID_MAX, ID_MIN
from exchange.errors import PROBLEM_JSON, Conflict, RateLimited
from exchange.main import create_app
from exchange.openapi import Problem
from exchange.taxonomy import api as taxonomy_api
from tests.conftest import TEST_SECRET, Client

PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _app() -> FastAPI:
    return create_app(Settings(database_url="sqlite://", secret_key=TEST_SECRET))


def _served(app: FastAPI) -> dict[str, Any]:
    with TestClient(app) as client:
        response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _responses(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses: dict[str, Any] = document["paths"][path][method]["responses"]
    return responses


def test_problem_schema_is_documented_once_and_fastapis_validation_error_is_gone() -> None:
    document = _served(_app())
    schemas = document["components"]["schemas"]
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}
    assert "errors" in schemas["Problem"]["properties"]
    assert set(schemas["ProblemFieldError"]["required"]) == {"field", "message"}
    assert "HTTPValidationError" not in schemas
    assert "HTTPValidationError" not in repr(document["paths"])
    assert taxonomy_api.Problem is Problem  # one home for the schema


def test_security_scheme_and_401_with_its_header() -> None:
    document = _served(_app())
    assert document["components"]["securitySchemes"]["PersonalToken"] == {
        "type": "http", "scheme": "bearer", "description": document["components"][
            "securitySchemes"]["PersonalToken"]["description"],
    }
    operation = document["paths"]["/api/v1/me"]["get"]
    assert operation["security"] == [{"PersonalToken": []}]
    unauthorised = operation["responses"]["401"]
    assert unauthorised["content"] == PROBLEM
    assert "WWW-Authenticate" in unauthorised["headers"]


def test_statuses_come_from_path_parameters_dependencies_and_services() -> None:
    document = _served(_app())
    # A path parameter: unknown or invisible → 404; input → 422.
    revoke = _responses(document, "delete", "/api/v1/me/tokens/{token_id}")
    assert {"401", "404", "422"} <= set(revoke)
    # The role dependency (BusinessManager) raises PermissionDenied → 403.
    assert "403" in _responses(document, "patch", "/api/v1/businesses/{slug}")
    # Seeing a business needs no role: no 403 is claimed.
    assert "403" not in _responses(document, "get", "/api/v1/businesses/{slug}")
    # The admin dependency hides the route with 404, even without a path parameter.
    assert "404" in _responses(document, "post", "/api/v1/taxonomy/processes")
    # Members service raises Conflict (the last owner) → 409.
    assert "409" in _responses(document, "patch", "/api/v1/businesses/{slug}/members/{user_id}")
    # A body that cannot even be decoded → 400.
    assert "400" in _responses(document, "post", "/api/v1/me/tokens")
    # Public reads take no token: no 401, no security.
    industries = document["paths"]["/api/v1/industries"]["get"]
    assert "security" not in industries and "401" not in industries["responses"]


def _may_conflict() -> None:
    raise Conflict("taken")


def _throttled() -> None:
    raise RateLimited("slow down")


MayConflict = Annotated[None, Depends(_may_conflict)]
Throttled = Annotated[None, Depends(_throttled)]
late_router = APIRouter(prefix="/api/v1/late")


@late_router.post("/things/{thing_id}")
def _make(thing_id: int, user: CurrentUser, _: MayConflict) -> dict[str, int]:
    return {"id": thing_id}


@late_router.get("/open")
def _open(user: OptionalUser, _: Throttled) -> dict[str, str]:
    return {"status": "ok"}


def test_routers_added_after_the_app_was_built_are_documented_too() -> None:
    app = _app()
    _served(app)  # the document is built once before the new router arrives
    app.include_router(late_router)
    document = _served(app)

    made = document["paths"]["/api/v1/late/things/{thing_id}"]["post"]
    assert {"401", "404", "409", "422"} <= set(made["responses"])
    assert all(made["responses"][code]["content"] == PROBLEM for code in ("401", "404", "409"))

    opened = document["paths"]["/api/v1/late/open"]["get"]
    # A token is optional here, but a bad one is still refused.
    assert opened["security"] == [{}, {"PersonalToken": []}]
    assert "401" in opened["responses"]
    assert "Retry-After" in opened["responses"]["429"]["headers"]
    assert "404" not in opened["responses"]  # no path parameter, nothing hidden


def test_validation_answer_matches_the_documented_problem_schema() -> None:
    """What the schema promises for 422 is what the app sends."""
    app = _app()
    with TestClient(app) as client:
        response = client.get("/api/v1/industries", params={"limit": "many"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    body = Problem.model_validate(response.json())
    assert body.errors and body.errors[0].field == "limit"


def test_an_id_beyond_the_database_range_is_invalid_input_not_a_crash(
    client: Client, session: Session, settings: Settings, afreen: User
) -> None:
    """Found by the fuzzer: the driver fails on an integer it cannot store (SQLite above 2**63,
    PostgreSQL above 2**31), which was a 500."""
    token = accounts_service.create_api_token(session, settings, afreen,
                                              ApiTokenCreate(name="t")).token
    session.commit()
    client.use_token(token)
    for too_big in (str(ID_MAX + 1), "9" * 30, str(ID_MIN - 1)):
        r = client.delete(f"/api/v1/me/tokens/{too_big}")
        assert r.status_code == 422, (too_big, r.text)
        assert r.headers["content-type"] == PROBLEM_JSON
        assert r.json()["errors"][0]["field"] == "token_id"
    assert client.delete(f"/api/v1/me/tokens/{ID_MAX}").status_code == 404
    assert client.delete("/api/v1/me/tokens/not-a-number").json()["errors"][0]["field"] == (
        "token_id")
    assert len(accounts_service.list_api_tokens(session, afreen)) == 1

    parameter = _served(_app())["paths"]["/api/v1/me/tokens/{token_id}"]["delete"][
        "parameters"][0]
    assert parameter["schema"]["maximum"] == ID_MAX and parameter["schema"]["minimum"] == ID_MIN
