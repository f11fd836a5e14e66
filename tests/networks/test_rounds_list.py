"""The rounds list pages like the others (issue 14.9), and the schema's `info` describes network
keys as well as personal tokens."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from exchange.networks.models import Network
from exchange.rounds import service as rounds_service
from tests.conftest import Client
from tests.networks.conftest import member_record

BASE = "/api/v1/networks/pune-chamber/rounds"


def test_rounds_page_newest_first_with_next_links(
    api: Client, session: Session, pune_chamber: Network,
) -> None:
    api.put("/api/v1/networks/pune-chamber/members",
            json={"members": [member_record("crm-1"), member_record("crm-2")]})
    start = date.today() + timedelta(days=14)
    for n in range(5):
        rounds_service.create_round(session, pune_chamber, None, name=f"Round {n}",
                                    window_start=start, window_end=start + timedelta(days=30))
    session.commit()
    first = api.get(BASE, params={"limit": 2})
    assert first.status_code == 200, first.text
    body = first.json()
    assert [r["name"] for r in body["items"]] == ["Round 4", "Round 3"]
    assert first.headers["link"] == f'<{body["next"]}>; rel="next"'
    names, url = [r["name"] for r in body["items"]], body["next"]
    while url:
        page = api.get(url).json()
        names += [r["name"] for r in page["items"]]
        url = page["next"]
    assert names == [f"Round {n}" for n in range(4, -1, -1)]
    assert api.get(BASE, params={"limit": 0}).status_code == 422


def test_the_schema_info_describes_network_keys(client: Client) -> None:
    info = client.get("/api/v1/openapi.json").json()["info"]["description"]
    assert "pie_pat_" in info and "pie_net_" in info and "webhooks:manage" in info
