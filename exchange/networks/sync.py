"""Member sync: a network upserts up to 1,000 members per request, keyed by its own ids, in the
import JSON shape (exchange/profiles/importer.py does the validating and writing — one home).

- **Per item by default.** Every record is validated whole; a bad one is reported under
  `rejected` with every problem named (`field`, `message`) and the others apply.
  **`atomic=true`** makes it all-or-nothing: if any record is rejected nothing is written and the
  answer is a 422 naming `members[i].field`.
- **`dry_run=true`** validates and reports what would happen, writing nothing.
- **Idempotent.** The same payload again reports every member unchanged and writes nothing.
- **Ownership.** Members the sync creates are network-managed. A member with owners (who
  joined by consent, or claimed their listing) is never edited by the network: it is reported
  under `owner_managed`, untouched.
- Members missing from the payload are left alone (remove one with DELETE).
- Every created or updated member emits `member.updated` (exchange/events.py), which becomes a
  webhook delivery in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from exchange.errors import FieldError
from exchange.events import emit
from exchange.networks import service
from exchange.networks.models import Network, NetworkMember
from exchange.profiles.importer import ImportReport, import_businesses
from exchange.profiles.models import Business

MAX_MEMBERS = 1000


@dataclass
class NetworkKeying:
    """Ids are the network's member ids; only network-managed members may be edited."""

    network: Network
    managed: dict[int, bool] = field(default_factory=dict)

    def load(self, session: Session) -> dict[str, int]:
        rows = session.exec(select(NetworkMember.external_id, NetworkMember.business_id,
                                   NetworkMember.managed_by_network)
                            .where(NetworkMember.network_id == self.network.id)).all()
        self.managed = {business_id: managed for _, business_id, managed in rows}
        return {external_id: business_id for external_id, business_id, _ in rows}

    def link(self, session: Session, external_id: str, business: Business) -> None:
        assert business.id is not None and self.network.id is not None
        session.add(NetworkMember(network_id=self.network.id, business_id=business.id,
                                  external_id=external_id, managed_by_network=True))

    def locked(self, business_id: int) -> bool:
        return not self.managed.get(business_id, True)


@dataclass
class SyncResult:
    report: ImportReport
    applied: bool

    def rejected_field_errors(self) -> list[FieldError]:
        return [FieldError(f"members[{r.index}]" + (f".{e.field}" if e.field else ""), e.message)
                for r in self.report.rejected for e in r.errors]


def sync_members(session: Session, network: Network, records: list[Any], *,
                 dry_run: bool = False, atomic: bool = False) -> SyncResult:
    if atomic and not dry_run:
        trial = import_businesses(session, records, dry_run=True, keying=NetworkKeying(network))
        if trial.rejected:
            return SyncResult(trial, applied=False)
    report = import_businesses(session, records, dry_run=dry_run, keying=NetworkKeying(network))
    if not dry_run:
        _announce(session, network, report)
    return SyncResult(report, applied=not dry_run)


def _announce(session: Session, network: Network, report: ImportReport) -> None:
    changes = {**dict.fromkeys(report.created, "created"),
               **dict.fromkeys(report.updated, "updated")}
    if not changes:
        return
    rows = session.exec(
        select(NetworkMember, Business)
        .join(Business, col(Business.id) == NetworkMember.business_id)
        .where(NetworkMember.network_id == network.id,
               col(NetworkMember.external_id).in_(list(changes)))
        .order_by(col(NetworkMember.id))
    ).all()
    for member, business in rows:
        emit(session, service.member_event(
            "member.updated", network, service.MemberView(member, business),
            change=changes[member.external_id]))
