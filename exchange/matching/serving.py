"""Serving the matcher: the database loaded into one in-memory :class:`MatchingIndex`, kept fresh
cheaply, shared by the pages, the API and the CLI (PRODUCT §4, §8).

**What goes in.** Every business that is not archived, with its matrix cells on the processes
that are not retired (``matrix_cells``, mapped to columns through ``processes``), its exclusion list
(``business_exclusions``), its ISIC class and section (``taxonomy.service.section_of``), its
normalised city and region (the ``*_normalized`` columns, written by
``profiles.places.normalize_place``) with display names (``city``, ``region`` and the country's
name), languages, hosting capacity, visibility, and two hooks other features fill in later:
:func:`current_load_of` (interns each business hosts right now — the internship workflow) and
:func:`networks_of` (the partner networks a business belongs to — the networks issue). The
taxonomy is every process that is not retired, with its display name; retired processes are legacy
answers, kept readable on the profile but no longer matched.

Index ids are the database ids, zero-padded (:func:`index_key`), so that the matcher's tie-break
("ties by partner id") means "the business listed first wins a tie" rather than an alphabetical
accident of slugs.

**Loading.** The full build reads a handful of column queries (no ORM object per business, and the
~1.8 million cells of 100,000 firms come through the driver's cursor in chunks straight into one
flat integer array) and hands numpy matrices to :meth:`MatchingIndex.from_arrays`. Measured in
``benchmarks/matching_serving.py`` on SQLite: 0.7 s for 10,000 businesses, ~5.4 s for 100,000
(three quarters of it SQLite reading the rows), 5 MB / 50 MB of index arrays.

**Freshness.** Every write that matters to matching — a profile edit, a matrix change, an exclusion
list, archiving — bumps ``Business.updated_at`` in the same transaction (the services do it). So
before it answers, the holder asks the database two cheap questions:

1. has the taxonomy changed (count of processes, of retired ones, newest ``processes.updated_at``)?
   Then it rebuilds in full: department sizes, and so every weight, depend on it.
2. which businesses have an ``updated_at`` later than its previous look, minus a safety window
   (:data:`FRESHNESS_WINDOW`)? It compares each with the ``updated_at`` it loaded and reloads
   only those that differ — an upsert, or a removal when archived. The window is there because
   ``updated_at`` is stamped when a transaction writes, not when it commits: a transaction that
   commits after the holder looked carries a stamp from before, by at most its own duration (and
   any clock skew between servers). Anchoring the window on the time of the previous look, not on
   the newest stamp, keeps the question small: only businesses written in the last minute or so
   are listed, never the bulk of an old import. It wants an index on ``businesses.updated_at``:
   without one the question scans the table (~40 ms at 100,000 businesses on SQLite, ~2 ms
   with it).

It also counts the businesses: if the count is not what it expects (a business was deleted, or
created by a transaction that ran longer than the window), or too many changed at once (a bulk
import), it rebuilds in full. First use also builds in full; nothing is built until something
asks for a suggestion, so tests and pages that do not need the index never pay for it.

Limits: an *update* of an existing business committed by a transaction that ran longer than the
window (a minute) is not seen until the next full rebuild (a restart, a taxonomy edit, a
deletion). Requests take milliseconds; a long import mostly creates businesses, which the count
catches. For as long as the window lasts after a bulk write, each refresh lists the businesses
written (``refresh_unchanged_all_recent`` in the benchmark). Other features that change what
matching reads (hosted interns, network memberships) must bump ``Business.updated_at`` of the
businesses concerned, like the profile services do.

**Threads.** uvicorn runs sync routes in a thread pool. The index is not thread-safe, so one lock
guards it: a request refreshes and queries while holding it. Queries take a few milliseconds, an
incremental refresh about as much, so requests queue briefly rather than race; a full rebuild
(first use, taxonomy edits) holds it for as long as the build takes (see above), which is when
every request needs the new index anyway.

**Reads, never writes.** The holder reads through the caller's session (so tests, which run
inside a rolled-back transaction, see their own data); call it from read-only requests, before
anything is written, so it never loads data that might still be rolled back.
"""

from __future__ import annotations

import gc
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Annotated, Any, Final, Literal

import numpy as np
import numpy.typing as npt
from fastapi import Depends, FastAPI, Request
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from exchange.db import utcnow
from exchange.errors import Conflict
from exchange.matching.algorithm import (
    BusinessRecord,
    MatchingIndex,
    SuggestionQuery,
    Taxonomy,
    explain_pair,
    suggest_partners,
)
from exchange.matching.competition import ISIC_DEPTHS, IsicDepth
from exchange.matching.explain import (
    NEED_WORDS,
    NotSuggested,
    ProcessContribution,
    Suggestion,
    describe_contribution,
    process_display_name,
)
from exchange.networks.models import Network, NetworkMember
from exchange.profiles.models import Business, BusinessExclusion, MatrixCell
from exchange.profiles.places import country_name
from exchange.profiles.visibility import visible_to
from exchange.taxonomy.models import Process
from exchange.taxonomy.service import industry_tree, section_of

# How far before its previous look the holder still looks for changes (see the module
# docstring: a transaction commits after it stamped ``updated_at``).
FRESHNESS_WINDOW: Final = timedelta(minutes=1)
# More changed businesses than this (and more than a tenth of the index) → a full rebuild, which
# is then cheaper than that many single reloads.
MAX_INCREMENTAL: Final = 2_000
# Longest suggestion list a page or the API may ask for, and how deep the API pages.
MAX_LIMIT: Final = 100
MAX_DEPTH: Final = 500
DEFAULT_LIMIT: Final = 20

_KEY_WIDTH: Final = 10


def index_key(business_id: int) -> str:
    """The index id of a database business: zero-padded, so ids sort like numbers."""
    return f"{business_id:0{_KEY_WIDTH}d}"


def business_id_of(key: str) -> int:
    return int(key)


# -- hooks for features that come later ---------------------------------------------------------

BusinessIds = Sequence[int] | None  # None: every business


def current_load_of(session: Session, business_ids: BusinessIds) -> Mapping[int, int]:
    """How many interns each business hosts now or has agreed to host (accepted or active
    internships that have not ended), by database id; missing ids count 0. The internship
    service bumps the host's ``Business.updated_at`` whenever this count changes, so that the
    holder reloads it."""
    from exchange.internships.models import Internship
    from exchange.internships.states import BUSY_STATES

    query = (
        sa_select(col(Internship.host_business_id), func.count())
        .where(col(Internship.state).in_([s.value for s in BUSY_STATES]),
               col(Internship.end_date) >= date.today())
        .group_by(col(Internship.host_business_id))
    )
    if business_ids is not None:
        query = query.where(col(Internship.host_business_id).in_(list(business_ids)))
    return {int(host): int(n) for host, n in session.connection().execute(query).all()}


def networks_of(session: Session, business_ids: BusinessIds) -> Mapping[int, Iterable[str]]:
    """The partner networks (slugs) each business belongs to, by database id: a "networks"-only
    business is matched with businesses sharing one — the rule `profiles.visibility` applies to
    people. Membership changes bump the business's ``updated_at`` (exchange/networks/service.py).
    """
    statement = sa_select(col(NetworkMember.business_id), col(Network.slug)).join(
        Network, col(Network.id) == col(NetworkMember.network_id))
    if business_ids is not None:
        statement = statement.where(col(NetworkMember.business_id).in_(business_ids))
    out: dict[int, list[str]] = {}
    for business_id, slug in session.connection().execute(statement):
        out.setdefault(business_id, []).append(slug)
    return out


CurrentLoadSource = Callable[[Session, BusinessIds], Mapping[int, int]]
NetworksSource = Callable[[Session, BusinessIds], Mapping[int, Iterable[str]]]


# -- loading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TaxonomySnapshot:
    signature: tuple[Any, ...]
    taxonomy: Taxonomy
    column_of_process: dict[int, int]


# What the taxonomy's state is summed up by, and how many businesses there are: one round trip
# of plain Core (every request asks it, so no ORM layer).
_SIGNATURE = sa_select(
    sa_select(func.count()).select_from(Process).scalar_subquery(),
    sa_select(func.count(col(Process.retired_at))).scalar_subquery(),
    sa_select(func.max(Process.updated_at)).scalar_subquery(),
)
_STATE = _SIGNATURE.add_columns(sa_select(func.count()).select_from(Business).scalar_subquery())


def _taxonomy_signature(session: Session) -> tuple[Any, ...]:
    return tuple(session.connection().execute(_SIGNATURE).one())


def in_sentence(name: str) -> str:
    """A process name as it reads inside a sentence: "Content marketing" → "content marketing"
    ("They: content marketing 5 · You: 1"), acronyms kept ("CRM administration")."""
    first = name.split(" ", 1)[0]
    if len(first) > 1 and first[1:].islower():
        return name[:1].lower() + name[1:]
    return name


def _load_taxonomy(session: Session) -> _TaxonomySnapshot:
    signature = _taxonomy_signature(session)
    rows = session.exec(
        select(Process.id, Process.key, Process.name)
        .where(col(Process.retired_at).is_(None))
        .order_by(col(Process.key))
    ).all()
    taxonomy = Taxonomy((key for _, key, _ in rows),
                        {key: in_sentence(name) for _, key, name in rows})
    column_of_process = {pid: taxonomy.index_of(key) for pid, key, _ in rows if pid is not None}
    return _TaxonomySnapshot(signature, taxonomy, column_of_process)


_PROFILE_COLUMNS = tuple(col(column) for column in (
    Business.id, Business.slug, Business.name, Business.isic_class, Business.country,
    Business.region, Business.region_normalized, Business.city, Business.city_normalized,
    Business.market_reach, Business.languages, Business.hosting_capacity, Business.visibility,
    Business.updated_at, Business.archived_at,
))  # fmt: skip


@dataclass
class _Columns:
    """Businesses as columns (the shape ``MatchingIndex.from_arrays`` takes), plus what the
    holder keeps about each row it read, archived ones included."""

    keys: list[str]
    fields: dict[str, Any]
    level: npt.NDArray[np.int8]
    offer: npt.NDArray[np.bool_]
    need: npt.NDArray[np.int8]
    # every row read, archived too (plain dicts of untracked values: cheap for the collector)
    stamps: dict[int, datetime]  # id → updated_at
    slugs: dict[int, str]
    archived: set[int]

    def records(self, taxonomy: Taxonomy) -> list[BusinessRecord]:
        """The same businesses as records, for upserts (a handful at a time)."""
        process_keys = taxonomy.keys
        records = []
        for i, key in enumerate(self.keys):
            used = np.flatnonzero((self.level[i] > 0) | self.offer[i] | (self.need[i] > 0))
            cells = {
                process_keys[j]: (int(self.level[i, j]), bool(self.offer[i, j]),
                                  int(self.need[i, j]))
                for j in used.tolist()
            }
            values = {name: column[i] for name, column in self.fields.items()}
            records.append(BusinessRecord(
                id=key, name=values["names"], isic=values["isic"],
                isic_section=values["isic_section"], country=values["country"],
                region=values["region"], city=values["city"],
                market_reach=values["market_reach"], excluded=values["excluded"],
                hosting_capacity=int(values["hosting_capacity"]),
                current_load=int(values["current_load"]), visibility=values["visibility"],
                networks=values["networks"], languages=values["languages"], cells=cells,
                city_display=values["city_display"], region_display=values["region_display"],
                country_display=values["country_display"],
            ))  # fmt: skip
        return records


_CELL_COLUMNS = tuple(col(column) for column in (
    MatrixCell.business_id, MatrixCell.process_id, MatrixCell.level, MatrixCell.offer,
    MatrixCell.need,
))
_FETCH_ROWS = 200_000


def _cells(session: Session, business_ids: BusinessIds) -> npt.NDArray[np.int64]:
    """Matrix cells as an (m, 5) integer array: business id, process id, level, offer, need.

    All cells (a full build: ~2 million rows at 100,000 businesses) are read through the
    driver's own cursor in chunks straight into numpy — no ORM object, not even a Row, per cell:
    that is most of the build time saved. A few businesses' cells go through Core as usual."""
    statement = sa_select(*_CELL_COLUMNS)
    if business_ids is not None:
        statement = statement.where(col(MatrixCell.business_id).in_(business_ids))
        result = session.connection().execute(statement)
        return np.fromiter(chain.from_iterable(result), dtype=np.int64).reshape(-1, 5)
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect))  # no parameters
    cursor = connection.connection.cursor()
    chunks = []
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_FETCH_ROWS):
            chunks.append(np.fromiter(chain.from_iterable(rows), dtype=np.int64,
                                      count=5 * len(rows)))
    finally:
        cursor.close()
    flat = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
    return flat.reshape(-1, 5)


def _lookup(keys: Sequence[int], values: Sequence[int] | npt.NDArray[np.intp]
            ) -> npt.NDArray[np.intp]:
    """A dense id → value array (−1 where unknown), for mapping database ids in bulk."""
    table = np.full((max(keys) + 1) if keys else 1, -1, dtype=np.intp)
    if keys:
        table[np.asarray(keys, dtype=np.intp)] = values
    return table


_EMPTY: Final[frozenset[str]] = frozenset()


def _interned(values: Iterable[Iterable[str] | None]) -> list[frozenset[str]]:
    """Tag sets as frozensets, one shared object per distinct set: a population repeats a few
    dozen language combinations, and fewer objects keep the build and the collector quick."""
    shared: dict[tuple[str, ...], frozenset[str]] = {}
    out = []
    for value in values:
        key = tuple(sorted(value)) if value else ()
        found = shared.get(key)
        if found is None:
            found = shared[key] = frozenset(key) if key else _EMPTY
        out.append(found)
    return out


def _load_columns(
    session: Session,
    snapshot: _TaxonomySnapshot,
    business_ids: BusinessIds,
    current_load: CurrentLoadSource,
    networks: NetworksSource,
) -> _Columns:
    statement = sa_select(*_PROFILE_COLUMNS).order_by(col(Business.id))
    if business_ids is not None:
        statement = statement.where(col(Business.id).in_(business_ids))
    rows = session.connection().execute(statement).all()
    # Column-wise from here: one transpose instead of an attribute lookup per row and field.
    (ids, slug, name, isic, country, region, region_key, city, city_key, reach, languages,
     capacity, visibility, updated_at, archived_at) = (
        map(list, zip(*rows, strict=True)) if rows else ([] for _ in _PROFILE_COLUMNS))
    stamps = dict(zip(ids, updated_at, strict=True))
    slugs = dict(zip(ids, slug, strict=True))
    archived = {i for i, at in zip(ids, archived_at, strict=True) if at is not None}
    if archived:
        live = [k for k, at in enumerate(archived_at) if at is None]
        (ids, name, isic, country, region, region_key, city, city_key, reach, languages,
         capacity, visibility) = (
            [column[k] for k in live]
            for column in (ids, name, isic, country, region, region_key, city, city_key,
                           reach, languages, capacity, visibility))
    live_ids = [int(i) for i in ids]
    n, p = len(live_ids), len(snapshot.taxonomy)

    excluded: dict[int, set[str]] = {}
    exclusions = sa_select(col(BusinessExclusion.business_id),
                           col(BusinessExclusion.excluded_business_id))
    if business_ids is not None:
        exclusions = exclusions.where(col(BusinessExclusion.business_id).in_(business_ids))
    for owner, other in session.connection().execute(exclusions):
        excluded.setdefault(owner, set()).add(index_key(other))

    loads = current_load(session, business_ids)
    memberships = networks(session, business_ids)
    sections = {code: section_of(code) or "" for code in set(isic)}
    countries = {code: country_name(code) or code for code in set(country)}
    fields: dict[str, Any] = {
        "names": name,
        "isic": isic,
        "isic_section": [sections[code] for code in isic],
        "country": country,
        "region": region_key,
        "city": city_key,
        "market_reach": reach,
        "hosting_capacity": np.array(capacity, dtype=np.int64),
        "current_load": np.array([loads.get(i, 0) for i in live_ids], dtype=np.int64),
        "visibility": visibility,
        "networks": _interned(memberships.get(i) for i in live_ids),
        "languages": _interned(languages),
        "excluded": [frozenset(excluded[i]) if i in excluded else _EMPTY for i in live_ids],
        "city_display": city,
        "region_display": region,
        "country_display": [countries[code] for code in country],
    }

    level = np.zeros((n, p), dtype=np.int8)
    offer = np.zeros((n, p), dtype=np.bool_)
    need = np.zeros((n, p), dtype=np.int8)
    cells = _cells(session, business_ids)
    if len(cells) and n:
        row_of = _lookup(live_ids, np.arange(n))
        column_of = _lookup(list(snapshot.column_of_process),
                            list(snapshot.column_of_process.values()))
        business, process = cells[:, 0], cells[:, 1]
        inside = (business < len(row_of)) & (process < len(column_of))
        cells = cells[inside]
        rows_at, columns_at = row_of[cells[:, 0]], column_of[cells[:, 1]]
        # Cells of archived businesses and of retired processes have no place in the index.
        kept = (rows_at >= 0) & (columns_at >= 0)
        rows_at, columns_at, cells = rows_at[kept], columns_at[kept], cells[kept]
        level[rows_at, columns_at] = cells[:, 2]
        offer[rows_at, columns_at] = cells[:, 3] != 0
        need[rows_at, columns_at] = cells[:, 4]
    return _Columns([index_key(i) for i in live_ids], fields, level, offer, need, stamps, slugs,
                    archived)


# -- the holder ---------------------------------------------------------------------------------


@dataclass
class _State:
    index: MatchingIndex
    snapshot: _TaxonomySnapshot
    checked_at: datetime  # when the holder last looked (taken before it read)
    total: int  # business rows accounted for, archived included
    stamps: dict[int, datetime]  # id → updated_at as loaded
    slugs: dict[int, str]


@dataclass(frozen=True)
class Refresh:
    """What a refresh did: ``kind`` is "full", "incremental" or "none"."""

    kind: Literal["full", "incremental", "none"]
    businesses: int  # in the index afterwards
    reloaded: int  # businesses upserted or removed (all of them for a full build)
    seconds: float
    reason: str = ""


class NotMatchable(Conflict):
    """The business takes part in no matching (it is archived)."""


class MatchingHolder:
    """One shared, lazily built, self-refreshing index per app (``app.state.matching``) or CLI
    run. See the module docstring for the freshness rule and the lock."""

    def __init__(
        self,
        *,
        current_load: CurrentLoadSource = current_load_of,
        networks: NetworksSource = networks_of,
        freshness_window: timedelta = FRESHNESS_WINDOW,
    ) -> None:
        self._current_load = current_load
        self._networks = networks
        self._window = freshness_window
        self._state: _State | None = None
        # Re-entrant: a query refreshes, then asks, under one hold.
        self._lock = threading.RLock()
        self.last_refresh: Refresh | None = None

    # -- freshness ------------------------------------------------------------------------------

    def refresh(self, session: Session) -> Refresh:
        """Bring the index up to date with the database (see the module docstring)."""
        with self._lock:
            started = time.perf_counter()
            report = self._refresh(session, started)
            self.last_refresh = report
            return report

    def rebuild(self, session: Session, reason: str = "asked") -> Refresh:
        """A full build from the database, whatever the state."""
        with self._lock:
            report = self._rebuild(session, time.perf_counter(), reason)
            self.last_refresh = report
            return report

    def _refresh(self, session: Session, started: float) -> Refresh:
        now = utcnow()
        state = self._state
        if state is None:
            return self._rebuild(session, started, "first use")
        connection = session.connection()
        *signature, total = connection.execute(_STATE).one()
        if tuple(signature) != state.snapshot.signature:
            return self._rebuild(session, started, "the process taxonomy changed")
        recent = sa_select(col(Business.id), col(Business.updated_at)).where(
            col(Business.updated_at) > state.checked_at - self._window)
        changed = [
            (int(business_id), updated_at)
            for business_id, updated_at in connection.execute(recent).all()
            if business_id is not None
            and state.stamps.get(business_id) != updated_at
        ]
        created = sum(1 for business_id, _ in changed if business_id not in state.stamps)
        if total != state.total + created:
            return self._rebuild(session, started, "the number of businesses is not as expected")
        if not changed:
            state.checked_at = now
            return Refresh("none", len(state.index), 0, time.perf_counter() - started)
        if len(changed) > max(MAX_INCREMENTAL, len(state.index) // 10):
            return self._rebuild(session, started, f"{len(changed)} businesses changed")
        ids = [business_id for business_id, _ in changed]
        columns = _load_columns(session, state.snapshot, ids, self._current_load, self._networks)
        try:
            for record in columns.records(state.snapshot.taxonomy):
                state.index.upsert(record)
            for business_id in columns.archived:
                if index_key(business_id) in state.index:
                    state.index.remove(index_key(business_id))
            state.stamps.update(columns.stamps)
            state.slugs.update(columns.slugs)
        except BaseException:
            # Never serve a half-updated index: the next request builds it afresh.
            self._state = None
            raise
        state.total = total
        state.checked_at = now
        return Refresh("incremental", len(state.index), len(ids), time.perf_counter() - started)

    def _rebuild(self, session: Session, started: float, reason: str) -> Refresh:
        now = utcnow()
        # A bulk load allocates hundreds of thousands of objects it keeps: collecting garbage
        # half-way through would only walk them again and again.
        collecting = gc.isenabled()
        gc.disable()
        try:
            snapshot = _load_taxonomy(session)
            columns = _load_columns(session, snapshot, None, self._current_load, self._networks)
            index = MatchingIndex.from_arrays(
                snapshot.taxonomy, ids=columns.keys, level=columns.level, offer=columns.offer,
                need=columns.need, **columns.fields,
            )  # fmt: skip
        finally:
            if collecting:
                gc.enable()
        self._state = _State(
            index=index,
            snapshot=snapshot,
            checked_at=now,
            total=len(columns.stamps),
            stamps=columns.stamps,
            slugs=columns.slugs,
        )
        return Refresh("full", len(index), len(index), time.perf_counter() - started, reason)

    # -- questions ------------------------------------------------------------------------------

    def suggest(self, session: Session, business_id: int, query: SuggestionQuery
                ) -> list[Suggestion]:
        """Fresh suggestions for a business (raises :class:`NotMatchable` when archived)."""
        with self._lock:
            self.refresh(session)
            index = self._index()
            key = index_key(business_id)
            if key not in index:
                raise _not_matchable()
            return suggest_partners(index, key, query)

    def explain(self, session: Session, business_id: int, other_id: int, query: SuggestionQuery
                ) -> Suggestion | NotSuggested | None:
        """The pair's suggestion or the reasons it is not one; None when the other business is
        not in the index (archived)."""
        with self._lock:
            self.refresh(session)
            index = self._index()
            key, other = index_key(business_id), index_key(other_id)
            if key not in index:
                raise _not_matchable()
            if other not in index:
                return None
            return explain_pair(index, key, other, query)

    def slug_of(self, business_id: int) -> str | None:
        with self._lock:
            state = self._state
            return state.slugs.get(business_id) if state else None

    def index(self) -> MatchingIndex:
        """The current index (for benchmarks and tests; hold no reference across requests)."""
        with self._lock:
            return self._index()

    def _index(self) -> MatchingIndex:
        if self._state is None:
            raise RuntimeError("the matching index is not built yet: call refresh() first")
        return self._state.index


def _not_matchable() -> NotMatchable:
    return NotMatchable(
        "This business is archived, so it takes part in no matching. Restore it to get "
        "suggestions again."
    )


_holder_lock = threading.Lock()


def holder_for(app: FastAPI) -> MatchingHolder:
    """The app's one holder, created on first use (the index itself is built on first query)."""
    holder: MatchingHolder | None = getattr(app.state, "matching", None)
    if holder is None:
        with _holder_lock:
            holder = getattr(app.state, "matching", None)
            if holder is None:
                holder = MatchingHolder()
                app.state.matching = holder
    return holder


def get_matching(request: Request) -> MatchingHolder:
    return holder_for(request.app)


MatchingDep = Annotated[MatchingHolder, Depends(get_matching)]


# -- what pages, API and CLI ask ----------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionOptions:
    """The filters a person can set on a suggestion list (pages and API)."""

    limit: int = DEFAULT_LIMIT
    same_country: bool = False
    same_region: bool = False
    common_language: bool = False
    isic_depth: IsicDepth = "group"
    # Only partners in one of these partner networks (slugs); None: everywhere.
    within_networks: frozenset[str] | None = None

    def query(self, limit: int | None = None) -> SuggestionQuery:
        return SuggestionQuery(
            limit=limit or self.limit,
            isic_depth=self.isic_depth,
            same_country=self.same_country,
            same_region=self.same_region,
            require_common_language=self.common_language,
            within_networks=self.within_networks,
        )

    @property
    def filters(self) -> dict[str, str]:
        """The options as query parameters (to carry them along in links); defaults left out."""
        out = {}
        for name in ("same_country", "same_region", "common_language"):
            if getattr(self, name):
                out[name] = "1"
        if self.isic_depth != "group":
            out["isic_depth"] = self.isic_depth
        if self.limit != DEFAULT_LIMIT:
            out["limit"] = str(self.limit)
        return out


_TRUE = frozenset({"1", "on", "true", "yes"})


def options_from_form(params: Mapping[str, str]) -> SuggestionOptions:
    """Options from a page's GET form, leniently: a value the form could not have sent falls
    back to the default instead of failing the page."""
    try:
        limit = min(MAX_LIMIT, max(1, int(params.get("limit", DEFAULT_LIMIT))))
    except ValueError:
        limit = DEFAULT_LIMIT
    depth = params.get("isic_depth", "group")
    return SuggestionOptions(
        limit=limit,
        same_country=params.get("same_country", "").lower() in _TRUE,
        same_region=params.get("same_region", "").lower() in _TRUE,
        common_language=params.get("common_language", "").lower() in _TRUE,
        isic_depth=depth if depth in ISIC_DEPTHS else "group",  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Partner:
    """What a suggestion shows about the other business."""

    id: int
    slug: str
    name: str
    description: str
    city: str
    region: str
    country: str
    country_name: str
    isic_class: str
    industry: str
    market_reach: str
    hosting_capacity: int
    archived: bool

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city, self.region, self.country_name) if part)

    @classmethod
    def of(cls, session: Session, business: Business) -> Partner:
        assert business.id is not None
        node = industry_tree(session).get(business.isic_class)
        return cls(
            id=business.id, slug=business.slug, name=business.name,
            description=business.description, city=business.city, region=business.region,
            country=business.country, country_name=country_name(business.country) or "",
            isic_class=business.isic_class, industry=node.title if node else "",
            market_reach=business.market_reach, hosting_capacity=business.hosting_capacity,
            archived=business.archived_at is not None,
        )  # fmt: skip


@dataclass(frozen=True)
class ContributionView:
    """One process behind a suggestion, as pages, the API and the CLI show it."""

    process: str
    process_name: str
    department: str
    partner_level: int
    own_level: int
    need: int
    need_name: str
    value: float
    share: float
    sentence: str

    @property
    def sentence_parts(self) -> tuple[str, str, str]:
        """The sentence around the process name, so a page can set the name in bold."""
        return self.sentence.partition(self.process_name)

    @classmethod
    def of(cls, contribution: ProcessContribution) -> ContributionView:
        c = contribution
        return cls(
            process=c.process,
            process_name=c.process_name or process_display_name(c.process),
            department=c.department,
            partner_level=c.partner_level,
            own_level=c.own_level,
            need=c.need,
            need_name=NEED_WORDS.get(c.need, str(c.need)),
            value=c.value,
            share=round(c.share, 4),
            sentence=describe_contribution(c),
        )


@dataclass(frozen=True)
class SuggestionView:
    """A suggestion with its explanation in words; ``learn`` is what the asker learns."""

    score: float
    learn_value: float
    teach_value: float
    learn: tuple[ContributionView, ...]
    teach: tuple[ContributionView, ...]

    @classmethod
    def of(cls, suggestion: Suggestion) -> SuggestionView:
        return cls(
            score=suggestion.score,
            learn_value=suggestion.learn_value,
            teach_value=suggestion.teach_value,
            learn=tuple(ContributionView.of(c) for c in suggestion.learn),
            teach=tuple(ContributionView.of(c) for c in suggestion.teach),
        )


@dataclass(frozen=True)
class PartnerSuggestion:
    partner: Partner
    suggestion: SuggestionView


@dataclass(frozen=True)
class ReasonView:
    code: str
    message: str


ARCHIVED_REASON = ReasonView("archived", "archived: it takes part in no matching")


@dataclass(frozen=True)
class PairAnswer:
    """"Why (not) this business?": the suggestion, or every reason there is none."""

    partner: Partner
    suggestion: SuggestionView | None
    reasons: tuple[ReasonView, ...]

    @property
    def suggested(self) -> bool:
        return self.suggestion is not None


def suggestions_for(
    session: Session, holder: MatchingHolder, business: Business, options: SuggestionOptions,
    *, offset: int = 0, extra: int = 0,
) -> list[PartnerSuggestion]:
    """The ranked partners of ``business`` from position ``offset``: ``options.limit`` of them,
    plus ``extra`` more (the API asks one more to know whether a next page exists)."""
    assert business.id is not None
    wanted = min(offset + options.limit + extra, MAX_DEPTH + extra)
    found = holder.suggest(session, business.id, options.query(limit=wanted))[offset:]
    ids = [business_id_of(s.partner_id) for s in found]
    rows = {b.id: b for b in session.exec(select(Business).where(col(Business.id).in_(ids)))}
    return [
        PartnerSuggestion(Partner.of(session, rows[business_id]), SuggestionView.of(suggestion))
        for business_id, suggestion in zip(ids, found, strict=True)
        if business_id in rows
    ]


def explain_for(
    session: Session, holder: MatchingHolder, business: Business, other: Business,
    options: SuggestionOptions,
) -> PairAnswer:
    """Explain one pair for a member of ``business``; ``other`` must be visible to them (the
    caller's dependency checked it)."""
    assert business.id is not None and other.id is not None
    partner = Partner.of(session, other)
    answer = holder.explain(session, business.id, other.id, options.query())
    if answer is None:
        return PairAnswer(partner, None, (ARCHIVED_REASON,))
    if isinstance(answer, NotSuggested):
        reasons = tuple(ReasonView(r.code, r.message) for r in answer.reasons)
        return PairAnswer(partner, None, reasons)
    return PairAnswer(partner, SuggestionView.of(answer), ())


LOOKUP_MAX = 8
_LIKE_SPECIAL = re.compile(r"([\\%_])")


def find_businesses(session: Session, user_id: int, text: str, *, exclude_id: int | None
                    ) -> list[Business]:
    """Businesses the person can see whose address is ``text`` or whose name contains it (for
    the "why not this business?" question). An exact address or name gives one answer."""
    text = " ".join(text.split())[:100]
    if not text:
        return []
    exact = session.exec(
        select(Business).where(Business.slug == text.lower(), visible_to(user_id))
    ).first()
    if exact is not None:
        return [exact]
    pattern = "%" + _LIKE_SPECIAL.sub(r"\\\1", text.lower()) + "%"
    found = list(session.exec(
        select(Business).where(
            visible_to(user_id),
            col(Business.archived_at).is_(None),
            col(Business.id) != (exclude_id or -1),
            func.lower(Business.name).like(pattern, escape="\\"),
        ).order_by(func.lower(Business.name), col(Business.id)).limit(LOOKUP_MAX + 1)
    ).all())
    same_name = [b for b in found if b.name.casefold() == text.casefold()]
    return same_name[:1] if len(same_name) == 1 else found


def contribution_fields(contribution: ProcessContribution) -> dict[str, Any]:
    """One process behind a suggestion as plain data (the CLI's JSON; the API's schema)."""
    return asdict(ContributionView.of(contribution))


def records_of(session: Session, business_ids: Sequence[int]) -> dict[int, BusinessRecord]:
    """Database businesses as matcher records, by id (archived ones are left out): for rules
    outside the index that must agree with it, such as "no internship between competitors"."""
    snapshot = _load_taxonomy(session)
    columns = _load_columns(session, snapshot, list(business_ids), current_load_of, networks_of)
    return {business_id_of(r.id): r for r in columns.records(snapshot.taxonomy)}
