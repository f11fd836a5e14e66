"""Rules of the profile routes; the matrix and members parts keep theirs in sibling modules."""

from __future__ import annotations

import importlib

from tests.support.inventory import BUSINESS_OWNER, INTERN, MANAGER, USER, VISIBLE, Rule

PUBLIC: set[tuple[str, str]] = set()

_PROFILE = {
    "name": "Renamed Firm", "isic_class": "7830", "country": "IN", "city": "Pune",
    "market_reach": "national", "size_band": "10-49",
}

PROTECTED: dict[tuple[str, str], Rule] = {
    ("GET", "/businesses"): USER,
    ("GET", "/businesses/new"): USER,
    ("POST", "/businesses/new"): USER,
    ("GET", "/businesses/{slug}"): VISIBLE,
    ("GET", "/businesses/{slug}/edit"): MANAGER,
    ("POST", "/businesses/{slug}/edit"): Rule("manager", body=_PROFILE),
    ("POST", "/businesses/{slug}/archive"): BUSINESS_OWNER,
    ("POST", "/businesses/{slug}/restore"): BUSINESS_OWNER,
    ("GET", "/api/v1/businesses"): USER,
    ("POST", "/api/v1/businesses"): USER,
    ("GET", "/api/v1/businesses/{slug}"): VISIBLE,
    ("PATCH", "/api/v1/businesses/{slug}"): Rule("manager", body={"name": "Renamed Firm"}),
    ("POST", "/api/v1/businesses/{slug}/archive"): BUSINESS_OWNER,
    ("POST", "/api/v1/businesses/{slug}/restore"): BUSINESS_OWNER,
    ("GET", "/api/v1/businesses/{slug}/exclusions"): INTERN,
    ("PUT", "/api/v1/businesses/{slug}/exclusions"): Rule("manager", body={"excluded": []}),
    ("GET", "/api/v1/me/businesses"): USER,
}

PARAMS = {"slug": lambda w: w.afreen_firm.slug}

for _part in ("matrix_route_rules", "members_route_rules"):
    try:
        _module = importlib.import_module(f"tests.profiles.{_part}")
    except ModuleNotFoundError as exc:
        if exc.name != f"tests.profiles.{_part}":
            raise
        continue
    PUBLIC |= getattr(_module, "PUBLIC", set())
    PROTECTED.update(getattr(_module, "PROTECTED", {}))
    PARAMS.update(getattr(_module, "PARAMS", {}))
