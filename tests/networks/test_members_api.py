"""The member sync and member reads of the partner-network API, as the Pune chamber's CRM
integration uses them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from exchange.accounts.models import User
from exchange.networks.models import Network, NetworkMember
from exchange.profiles.models import Business, MatrixCell
from tests.conftest import Client
from tests.networks.conftest import member_record

MEMBERS = "/api/v1/networks/pune-chamber/members"


def _sync(api: Client, records: list[dict[str, Any]], **params: Any) -> Any:
    return api.put(MEMBERS, json={"members": records}, params=params)


def _count(session: Session, model: Any) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_sync_creates_network_managed_members(api: Client, session: Session) -> None:
    r = _sync(api, [member_record("crm-1"), member_record("crm-2")])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] == ["crm-1", "crm-2"]
    assert body["counts"]["created"] == 2 and body["applied"] is True
    members = session.exec(select(NetworkMember)).all()
    assert {m.external_id for m in members} == {"crm-1", "crm-2"}
    assert all(m.managed_by_network for m in members)


def test_the_same_payload_twice_changes_nothing(api: Client, session: Session) -> None:
    records = [member_record(f"crm-{i}", excluded=["crm-0"] if i else []) for i in range(5)]
    assert _sync(api, records).json()["counts"]["created"] == 5
    stamps = sorted(str(b.updated_at) for b in session.exec(select(Business)))
    again = _sync(api, records).json()
    assert again["unchanged"] == [f"crm-{i}" for i in range(5)]
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 5, "rejected": 0,
                               "owner_managed": 0}
    session.expire_all()
    assert sorted(str(b.updated_at) for b in session.exec(select(Business))) == stamps


def test_changed_members_are_reported_updated(api: Client, session: Session) -> None:
    _sync(api, [member_record("crm-1"), member_record("crm-2")])
    changed = member_record("crm-2", name="Renamed Member", cells=[
        {"process": "marketing.content_marketing", "level": 4, "offer": True, "need": 0}])
    body = _sync(api, [member_record("crm-1"), changed]).json()
    assert body["updated"] == ["crm-2"] and body["unchanged"] == ["crm-1"]
    business = session.exec(select(Business).where(Business.name == "Renamed Member")).one()
    assert [c.level for c in session.exec(select(MatrixCell).where(
        MatrixCell.business_id == business.id))] == [4]


def test_bad_items_are_rejected_with_their_fields_and_the_rest_apply(api: Client) -> None:
    body = _sync(api, [member_record("ok"), member_record("bad", isic="0000", country="XX"),
                       {"name": "no id"}]).json()
    assert body["created"] == ["ok"]
    rejected = {r["index"]: r for r in body["rejected"]}
    assert {e["field"] for e in rejected[1]["errors"]} == {"isic", "country"}
    assert rejected[1]["id"] == "bad"
    assert "id" in {e["field"] for e in rejected[2]["errors"]}


def test_atomic_sync_writes_nothing_when_one_item_is_bad(api: Client, session: Session) -> None:
    r = _sync(api, [member_record("ok"), member_record("bad", market_reach="galactic")],
              atomic="true")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in r.json()["errors"]] == ["members[1].market_reach"]
    assert _count(session, NetworkMember) == 0 and _count(session, Business) == 0


def test_dry_run_reports_and_writes_nothing(api: Client, session: Session) -> None:
    body = _sync(api, [member_record("crm-1")], dry_run="true").json()
    assert body["created"] == ["crm-1"] and body["applied"] is False
    assert _count(session, Business) == 0


def test_more_than_a_thousand_members_is_refused(api: Client) -> None:
    r = _sync(api, [member_record(f"m{i}") for i in range(1001)])
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "members"


def test_owner_managed_members_are_never_edited_by_the_sync(
    api: Client, session: Session, pune_chamber: Network, afreen_firm: Business,
) -> None:
    session.add(NetworkMember(network_id=pune_chamber.id, business_id=afreen_firm.id,
                              external_id="afreen", managed_by_network=False))
    session.commit()
    body = _sync(api, [member_record("afreen", name="Taken Over")]).json()
    assert body["owner_managed"] == ["afreen"]
    session.refresh(afreen_firm)
    assert afreen_firm.name == "Afreen Talent Studio"


def test_members_page_through_every_member_exactly_once(api: Client) -> None:
    _sync(api, [member_record(f"crm-{i:02d}") for i in range(25)])
    seen: list[str] = []
    url: str | None = MEMBERS + "?limit=10"
    pages = 0
    while url and pages < 10:
        page = api.get(url).json()
        seen += [m["external_id"] for m in page["items"]]
        url, pages = page["next"], pages + 1
    assert seen == [f"crm-{i:02d}" for i in range(25)]
    assert pages == 3


def test_members_filter_by_name_and_managed(api: Client) -> None:
    _sync(api, [member_record("a", name="Alpha Works"), member_record("b", name="Beta Works")])
    assert [m["external_id"] for m in api.get(MEMBERS, params={"q": "alpha"}).json()["items"]] \
        == ["a"]
    assert api.get(MEMBERS, params={"managed": "false"}).json()["items"] == []


def test_a_forged_cursor_is_a_field_error(api: Client) -> None:
    r = api.get(MEMBERS, params={"cursor": "!!not-ours"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"


def test_one_member_has_an_etag_and_answers_304_when_unchanged(api: Client) -> None:
    _sync(api, [member_record("crm-1")])
    r = api.get(f"{MEMBERS}/crm-1")
    assert r.status_code == 200
    assert r.json()["external_id"] == "crm-1" and len(r.json()["cells"]) == 2
    etag = r.headers["etag"]
    assert api.get(f"{MEMBERS}/crm-1", headers={"If-None-Match": etag}).status_code == 304
    _sync(api, [member_record("crm-1", name="Changed Name")])
    assert api.get(f"{MEMBERS}/crm-1", headers={"If-None-Match": etag}).status_code == 200


def test_removing_a_member_keeps_the_business(api: Client, session: Session) -> None:
    _sync(api, [member_record("crm-1")])
    assert api.delete(f"{MEMBERS}/crm-1").status_code == 204
    assert _count(session, NetworkMember) == 0 and _count(session, Business) == 1
    assert api.get(f"{MEMBERS}/crm-1").status_code == 404


def test_suggestions_within_the_network_or_everywhere(
    api: Client, rajeev_firm: Business, afreen: User,
) -> None:
    # Afreen's firm is a member (needs content marketing, teaches recruitment); Rajeev's firm
    # teaches content marketing but is not in the network.
    ours = member_record("teacher", name="Content Teachers", isic="7310", cells=[
        {"process": "marketing.content_marketing", "level": 5, "offer": True, "need": 0},
        {"process": "hr.recruitment", "level": 1, "offer": False, "need": 3}])
    learner = member_record("learner", name="Recruiting Stars", isic="7830", cells=[
        {"process": "marketing.content_marketing", "level": 1, "offer": False, "need": 3},
        {"process": "hr.recruitment", "level": 5, "offer": True, "need": 0}])
    assert _sync(api, [ours, learner]).json()["counts"]["created"] == 2
    inside = api.get(f"{MEMBERS}/learner/suggestions").json()
    assert [i["partner_external_id"] for i in inside["items"]] == ["teacher"]
    everywhere = api.get(f"{MEMBERS}/learner/suggestions", params={"within": "everywhere"}
                         ).json()
    slugs = [i["partner"]["slug"] for i in everywhere["items"]]
    assert rajeev_firm.slug in slugs and len(slugs) == 2
