"""One error format: problem+json on the API, a styled page elsewhere, never a stack trace."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from tests.conftest import Client


def test_unknown_api_path_is_problem_json(client: Client) -> None:
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == 404


def test_wrong_method_on_api_is_problem_json(client: Client) -> None:
    r = client.put("/api/v1/me")
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"


def test_unknown_page_is_a_styled_page(client: Client) -> None:
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "There is nothing at this address." in r.text
    assert "<nav" in r.text


def test_unexpected_error_shows_no_internals(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("SELECT secret FROM users -- internal detail")

    @router.get("/boom")
    def boom_page() -> None:
        raise RuntimeError("SELECT secret FROM users -- internal detail")

    app.include_router(router)
    with Client(app, app.state.settings, None) as c:  # type: ignore[arg-type]
        c._transport.raise_server_exceptions = False  # type: ignore[attr-defined]
        for url in ("/api/v1/boom", "/boom"):
            r = c.get(url)
            assert r.status_code == 500
            assert "SELECT" not in r.text and "Traceback" not in r.text
        assert c.get("/api/v1/boom").headers["content-type"] == "application/problem+json"


def test_request_id_header(client: Client) -> None:
    assert len(client.get("/healthz").headers["x-request-id"]) >= 16
    assert client.get("/healthz", headers={"X-Request-ID": "abc123"}).headers[
        "x-request-id"] == "abc123"


def test_health_and_readiness(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["revision"] == ready.json()["head"]


def test_home_page_explains_the_product(client: Client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "does not compete" in r.text or "not your competitor" in r.text
