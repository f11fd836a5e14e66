"""Partner suggestions: who can learn what from whom, ranked, filtered and explained (PRODUCT §4).

The population lives in a :class:`MatchingIndex`: the strength/weakness matrix stored *process-
major* (one contiguous row of int8 per process, one column per business), so a query reads only
the few rows where the asker has a need or a strength, vectorised over all businesses — never a
Python loop over businesses. Everything else a filter needs (industry codes, market reach,
interned locations, capacity, visibility, language bits, network memberships) is a flat array
over the same business slots.

Formulas (see ``docs/matching.md`` for the reasoning):

* strength of B in p: ``offer_B(p)`` and ``level_B(p) ≥ host_min_level`` (default 4);
* ``learn(A←B) = Σ_p need_A(p) · w_A(dept p) · (level_B(p) - level_A(p))`` over p where A needs
  p, B is strong in p and the gap is positive;
* ``w_A(d) = 0.5 + 0.5 · involvement_A(d) / |d|`` where ``involvement_A(d)`` counts the processes
  of department d where A has level > 0 or need > 0 — a department A barely runs still counts at
  half weight, one A runs fully counts in full;
* ``teach(A→B) = learn(B←A)``;
* ``mutual = learn + teach + min(learn, teach)``: the reciprocated part counts twice, so a
  balanced swap is worth 1.5x its total and beats a one-way favour up to 1.5x larger.

Values are summed in a canonical process order (sorted keys) and rounded to 9 decimals, so the
same population gives bit-identical scores however it was built (bulk, upserts, any record order)
and mathematically equal scores tie exactly — ties are then broken by partner id.

Pure module: numpy in, dataclasses out; no web, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from types import MappingProxyType
from typing import Any, Final, Literal, NamedTuple, TypeVar, get_args

import numpy as np
import numpy.typing as npt

from exchange.matching.competition import (
    DEPTH_INDEX,
    ISIC_DEPTHS,
    NO_CODE,
    REACH_CODE,
    IsicDepth,
    MarketReach,
    industry_and_market_reason,
    isic_codes,
    markets_overlap,
)
from exchange.matching.explain import (
    NotSuggested,
    ProcessContribution,
    Reason,
    ReasonCode,
    Suggestion,
    process_display_name,
    reason,
)

Visibility = Literal["public", "networks"]

_T = TypeVar("_T", bound=np.generic)

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MAX_LEVEL: Final = 5
MAX_NEED: Final = 3
DEFAULT_HOST_MIN_LEVEL: Final = 4
VISIBILITIES: Final[tuple[Visibility, ...]] = get_args(Visibility)
# Values are rounded to this many decimals: far below any meaningful difference, far above float
# noise, so equal scores tie exactly and the partner-id tie-break decides.
_DECIMALS: Final = 9
# Proximity used by ``prefer_nearby``: same city, else same region, else same country.
_PROXIMITY: Final = (1.0, 0.5, 0.25)


class UnknownBusinessError(KeyError):
    """The id is not in the index (never added, or removed)."""


# ----------------------------------------------------------------------------------------------
# Inputs


class Taxonomy:
    """Ordered process keys ``"department.process"``; the department is the prefix before the dot.

    The matcher only needs the keys (for columns), the department of each (for the involvement
    weight) and optional display names. It only grows: an index adds keys it meets in records
    (the CLI dataset mode accepts keys outside our taxonomy), and removing businesses never drops
    a process, so department sizes — and therefore weights — never depend on who left.
    """

    def __init__(
        self, process_keys: Iterable[str] = (), display_names: Mapping[str, str] | None = None
    ) -> None:
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._departments: list[str] = []
        self._department_index: dict[str, int] = {}
        self._process_department: list[int] = []
        self.display_names: dict[str, str] = dict(display_names or {})
        for key in process_keys:
            self.add(key)

    @staticmethod
    def department_of(key: str) -> str:
        department, dot, process = key.partition(".")
        if not dot or not department or not process:
            raise ValueError(f"process key {key!r}: expected 'department.process'")
        return department

    def add(self, key: str) -> int:
        """The column of ``key``, adding it (and its department) when new."""
        column = self._index.get(key)
        if column is not None:
            return column
        department = self.department_of(key)
        department_column = self._department_index.setdefault(department, len(self._departments))
        if department_column == len(self._departments):
            self._departments.append(department)
        column = len(self._keys)
        self._keys.append(key)
        self._index[key] = column
        self._process_department.append(department_column)
        return column

    def copy(self) -> Taxonomy:
        return Taxonomy(self._keys, self.display_names)

    def index_of(self, key: str) -> int:
        return self._index[key]

    @property
    def columns(self) -> Mapping[str, int]:
        """Process key → column (read-only view; use :meth:`add` to extend)."""
        return MappingProxyType(self._index)

    def display_name(self, key: str) -> str:
        return process_display_name(key, self.display_names)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self._keys)

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(self._departments)

    @property
    def process_departments(self) -> tuple[int, ...]:
        """Department index of each process, in column order."""
        return tuple(self._process_department)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._keys)


class Cell(NamedTuple):
    """One (business, process) cell: a plain ``(level, offer, need)`` tuple with names."""

    level: int
    offer: bool = False
    need: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessRecord:
    """A business as the matcher sees it. Strings arrive normalised by the caller.

    ``city``, ``region`` and ``country`` (ISO alpha-2) are comparison keys (e.g. casefolded);
    the ``*_display`` fields are what explanations print ("Pune", "India") and default to the keys.
    ``isic`` is the ISIC Rev. 4 class ("7410"); ``isic_section`` ("M") is derived when empty.
    ``cells`` maps process key → ``(level 0-5, offer, need 0-3)``; cell values are validated when
    the record enters an index (vectorised there, so bulk loads stay fast).
    """

    id: str
    name: str = ""
    isic: str = ""
    isic_section: str = ""
    country: str = ""
    region: str = ""
    city: str = ""
    market_reach: MarketReach = "local"
    excluded: frozenset[str] = frozenset()
    hosting_capacity: int = 0
    current_load: int = 0
    visibility: Visibility = "public"
    networks: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    cells: Mapping[str, tuple[int, bool, int]] = field(default_factory=dict, hash=False)
    city_display: str = ""
    region_display: str = ""
    country_display: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"id: must be a non-empty string, got {self.id!r}")
        _check_business_fields(
            self.id, self.market_reach, self.visibility, self.hosting_capacity, self.current_load
        )
        isic_codes(self.isic, self.isic_section)  # raises ValueError naming the field
        # Accept any set-like for the id/tag collections, but store frozensets.
        for name in ("excluded", "networks", "languages"):
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))


def _check_business_fields(
    business_id: str, market_reach: str, visibility: str, capacity: object, load: object
) -> None:
    if market_reach not in REACH_CODE:
        raise ValueError(
            f"{business_id}: market_reach must be one of {sorted(REACH_CODE)}, got {market_reach!r}"
        )
    if visibility not in VISIBILITIES:
        raise ValueError(
            f"{business_id}: visibility must be one of {list(VISIBILITIES)}, got {visibility!r}"
        )
    for name, value in (("hosting_capacity", capacity), ("current_load", load)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{business_id}: {name} must be an integer ≥ 0, got {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class SuggestionQuery:
    """Options for one suggestion list; the defaults are what the product shows.

    * ``limit`` — how many partners (ranked by mutual score, ties by partner id).
    * ``isic_depth`` — the industry depth at which firms can compete (default ISIC group).
    * ``host_min_level`` — the level from which an offered process counts as a strength.
    * ``require_capacity`` — drop a partner the asker would learn from (so it must host the
      asker's intern) when it has no free hosting place (capacity - current load ≤ 0). A partner
      that would only come to learn from the asker is kept: it need not host anyone.
    * ``require_common_language`` — the partner must share a language with the asker.
    * ``same_country`` / ``same_region`` — distance as a filter.
    * ``within_networks`` — only partners that belong to at least one of these networks.
    * ``require_learn`` — only partners the asker learns something from (learn > 0);
      ``min_learn`` — only partners with learn value ≥ this.
    * ``prefer_nearby`` — distance as a weight: score x (1 + prefer_nearby x proximity), with
      proximity 1 same city, 0.5 same region, 0.25 same country, else 0.
    * ``prefer_shared_networks`` — score x (1 + this) when the partner shares a network.
    """

    limit: int = 20
    isic_depth: IsicDepth = "group"
    host_min_level: int = DEFAULT_HOST_MIN_LEVEL
    require_capacity: bool = True
    require_common_language: bool = False
    same_country: bool = False
    same_region: bool = False
    within_networks: frozenset[str] | None = None
    require_learn: bool = False
    min_learn: float = 0.0
    prefer_nearby: float = 0.0
    prefer_shared_networks: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1:
            raise ValueError(f"limit: must be an integer ≥ 1, got {self.limit!r}")
        if self.isic_depth not in ISIC_DEPTHS:
            raise ValueError(f"isic_depth: must be one of {list(ISIC_DEPTHS)}")
        if not 1 <= self.host_min_level <= MAX_LEVEL:
            raise ValueError(f"host_min_level: must be 1 to {MAX_LEVEL}")
        for name in ("min_learn", "prefer_nearby", "prefer_shared_networks"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name}: must be ≥ 0")
        if self.within_networks is not None and not isinstance(self.within_networks, frozenset):
            object.__setattr__(self, "within_networks", frozenset(self.within_networks))


# ----------------------------------------------------------------------------------------------
# Storage helpers


@dataclass(slots=True)
class _Meta:
    """The per-business facts that are only read for explanations, never on the hot path."""

    id: str
    name: str
    isic: str
    isic_section: str
    market_reach: str
    country: str
    region: str
    city: str
    country_display: str
    region_display: str
    city_display: str
    visibility: str
    excluded: frozenset[str]
    networks: frozenset[str]
    languages: frozenset[str]

    @classmethod
    def of(cls, record: BusinessRecord) -> _Meta:
        return cls(
            record.id, record.name, record.isic, record.isic_section, record.market_reach,
            record.country, record.region, record.city, record.country_display,
            record.region_display, record.city_display, record.visibility, record.excluded,
            record.networks, record.languages,
        )  # fmt: skip


def _grown(array: npt.NDArray[_T], shape: tuple[int, ...], fill: int = 0) -> npt.NDArray[_T]:
    out = np.full(shape, fill, dtype=array.dtype)
    out[tuple(slice(0, size) for size in array.shape)] = array
    return out


class _TagBits:
    """Small tag vocabularies (languages) as bitsets: one uint64 word row per 64 tags.

    "Shares a tag with the asker" is then a couple of AND-and-compare passes over the candidates.
    """

    def __init__(self) -> None:
        self.bit_of: dict[str, int] = {}
        self.words: npt.NDArray[np.uint64] = np.zeros((1, 0), dtype=np.uint64)

    def resize(self, capacity: int) -> None:
        self.words = _grown(self.words, (self.words.shape[0], capacity))

    def _bit(self, tag: str) -> int:
        bit = self.bit_of.setdefault(tag, len(self.bit_of))
        if bit >> 6 >= self.words.shape[0]:
            self.words = _grown(self.words, (2 * self.words.shape[0], self.words.shape[1]))
        return bit

    def set_row(self, slot: int, tags: Iterable[str]) -> None:
        self.words[:, slot] = 0
        for tag in tags:
            bit = self._bit(tag)
            self.words[bit >> 6, slot] |= np.uint64(1 << (bit & 63))

    def set_rows(self, tag_sets: Sequence[Iterable[str]]) -> None:
        rows: list[int] = []
        columns: list[int] = []
        values: list[int] = []
        for slot, tags in enumerate(tag_sets):
            for tag in tags:
                bit = self._bit(tag)
                rows.append(bit >> 6)
                columns.append(slot)
                values.append(1 << (bit & 63))
        if values:
            np.bitwise_or.at(self.words, (rows, columns), np.array(values, dtype=np.uint64))

    def intersects(self, slot: int, slots: IntArray) -> BoolArray:
        own = self.words[:, slot]
        shared = np.zeros(len(slots), dtype=np.bool_)
        for word in np.flatnonzero(own):
            shared |= (self.words[word, slots] & own[word]) != 0
        return shared


class _Membership:
    """Large tag vocabularies (networks: possibly thousands) as inverted lists of slots.

    A bitset would cost n x networks / 8 bytes; member lists cost what the memberships cost. The
    numpy form of a list is cached and rebuilt only after that network's membership changed.
    """

    def __init__(self) -> None:
        self.members: dict[str, set[int]] = {}
        self._arrays: dict[str, IntArray] = {}

    def add(self, slot: int, tags: Iterable[str]) -> None:
        for tag in tags:
            self.members.setdefault(tag, set()).add(slot)
            self._arrays.pop(tag, None)

    def discard(self, slot: int, tags: Iterable[str]) -> None:
        for tag in tags:
            self.members.get(tag, set()).discard(slot)
            self._arrays.pop(tag, None)

    def slots(self, tag: str) -> IntArray:
        array = self._arrays.get(tag)
        if array is None:
            array = np.fromiter(self.members.get(tag, ()), dtype=np.intp)
            self._arrays[tag] = array
        return array

    def mask(self, tags: Iterable[str], size: int) -> BoolArray:
        inside = np.zeros(size, dtype=np.bool_)
        for tag in tags:
            inside[self.slots(tag)] = True
        return inside


# One partner's answer: learn contributions, teach contributions, learn value, teach value.
_Explained = tuple[tuple[ProcessContribution, ...], tuple[ProcessContribution, ...], float, float]


def _tidy(values: FloatArray) -> FloatArray:
    return np.asarray(np.round(values, _DECIMALS), dtype=np.float64)


def _mutual(learn: FloatArray, teach: FloatArray) -> FloatArray:
    """learn + teach + min(learn, teach): the reciprocated volume counts twice."""
    return learn + teach + np.minimum(learn, teach)


# ----------------------------------------------------------------------------------------------
# The index


class MatchingIndex:
    """The population, ready for suggestion queries. Build it with :meth:`from_records` or
    :meth:`from_arrays`; keep it current with :meth:`upsert` and :meth:`remove`.

    Businesses live in *slots* (columns). Arrays grow by doubling, a removed business frees its
    slot for the next newcomer, and an upsert rewrites one column — O(processes + cells), a few
    tens of microseconds, no rebuild (measured in ``benchmarks/matching.py``).
    """

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy.copy() if taxonomy is not None else Taxonomy()
        self._slot_of: dict[str, int] = {}
        self._meta: list[_Meta | None] = []
        self._free: list[int] = []
        self._size = 0  # slots ever used; dead slots stay zeroed and ``_alive`` False
        self._countries: dict[str, int] = {}
        self._regions: dict[tuple[str, str], int] = {}
        self._cities: dict[tuple[str, str], int] = {}
        self._excluded_by: dict[str, set[str]] = {}
        self._languages = _TagBits()
        self._networks = _Membership()
        # process-major matrix: row = process, column = business slot
        self._level = np.zeros((0, 0), dtype=np.int8)
        self._offer = np.zeros((0, 0), dtype=np.bool_)
        self._need = np.zeros((0, 0), dtype=np.int8)
        self._involved = np.zeros((0, 0), dtype=np.int16)  # department x slot
        self._alive = np.zeros(0, dtype=np.bool_)
        self._reach = np.zeros(0, dtype=np.int8)
        self._country = np.zeros(0, dtype=np.int32)
        self._region = np.zeros(0, dtype=np.int32)
        self._city = np.zeros(0, dtype=np.int32)
        self._industry = np.zeros((len(ISIC_DEPTHS), 0), dtype=np.int16)
        self._capacity = np.zeros(0, dtype=np.int32)
        self._load = np.zeros(0, dtype=np.int32)
        self._networks_only = np.zeros(0, dtype=np.bool_)
        # Posting lists per process (sorted slots): who offers it, who needs it. Offers and needs
        # are sparse, so a query walks a few thousand entries per process, not every business.
        self._offerers: list[IntArray] = []
        self._needers: list[IntArray] = []
        self._department_of = np.zeros(0, dtype=np.intp)
        self._department_size = np.zeros(0, dtype=np.int64)
        self._order = np.zeros(0, dtype=np.intp)
        self._sync_taxonomy()

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_records(
        cls, records: Iterable[BusinessRecord], taxonomy: Taxonomy | None = None
    ) -> MatchingIndex:
        """Bulk build. Process keys missing from ``taxonomy`` are added (sorted, for a stable
        column order). Raises ValueError on duplicate ids or out-of-range cells."""
        records = list(records)
        index = cls(taxonomy)
        known = index.taxonomy
        seen: set[str] = set()
        for record in records:
            seen.update(record.cells)
        for key in sorted(seen.difference(known.columns)):
            known.add(key)
        index._sync_taxonomy()
        column_of = known.columns
        business: list[int] = []
        columns: list[int] = []
        values: list[tuple[int, bool, int]] = []
        for position, record in enumerate(records):
            cells = record.cells
            if cells:
                business.extend([position] * len(cells))
                columns.extend(map(column_of.__getitem__, cells))
                values.extend(cells.values())
        p, n = len(index.taxonomy), len(records)
        level = np.zeros((p, n), dtype=np.int8)
        offer = np.zeros((p, n), dtype=np.bool_)
        need = np.zeros((p, n), dtype=np.int8)
        if values:
            triples = _cell_triples(
                values, lambda i: f"{records[business[i]].id}, {index.taxonomy.keys[columns[i]]}"
            )
            level[columns, business] = triples[:, 0]
            offer[columns, business] = triples[:, 1] != 0
            need[columns, business] = triples[:, 2]
        index._bulk_load(
            [_Meta.of(record) for record in records],
            np.array([record.hosting_capacity for record in records], dtype=np.int64),
            np.array([record.current_load for record in records], dtype=np.int64),
            level,
            offer,
            need,
        )
        return index

    @classmethod
    def from_arrays(
        cls,
        taxonomy: Taxonomy,
        *,
        ids: Sequence[str],
        level: npt.ArrayLike,
        offer: npt.ArrayLike,
        need: npt.ArrayLike,
        names: Sequence[str] | None = None,
        isic: Sequence[str] | None = None,
        isic_section: Sequence[str] | None = None,
        country: Sequence[str] | None = None,
        region: Sequence[str] | None = None,
        city: Sequence[str] | None = None,
        market_reach: Sequence[str] | None = None,
        hosting_capacity: npt.ArrayLike | None = None,
        current_load: npt.ArrayLike | None = None,
        visibility: Sequence[str] | None = None,
        networks: Sequence[Iterable[str]] | None = None,
        languages: Sequence[Iterable[str]] | None = None,
        excluded: Sequence[Iterable[str]] | None = None,
        city_display: Sequence[str] | None = None,
        region_display: Sequence[str] | None = None,
        country_display: Sequence[str] | None = None,
    ) -> MatchingIndex:
        """Bulk build from columns, for a database loader: no per-cell Python work.

        ``level``/``offer``/``need`` are n x p (business x process) with the columns in
        ``taxonomy.keys`` order; the per-business sequences have length n. Omitted columns take
        the :class:`BusinessRecord` defaults. A loader holding cells as (business row, process
        column, level, offer, need) arrays fills the matrices with one fancy assignment each:
        ``level[rows, cols] = levels``.
        """
        n = len(ids)
        p = len(taxonomy)

        def matrix(values: npt.ArrayLike, label: str) -> npt.NDArray[Any]:
            array = np.asarray(values)
            if array.shape != (n, p):
                raise ValueError(f"{label}: expected shape ({n}, {p}), got {array.shape}")
            if (
                array.size
                and array.dtype != np.bool_
                and not np.issubdtype(array.dtype, np.integer)
            ):
                raise ValueError(f"{label}: expected integers, got {array.dtype}")
            return array

        levels, offers, needs = matrix(level, "level"), matrix(offer, "offer"), matrix(need, "need")
        if n * p and (
            levels.min() < 0
            or levels.max() > MAX_LEVEL
            or needs.min() < 0
            or needs.max() > MAX_NEED
        ):
            bad = (levels < 0) | (levels > MAX_LEVEL) | (needs < 0) | (needs > MAX_NEED)
            row, col = (int(i[0]) for i in np.nonzero(bad))
            raise ValueError(
                f"{ids[row]}, {taxonomy.keys[col]}: level must be 0-{MAX_LEVEL} and need "
                f"0-{MAX_NEED}, got level {levels[row, col]}, need {needs[row, col]}"
            )
        # Process-major copies: a query reads whole rows, one per process it touches.
        level_t = np.ascontiguousarray(levels.T, dtype=np.int8)
        offer_t = np.ascontiguousarray(offers.T, dtype=np.bool_)
        need_t = np.ascontiguousarray(needs.T, dtype=np.int8)

        def column(values: Sequence[str] | None, default: str, label: str) -> Sequence[str]:
            if values is None:
                return [default] * n
            if len(values) != n:
                raise ValueError(f"{label}: expected {n} values, got {len(values)}")
            return values

        def tags(values: Sequence[Iterable[str]] | None, label: str) -> list[frozenset[str]]:
            if values is None:
                return [frozenset()] * n
            if len(values) != n:
                raise ValueError(f"{label}: expected {n} values, got {len(values)}")
            return [v if isinstance(v, frozenset) else frozenset(v) for v in values]

        def counts(values: npt.ArrayLike | None, label: str) -> npt.NDArray[np.int64]:
            array = np.zeros(n, dtype=np.int64) if values is None else np.asarray(values)
            if array.shape != (n,) or (n and not np.issubdtype(array.dtype, np.integer)):
                raise ValueError(f"{label}: expected {n} integers")
            if n and array.min() < 0:
                raise ValueError(f"{label}: must be ≥ 0")
            return array.astype(np.int64)

        reaches = column(market_reach, "local", "market_reach")
        visibilities = column(visibility, "public", "visibility")
        capacities = counts(hosting_capacity, "hosting_capacity")
        loads = counts(current_load, "current_load")
        metas = [
            _Meta(*fields)
            for fields in zip(
                ids, column(names, "", "names"), column(isic, "", "isic"),
                column(isic_section, "", "isic_section"), reaches, column(country, "", "country"),
                column(region, "", "region"), column(city, "", "city"),
                column(country_display, "", "country_display"),
                column(region_display, "", "region_display"),
                column(city_display, "", "city_display"), visibilities,
                tags(excluded, "excluded"), tags(networks, "networks"),
                tags(languages, "languages"),
                strict=True,
            )
        ]  # fmt: skip
        for meta in metas:
            if not isinstance(meta.id, str) or not meta.id:
                raise ValueError(f"ids: must be non-empty strings, got {meta.id!r}")
            _check_business_fields(meta.id, meta.market_reach, meta.visibility, 0, 0)
        index = cls(taxonomy)
        index._bulk_load(metas, capacities, loads, level_t, offer_t, need_t)
        return index

    def _bulk_load(
        self,
        metas: list[_Meta],
        capacities: npt.NDArray[np.int64],
        loads: npt.NDArray[np.int64],
        level_t: npt.NDArray[np.int8],
        offer_t: npt.NDArray[np.bool_],
        need_t: npt.NDArray[np.int8],
    ) -> None:
        n = len(metas)
        self._slot_of = {meta.id: slot for slot, meta in enumerate(metas)}
        if len(self._slot_of) != n:
            duplicate = next(i for i, count in Counter(m.id for m in metas).items() if count > 1)
            raise ValueError(f"ids: duplicate id {duplicate!r}")
        # Headroom so that the first few inserts after a bulk load do not double everything.
        self._grow_businesses(max(16, n + n // 8))
        p = len(self.taxonomy)
        self._level[:p, :n] = level_t
        self._offer[:p, :n] = offer_t
        self._need[:p, :n] = need_t
        self._offerers = [np.flatnonzero(row) for row in offer_t]
        self._needers = [np.flatnonzero(row) for row in need_t]
        involved = (level_t > 0) | (need_t > 0)
        for department in range(len(self.taxonomy.departments)):
            rows = np.flatnonzero(self._department_of[:p] == department)
            self._involved[department, :n] = involved[rows].sum(axis=0, dtype=np.int16)
        self._meta = list(metas)
        self._size = n
        self._alive[:n] = True
        self._capacity[:n] = capacities
        self._load[:n] = loads
        codes = [self._codes(meta) for meta in metas]
        if codes:
            columns = list(zip(*codes, strict=True))
            self._reach[:n] = columns[0]
            self._country[:n] = columns[1]
            self._region[:n] = columns[2]
            self._city[:n] = columns[3]
            self._networks_only[:n] = columns[4]
            self._industry[:, :n] = np.array(columns[5], dtype=np.int16).T
        self._languages.set_rows([meta.languages for meta in metas])
        for slot, meta in enumerate(metas):
            if meta.networks:
                self._networks.add(slot, meta.networks)
            for other in meta.excluded:
                self._excluded_by.setdefault(other, set()).add(meta.id)

    def _codes(self, meta: _Meta) -> tuple[int, int, int, int, bool, tuple[int, int, int, int]]:
        """Interned comparison codes. Regions and cities are keyed by (country, name), so equal
        codes imply the same country, which is what the market rule needs."""
        return (
            REACH_CODE[meta.market_reach],
            self._countries.setdefault(meta.country, len(self._countries)),
            self._regions.setdefault((meta.country, meta.region), len(self._regions)),
            self._cities.setdefault((meta.country, meta.city), len(self._cities)),
            meta.visibility == "networks",
            isic_codes(meta.isic, meta.isic_section),
        )

    # -- growth -------------------------------------------------------------------------------

    def _grow_businesses(self, capacity: int) -> None:
        rows = self._level.shape[0]
        self._level = _grown(self._level, (rows, capacity))
        self._offer = _grown(self._offer, (rows, capacity))
        self._need = _grown(self._need, (rows, capacity))
        self._involved = _grown(self._involved, (self._involved.shape[0], capacity))
        self._industry = _grown(self._industry, (len(ISIC_DEPTHS), capacity), fill=NO_CODE)
        for name in ("_alive", "_reach", "_country", "_region", "_city", "_capacity", "_load",
                     "_networks_only"):  # fmt: skip
            setattr(self, name, _grown(getattr(self, name), (capacity,)))
        self._languages.resize(capacity)

    def _sync_taxonomy(self) -> None:
        """Refresh what derives from the taxonomy after it grew (rare: a new process key)."""
        p = len(self.taxonomy)
        departments = len(self.taxonomy.departments)
        capacity = self._level.shape[1]
        if p > self._level.shape[0]:
            rows = max(p, 2 * self._level.shape[0])
            self._level = _grown(self._level, (rows, capacity))
            self._offer = _grown(self._offer, (rows, capacity))
            self._need = _grown(self._need, (rows, capacity))
        if departments > self._involved.shape[0]:
            self._involved = _grown(self._involved, (max(departments, 16), capacity))
        for postings in (self._offerers, self._needers):
            postings.extend(np.zeros(0, dtype=np.intp) for _ in range(p - len(postings)))
        self._department_of = np.array(self.taxonomy.process_departments, dtype=np.intp)
        self._department_size = np.bincount(self._department_of, minlength=departments)
        keys = self.taxonomy.keys
        # Sums run in sorted-key order, so they do not depend on the order keys were added in.
        self._order = np.array(sorted(range(p), key=keys.__getitem__), dtype=np.intp)

    # -- incremental updates ------------------------------------------------------------------

    def upsert(self, record: BusinessRecord) -> None:
        """Add a business or replace it (same id). Results equal a rebuild from scratch with
        this index's taxonomy."""
        new_keys = [key for key in record.cells if key not in self.taxonomy]
        for key in new_keys:
            self.taxonomy.add(key)
        if new_keys:
            self._sync_taxonomy()
        columns = np.array([self.taxonomy.index_of(key) for key in record.cells], dtype=np.intp)
        triples = _cell_triples(
            list(record.cells.values()), lambda i: f"{record.id}, {list(record.cells)[i]}"
        )

        slot = self._slot_of.get(record.id)
        if slot is None:
            slot = self._free.pop() if self._free else self._size
            if slot >= self._alive.shape[0]:
                self._grow_businesses(max(16, 2 * self._alive.shape[0]))
            if slot == self._size:
                self._size += 1
                self._meta.append(None)
            self._slot_of[record.id] = slot
        else:
            self._forget(slot)
        self._write_cells(slot, columns, triples)
        meta = _Meta.of(record)
        self._meta[slot] = meta
        self._alive[slot] = True
        self._capacity[slot] = record.hosting_capacity
        self._load[slot] = record.current_load
        reach, country, region, city, networks_only, industry = self._codes(meta)
        self._reach[slot] = reach
        self._country[slot] = country
        self._region[slot] = region
        self._city[slot] = city
        self._networks_only[slot] = networks_only
        self._industry[:, slot] = industry
        self._languages.set_row(slot, meta.languages)
        self._networks.add(slot, meta.networks)
        for other in meta.excluded:
            self._excluded_by.setdefault(other, set()).add(meta.id)

    def remove(self, business_id: str) -> None:
        """Drop a business; its slot is zeroed and reused by the next newcomer."""
        slot = self._slot(business_id)
        self._forget(slot)
        del self._slot_of[business_id]
        self._meta[slot] = None
        self._write_cells(slot, np.zeros(0, dtype=np.intp), np.zeros((0, 3), dtype=np.int64))
        self._alive[slot] = False
        self._industry[:, slot] = NO_CODE
        self._languages.set_row(slot, ())
        self._free.append(slot)

    def _write_cells(self, slot: int, columns: IntArray, triples: npt.NDArray[np.int64]) -> None:
        """Rewrite one business's column (cells as (level, offer, need) rows) and keep the
        posting lists and the department involvement counts in step."""
        p = len(self.taxonomy)
        old_offers = np.flatnonzero(self._offer[:p, slot])
        old_needs = np.flatnonzero(self._need[:p, slot] > 0)
        self._level[:, slot] = 0
        self._offer[:, slot] = False
        self._need[:, slot] = 0
        self._level[columns, slot] = triples[:, 0]
        self._offer[columns, slot] = triples[:, 1] != 0
        self._need[columns, slot] = triples[:, 2]
        _repost(self._offerers, slot, old_offers, columns[triples[:, 1] != 0])
        _repost(self._needers, slot, old_needs, columns[triples[:, 2] > 0])
        involved = columns[(triples[:, 0] > 0) | (triples[:, 2] > 0)]
        departments = len(self.taxonomy.departments)
        self._involved[:, slot] = 0
        self._involved[:departments, slot] = np.bincount(
            self._department_of[involved], minlength=departments
        )

    def _forget(self, slot: int) -> None:
        """Undo the reverse maps (exclusions, networks) of the record in ``slot``."""
        meta = self._meta[slot]
        assert meta is not None
        self._networks.discard(slot, meta.networks)
        for other in meta.excluded:
            self._excluded_by.get(other, set()).discard(meta.id)

    # -- lookups ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, business_id: object) -> bool:
        return business_id in self._slot_of

    def ids(self) -> Iterator[str]:
        return iter(self._slot_of)

    def _slot(self, business_id: str) -> int:
        try:
            return self._slot_of[business_id]
        except KeyError:
            raise UnknownBusinessError(business_id) from None

    def _meta_of(self, slot: int) -> _Meta:
        meta = self._meta[slot]
        assert meta is not None
        return meta

    def _weight(self, department: int, slot: int) -> float:
        """w = 0.5 + 0.5 · involvement / department size, written as one exact division."""
        size = int(self._department_size[department])
        return (size + int(self._involved[department, slot])) / (2 * size)

    def _weights(self, department: int, slots: IntArray) -> FloatArray:
        size = int(self._department_size[department])
        weights: FloatArray = (size + self._involved[department, slots].astype(np.int64)) / (
            2 * size
        )
        return weights

    def _needed_columns(self, slot: int) -> IntArray:
        order = self._order
        columns: IntArray = order[self._need[order, slot] > 0]
        return columns

    def _strong_columns(self, slot: int, host_min_level: int) -> IntArray:
        order = self._order
        columns: IntArray = order[
            self._offer[order, slot] & (self._level[order, slot] >= host_min_level)
        ]
        return columns

    # -- values -------------------------------------------------------------------------------

    def _values_against_all(
        self, slot: int, host_min_level: int, needed: IntArray, strong: IntArray
    ) -> tuple[FloatArray, FloatArray]:
        """learn(asker ← every slot) and teach(asker → every slot), one row read per process
        the asker needs (``needed``) or is strong in (``strong``), canonical order."""
        n = self._size
        learn = np.zeros(n)
        teach = np.zeros(n)
        for j in needed:
            own = int(self._level[j, slot])
            threshold = max(host_min_level, own + 1)
            if threshold > MAX_LEVEL:
                continue
            offerers = self._offerers[j]
            levels = self._level[j, offerers]
            able = levels >= threshold
            if able.any():
                coefficient = int(self._need[j, slot]) * self._weight(self._department_of[j], slot)
                learn[offerers[able]] += coefficient * (levels[able] - own)
        for j in strong:
            own = int(self._level[j, slot])
            needers = self._needers[j]
            levels = self._level[j, needers]
            below = levels < own
            if below.any():
                learners = needers[below]
                coefficients = self._need[j, learners] * self._weights(
                    self._department_of[j], learners
                )
                teach[learners] += coefficients * (own - levels[below])
        return learn, teach

    def _term_grid(
        self, learners: IntArray, hosts: IntArray, columns: IntArray, host_min_level: int
    ) -> tuple[BoolArray, FloatArray, FloatArray, dict[str, npt.NDArray[np.int8]]]:
        """learn(learners[k] ← hosts[k]) term by term, for many pairs at once: a grid over
        ``columns`` (canonical order) x pairs. Returns (is a term, weight, value, levels/needs).

        ``columns`` may be the learner's needed columns or the host's strong columns: either
        holds every term, so an asker computes both directions from its own columns. The
        arithmetic repeats the vectorised path operation for operation (need x weight, then x gap)
        so that, summed left to right in canonical order, totals are bit-identical to it.
        """
        rows = columns[:, None]
        host_levels = self._level[rows, hosts[None, :]]
        own_levels = self._level[rows, learners[None, :]]
        needs = self._need[rows, learners[None, :]]
        is_term: BoolArray = (
            (needs > 0)
            & self._offer[rows, hosts[None, :]]
            & (host_levels >= host_min_level)
            & (host_levels > own_levels)
        )
        departments = self._department_of[rows]
        sizes = self._department_size[departments]
        weights: FloatArray = (sizes + self._involved[departments, learners[None, :]]) / (2 * sizes)
        values: FloatArray = needs * weights * (host_levels - own_levels)
        levels = {"host": host_levels, "learner": own_levels, "need": needs}
        return is_term, weights, values, levels

    def _explain_partners(
        self,
        asker: int,
        partners: IntArray,
        host_min_level: int,
        needed: IntArray | None = None,
        strong: IntArray | None = None,
    ) -> list[_Explained]:
        """Both directions of (asker, partner) for each partner: contributions sorted by value,
        then the rounded learn and teach totals. Batched: a handful of numpy calls per query."""
        if needed is None:
            needed = self._needed_columns(asker)
        if strong is None:
            strong = self._strong_columns(asker, host_min_level)
        askers = np.full(len(partners), asker, dtype=np.intp)
        directions = (
            (True, needed, self._term_grid(askers, partners, needed, host_min_level)),
            (False, strong, self._term_grid(partners, askers, strong, host_min_level)),
        )
        keys = self.taxonomy.keys
        departments = self.taxonomy.departments
        department_of = self._department_of.tolist()
        names = {j: self.taxonomy.display_name(keys[j]) for j in (*needed, *strong)}
        explained: tuple[list[tuple[ProcessContribution, ...]], ...] = ([], [])
        totals = np.zeros((2, len(partners)))
        for d, (learning, columns, (is_term, weights, values, levels)) in enumerate(directions):
            rounded = _tidy(values).T.tolist()
            grids = [
                grid.T.tolist()
                for grid in (is_term, weights, values, levels["host"], levels["learner"])
            ]
            needs = levels["need"].T.tolist()
            for k, (terms, weight_row, raw_row, host_row, learner_row) in enumerate(
                zip(*grids, strict=True)
            ):
                total = 0.0
                for raw, term in zip(raw_row, terms, strict=True):
                    if term:
                        total += raw
                totals[d, k] = total
                contributions = [
                    ProcessContribution(
                        process=keys[j],
                        department=departments[department_of[j]],
                        partner_level=host_row[i] if learning else learner_row[i],
                        own_level=learner_row[i] if learning else host_row[i],
                        need=needs[k][i],
                        value=rounded[k][i],
                        share=raw_row[i] / total,
                        direction="learn" if learning else "teach",
                        process_name=names[j],
                        weight=weight_row[i],
                    )
                    for i, j in enumerate(columns.tolist())
                    if terms[i]
                ]
                contributions.sort(key=lambda c: (-c.value, c.process))
                explained[d].append(tuple(contributions))
        learn_totals, teach_totals = _tidy(totals).tolist()
        return list(zip(*explained, learn_totals, teach_totals, strict=True))

    # -- filters ------------------------------------------------------------------------------

    def _competitors(self, slot: int, candidates: IntArray, depth: IsicDepth) -> BoolArray:
        code = self._industry[DEPTH_INDEX[depth], slot]
        if code == NO_CODE:
            return np.zeros(len(candidates), dtype=np.bool_)
        same_industry: BoolArray = self._industry[DEPTH_INDEX[depth], candidates] == code
        if not same_industry.any():
            return same_industry
        return same_industry & markets_overlap(
            self._reach[slot],
            self._reach[candidates],
            self._country[candidates] == self._country[slot],
            self._region[candidates] == self._region[slot],
            self._city[candidates] == self._city[slot],
        )

    def _slots_of(self, ids: Iterable[str]) -> IntArray:
        return np.array([self._slot_of[i] for i in ids if i in self._slot_of], dtype=np.intp)

    def _violations(
        self,
        slot: int,
        candidates: IntArray,
        query: SuggestionQuery,
        learn: FloatArray,
        teach: FloatArray,
        shared_network: BoolArray,
    ) -> Iterator[tuple[ReasonCode, BoolArray]]:
        """Every rule a candidate can break, as (reason code, mask over candidates). Suggestions
        drop a candidate breaking any; explanations name each one broken. One list for both."""
        meta = self._meta_of(slot)
        yield "self", candidates == slot
        yield "not_visible", self._networks_only[candidates] & ~shared_network
        they_excluded = np.isin(candidates, self._slots_of(self._excluded_by.get(meta.id, ())))
        you_excluded = np.isin(candidates, self._slots_of(meta.excluded))
        yield "excluded", you_excluded
        # Reported only when the asker did not exclude them too, so the wording never tells
        # whether the other side excluded the asker.
        yield "not_available", they_excluded & ~you_excluded
        yield "competitor", self._competitors(slot, candidates, query.isic_depth)
        if query.require_capacity:
            full = self._capacity[candidates] - self._load[candidates] <= 0
            yield "no_capacity", full & (learn > 0)
        yield "no_overlap", (learn <= 0) & (teach <= 0)
        if query.require_common_language:
            yield "no_common_language", ~self._languages.intersects(slot, candidates)
        if query.same_country:
            yield "different_country", self._country[candidates] != self._country[slot]
        if query.same_region:
            yield "different_region", self._region[candidates] != self._region[slot]
        if query.within_networks is not None:
            chosen = self._networks.mask(query.within_networks, self._size)[candidates]
            yield "outside_networks", ~chosen
        if query.require_learn or query.min_learn > 0:
            yield (
                "below_min_learn",
                (learn < query.min_learn) | (query.require_learn & (learn <= 0)),
            )

    def _scores(
        self,
        slot: int,
        candidates: IntArray,
        query: SuggestionQuery,
        learn: FloatArray,
        teach: FloatArray,
        shared_network: BoolArray,
    ) -> FloatArray:
        score = _mutual(learn, teach)
        if not (query.prefer_nearby or query.prefer_shared_networks):
            return _tidy(score)
        factor = np.ones(len(candidates))
        if query.prefer_nearby:
            proximity = np.where(
                self._city[candidates] == self._city[slot],
                _PROXIMITY[0],
                np.where(
                    self._region[candidates] == self._region[slot],
                    _PROXIMITY[1],
                    np.where(self._country[candidates] == self._country[slot], _PROXIMITY[2], 0.0),
                ),
            )
            factor += query.prefer_nearby * proximity
        if query.prefer_shared_networks:
            factor += query.prefer_shared_networks * shared_network
        return _tidy(score * factor)

    def _shared_network(self, slot: int, candidates: IntArray) -> BoolArray:
        networks = self._meta_of(slot).networks
        if not networks:
            return np.zeros(len(candidates), dtype=np.bool_)
        return self._networks.mask(networks, self._size)[candidates]

    def _suggestions(
        self,
        slot: int,
        partners: IntArray,
        scores: Sequence[float],
        query: SuggestionQuery,
        needed: IntArray | None = None,
        strong: IntArray | None = None,
        explained: list[_Explained] | None = None,
    ) -> list[Suggestion]:
        if explained is None:
            explained = self._explain_partners(slot, partners, query.host_min_level, needed, strong)
        suggestions = []
        for partner, score, (learn, teach, learn_value, teach_value) in zip(
            partners.tolist(), scores, explained, strict=True
        ):
            meta = self._meta_of(partner)
            suggestions.append(
                Suggestion(
                    partner_id=meta.id,
                    score=score,
                    learn_value=learn_value,
                    teach_value=teach_value,
                    learn=learn,
                    teach=teach,
                    partner_name=meta.name,
                )
            )
        return suggestions


def _repost(postings: list[IntArray], slot: int, old: IntArray, new: IntArray) -> None:
    """Move ``slot`` out of the posting lists in ``old`` and into those in ``new`` (sorted
    inserts: a memmove of a few thousand entries, microseconds)."""
    # Python sets: the lists are a handful of processes, where np.setdiff1d's setup dominates.
    before, after = set(old.tolist()), set(new.tolist())
    for j in before - after:
        postings[j] = np.delete(postings[j], np.searchsorted(postings[j], slot))
    for j in after - before:
        postings[j] = np.insert(postings[j], np.searchsorted(postings[j], slot), slot)


def _cell_triples(
    values: Sequence[tuple[int, bool, int]], where: Callable[[int], str]
) -> npt.NDArray[np.int64]:
    """Cells as an (m, 3) int array of (level, offer, need), checked in one vectorised pass;
    ``where(i)`` names the i-th cell in an error."""
    if len(values) and set(map(len, values)) != {3}:
        i = next(i for i, value in enumerate(values) if len(value) != 3)
        raise ValueError(f"{where(i)}: a cell is (level, offer, need), got {values[i]!r}")
    # fromiter over the flattened tuples: several times faster than np.array(values).
    flat = chain.from_iterable(values)
    triples = np.fromiter(flat, dtype=np.int64, count=3 * len(values)).reshape(-1, 3)
    levels, needs = triples[:, 0], triples[:, 2]
    bad = np.flatnonzero((levels < 0) | (levels > MAX_LEVEL) | (needs < 0) | (needs > MAX_NEED))
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"{where(i)}: level must be 0-{MAX_LEVEL} and need 0-{MAX_NEED}, "
            f"got level {levels[i]}, need {needs[i]}"
        )
    return triples


# ----------------------------------------------------------------------------------------------
# Queries


def suggest_partners(
    index: MatchingIndex, business_id: str, query: SuggestionQuery | None = None
) -> list[Suggestion]:
    """The best partners for ``business_id``: ranked by mutual score, ties by partner id.

    A business never sees itself, a firm excluded either way, a competitor, a networks-only firm
    outside its networks, or a partner with nothing to learn or teach; ``query`` adds filters.
    Cost: one pass over the rows the asker needs or is strong in, then work proportional to the
    candidates with a positive value — never a Python loop over businesses.
    """
    query = query or SuggestionQuery()
    slot = index._slot(business_id)
    needed = index._needed_columns(slot)
    strong = index._strong_columns(slot, query.host_min_level)
    learn_all, teach_all = index._values_against_all(slot, query.host_min_level, needed, strong)
    # Removed slots hold all-zero columns, so they never get here.
    candidates = np.flatnonzero(learn_all + teach_all)
    learn = _tidy(learn_all[candidates])
    teach = _tidy(teach_all[candidates])
    shared = index._shared_network(slot, candidates)
    scores = index._scores(slot, candidates, query, learn, teach, shared)
    # Filter lazily, best scores first: check the rules on a shortlist of the top scores (ties
    # at its boundary included) and widen it only if too few pass. Exact, because everything
    # outside the shortlist scores strictly lower than everything in it.
    shortlist_size = 4 * query.limit
    while True:
        shortlist = _best(scores, shortlist_size)
        keep = np.ones(len(shortlist), dtype=np.bool_)
        for _code, broken in index._violations(
            slot,
            candidates[shortlist],
            query,
            learn[shortlist],
            teach[shortlist],
            shared[shortlist],
        ):
            keep &= ~broken
        if keep.sum() >= query.limit or len(shortlist) == len(scores):
            break
        shortlist_size *= 4
    passing = shortlist[keep]
    top = passing[_top(scores[passing], candidates[passing], index, query.limit)]
    return index._suggestions(slot, candidates[top], scores[top].tolist(), query, needed, strong)


def _best(scores: FloatArray, count: int) -> IntArray:
    """Positions of the ``count`` best scores plus any tied with the last of them."""
    if len(scores) <= count:
        return np.arange(len(scores))
    kth = scores[np.argpartition(-scores, count - 1)[count - 1]]
    return np.flatnonzero(scores >= kth)


def _top(scores: FloatArray, candidates: IntArray, index: MatchingIndex, limit: int) -> list[int]:
    """Positions of the ``limit`` best scores, ties broken by partner id.

    argpartition finds the k-th best score in linear time; everything scoring at least that
    (ties at the boundary included) is then sorted by (-score, id) in Python — k plus ties.
    """
    chosen = _best(scores, limit).tolist()
    ranked = sorted((-float(scores[i]), index._meta_of(int(candidates[i])).id, i) for i in chosen)
    return [position for *_, position in ranked[:limit]]


def explain_pair(
    index: MatchingIndex,
    business_id: str,
    partner_id: str,
    query: SuggestionQuery | None = None,
) -> Suggestion | NotSuggested:
    """Answer "why (not) this business?": the suggestion ``suggest_partners`` would make for the
    pair (whatever its rank), or every reason it is not suggested.

    A firm that is not visible to the asker gets only ``not_visible`` — naming its industry or
    market would leak what it chose to hide. If the partner excluded the asker the asker reads
    "not available", the same words whoever caused it.
    """
    query = query or SuggestionQuery()
    slot = index._slot(business_id)
    if partner_id == business_id:
        return NotSuggested(partner_id, (reason("self"),))
    partner = index._slot(partner_id)
    candidates = np.array([partner], dtype=np.intp)
    explained = index._explain_partners(slot, candidates, query.host_min_level)
    ((*_, learn_value, teach_value),) = explained
    learn = np.array([learn_value])
    teach = np.array([teach_value])
    shared = index._shared_network(slot, candidates)
    broken = [
        code
        for code, mask in index._violations(slot, candidates, query, learn, teach, shared)
        if mask[0]
    ]
    if "not_visible" in broken:
        return NotSuggested(partner_id, (reason("not_visible"),))
    if broken:
        return NotSuggested(
            partner_id, tuple(_reason_for(index, slot, partner, c, query) for c in broken)
        )
    scores = index._scores(slot, candidates, query, learn, teach, shared)
    return index._suggestions(slot, candidates, scores.tolist(), query, explained=explained)[0]


def _reason_for(
    index: MatchingIndex, slot: int, partner: int, code: ReasonCode, query: SuggestionQuery
) -> Reason:
    if code == "competitor":
        why = industry_and_market_reason(
            index._meta_of(slot), index._meta_of(partner), query.isic_depth
        )
        return reason(code, why or "")
    if code == "below_min_learn" and query.min_learn > 0:
        return reason(code, f"below the minimum of {query.min_learn:g}")
    return reason(code)


def learn_matrix(
    index: MatchingIndex,
    member_ids: Sequence[str],
    *,
    isic_depth: IsicDepth = "group",
    host_min_level: int = DEFAULT_HOST_MIN_LEVEL,
    require_common_language: bool = False,
) -> FloatArray:
    """Directed learn values among ``member_ids``: entry [u, v] is what u learns from v (so v
    would host u's intern) — exactly the ``learn_value`` a suggestion shows. Zero on the
    diagonal and wherever u and v compete or either excluded the other.

    Capacity and visibility are left to the caller (an exchange round enforces capacity itself,
    and its members share the network). Dense m x m: meant for a network's membership.
    """
    slots = np.array([index._slot(member) for member in member_ids], dtype=np.intp)
    if len(set(slots.tolist())) != len(slots):
        raise ValueError("member_ids: duplicate ids")
    m = len(slots)
    values = np.zeros((m, m))
    for j in index._order:
        # Per process: the members needing it x the members strong in it, a small block.
        needs = index._need[j, slots]
        levels = index._level[j, slots]
        learners = np.flatnonzero(needs > 0)
        hosts = np.flatnonzero(index._offer[j, slots] & (levels >= host_min_level))
        if not learners.size or not hosts.size:
            continue
        coefficients = needs[learners] * index._weights(index._department_of[j], slots[learners])
        gaps = levels[hosts][None, :].astype(np.int64) - levels[learners][:, None]
        # Adding an exact 0.0 where the gap is not positive keeps every sum bit-identical to the
        # per-asker path, which skips those terms.
        values[np.ix_(learners, hosts)] += coefficients[:, None] * np.maximum(gaps, 0)
    np.fill_diagonal(values, 0.0)
    u, v = np.nonzero(values)
    if u.size:
        su, sv = slots[u], slots[v]
        depth = DEPTH_INDEX[isic_depth]
        blocked = (index._industry[depth, su] != NO_CODE) & (
            index._industry[depth, su] == index._industry[depth, sv]
        )
        blocked &= markets_overlap(
            index._reach[su],
            index._reach[sv],
            index._country[su] == index._country[sv],
            index._region[su] == index._region[sv],
            index._city[su] == index._city[sv],
        )
        if require_common_language:
            words = index._languages.words
            blocked |= ~((words[:, su] & words[:, sv]) != 0).any(axis=0)
        values[u[blocked], v[blocked]] = 0.0
    position = {int(s): i for i, s in enumerate(slots)}
    for i, s in enumerate(slots):
        for other in index._meta_of(int(s)).excluded:
            other_slot = index._slot_of.get(other)
            if other_slot is not None and other_slot in position:
                values[i, position[other_slot]] = values[position[other_slot], i] = 0.0
    return _tidy(values)


def learn_edges(
    index: MatchingIndex,
    member_ids: Sequence[str],
    *,
    isic_depth: IsicDepth = "group",
    host_min_level: int = DEFAULT_HOST_MIN_LEVEL,
    require_common_language: bool = False,
) -> list[tuple[str, str, float]]:
    """The positive entries of :func:`learn_matrix` as (learner id, host id, value) — the edges
    an exchange round needs (edge u → v: v hosts u's intern, u learns ``value``)."""
    values = learn_matrix(
        index,
        member_ids,
        isic_depth=isic_depth,
        host_min_level=host_min_level,
        require_common_language=require_common_language,
    )
    u, v = np.nonzero(values)
    return [
        (member_ids[i], member_ids[j], float(values[i, j]))
        for i, j in zip(u.tolist(), v.tolist(), strict=True)
    ]
