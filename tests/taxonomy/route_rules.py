"""Rules of the reference-data routes: reading industries and the process taxonomy is public;
changing the taxonomy is for platform admins only (everyone else gets 404)."""

from __future__ import annotations

from tests.support.inventory import ADMIN, Rule

_NEW_PROCESS = {"department": "marketing", "key": "webinars", "name": "Webinars",
                "description": "Running live online sessions that turn attendees into leads.",
                "complexity": 2}
_EDIT_PROCESS = {"name": "Search engine optimisation",
                 "description": "Getting found on search engines without paying for ads.",
                 "complexity": 2}
_NEW_DEPARTMENT = {"key": "legal", "name": "Legal",
                   "description": "Contracts, compliance and intellectual property."}
_EDIT_DEPARTMENT = {"name": "Marketing and brand",
                    "description": "Getting known and wanted by the right customers."}

PUBLIC: set[tuple[str, str]] = {
    ("GET", "/api/v1/industries"),
    ("GET", "/api/v1/industries/{code}"),
    ("GET", "/api/v1/taxonomy"),
    ("GET", "/api/v1/taxonomy/processes"),
    ("GET", "/api/v1/taxonomy/processes/{key}"),
    ("GET", "/industries"),
    ("GET", "/industries/{code}"),
    ("GET", "/taxonomy"),
}

PROTECTED: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/taxonomy/processes"): Rule("admin", body=_NEW_PROCESS),
    ("PATCH", "/api/v1/taxonomy/processes/{key}"): Rule("admin", body=_EDIT_PROCESS),
    ("POST", "/api/v1/taxonomy/processes/{key}/retire"): ADMIN,
    ("POST", "/api/v1/taxonomy/processes/{key}/restore"): ADMIN,
    ("POST", "/api/v1/taxonomy/departments"): Rule("admin", body=_NEW_DEPARTMENT),
    ("PATCH", "/api/v1/taxonomy/departments/{department_key}"): Rule(
        "admin", body=_EDIT_DEPARTMENT),
    ("GET", "/admin/taxonomy"): ADMIN,
    ("GET", "/admin/taxonomy/processes/new"): ADMIN,
    ("POST", "/admin/taxonomy/processes/new"): Rule("admin", body=_NEW_PROCESS),
    ("GET", "/admin/taxonomy/processes/{key}/edit"): ADMIN,
    ("POST", "/admin/taxonomy/processes/{key}/edit"): Rule("admin", body=_EDIT_PROCESS),
    ("POST", "/admin/taxonomy/processes/{key}/retire"): ADMIN,
    ("POST", "/admin/taxonomy/processes/{key}/restore"): ADMIN,
    ("GET", "/admin/taxonomy/departments/new"): ADMIN,
    ("POST", "/admin/taxonomy/departments/new"): Rule("admin", body=_NEW_DEPARTMENT),
    ("GET", "/admin/taxonomy/departments/{department_key}/edit"): ADMIN,
    ("POST", "/admin/taxonomy/departments/{department_key}/edit"): Rule(
        "admin", body=_EDIT_DEPARTMENT),
}

PARAMS = {
    "key": lambda w: "marketing.seo",
    "department_key": lambda w: "marketing",
    "code": lambda w: "7410",
}
