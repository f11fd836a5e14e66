"""Importing many businesses at once from the shared JSON shape (CLI `exchange import`, and the
network API's bulk sync later).

The shape, one object per business:
  id (external id, unique in the file), name, isic (ISIC class), country, region, city,
  market_reach, excluded (external ids), cells: [{process, level, offer, need, target_level?,
  evidence?}], and optionally slug, description, website, size_band, languages,
  hosting_capacity, visibility.

Each record is validated whole before anything is written; a bad record is rejected with every
problem named and the others still apply (per-item). Re-importing the same file reports every
record unchanged and writes nothing. Businesses are keyed by (source, external id) in
`business_external_refs`, so two sources may use the same ids without clashing.

Who owns the ids is a :class:`Keying`: the CLI's is :class:`SourceKeying` (the table above); a
partner network's sync keys by the network's own member ids and may not edit businesses that
have owners (exchange/networks/sync.py) — same validation, same upsert, one home.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlmodel import Session, col, select

from exchange.db import utcnow
from exchange.errors import FieldError, ValidationFailed
from exchange.profiles import matrix as matrix_service
from exchange.profiles import service as profiles_service
from exchange.profiles.models import (
    Business,
    BusinessCreate,
    BusinessExclusion,
    CellIn,
    ExternalRef,
    MatrixCell,
)
from exchange.profiles.records import parse_record
from exchange.taxonomy.models import Process

DEFAULTS = {"size_band": "1-9", "languages": [], "hosting_capacity": 1, "visibility": "public",
            "description": "", "website": None, "region": ""}


@dataclass
class Rejected:
    index: int
    external_id: str | None
    errors: list[FieldError]


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    # Valid records of businesses the keying does not let this import edit (nothing written).
    locked: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated),
                "unchanged": len(self.unchanged), "rejected": len(self.rejected)}


class Keying(Protocol):
    """Maps the records' ids to businesses."""

    def load(self, session: Session) -> dict[str, int]:
        """Every known external id → business id."""

    def link(self, session: Session, external_id: str, business: Business) -> None:
        """Remember a newly created business under its external id."""

    def locked(self, business_id: int) -> bool:
        """Whether this import may not change the business (after `load`)."""


@dataclass
class SourceKeying:
    """Ids namespaced by a source name, in `business_external_refs`."""

    source: str = "import"

    def load(self, session: Session) -> dict[str, int]:
        return {r.external_id: r.business_id for r in session.exec(
            select(ExternalRef).where(ExternalRef.source == self.source)).all()}

    def link(self, session: Session, external_id: str, business: Business) -> None:
        assert business.id is not None
        session.add(ExternalRef(source=self.source, external_id=external_id,
                                business_id=business.id))

    def locked(self, business_id: int) -> bool:
        return False


@dataclass
class _Valid:
    index: int
    external_id: str
    profile: BusinessCreate
    cells: list[tuple[Process, CellIn]]
    excluded: list[str]
    slug: str | None


def _profile_input(record: dict[str, Any]) -> dict[str, Any]:
    data = {**DEFAULTS, **{k: v for k, v in record.items() if k in DEFAULTS and v is not None}}
    for key in ("name", "country", "city", "market_reach"):
        if key in record:
            data[key] = record[key]
    if "isic" in record:
        data["isic_class"] = str(record["isic"])
    return data


def _validate(session: Session, index: int, record: Any, processes: dict[str, Process],
              known_ids: set[str], class_codes: set[str]) -> _Valid | Rejected:
    # Types, enums, patterns and lengths first (records.py, the schema the API serves); then
    # what needs the database or code lists.
    try:
        record = parse_record(record).model_dump(mode="json")
    except ValidationFailed as exc:
        return Rejected(index, _reported_id(record), exc.errors + _further_problems(
            session, record, exc.errors, processes, class_codes))
    external_id: str = record["id"]
    errors: list[FieldError] = []
    profile: BusinessCreate | None = None
    try:
        profile = profiles_service.validate_create(session, _profile_input(record),
                                                   class_codes)
    except ValidationFailed as exc:
        errors.extend(FieldError("isic" if e.field == "isic_class" else e.field, e.message)
                      for e in exc.errors if e.field not in {x.field for x in errors})
    cells: list[tuple[Process, CellIn]] = []
    try:
        cells = matrix_service.validate_cells(session, record["cells"], processes=processes)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    excluded: list[str] = record["excluded"]
    unknown = [x for x in excluded if x not in known_ids]
    if unknown:
        errors.append(FieldError("excluded", f"unknown ids: {', '.join(unknown[:10])}"))
    if external_id in excluded:
        errors.append(FieldError("excluded", "a business cannot exclude itself"))
    if errors or profile is None:
        return Rejected(index, external_id, errors)
    return _Valid(index, external_id, profile, cells, excluded, record["slug"] or None)


def _further_problems(session: Session, record: Any, errors: list[FieldError],
                      processes: dict[str, Process], class_codes: set[str]
                      ) -> list[FieldError]:
    """For a record the schema refused: the code-list and taxonomy problems of the fields it
    did accept, so that one answer names every problem."""
    if not isinstance(record, dict):
        return []
    failed = {e.field.split(".")[0].split("[")[0] for e in errors}
    named = {e.field for e in errors}
    partial = {k: v for k, v in record.items() if k not in failed}
    more: list[FieldError] = []
    try:
        profiles_service.validate_create(session, _profile_input(partial), class_codes)
    except ValidationFailed as exc:
        for error in exc.errors:
            name = "isic" if error.field == "isic_class" else error.field
            if name not in failed:
                more.append(FieldError(name, error.message))
    cells = record.get("cells")
    if "cells" not in failed and isinstance(cells, list):
        try:
            matrix_service.validate_cells(session, cells, processes=processes)
        except ValidationFailed as exc:
            more.extend(exc.errors)
    elif isinstance(cells, list):
        for i, cell in enumerate(cells):
            process = cell.get("process") if isinstance(cell, dict) else None
            if (isinstance(process, str) and process not in processes
                    and f"cells[{i}].process" not in named):
                more.append(FieldError(f"cells[{i}].process", f"unknown process “{process}”"))
    return more


def _reported_id(record: Any) -> str | None:
    """The id to name a rejected record by, when it has a usable one."""
    raw = record.get("id") if isinstance(record, dict) else None
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    return raw.strip() if isinstance(raw, str) and 0 < len(raw.strip()) <= 128 else None


def _free_slug(item: _Valid, taken: set[str]) -> str:
    """The record's own slug when it is well-formed and free, else one made from the name."""
    wanted = item.slug if item.slug and profiles_service.slugify(item.slug) == item.slug else None
    base = wanted or profiles_service.slugify(item.profile.name)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _cell_tuples(cells: list[tuple[Process, CellIn]]) -> set[tuple[Any, ...]]:
    return {(p.id, c.level, c.offer, c.need, c.target_level, c.evidence)
            for p, c in cells if not matrix_service.is_empty(c)}


def import_businesses(session: Session, records: list[Any], *, source: str = "import",
                      dry_run: bool = False, keying: Keying | None = None) -> ImportReport:
    keying = keying or SourceKeying(source)
    report = ImportReport()
    processes = matrix_service.processes_by_key(session)
    class_codes = profiles_service.isic_class_codes(session)
    refs = keying.load(session)
    file_ids = [str(r.get("id")) for r in records if isinstance(r, dict) and r.get("id")]
    duplicates = {i for i in file_ids if file_ids.count(i) > 1} if len(set(file_ids)) < len(
        file_ids) else set()
    known_ids = set(file_ids) | set(refs)

    valid: list[_Valid] = []
    for index, record in enumerate(records):
        outcome = _validate(session, index, record, processes, known_ids, class_codes)
        if isinstance(outcome, _Valid) and outcome.external_id in duplicates:
            outcome = Rejected(index, outcome.external_id,
                               [FieldError("id", "appears more than once in the file")])
        if isinstance(outcome, Rejected):
            report.rejected.append(outcome)
        else:
            valid.append(outcome)

    existing = {}
    if refs:
        ids = list(refs.values())
        existing = {b.id: b for b in session.exec(
            select(Business).where(col(Business.id).in_(ids))).all()}
    cells_by_business: dict[int, dict[int, MatrixCell]] = {}
    if existing:
        for cell in session.exec(select(MatrixCell).where(
                col(MatrixCell.business_id).in_(list(existing)))).all():
            cells_by_business.setdefault(cell.business_id, {})[cell.process_id] = cell

    by_external: dict[str, Business] = {}
    to_create: list[tuple[_Valid, Business]] = []
    taken_slugs = set(session.exec(select(Business.slug)).all())
    for item in valid:
        ref = refs.get(item.external_id)
        business = existing.get(ref) if ref else None
        fields = item.profile.model_dump(mode="json")
        if business is not None and keying.locked(ref or 0):
            report.locked.append(item.external_id)
        elif business is None:
            report.created.append(item.external_id)
            if dry_run:
                continue
            slug = _free_slug(item, taken_slugs)
            business = profiles_service.new_business(fields, slug)
            to_create.append((item, business))
        else:
            current = cells_by_business.get(business.id or 0, {})
            same_cells = _cell_tuples(item.cells) == {
                (c.process_id, c.level, c.offer, c.need, c.target_level, c.evidence)
                for c in current.values()}
            same_fields = all(getattr(business, k) == v for k, v in fields.items())
            if same_cells and same_fields:
                report.unchanged.append(item.external_id)
            else:
                report.updated.append(item.external_id)
                if not dry_run:
                    business.updated_at = utcnow()
                    session.add(business)
                    if not same_fields:
                        profiles_service.update_business(session, business, fields,
                                                         announce=False)
                    if not same_cells:
                        given = {p.id for p, _ in item.cells}
                        matrix_service.write_cells(session, business, item.cells, current)
                        for pid, cell in current.items():
                            if pid not in given:
                                session.delete(cell)
        by_external[item.external_id] = business
    if to_create:
        # One flush for all new rows assigns their ids; then their refs and cells.
        session.add_all([business for _, business in to_create])
        session.flush()
        new_cells: list[dict[str, Any]] = []
        for item, business in to_create:
            keying.link(session, item.external_id, business)
            matrix_service.write_cells(session, business, item.cells, {}, new_cells)
        matrix_service.insert_cells(session, new_cells)
    if dry_run:
        return report
    session.flush()

    # Exclusions last: they may point at businesses created further down the file.
    ids_by_external = dict(refs)
    ids_by_external.update({ext: b.id for ext, b in by_external.items() if b.id is not None})
    business_ids = [b.id for b in by_external.values()]
    current_rows: dict[int, list[BusinessExclusion]] = {}
    for row in session.exec(select(BusinessExclusion).where(
            col(BusinessExclusion.business_id).in_(business_ids))).all():
        current_rows.setdefault(row.business_id, []).append(row)
    for item in valid:
        if item.external_id in report.locked:
            continue
        business = by_external[item.external_id]
        assert business.id is not None
        wanted = {ids_by_external[x] for x in item.excluded if x in ids_by_external}
        rows = current_rows.get(business.id, [])
        if {r.excluded_business_id for r in rows} == wanted:
            continue
        for row in rows:
            session.delete(row)
        session.flush()
        for other in sorted(wanted):
            session.add(BusinessExclusion(business_id=business.id, excluded_business_id=other))
        business.updated_at = utcnow()  # the matching index reloads changed profiles
        session.add(business)
        if item.external_id in report.unchanged:
            report.unchanged.remove(item.external_id)
            report.updated.append(item.external_id)
    session.flush()
    return report
