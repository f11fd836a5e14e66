"""The webhook payloads as typed models, served in the OpenAPI document's `webhooks` section
(OpenAPI 3.1): one entry per event type with its envelope, its `data` and the signing headers.

The envelope is what `webhooks.route_event` writes: `{id, type, timestamp, network, members,
data}`; `data` is what the emitting service put in its domain event (networks/service.py for
`member.*`, internships/service.py for `internship.*`, rounds/service.py for `round.*`).
tests/networks/test_webhook_schemas.py checks real deliveries against these models, so the
schema cannot drift from what is sent.

No `from __future__ import annotations` here: FastAPI reads the receivers' annotations, which
are made in a loop.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Header
from pydantic import BaseModel, ConfigDict, Field, create_model

from exchange.networks.webhooks import EVENT_TYPES


class _Data(BaseModel):
    # Services may add fields later; receivers should ignore what they do not know.
    model_config = ConfigDict(extra="allow")


class MemberEventData(_Data):
    network: str = Field(description="The network's slug")
    external_id: str = Field(description="Your id for the member")
    business: str = Field(description="The business's slug on the exchange")
    name: str
    change: Literal["created", "updated", "edited", "joined", "claimed"] | None = Field(
        default=None,
        description="member.updated only: created or updated by your sync, edited by its "
                    "owners, joined (an owner consented) or claimed (a person took it over)")
    fields: list[str] | None = Field(default=None,
                                     description="After an owner's edit: what changed")


class InternshipSummary(_Data):
    id: int
    title: str
    state: str = Field(description="The internship's state after the event")
    home: str = Field(description="Slug of the business sending the intern")
    host: str = Field(description="Slug of the business hosting")
    start_date: date
    end_date: date


class InternshipEventData(_Data):
    internship: InternshipSummary
    summary: str = Field(description="What happened, in words")


class RoundSummary(_Data):
    id: int
    name: str
    state: str
    network: str | None
    window_start: date
    window_end: date


class ClearingResult(_Data):
    status: str
    proven_optimal: bool
    total_weight: float
    cycles: int
    bound: float | None = None
    gap: float | None = None
    seconds: float
    pass_: int = Field(alias="pass", description="Which clearing of the round this was")
    firms: int
    edges: int


class RoundClearedData(_Data):
    round: RoundSummary
    result: ClearingResult


class ProposalSummary(_Data):
    id: int
    state: str
    businesses: list[str] = Field(description="Slugs of the businesses in the cycle")
    answers: dict[str, Literal["accept", "decline", "expire"] | None] = Field(
        description="Each business's answer so far, by the business's id on the exchange "
                    "(null: not answered yet)")


class RoundProposalUpdatedData(_Data):
    round: RoundSummary
    proposal: ProposalSummary


DATA_MODELS: dict[str, type[BaseModel]] = {
    "member.updated": MemberEventData,
    "member.removed": MemberEventData,
    **{t: InternshipEventData for t in EVENT_TYPES if t.startswith("internship.")},
    "round.cleared": RoundClearedData,
    "round.proposal_updated": RoundProposalUpdatedData,
}


def _class_name(event_type: str) -> str:
    return "".join(p.capitalize() for p in event_type.replace(".", "_").split("_")) + "Event"


def _envelope(event_type: str) -> type[BaseModel]:
    return create_model(
        _class_name(event_type),
        __doc__=f"The `{event_type}` event as POSTed to your endpoint.",
        id=(str, Field(description="The message id, also in the `webhook-id` header: "
                                   "deduplicate by it")),
        type=(Literal[event_type], ...),  # type: ignore[valid-type]
        timestamp=(datetime, Field(description="When the change happened")),
        network=(str, Field(description="Your network's slug")),
        members=(list[str], Field(description="Your ids of the members involved")),
        data=(DATA_MODELS[event_type], ...),
    )


EVENT_MODELS: dict[str, type[BaseModel]] = {t: _envelope(t) for t in EVENT_TYPES}

SIGNING = ("Signed with the [Standard Webhooks](https://www.standardwebhooks.com) headers: "
           "`webhook-signature` is `v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-"
           "timestamp}.{body}` keyed by your endpoint's secret (`whsec_…`, base64 after the "
           "prefix). Verify with the `standardwebhooks` package or "
           "`exchange.client.verify_webhook`, reject timestamps older than 5 minutes, and "
           "deduplicate by `webhook-id` (delivery is at least once). Answer 2xx within 10 s; "
           "see the *webhooks* tag for retries and the outage policy.")


def _receiver(event_type: str, model: type[BaseModel]) -> Any:
    def receive(
        event: model,  # type: ignore[valid-type]
        webhook_id: Annotated[str, Header(alias="webhook-id",
                                          description="The message id (`msg_…`)")],
        webhook_timestamp: Annotated[str, Header(alias="webhook-timestamp",
                                                 description="Unix seconds of the attempt")],
        webhook_signature: Annotated[str, Header(
            alias="webhook-signature",
            description="Space-separated `v1,<base64>` signatures")],
    ) -> None:
        """Documentation only: your endpoint receives this."""

    receive.__name__ = "on_" + event_type.replace(".", "_")
    return receive


def install_webhook_docs(app: FastAPI) -> None:
    for event_type, model in EVENT_MODELS.items():
        app.webhooks.post(
            event_type, summary=event_type, description=SIGNING, tags=["webhooks"],
            operation_id="on_" + event_type.replace(".", "_"),
            status_code=204, response_description="Received (any 2xx)",
        )(_receiver(event_type, model))
