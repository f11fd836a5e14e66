"""Rules of the suggestion routes (pages and API): only members of a business see its
suggestions; the other business of a pair must be visible to the caller."""

from __future__ import annotations

from tests.support.inventory import INTERN, Rule

PUBLIC: set[tuple[str, str]] = set()

PROTECTED: dict[tuple[str, str], Rule] = {
    ("GET", "/businesses/{slug}/suggestions"): INTERN,
    ("GET", "/businesses/{slug}/suggestions/{other_slug}"): INTERN,
    ("GET", "/api/v1/businesses/{slug}/suggestions"): INTERN,
    ("GET", "/api/v1/businesses/{slug}/suggestions/{other_slug}"): INTERN,
}

PARAMS = {"other_slug": lambda w: w.rajeev_firm.slug}
