"""The competition rule of PRODUCT §4, written once and usable on scalars or numpy arrays.

Two firms compete when either lists the other as excluded, or when they share an industry at the
configured ISIC depth **and** their markets overlap. A market is an area (city, region, country,
world) and two areas intersect exactly when the *broader* reach of the two contains the other firm:

======================  =====================================
broader reach           markets overlap when
======================  =====================================
international           always
national                same country
regional                same country and same region
local (both local)      same country and same city
======================  =====================================

:func:`markets_overlap` is that table over arrays; the index (``algorithm.py``) feeds it location
codes for one asker against every candidate at once, and :func:`competes` feeds it two records.
Pure module: numpy only, no web, no database.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, Literal, Protocol

import numpy as np
import numpy.typing as npt

MarketReach = Literal["local", "regional", "national", "international"]
IsicDepth = Literal["section", "division", "group", "class"]

MARKET_REACHES: Final[tuple[MarketReach, ...]] = ("local", "regional", "national", "international")
# Ordered by breadth, so "the broader reach of the two" is a plain maximum of the codes.
REACH_CODE: Final[dict[str, int]] = {reach: code for code, reach in enumerate(MARKET_REACHES)}
LOCAL, REGIONAL, NATIONAL, INTERNATIONAL = 0, 1, 2, 3

ISIC_DEPTHS: Final[tuple[IsicDepth, ...]] = ("section", "division", "group", "class")
DEPTH_INDEX: Final[dict[str, int]] = {depth: i for i, depth in enumerate(ISIC_DEPTHS)}
# An unknown industry code never equals another one: a firm without an ISIC code competes with
# nobody on industry (exclusions still apply).
NO_CODE: Final = -1

# ISIC Rev. 4: the divisions of each section. Deriving the section from the division lets a caller
# pass only the 4-digit class; a caller that also passes the section is checked against it.
_SECTION_DIVISIONS: Final[tuple[tuple[str, int, int], ...]] = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)  # fmt: skip

WHOLE_WORLD: Final = "the whole world"

BoolArray = npt.NDArray[np.bool_]
IntLike = int | np.integer | npt.NDArray[np.integer]
BoolLike = bool | np.bool_ | BoolArray


class CompetitionSubject(Protocol):
    """What the rule reads from a business; :class:`~exchange.matching.BusinessRecord` has it."""

    @property
    def id(self) -> str: ...
    @property
    def excluded(self) -> frozenset[str]: ...
    @property
    def isic(self) -> str: ...
    @property
    def isic_section(self) -> str: ...
    @property
    def market_reach(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def country_display(self) -> str: ...
    @property
    def region_display(self) -> str: ...
    @property
    def city_display(self) -> str: ...


def section_for_division(division: int) -> str | None:
    """The ISIC Rev. 4 section letter of a 2-digit division, or None for an unused number."""
    for letter, first, last in _SECTION_DIVISIONS:
        if first <= division <= last:
            return letter
    return None


@lru_cache(maxsize=4096)
def isic_codes(isic: str, isic_section: str = "") -> tuple[int, int, int, int]:
    """Integer codes of a firm's industry at each depth (section, division, group, class).

    ``isic`` is the ISIC Rev. 4 class ("7410"); 2 or 3 digits are accepted for a firm that only
    knows its division or group, and the deeper codes are then unknown (:data:`NO_CODE`). An empty
    code means "industry unknown". Cached: a population repeats a few hundred codes many times.
    """
    code = isic.strip()
    section = isic_section.strip().upper()
    if code and (not code.isascii() or not code.isdigit() or not 2 <= len(code) <= 4):
        raise ValueError(f"isic: expected an ISIC Rev. 4 code of 2 to 4 digits, got {isic!r}")
    derived = section_for_division(int(code[:2])) if code else None
    if code and derived is None:
        raise ValueError(f"isic: {isic!r} is not in an ISIC Rev. 4 division")
    if section and (len(section) != 1 or not "A" <= section <= "U"):
        raise ValueError(f"isic_section: expected a letter A to U, got {isic_section!r}")
    if section and derived and section != derived:
        raise ValueError(f"isic_section: {isic_section!r} does not match ISIC code {isic!r}")
    letter = section or derived or ""
    return (
        ord(letter) - ord("A") if letter else NO_CODE,
        int(code[:2]) if len(code) >= 2 else NO_CODE,
        int(code[:3]) if len(code) >= 3 else NO_CODE,
        int(code[:4]) if len(code) >= 4 else NO_CODE,
    )


def industry_label(isic: str, isic_section: str, depth: IsicDepth) -> str:
    """Words for the shared industry: "ISIC group 731", "ISIC section M"."""
    if depth == "section":
        section = isic_section.strip().upper()
        if not section and len(isic) >= 2:
            section = section_for_division(int(isic[:2])) or ""
        return f"ISIC section {section}"
    digits = DEPTH_INDEX[depth] + 1
    return f"ISIC {depth} {isic[:digits]}"


def markets_overlap(
    reach_a: IntLike,
    reach_b: IntLike,
    same_country: BoolLike,
    same_region: BoolLike,
    same_city: BoolLike,
) -> BoolArray:
    """The §4 market rule, elementwise (numpy broadcasting; scalars give a 0-d array).

    ``same_region`` must already mean "same country and same region" and ``same_city`` "same
    country and same city" — the index interns regions and cities as (country, name) pairs so
    that equal codes imply the same country.
    """
    broader = np.maximum(reach_a, reach_b)
    return np.asarray(
        (broader == INTERNATIONAL)
        | ((broader == NATIONAL) & same_country)
        | ((broader == REGIONAL) & same_region)
        | ((broader == LOCAL) & same_city),
        dtype=np.bool_,
    )


def market_area(reach: int, city: str, region: str, country: str) -> str:
    """The area a firm serves, in words: its city, region, country, or the whole world."""
    if reach == INTERNATIONAL:
        return WHOLE_WORLD
    return (city, region, country)[reach]


def shared_market_words(
    reach_a: int, area_a: tuple[str, str, str], reach_b: int, area_b: tuple[str, str, str]
) -> str:
    """Where two overlapping markets meet: the *narrower* firm's area ("Pune", "India").

    A local agency in Pune and a national one in Mumbai meet in Pune; two international firms
    meet in the whole world. ``area_*`` is (city, region, country) display names.
    """
    reach, area = (reach_a, area_a) if reach_a <= reach_b else (reach_b, area_b)
    return market_area(reach, *area)


def _display(display: str, raw: str) -> str:
    return display or raw


def _area_of(firm: CompetitionSubject) -> tuple[str, str, str]:
    return (
        _display(firm.city_display, firm.city),
        _display(firm.region_display, firm.region),
        _display(firm.country_display, firm.country),
    )


def _same_location(a: CompetitionSubject, b: CompetitionSubject) -> tuple[bool, bool, bool]:
    same_country = a.country == b.country
    return same_country, same_country and a.region == b.region, same_country and a.city == b.city


def _same_industry(a: CompetitionSubject, b: CompetitionSubject, depth: IsicDepth) -> bool:
    depth_index = DEPTH_INDEX[depth]
    code_a = isic_codes(a.isic, a.isic_section)[depth_index]
    return code_a != NO_CODE and code_a == isic_codes(b.isic, b.isic_section)[depth_index]


def industry_and_market_reason(
    a: CompetitionSubject, b: CompetitionSubject, isic_depth: IsicDepth = "group"
) -> str | None:
    """Words like "same ISIC group 731; both serve Pune" when a and b compete on industry and
    market, else None. Exclusions are not reported here: their wording depends on who is asking."""
    if not _same_industry(a, b, isic_depth):
        return None
    reach_a, reach_b = REACH_CODE[a.market_reach], REACH_CODE[b.market_reach]
    if not bool(markets_overlap(reach_a, reach_b, *_same_location(a, b))):
        return None
    where = shared_market_words(reach_a, _area_of(a), reach_b, _area_of(b))
    return f"same {industry_label(a.isic, a.isic_section, isic_depth)}; both serve {where}"


def competes(a: CompetitionSubject, b: CompetitionSubject, isic_depth: IsicDepth = "group") -> bool:
    """The full §4 relation for two records: exclusion either way, or industry and market."""
    if b.id in a.excluded or a.id in b.excluded:
        return True
    return industry_and_market_reason(a, b, isic_depth) is not None
