"""The matrix over the API: read by anyone who can see the business, replaced and patched by
owners and managers, exported and imported as files, compared side by side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.models import ApiTokenCreate, User
from exchange.config import Settings
from exchange.profiles import matrix as matrix_service
from exchange.profiles.models import Business
from tests.conftest import Client

HEADER = "process,level,offer,need,target_level,evidence\r\n"
Api = Callable[[User | None], Client]


@pytest.fixture
def api(make_client: Any, session: Session, settings: Settings) -> Api:
    """api(afreen) is a client calling with Afreen's personal token; api(None) with none."""

    def _api(user: User | None) -> Client:
        client: Client = make_client()
        if user is not None:
            issued = accounts_service.create_api_token(session, settings, user,
                                                       ApiTokenCreate(name="tests"))
            session.commit()
            client.use_token(issued.token)
        return client

    return _api


def _cells(session: Session, business: Business) -> dict[str, tuple[Any, ...]]:
    session.expire_all()
    return {c.process: (c.level, c.offer, c.need, c.target_level, c.evidence)
            for c in matrix_service.public_cells(session, business)}


def _url(business: Business, rest: str = "") -> str:
    return f"/api/v1/businesses/{business.slug}/matrix{rest}"


def _problem_fields(r: Any) -> dict[str, str]:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    return {e["field"]: e["message"] for e in r.json()["errors"]}


# -- read ------------------------------------------------------------------------------------


def test_rajeev_reads_afreens_matrix(api: Api, rajeev: User, afreen_firm: Business) -> None:
    r = api(rajeev).get(_url(afreen_firm))
    assert r.status_code == 200
    body = r.json()
    assert body["business"] == afreen_firm.slug
    by_key = {c["process"]: c for c in body["cells"]}
    assert by_key["marketing.content_marketing"] == {
        "process": "marketing.content_marketing", "level": 1, "offer": False, "need": 3,
        "target_level": 4, "evidence": None, "department": "marketing",
        "process_name": "Content marketing", "retired": False}


def test_charlie_gets_404_for_a_networks_only_matrix(
    api: Api, session: Session, charlie: User, afreen_firm: Business
) -> None:
    afreen_firm.visibility = "networks"
    session.add(afreen_firm)
    session.commit()
    r = api(charlie).get(_url(afreen_firm))
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_anonymous_callers_get_401(api: Api, afreen_firm: Business) -> None:
    assert api(None).get(_url(afreen_firm)).status_code == 401


# -- replace and patch -----------------------------------------------------------------------


def test_afreen_replaces_the_matrix(api: Api, session: Session, afreen: User,
                                    afreen_firm: Business) -> None:
    r = api(afreen).put(_url(afreen_firm), json={"cells": [
        {"process": "marketing.seo", "level": 3, "offer": True, "need": 0},
        {"process": "marketing.content_marketing", "level": 1, "need": 3, "target_level": 4},
    ]})
    assert r.status_code == 200, r.text
    assert r.json()["changed"] == 4  # seo added; paid ads, lead generation, recruitment cleared
    assert set(_cells(session, afreen_firm)) == {"marketing.seo", "marketing.content_marketing"}


def test_a_get_can_be_sent_back_as_a_put_unchanged(
    api: Api, session: Session, afreen: User, afreen_firm: Business
) -> None:
    client = api(afreen)
    cells = client.get(_url(afreen_firm)).json()["cells"]
    r = client.put(_url(afreen_firm), json={"cells": cells})
    assert r.status_code == 200
    assert r.json()["changed"] == 0


def test_farah_the_manager_patches_one_cell(
    api: Api, session: Session, farah: User, afreen_firm: Business
) -> None:
    r = api(farah).patch(_url(afreen_firm), json={"cells": [
        {"process": "marketing.lead_generation", "level": 2, "need": 3, "target_level": 4}]})
    assert r.status_code == 200
    assert r.json()["changed"] == 1
    cells = _cells(session, afreen_firm)
    assert cells["marketing.lead_generation"] == (2, False, 3, 4, None)
    assert len(cells) == 4


def test_patching_a_cell_to_all_zero_clears_it(
    api: Api, session: Session, afreen: User, afreen_firm: Business
) -> None:
    r = api(afreen).patch(_url(afreen_firm), json={"cells": [
        {"process": "hr.recruitment", "level": 0}]})
    assert r.status_code == 200
    assert "hr.recruitment" not in _cells(session, afreen_firm)


def test_a_bad_cell_is_named_and_nothing_changes(
    api: Api, session: Session, afreen: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = api(afreen).put(_url(afreen_firm), json={"cells": [
        {"process": "marketing.seo", "level": 3},
        {"process": "marketing.brand", "level": 3, "target_level": 2},
        {"process": "marketing.telepathy", "level": 1},
    ]})
    assert r.status_code == 422
    fields = _problem_fields(r)
    assert fields == {
        "cells[1].target_level": "must be above the current level (3)",
        "cells[2].process": "unknown process “marketing.telepathy”",
    }
    assert _cells(session, afreen_firm) == before


@pytest.mark.parametrize(("cell", "field"), [
    ({"process": "marketing.seo", "level": 6}, "cells[0].level"),
    ({"process": "marketing.seo", "level": 2, "need": 4}, "cells[0].need"),
    ({"process": "marketing.seo", "level": 2, "evidence": "x" * 501}, "cells[0].evidence"),
    ({"level": 2}, "cells[0].process"),
])
def test_out_of_range_values_are_named(
    api: Api, session: Session, afreen: User, afreen_firm: Business, cell: dict[str, Any],
    field: str,
) -> None:
    before = _cells(session, afreen_firm)
    r = api(afreen).patch(_url(afreen_firm), json={"cells": [cell]})
    assert r.status_code == 422
    assert field in _problem_fields(r)
    assert _cells(session, afreen_firm) == before


def test_meera_the_intern_may_read_but_not_write(
    api: Api, session: Session, meera: User, afreen_firm: Business
) -> None:
    client = api(meera)
    assert client.get(_url(afreen_firm)).status_code == 200
    before = _cells(session, afreen_firm)
    for method in ("PUT", "PATCH"):
        r = client.request(method, _url(afreen_firm),
                           json={"cells": [{"process": "marketing.seo", "level": 3}]})
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
    r = client.post(_url(afreen_firm, "/import"), content=HEADER,
                    headers={"content-type": "text/csv"})
    assert r.status_code == 403
    assert _cells(session, afreen_firm) == before


def test_rajeev_cannot_write_afreens_matrix(
    api: Api, session: Session, rajeev: User, afreen_firm: Business
) -> None:
    r = api(rajeev).put(_url(afreen_firm), json={"cells": []})
    assert r.status_code == 403


# -- export and import -----------------------------------------------------------------------


def test_export_as_csv_and_json(api: Api, meera: User, afreen_firm: Business) -> None:
    client = api(meera)
    csv = client.get(_url(afreen_firm, "/export"))
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.startswith(HEADER)
    data = client.get(_url(afreen_firm, "/export?format=json")).json()
    assert data["format"] == "exchange-matrix/1"
    assert len(data["cells"]) == 4


def test_csv_export_imports_back_with_no_change(
    api: Api, session: Session, afreen: User, afreen_firm: Business
) -> None:
    client = api(afreen)
    before = _cells(session, afreen_firm)
    csv = client.get(_url(afreen_firm, "/export")).text
    r = client.post(_url(afreen_firm, "/import"), content=csv,
                    headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json() == {"dry_run": False, "mode": "replace", "rows": 4, "changed": 0,
                        "detail": "Import complete: 0 cells changed."}
    assert _cells(session, afreen_firm) == before


def test_json_import_replaces(api: Api, session: Session, afreen: User,
                              afreen_firm: Business) -> None:
    r = api(afreen).post(_url(afreen_firm, "/import"), json={"cells": [
        {"process": "marketing.seo", "level": 4, "offer": True}]})
    assert r.status_code == 200
    assert r.json()["changed"] == 5
    assert set(_cells(session, afreen_firm)) == {"marketing.seo"}


def test_dry_run_counts_without_saving(
    api: Api, session: Session, afreen: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = api(afreen).post(_url(afreen_firm, "/import?dry_run=true&mode=merge"),
                         content=HEADER + "marketing.seo,3,yes,0,,\r\n",
                         headers={"content-type": "text/csv"})
    assert r.status_code == 200
    assert r.json()["dry_run"] is True and r.json()["changed"] == 1
    assert _cells(session, afreen_firm) == before


def test_a_bad_csv_names_every_line_and_changes_nothing(
    api: Api, session: Session, afreen: User, afreen_firm: Business
) -> None:
    before = _cells(session, afreen_firm)
    r = api(afreen).post(_url(afreen_firm, "/import"),
                         content=HEADER + "marketing.seo,3,yes,0,,\r\n"
                         + "marketing.brand,9,yes,0,,\r\n" + "hr.training,1,perhaps,0,,\r\n",
                         headers={"content-type": "text/csv"})
    assert r.status_code == 422
    fields = _problem_fields(r)
    assert set(fields) == {"line 3: level", "line 4: offer"}
    assert _cells(session, afreen_firm) == before


def test_a_bad_json_cell_is_named_by_index(
    api: Api, session: Session, afreen: User, afreen_firm: Business
) -> None:
    r = api(afreen).post(_url(afreen_firm, "/import"), json={"cells": [
        {"process": "marketing.seo", "level": 3}, {"process": "marketing.brand", "lvl": 3}]})
    assert r.status_code == 422
    assert set(_problem_fields(r)) == {"cells[1].lvl", "cells[1].level"}


def test_an_empty_body_is_a_clear_error(api: Api, afreen: User, afreen_firm: Business) -> None:
    r = api(afreen).post(_url(afreen_firm, "/import"), content=b"",
                         headers={"content-type": "text/csv"})
    assert r.status_code == 422
    assert _problem_fields(r) == {"file": "The file is empty"}


# -- compare ---------------------------------------------------------------------------------


def test_compare_names_what_each_can_teach_the_other(
    api: Api, afreen: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = api(afreen).get(f"/api/v1/businesses/{afreen_firm.slug}/compare/{rajeev_firm.slug}")
    assert r.status_code == 200
    body = r.json()
    assert body["they_can_teach_you"] == ["marketing.content_marketing",
                                          "marketing.lead_generation"]
    assert body["you_can_teach_them"] == ["hr.recruitment"]
    content = next(row for row in body["rows"] if row["process"] == "marketing.content_marketing")
    assert content["you"]["level"] == 1 and content["them"]["level"] == 5
    assert content["they_can_teach_you"] is True


def test_compare_needs_membership_of_the_first_business(
    api: Api, rajeev: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    r = api(rajeev).get(f"/api/v1/businesses/{afreen_firm.slug}/compare/{rajeev_firm.slug}")
    assert r.status_code == 403


def test_compare_with_an_invisible_business_is_404(
    api: Api, session: Session, rajeev: User, afreen_firm: Business, rajeev_firm: Business
) -> None:
    afreen_firm.visibility = "networks"
    session.add(afreen_firm)
    session.commit()
    r = api(rajeev).get(f"/api/v1/businesses/{rajeev_firm.slug}/compare/{afreen_firm.slug}")
    assert r.status_code == 404
