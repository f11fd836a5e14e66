"""Rules of the exchange-round routes (gathered by tests/test_route_inventory.py, which tries
each anonymously). Keys of another network, keys without `rounds:write`, strangers, members of
other businesses and non-admins are tried in tests/rounds/test_round_api.py and
test_round_pages.py, which the shared personas cannot express."""

from __future__ import annotations

from tests.support.inventory import USER, Rule

N = "/api/v1/networks/{network_slug}/rounds"
_WINDOW = {"name": "Intruder round", "window_start": "2030-01-01", "window_end": "2030-02-01"}

PUBLIC: set[tuple[str, str]] = set()

PROTECTED: dict[tuple[str, str], Rule] = {
    # API: the network's key with rounds:write
    ("POST", N): Rule("user", _WINDOW),
    ("GET", N): USER,
    ("GET", f"{N}/{{round_id}}"): USER,
    ("POST", f"{N}/{{round_id}}/clear"): USER,
    ("POST", f"{N}/{{round_id}}/close"): USER,
    ("POST", f"{N}/{{round_id}}/cancel"): USER,
    # API: member owners with personal tokens
    ("GET", "/api/v1/rounds/{round_id}"): USER,
    ("PUT", "/api/v1/rounds/{round_id}/participation"): Rule(
        "user", {"business": "afreen-talent-studio", "intern_ids": [1], "capacity": 1}),
    ("POST", "/api/v1/rounds/{round_id}/proposals/{proposal_id}/answer"): Rule(
        "user", {"business": "afreen-talent-studio", "accept": True}),
    # pages: network admins
    ("GET", "/networks/{network_slug}/rounds"): USER,
    ("POST", "/networks/{network_slug}/rounds"): Rule("user", _WINDOW),
    ("GET", "/networks/{network_slug}/rounds/{round_id}"): USER,
    ("POST", "/networks/{network_slug}/rounds/{round_id}/{round_action}"): USER,
    # pages: member owners
    ("GET", "/rounds/{round_id}"): USER,
    ("POST", "/rounds/{round_id}/participation"): Rule("user", {"business_id": "1",
                                                                "take_part": "yes"}),
    ("POST", "/rounds/{round_id}/proposals/{proposal_id}/answer"): Rule(
        "user", {"business_id": "1", "answer": "accept"}),
}

PARAMS = {
    "round_id": lambda w: 1,
    "proposal_id": lambda w: 1,
    "round_action": lambda w: "clear",
}
