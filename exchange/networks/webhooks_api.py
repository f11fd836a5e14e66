"""/api/v1/networks/{network_slug}/webhooks: endpoints, their delivery log, redelivery
(scope `webhooks:manage`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, Field

from exchange.deps import SessionDep, SettingsDep
from exchange.fields import Line
from exchange.networks import webhooks
from exchange.networks.deps import WebhooksManage
from exchange.networks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

router = APIRouter(prefix="/api/v1/networks/{network_slug}/webhooks", tags=["webhooks"])

# Row ids: bounded so that an absurd number is a 422, never a driver overflow.
EndpointId = Annotated[int, Path(ge=1, le=2**31 - 1)]
DeliveryId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class EndpointIn(BaseModel):
    url: Line = Field(max_length=500, examples=["https://crm.example.org/hooks/exchange"])
    event_types: list[Annotated[Line, Field(max_length=64)]] = Field(
        default_factory=list, max_length=len(webhooks.EVENT_TYPES),
        description="Empty: every event. Known: " + ", ".join(webhooks.EVENT_TYPES),
        examples=[["member.updated", "internship.accepted"]])
    description: Line = Field(default="", max_length=200)


class EndpointOut(BaseModel):
    id: int
    url: str
    description: str
    event_types: list[str]
    created_at: datetime
    enabled: bool
    disabled_reason: str | None
    consecutive_failures: int = Field(description="Failed attempts since the last success")
    failing_since: datetime | None = Field(
        description="When the outage clock started (3 failures in a row within 24 h); the "
                    "endpoint is disabled when it has run 5 days without a success")

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> EndpointOut:
        assert endpoint.id is not None
        return cls(id=endpoint.id, url=endpoint.url, description=endpoint.description,
                   event_types=endpoint.event_types, created_at=endpoint.created_at,
                   enabled=endpoint.disabled_at is None,
                   disabled_reason=endpoint.disabled_reason,
                   consecutive_failures=endpoint.consecutive_failures,
                   failing_since=endpoint.failing_since)


class EndpointCreated(EndpointOut):
    secret: str = Field(description="The signing secret (`whsec_…`), shown only this once")


class AttemptOut(BaseModel):
    attempted_at: datetime
    response_status: int | None
    latency_ms: int
    error: str | None
    succeeded: bool

    @classmethod
    def of(cls, attempt: WebhookAttempt) -> AttemptOut:
        return cls(attempted_at=attempt.attempted_at, response_status=attempt.response_status,
                   latency_ms=attempt.latency_ms, error=attempt.error,
                   succeeded=attempt.succeeded)


class DeliveryOut(BaseModel):
    id: int
    event_id: str = Field(description="The `webhook-id` header; deduplicate by it")
    event_type: str
    status: str = Field(description="pending, succeeded or failed (gave up after the retry "
                                    "schedule, about 27 h, or the receiver answered "
                                    "`webhook-delivery: abort-message`)")
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryOut:
        assert delivery.id is not None
        return cls(id=delivery.id, event_id=delivery.event_id, event_type=delivery.event_type,
                   status=delivery.status, attempts=[AttemptOut.of(a) for a in attempts],
                   next_attempt_at=delivery.next_attempt_at
                   if delivery.status == "pending" else None,
                   created_at=delivery.created_at)


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next: str | None


@router.get("", response_model=list[EndpointOut], summary="Webhook endpoints")
def list_endpoints(context: WebhooksManage, session: SessionDep) -> list[EndpointOut]:
    return [EndpointOut.of(e) for e in webhooks.endpoints_of(session, context.network)]


@router.post("", response_model=EndpointCreated, status_code=status.HTTP_201_CREATED,
             summary="Register a webhook endpoint (the secret is shown only here)")
def create_endpoint(context: WebhooksManage, session: SessionDep, settings: SettingsDep,
                    data: EndpointIn) -> EndpointCreated:
    """Events are POSTed as JSON with Standard Webhooks headers (`webhook-id`,
    `webhook-timestamp`, `webhook-signature`); verify them with
    `exchange.client.verify_webhook` or the `standardwebhooks` package. The URL must be a
    public internet address (no loopback, private, link-local or metadata addresses; checked
    again after DNS resolution at every delivery); redirects are not followed.

    **Retries.** Answer 2xx within 10 s. Anything else (3xx included) is tried again after
    5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (±20 % jitter, about 27 h in all); then the
    delivery is `failed` and can be redelivered. Answer with the header
    `webhook-delivery: abort-message` to stop the retries of one message.

    **Leases.** A worker holds a delivery for 2 minutes while sending it; a worker that dies
    leaves it to the next one after that, so a message may arrive twice: deduplicate by
    `webhook-id`.

    **Outages.** An endpoint is disabled only when every attempt has failed for 5 days (the
    clock starts after 3 failures in a row within 24 h; any success stops it); the network's
    admins get an e-mail and nothing pending is lost. The first success after failures, and
    `POST …/enable`, make everything pending due at once."""
    endpoint, secret = webhooks.create_endpoint(
        session, settings, context.network, url=data.url, event_types=data.event_types,
        description=data.description)
    return EndpointCreated(**EndpointOut.of(endpoint).model_dump(), secret=secret)


@router.get("/{endpoint_id}", response_model=EndpointOut, summary="One webhook endpoint")
def read_endpoint(context: WebhooksManage, session: SessionDep, endpoint_id: EndpointId
                  ) -> EndpointOut:
    return EndpointOut.of(webhooks.endpoint_of(session, context.network, endpoint_id))


@router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete a webhook endpoint and its delivery log")
def delete_endpoint(context: WebhooksManage, session: SessionDep, endpoint_id: EndpointId
                    ) -> Response:
    webhooks.delete_endpoint(session, context.network, endpoint_id)
    return Response(status_code=204)


@router.post("/{endpoint_id}/enable", response_model=EndpointOut,
             summary="Enable an endpoint again (after it was disabled for failing)")
def enable_endpoint(context: WebhooksManage, session: SessionDep, endpoint_id: EndpointId
                    ) -> EndpointOut:
    """Everything still pending for the endpoint is sent at once, not after its backoff."""
    return EndpointOut.of(webhooks.set_enabled(session, context.network, endpoint_id, True))


@router.get("/{endpoint_id}/deliveries", response_model=DeliveryPage,
            summary="The delivery log, newest first, every attempt included")
def list_deliveries(request: Request, context: WebhooksManage, session: SessionDep,
                    endpoint_id: EndpointId,
                    before: Annotated[int | None, Query(ge=1, le=2**31 - 1,
                                                        description="From a `next` link")
                                      ] = None,
                    limit: Annotated[int, Query(ge=1, le=100)] = 50) -> DeliveryPage:
    endpoint = webhooks.endpoint_of(session, context.network, endpoint_id)
    found = webhooks.deliveries_of(session, endpoint, before_id=before, limit=limit + 1)
    page = found[:limit]
    attempts = webhooks.attempts_of(session, page)
    next_url = None
    if len(found) > limit and page[-1].id is not None:
        next_url = str(request.url.include_query_params(before=page[-1].id, limit=limit))
    return DeliveryPage(items=[DeliveryOut.of(d, attempts.get(d.id or 0, [])) for d in page],
                        next=next_url)


@router.post("/{endpoint_id}/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut,
             status_code=status.HTTP_202_ACCEPTED, summary="Send a delivery again")
def redeliver(context: WebhooksManage, session: SessionDep, endpoint_id: EndpointId,
              delivery_id: DeliveryId) -> DeliveryOut:
    delivery = webhooks.redeliver(session, context.network, endpoint_id, delivery_id)
    return DeliveryOut.of(delivery, webhooks.attempts_of(session, [delivery]).get(
        delivery.id or 0, []))
