"""Rules of the matrix routes (grid editor, heatmap, side by side, import/export); gathered by
tests/profiles/route_rules.py. Bodies carry a real change, so a caller who got through would
show up in the inventory's fingerprint."""

from __future__ import annotations

from tests.support.inventory import INTERN, MANAGER, VISIBLE, Rule

PUBLIC: set[tuple[str, str]] = set()

_CELLS = {"cells": [{"process": "marketing.seo", "level": 3}]}

PROTECTED: dict[tuple[str, str], Rule] = {
    # pages
    ("GET", "/businesses/{slug}/matrix"): INTERN,
    ("POST", "/businesses/{slug}/matrix"): Rule("manager", body={
        "cell.marketing.seo.level": "3", "cell.marketing.seo.need": "0"}),
    ("GET", "/businesses/{slug}/heatmap"): VISIBLE,
    ("GET", "/businesses/{slug}/compare/{other_slug}"): INTERN,
    ("GET", "/businesses/{slug}/matrix.csv"): INTERN,
    ("GET", "/businesses/{slug}/matrix.json"): INTERN,
    ("GET", "/businesses/{slug}/profile.json"): INTERN,
    ("GET", "/businesses/{slug}/matrix/import"): MANAGER,
    ("POST", "/businesses/{slug}/matrix/import"): MANAGER,
    # API
    ("GET", "/api/v1/businesses/{slug}/matrix"): VISIBLE,
    ("PUT", "/api/v1/businesses/{slug}/matrix"): Rule("manager", body=_CELLS),
    ("PATCH", "/api/v1/businesses/{slug}/matrix"): Rule("manager", body=_CELLS),
    ("GET", "/api/v1/businesses/{slug}/matrix/export"): INTERN,
    ("POST", "/api/v1/businesses/{slug}/matrix/import"): Rule("manager", body=_CELLS),
    ("GET", "/api/v1/businesses/{slug}/compare/{other_slug}"): INTERN,
}

PARAMS = {"other_slug": lambda w: w.rajeev_firm.slug}
