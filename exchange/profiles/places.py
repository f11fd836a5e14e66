"""Normalising places and checking codes against ISO lists (pycountry)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pycountry


def normalize_place(value: str) -> str:
    """"  São  Paulo " → "sao paulo": the form used to compare markets."""
    decomposed = unicodedata.normalize("NFKD", value)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(without_marks.casefold().split())


def display_place(value: str) -> str:
    return " ".join(value.split())


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    return {c.alpha_2: c.name for c in pycountry.countries}


@lru_cache(maxsize=1)
def _languages() -> dict[str, str]:
    return {lang.alpha_2: lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")}


def country_name(code: str) -> str | None:
    return _countries().get(code.upper())


def language_name(code: str) -> str | None:
    return _languages().get(code.lower())


def countries() -> list[tuple[str, str]]:
    return sorted(_countries().items(), key=lambda kv: kv[1])


def languages() -> list[tuple[str, str]]:
    return sorted(_languages().items(), key=lambda kv: kv[1])
