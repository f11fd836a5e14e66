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
        "`id.timestamp.body`); the payload of each event type is in the schema's `webhooks` "
        "section. Delivery is at least once (deduplicate by `webhook-id`). A non-2xx answer "
        "(redirects included, never followed) is retried after 5 s, 5 min, 30 min, 2 h, 5 h, "
        "10 h and 10 h (±20 % jitter, about 27 h), every attempt logged; "
        "`webhook-delivery: abort-message` in an answer stops one message's retries. A worker "
        "leases a delivery for 2 minutes while sending. An endpoint is disabled only after "
        "every attempt failed for 5 days (the clock starts after 3 failures in a row within "
        "24 h); the first success after failures, or re-enabling, sends what is pending at "
        "once. Targets must be public internet addresses. Verify signatures with "
        "`exchange.client.verify_webhook` or the `standardwebhooks` package.")},
]


def install_network_docs(app: FastAPI) -> None:
    """Call after `install_openapi` and `install_idempotency`: it wraps their builder. Also
    serves the webhook payloads (the document's `webhooks` section, event_schemas.py)."""
    from exchange.networks.event_schemas import install_webhook_docs

    install_webhook_docs(app)
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
        for item in document.get("webhooks", {}).values():
            # FastAPI documents a 422 for every body it would validate; receivers do not
            # answer us with our problem documents.
            item.get("post", {}).get("responses", {}).pop("422", None)
        names = {t["name"] for t in document.get("tags", [])}
        document.setdefault("tags", []).extend(t for t in TAGS if t["name"] not in names)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
