"""Rules of the partner-network routes.

The shared inventory (tests/test_route_inventory.py) tries every route anonymously. What its
personas cannot express — a key of another network, a key without the scope, a network admin of
another network — is tried by tests/networks/test_network_access.py from the tables below:
`KEY_SCOPES` (API routes: the scope a key needs, None for any live key of the network) and
`NETWORK_ADMIN_PAGES` (pages only the network's admins and platform admins may use).
"""

from __future__ import annotations

from exchange.networks.models import Scope
from tests.support.inventory import ADMIN, USER, Rule

N = "/api/v1/networks/{network_slug}"

KEY_SCOPES: dict[tuple[str, str], Scope | None] = {
    ("GET", N): None,
    ("PUT", f"{N}/members"): Scope.members_write,
    ("GET", f"{N}/members"): Scope.members_read,
    ("GET", f"{N}/members/{{external_id}}"): Scope.members_read,
    ("DELETE", f"{N}/members/{{external_id}}"): Scope.members_write,
    ("POST", f"{N}/members/{{external_id}}/claim-invitations"): Scope.members_write,
    ("GET", f"{N}/members/{{external_id}}/suggestions"): Scope.matches_read,
    ("GET", f"{N}/internships"): Scope.internships_read,
    ("GET", f"{N}/internships/{{internship_id}}"): Scope.internships_read,
    ("GET", f"{N}/reports"): Scope.reports_read,
    ("GET", f"{N}/reports.csv"): Scope.reports_read,
    ("GET", f"{N}/webhooks"): Scope.webhooks_manage,
    ("POST", f"{N}/webhooks"): Scope.webhooks_manage,
    ("GET", f"{N}/webhooks/{{endpoint_id}}"): Scope.webhooks_manage,
    ("DELETE", f"{N}/webhooks/{{endpoint_id}}"): Scope.webhooks_manage,
    ("POST", f"{N}/webhooks/{{endpoint_id}}/enable"): Scope.webhooks_manage,
    ("GET", f"{N}/webhooks/{{endpoint_id}}/deliveries"): Scope.webhooks_manage,
    ("POST", f"{N}/webhooks/{{endpoint_id}}/deliveries/{{delivery_id}}/redeliver"):
        Scope.webhooks_manage,
}

# Bodies that pass validation, so that a refusal is the permission check and not a 422.
BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("PUT", f"{N}/members"): {"members": []},
    ("POST", f"{N}/members/{{external_id}}/claim-invitations"): {"email": "x@example.com"},
    ("POST", f"{N}/webhooks"): {"url": "https://crm.example.org/hook"},
}

P = "/networks/{network_slug}"

# Form fields that pass validation, per network-admin page.
NETWORK_ADMIN_PAGES: dict[tuple[str, str], dict[str, str] | None] = {
    ("GET", P): None,
    ("POST", f"{P}/invitations"): {"business": "{afreen_firm}", "external_id": "afreen"},
    ("POST", f"{P}/members/{{external_id}}/remove"): None,
    ("POST", f"{P}/members/{{external_id}}/claim"): {"email": "new-owner@example.com"},
    ("GET", f"{P}/keys"): None,
    ("POST", f"{P}/keys"): {"name": "x", "scopes": "members:read"},
    ("POST", f"{P}/keys/{{key_id}}/revoke"): None,
    ("GET", f"{P}/webhooks"): None,
    ("POST", f"{P}/webhooks"): {"url": "https://crm.example.org/hook"},
    ("POST", f"{P}/webhooks/{{endpoint_id}}/{{action}}"): None,
    ("GET", f"{P}/webhooks/{{endpoint_id}}"): None,
    ("POST", f"{P}/webhooks/{{endpoint_id}}/deliveries/{{delivery_id}}/redeliver"): None,
}

PUBLIC: set[tuple[str, str]] = set()

PROTECTED: dict[tuple[str, str], Rule] = {
    **{route: Rule("user", BODIES.get(route)) for route in KEY_SCOPES},
    **dict.fromkeys(NETWORK_ADMIN_PAGES, USER),
    ("GET", "/networks"): USER,
    ("GET", "/admin/networks"): ADMIN,
    ("POST", "/admin/networks"): Rule("admin", {"name": "Intruders Club"}),
    ("POST", "/admin/networks/{network_slug}/admins"): Rule("admin", {"email": "x@example.com"}),
    # Platform admins over the API (personal token): everyone else gets 404.
    ("GET", "/api/v1/admin/networks"): ADMIN,
    ("POST", "/api/v1/admin/networks"): Rule("admin", {"name": "Intruders Club"}),
    ("POST", "/api/v1/admin/networks/{network_slug}/keys"):
        Rule("admin", {"name": "x", "scopes": ["members:read"]}),
    ("GET", "/network-invitations/{token}"): USER,
    ("POST", "/network-invitations/{token}"): Rule("user", {"answer": "accept"}),
}

PARAMS = {
    "network_slug": lambda w: "pune-chamber",
    "external_id": lambda w: "crm-1",
    "key_id": lambda w: 1,
    "endpoint_id": lambda w: 1,
    "delivery_id": lambda w: 1,
    "action": lambda w: "disable",
    # internship_id: the internships' rules fill it (Afreen's firm's proposal)
}

