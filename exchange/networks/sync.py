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
- Members missing from the payload are left alone (remove one with DELETE). Removing a member
  the network manages archives its business; syncing the same id again revives that business
  (reported under `created`), never a second one.
- `applied` is true only when something was written (a created or updated member).
- Cells with level 0, need 0, no offer and no target say nothing and are not stored: the
  canonical form leaves them out, and a read-back omits them.
- Every created or updated member emits `member.updated` (exchange/events.py), which becomes a
  webhook delivery in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from exchange.db import utcnow
from exchange.errors import FieldError
from exchange.events import emit
from exchange.networks import service
from exchange.networks.models import Network, NetworkMember
from exchange.profiles.importer import ImportReport, import_businesses
from exchange.profiles.models import Business, ExternalRef

MAX_MEMBERS = 1000


@dataclass
class NetworkKeying:
    """Ids are the network's member ids; only network-managed members may be edited."""

    network: Network
    managed: dict[int, bool] = field(default_factory=dict)
    # Members this network removed (their businesses archived), by id: syncing one again
    # revives the same business.
    removed: dict[str, ExternalRef] = field(default_factory=dict)

    def load(self, session: Session) -> dict[str, int]:
        rows = session.exec(select(NetworkMember.external_id, NetworkMember.business_id,
                                   NetworkMember.managed_by_network)
                            .where(NetworkMember.network_id == self.network.id)).all()
        self.managed = {business_id: managed for _, business_id, managed in rows}
        self.removed = {ref.external_id: ref for ref in session.exec(select(ExternalRef).where(
            ExternalRef.source == service.removed_source(self.network)))}
        known = {ref.external_id: ref.business_id for ref in self.removed.values()}
        known.update({external_id: business_id for external_id, business_id, _ in rows})
        return known

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
    keying = NetworkKeying(network)
    report = import_businesses(session, records, dry_run=dry_run, keying=keying)
    _revive(session, keying, report, dry_run=dry_run)
    if not dry_run:
        _announce(session, network, report)
    # Honest: `applied` says whether anything was written, not whether we were allowed to.
    return SyncResult(report, applied=not dry_run and bool(report.created or report.updated))


def _revive(session: Session, keying: NetworkKeying, report: ImportReport, *,
            dry_run: bool) -> None:
    """Members removed earlier and synced again: the same business comes back, unarchived,
    as a network-managed member (reported under `created`: the membership is new)."""
    for bucket in (report.updated, report.unchanged):
        for external_id in [x for x in bucket if x in keying.removed]:
            bucket.remove(external_id)
            report.created.append(external_id)
            if dry_run:
                continue
            ref = keying.removed[external_id]
            business = session.get(Business, ref.business_id)
            assert business is not None and keying.network.id is not None
            business.archived_at = None
            business.updated_at = utcnow()  # the matching index reloads it
            session.add(business)
            session.add(NetworkMember(network_id=keying.network.id, business_id=business.id,
                                      external_id=external_id, managed_by_network=True))
            session.delete(ref)
    session.flush()


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
