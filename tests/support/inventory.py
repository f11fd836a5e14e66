"""Vocabulary of the route inventory (see tests/test_route_inventory.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    """Who may call a route.

    who:
      "user"     any signed-in person, acting on their own things
      "admin"    platform admins only (others get 404)
      "owner"    only the persona owning the resource in the path (Afreen); others get 404
      "visible"  anyone who can see the business in the path (`{slug}` = Afreen's firm); tried by
                 a stranger after the firm is made networks-only → 404
      "intern" / "manager" / "business_owner"
                 members of the business in `{slug}` with at least that role; a stranger, and the
                 member one rank below (Meera the intern, Farah the manager), are turned away
      "participant" / "internship_owner" / "home_side" / "host_side"
                 (internships, `{internship_id}` = Afreen's firm sends Meera to Rajeev's firm,
                 Arjun mentors): anyone taking part / owners and managers of either business /
                 of the sending business / of the host. Always turned away: Charlie and Nila, the
                 intern of *another* internship (404); then the people of the wrong side (403).
                 Intruder lists: tests/internships/route_rules.py (`INTRUDERS`).
    body: JSON body (API) or form fields (pages) to send, so that the check is not skipped by a
          validation error.

    A domain's route_rules.py may define new `who` values with `INTRUDERS` (name → world →
    users to try) and `FINGERPRINTS` (world → what those users must not change).
    """

    who: str
    body: dict[str, Any] | None = None


USER, ADMIN, OWNER = Rule("user"), Rule("admin"), Rule("owner")
VISIBLE = Rule("visible")
INTERN, MANAGER, BUSINESS_OWNER = Rule("intern"), Rule("manager"), Rule("business_owner")
PARTICIPANT, INTERNSHIP_OWNER = Rule("participant"), Rule("internship_owner")
HOME_SIDE, HOST_SIDE = Rule("home_side"), Rule("host_side")
