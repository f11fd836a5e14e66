"""The served OpenAPI `webhooks` section (issue 14.2): one entry per event type with the envelope,
the `data` schema and the signing headers — and real deliveries of each kind match it exactly
(no field sent that the schema does not name), so the documentation cannot drift."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel
from sqlmodel import Session, select

from exchange.config import Settings
from exchange.networks import service, webhooks
from exchange.networks.event_schemas import EVENT_MODELS
from exchange.networks.models import Network, WebhookDelivery
from exchange.profiles.models import Business
from exchange.rounds import service as rounds_service
from tests.conftest import Client
from tests.networks.conftest import member_record
from tests.rounds.conftest import RoundWorld, nina_admin, round_world  # noqa: F401
from tests.rounds.test_round_service import _confirm_all, _open_round

BASE = "/api/v1/networks/pune-chamber"


def _assert_exact(model: type[BaseModel], value: Any, where: str = "") -> None:
    """`value` validates against `model` and carries no key the model does not name."""
    parsed = model.model_validate(value)
    assert not parsed.model_extra, f"{where or model.__name__} sends unnamed {parsed.model_extra}"
    for name, field in type(parsed).model_fields.items():
        inner = getattr(parsed, name)
        if isinstance(inner, BaseModel):
            _assert_exact(type(inner), value[field.alias or name], f"{where}.{name}")


def _bodies(session: Session) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for delivery in session.exec(select(WebhookDelivery)):
        out.setdefault(delivery.event_type, []).append(json.loads(delivery.body))
    return out


def test_the_schema_has_one_webhook_per_event_type(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["webhooks"]) == set(webhooks.EVENT_TYPES)
    schemas = document["components"]["schemas"]
    for event_type, item in document["webhooks"].items():
        operation = item["post"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        envelope = schemas[ref.rsplit("/", 1)[1]]
        assert set(envelope["required"]) == {"id", "type", "timestamp", "network", "members",
                                             "data"}
        assert envelope["properties"]["type"]["const"] == event_type
        assert "$ref" in envelope["properties"]["data"]
        assert "422" not in operation["responses"]  # nothing to validate on our side
    member = schemas["MemberEventData"]["properties"]
    assert {"network", "external_id", "business", "name", "change"} <= set(member)


def test_member_and_internship_deliveries_match_the_schema(
    api: Client, session: Session, pune_chamber: Network, rajeev_firm: Business,
    request: pytest.FixtureRequest,
) -> None:
    service.add_member(session, pune_chamber, rajeev_firm, "rajeev", managed=False)
    session.commit()
    assert api.post(f"{BASE}/webhooks", json={"url": "https://crm.example.org/h"}
                    ).status_code == 201
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1"),
                                                 member_record("crm-2")]})
    api.put(f"{BASE}/members", json={"members": [member_record("crm-1", name="Renamed")]})
    assert api.delete(f"{BASE}/members/crm-2").status_code == 204
    request.getfixturevalue("internship")  # Afreen's firm proposes one to Rajeev's
    bodies = _bodies(session)
    assert {"member.updated", "member.removed", "internship.proposed"} <= set(bodies)
    for event_type, sent in bodies.items():
        for body in sent:
            _assert_exact(EVENT_MODELS[event_type], body, event_type)
    changes = {b["data"]["change"] for b in bodies["member.updated"]}
    assert changes == {"created", "updated"}


def test_round_deliveries_match_the_schema(
    session: Session, settings: Settings, round_world: RoundWorld,  # noqa: F811
) -> None:
    webhooks.create_endpoint(session, settings, round_world.network,
                             url="https://crm.example.org/rounds", event_types=[])
    round_ = _open_round(session, round_world)
    _confirm_all(session, round_world, round_)
    rounds_service.clear(session, round_, round_world.nina)
    pair = next(p for p, _ in rounds_service.proposals_of(session, round_)
                if len(p.business_ids) == 2)
    rounds_service.answer(session, round_, pair, round_world.owners[3], round_world.firms[3],
                          accept=True)
    session.commit()
    bodies = _bodies(session)
    assert {"round.cleared", "round.proposal_updated"} <= set(bodies)
    for event_type in ("round.cleared", "round.proposal_updated"):
        for body in bodies[event_type]:
            _assert_exact(EVENT_MODELS[event_type], body, event_type)
