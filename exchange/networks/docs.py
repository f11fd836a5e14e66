"""What the served OpenAPI document says about the partner-network API: the key is required
(not optional) on every network route, the 429 answer, and the tags' descriptions."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from exchange.errors import PROBLEM_JSON

PREFIX = "/api/v1/networks/"
SCHEME = "NetworkApiKey"

TAGS = [
    {"name": "partner networks", "description": (
        "For chambers of commerce, networking chapters and associations. Authenticate with a "
        "network API key (`Authorization: Bearer pie_net_…`, created by a network admin on the "
        "network's API keys page); each route names the scope it needs and a key reaches only "
        "its own network (any other network answers 404). Sync members with an idempotent "
        "bulk upsert keyed by your own ids, page through them with `next` links, read one with "
        "`ETag`/`If-None-Match`, and ask partner suggestions for a member. Follow the "
        "internships involving your members (no private content) and read the four-level "
        "Kirkpatrick report over the internships they sent; run exchange rounds that clear the "
        "whole membership into 2-way swaps and 3-way cycles (`rounds:write`). Every key has a "
        "rate limit (429 with `Retry-After`); every POST accepts an `Idempotency-Key`.")},
    {"name": "webhooks", "description": (
        "Register endpoints to receive events about your members (`member.updated`, "
        "`member.removed`, `internship.*`, `round.*`), signed with the Standard Webhooks "
        "headers `webhook-id`, `webhook-timestamp`, `webhook-signature` (HMAC-SHA256 over "
        "`id.timestamp.body`). Deliveries are retried with backoff for about a day and logged "
        "per attempt. Verify them with `exchange.client.verify_webhook`.")},
]


def install_network_docs(app: FastAPI) -> None:
    """Call after `install_openapi` and `install_idempotency`: it wraps their builder."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        has_problem = "Problem" in document.get("components", {}).get("schemas", {})
        problem = {"schema": {"$ref": "#/components/schemas/Problem"}} if has_problem else {}
        for path, item in document.get("paths", {}).items():
            if not path.startswith(PREFIX):
                continue
            for operation in item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                operation["security"] = [{SCHEME: []}]
                operation["responses"].setdefault("429", {
                    "description": "Too many requests for this key; retry after `Retry-After` "
                                   "seconds",
                    "headers": {"Retry-After": {"description": "Seconds to wait",
                                                "schema": {"type": "string"}}},
                    "content": {PROBLEM_JSON: problem},
                })
        names = {t["name"] for t in document.get("tags", [])}
        document.setdefault("tags", []).extend(t for t in TAGS if t["name"] not in names)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
