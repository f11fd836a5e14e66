"""Membership history without orphans (issue 14.6) and honest sync reports (issue 14.7)."""

from __future__ import annotations

from sqlmodel import Session, select

from exchange.accounts.models import User
from exchange.profiles.models import Business
from exchange.profiles.visibility import visible_to
from tests.conftest import Client
from tests.networks.conftest import member_record

BASE = "/api/v1/networks/pune-chamber"


def _sync(api: Client, *records: dict[str, object], query: str = "") -> dict[str, object]:
    r = api.put(f"{BASE}/members{query}", json={"members": list(records)})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _seen_by(session: Session, user: User) -> list[Business]:
    """What the directory shows a stranger (the one visibility rule)."""
    return list(session.exec(select(Business).where(visible_to(user.id))).all())


def test_a_removed_managed_member_is_archived_and_revived_by_its_id(
    api: Client, session: Session, charlie: User,
) -> None:
    _sync(api, member_record("sunrise-999", name="Sunrise Logistics"))
    business = session.exec(select(Business)).one()
    slug = business.slug
    assert _seen_by(session, charlie) == [business]
    assert api.delete(f"{BASE}/members/sunrise-999").status_code == 204
    session.refresh(business)
    assert business.archived_at is not None  # no longer public, no owner, no network
    assert _seen_by(session, charlie) == []
    again = _sync(api, member_record("sunrise-999", name="Sunrise Logistics"))
    assert again["created"] == ["sunrise-999"] and again["applied"] is True
    assert session.exec(select(Business)).all() == [business]  # the same one, not a -2
    session.refresh(business)
    assert business.archived_at is None and business.slug == slug
    assert _seen_by(session, charlie) == [business]
    member = api.get(f"{BASE}/members/sunrise-999").json()
    assert member["profile"]["slug"] == slug and member["managed_by_network"] is True
    assert _sync(api, member_record("sunrise-999", name="Sunrise Logistics"))[
        "unchanged"] == ["sunrise-999"]


def test_a_dry_run_shows_the_revival_and_writes_nothing(api: Client, session: Session) -> None:
    _sync(api, member_record("crm-1"))
    api.delete(f"{BASE}/members/crm-1")
    dry = _sync(api, member_record("crm-1"), query="?dry_run=true")
    assert dry["created"] == ["crm-1"] and dry["applied"] is False
    business = session.exec(select(Business)).one()
    assert business.archived_at is not None
    assert api.get(f"{BASE}/members/crm-1").status_code == 404


def test_a_member_with_owners_stays_public_when_removed(
    api: Client, session: Session, rajeev_firm: Business, pune_chamber: object,
) -> None:
    from exchange.networks import service

    service.add_member(session, pune_chamber, rajeev_firm, "rajeev", managed=False)  # type: ignore[arg-type]
    session.commit()
    assert api.delete(f"{BASE}/members/rajeev").status_code == 204
    session.refresh(rajeev_firm)
    assert rajeev_firm.archived_at is None


def test_applied_is_false_when_nothing_was_written(api: Client) -> None:
    first = _sync(api, member_record("crm-1"), member_record("crm-2"))
    assert first["applied"] is True
    same = _sync(api, member_record("crm-1"), member_record("crm-2"))
    assert same["counts"]["unchanged"] == 2 and same["applied"] is False
    rejected = _sync(api, member_record("crm-3", isic="12"))
    assert rejected["counts"]["rejected"] == 1 and rejected["applied"] is False
    changed = _sync(api, member_record("crm-1", name="Renamed"))
    assert changed["updated"] == ["crm-1"] and changed["applied"] is True


def test_empty_cells_are_the_canonical_nothing(api: Client) -> None:
    """Level 0, need 0, no offer: not stored, not read back, and resending it changes nothing
    (documented on the sync operation and CellRecord)."""
    empty = {"process": "finance.bookkeeping", "level": 0, "offer": False, "need": 0}
    record = member_record("crm-1")
    record["cells"] = [*record["cells"], empty]  # type: ignore[misc]
    _sync(api, record)
    cells = api.get(f"{BASE}/members/crm-1").json()["cells"]
    assert {c["process"] for c in cells} == {"marketing.content_marketing", "hr.recruitment"}
    assert _sync(api, record)["unchanged"] == ["crm-1"]
    schema = api.get("/api/v1/openapi.json").json()
    assert "not stored" in schema["components"]["schemas"]["CellRecord"]["description"]
