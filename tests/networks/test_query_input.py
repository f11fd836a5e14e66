"""Issue 17, points 3 and 11, on the network API's query parameters: a date-time without a time
zone (`updated_since=2026-01-01` was a ValueError, 500), a date given as a number (`until=0` was
read as 1970-01-01) and a forged cursor beyond the database's integer answer 422 naming them."""

from __future__ import annotations

import base64

from exchange.networks.models import Network
from tests.conftest import Client
from tests.networks.conftest import member_record

BASE = "/api/v1/networks/pune-chamber"


def fields_of(response: object) -> dict[str, str]:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    return {e["field"]: e["message"] for e in body["errors"]}


def test_updated_since_needs_a_time_zone(api: Client, pune_chamber: Network) -> None:
    assert api.put(f"{BASE}/members", json={"members": [member_record("crm-1")]}).is_success
    for naive in ("2026-01-01", "2026-01-01T10:00:00"):
        message = fields_of(api.get(f"{BASE}/members", params={"updated_since": naive}))
        assert "time zone" in message["updated_since"]
    listed = api.get(f"{BASE}/members", params={"updated_since": "2000-01-01T00:00:00+05:30"})
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    later = api.get(f"{BASE}/members", params={"updated_since": "2999-01-01T00:00:00Z"})
    assert later.status_code == 200 and later.json()["items"] == []


def test_report_dates_are_iso_dates_not_numbers(api: Client, pune_chamber: Network) -> None:
    for url in (f"{BASE}/reports", f"{BASE}/reports.csv"):
        assert "ISO 8601" in fields_of(api.get(url, params={"until": "0"}))["until"]
        assert "ISO 8601" in fields_of(api.get(url, params={"since": "1767225600"}))["since"]
    assert api.get(f"{BASE}/reports", params={"until": "2026-12-31"}).status_code == 200


def test_a_forged_cursor_beyond_the_database_integer_is_refused(api: Client,
                                                                pune_chamber: Network) -> None:
    for kind, url in (("m", f"{BASE}/members"), ("i", f"{BASE}/internships")):
        forged = base64.urlsafe_b64encode(f"{kind}9223372036854775808".encode()).decode()
        assert "cursor" in fields_of(api.get(url, params={"cursor": forged.rstrip("=")}))
