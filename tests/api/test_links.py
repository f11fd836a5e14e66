"""OpenAPI `links` (exchange/openapi.py `CREATED`): from each create to what can be done with what
it created. Every link resolves — its operation exists, every path parameter of that operation
is given, the response field it reads is in the 201 schema — and following one works."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.main import create_app
from tests.api.test_input_hardening import NEW_BUSINESS
from tests.conftest import TEST_SECRET, Client


def _document() -> dict[str, Any]:
    return create_app(Settings(database_url="sqlite://", secret_key=TEST_SECRET)).openapi()


def _operations(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {op["operationId"]: (method, path, op)
            for path, item in document["paths"].items() for method, op in item.items()}


def _links(document: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [(path, code, name, link)
            for path, item in document["paths"].items() for op in item.values()
            for code, answer in op["responses"].items()
            for name, link in answer.get("links", {}).items()]


def _schema_of(document: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    schema = answer["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def test_the_main_create_to_read_chains_are_linked() -> None:
    document = _document()
    targets = {(source, _operations(document)[name][1])
               for source, _, name, _ in _links(document)}
    for chain in [("/api/v1/businesses", "/api/v1/businesses/{slug}"),
                  ("/api/v1/businesses/{slug}/internships", "/api/v1/internships/{internship_id}"),
                  ("/api/v1/internships/{internship_id}/tasks",
                   "/api/v1/internships/{internship_id}/tasks/{task_id}"),
                  ("/api/v1/networks/{network_slug}/webhooks",
                   "/api/v1/networks/{network_slug}/webhooks/{endpoint_id}"),
                  ("/api/v1/networks/{network_slug}/rounds", "/api/v1/rounds/{round_id}"),
                  ("/api/v1/me/tokens", "/api/v1/me/tokens/{token_id}")]:
        assert chain in targets, chain


def test_every_link_resolves() -> None:
    document = _document()
    operations = _operations(document)
    links = _links(document)
    assert len(links) >= 40
    for source, code, name, link in links:
        assert code == "201"
        *_, operation = operations[link["operationId"]]
        needed = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert set(link["parameters"]) == needed, (source, name)
        answer = document["paths"][source]["post"]["responses"][code]
        properties = _schema_of(document, answer)["properties"]
        for expression in link["parameters"].values():
            field = re.fullmatch(r"\$response\.body#/(\w+)", expression)
            if field:
                assert field.group(1) in properties, (source, expression)
            else:
                assert re.fullmatch(r"\$request\.path\.(\w+)", expression), expression
                assert "{" + expression.rsplit(".", 1)[-1] + "}" in source


def test_following_a_link_reads_what_was_created(make_client: Callable[..., Client],
                                                 session: Session, settings: Settings,
                                                 afreen: User) -> None:
    issued = accounts_service.create_api_token(session, settings, afreen,
                                               ApiTokenCreate(name="tests"))
    session.commit()
    client = make_client().use_token(issued.token)
    document = client.get("/api/v1/openapi.json").json()
    link = document["paths"]["/api/v1/businesses"]["post"]["responses"]["201"]["links"][
        "read_business_api_v1_businesses__slug__get"]
    created = client.post("/api/v1/businesses", json=NEW_BUSINESS)
    assert created.status_code == 201, created.text
    slug = created.json()[link["parameters"]["slug"].removeprefix("$response.body#/")]
    read = client.get(f"/api/v1/businesses/{slug}")
    assert read.status_code == 200 and read.json()["name"] == NEW_BUSINESS["name"]
