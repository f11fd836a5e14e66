"""A typed Python client for the partner-network API, sync and async, on httpx.

    from exchange.client import ExchangeClient, verify_webhook

    with ExchangeClient("https://exchange.example", api_key="pie_net_…",
                        network="pune-chamber") as api:
        report = api.sync_members([{"id": "crm-42", "name": "Kavya Logistics", ...}])
        for member in api.iter_members():          # follows `next` links
            print(member.external_id, member.profile.name)
        best = api.suggestions("crm-42", within="network").items[:3]

- Every POST gets a fresh `Idempotency-Key` (pass your own to make a retry of yours safe too).
- Calls that are safe to repeat — GET, PUT, DELETE, and POSTs (thanks to their key) — are
  retried on 429 and 503, waiting what `Retry-After` says (capped), else backing off
  exponentially; and on connection errors.
- Errors raise :class:`ApiError` carrying the problem+json document (`status`, `title`,
  `detail`, `errors: [{field, message}]`).
- `verify_webhook(headers, body, secret, tolerance=300)` checks a delivery's Standard Webhooks
  signature and timestamp and returns the event.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field

from exchange.networks.signing import WebhookVerificationError, verify

__all__ = [
    "ApiError", "AsyncExchangeClient", "ExchangeClient", "WebhookVerificationError",
    "verify_webhook",
]

RETRY_STATUSES = frozenset({429, 503})
DEFAULT_MAX_RETRIES = 4
MAX_RETRY_WAIT = 60.0


# -- models -------------------------------------------------------------------------------------


class _Model(BaseModel):
    # Newer servers may add fields: ignore what this client does not know yet.
    model_config = ConfigDict(extra="ignore")


class Profile(_Model):
    slug: str
    name: str
    description: str = ""
    website: str | None = None
    isic_class: str
    country: str
    region: str = ""
    city: str
    market_reach: str
    size_band: str
    languages: list[str] = Field(default_factory=list)
    hosting_capacity: int
    visibility: str
    archived: bool
    created_at: datetime
    updated_at: datetime


class Cell(_Model):
    process: str
    level: int
    offer: bool
    need: int
    target_level: int | None = None
    evidence: str | None = None


class Member(_Model):
    external_id: str
    managed_by_network: bool
    joined_at: datetime
    profile: Profile


class MemberDetail(Member):
    cells: list[Cell] = Field(default_factory=list)
    excluded: list[str] = Field(default_factory=list)
    etag: str | None = None


class MemberPage(_Model):
    items: list[Member]
    next: str | None


class Rejected(_Model):
    index: int
    id: str | None
    errors: list[dict[str, str]]


class SyncReport(_Model):
    dry_run: bool
    atomic: bool
    applied: bool
    counts: dict[str, int]
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    owner_managed: list[str]
    rejected: list[Rejected]


class NetworkInfo(_Model):
    slug: str
    name: str
    description: str
    member_count: int
    key_name: str
    key_scopes: list[str]


class Partner(_Model):
    slug: str
    name: str
    city: str
    region: str
    country: str
    isic_class: str
    industry: str
    market_reach: str
    hosting_capacity: int


class Suggestion(_Model):
    partner: Partner
    partner_external_id: str | None = None
    score: float
    learn_value: float
    teach_value: float
    learn: list[dict[str, Any]] = Field(default_factory=list)
    teach: list[dict[str, Any]] = Field(default_factory=list)


class SuggestionPage(_Model):
    member: str
    within: str
    items: list[Suggestion]
    next: str | None


class ClaimInvitation(_Model):
    external_id: str
    email: str
    expires_at: datetime
    url: str


class Webhook(_Model):
    id: int
    url: str
    description: str
    event_types: list[str]
    created_at: datetime
    enabled: bool
    disabled_reason: str | None
    consecutive_failures: int
    failing_since: datetime | None = None


class WebhookCreated(Webhook):
    secret: str


class Attempt(_Model):
    attempted_at: datetime
    response_status: int | None
    latency_ms: int
    error: str | None
    succeeded: bool


class Delivery(_Model):
    id: int
    event_id: str
    event_type: str
    status: str
    attempts: list[Attempt]
    next_attempt_at: datetime | None
    created_at: datetime


class DeliveryPage(_Model):
    items: list[Delivery]
    next: str | None


class NetworkParty(_Model):
    external_id: str | None  # your id for it, or None when it is not a member
    slug: str
    name: str


class NetworkInternship(_Model):
    """What a network sees of an internship involving its members: no private content."""

    id: int
    title: str
    state: str
    start_date: date
    end_date: date
    duration_days: int
    home: NetworkParty
    host: NetworkParty
    focus_processes: list[str]
    agreement_version: int
    created_at: datetime
    updated_at: datetime


class NetworkInternshipPage(_Model):
    items: list[NetworkInternship]
    next: str | None


class MemberFigures(_Model):
    external_id: str
    business: str
    name: str
    totals: dict[str, Any]


class NetworkReport(_Model):
    """The four Kirkpatrick levels over the internships members sent, and per member."""

    since: date | None
    until: date | None
    totals: dict[str, Any]
    members: list[MemberFigures]


class ApiError(Exception):
    """A 4xx/5xx answer; `problem` is its problem+json body (or a stand-in)."""

    def __init__(self, status: int, problem: dict[str, Any]):
        self.status = status
        self.problem = problem
        self.errors: list[dict[str, str]] = list(problem.get("errors") or [])
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}")


def verify_webhook(headers: Mapping[str, str], body: str | bytes, secret: str,
                   tolerance: int = 300) -> dict[str, Any]:
    """The event of a delivery, after checking its signature and that its timestamp is within
    `tolerance` seconds; raises WebhookVerificationError otherwise. Deduplicate by
    `headers["webhook-id"]`: a delivery may arrive more than once."""
    verify(headers, body, secret, tolerance=tolerance)
    event: dict[str, Any] = json.loads(body)
    return event


# -- shared request logic -----------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


class _Core:
    def __init__(self, base_url: str, api_key: str, network: str, *, max_retries: int,
                 max_retry_wait: float) -> None:
        self.base = base_url.rstrip("/")
        self.network = network
        self.headers = {"Authorization": f"Bearer {api_key}",
                        "User-Agent": "exchange-client/1", "Accept": "application/json"}
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self._etags: dict[str, tuple[str, dict[str, Any]]] = {}

    def url(self, path: str) -> str:
        return f"{self.base}/api/v1/networks/{self.network}{path}"

    def request_headers(self, method: str, idempotency_key: str | None,
                        extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = dict(self.headers)
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        headers.update(extra or {})
        return headers

    def wait_before_retry(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before retry number `attempt` (1-based), or None: do not retry."""
        if attempt > self.max_retries:
            return None
        if response is not None:
            if response.status_code not in RETRY_STATUSES:
                return None
            retry_after = response.headers.get("retry-after", "")
            if retry_after.strip().isdigit():
                return min(float(retry_after), self.max_retry_wait)
        return min(self.max_retry_wait, 0.5 * 2 ** (attempt - 1) * (1 + random.random() / 4))  # noqa: S311

    @staticmethod
    def check(response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        try:
            problem = response.json()
        except ValueError:
            problem = {"title": response.reason_phrase, "detail": response.text[:200]}
        raise ApiError(response.status_code, problem if isinstance(problem, dict) else {})




# -- sync ---------------------------------------------------------------------------------------


class ExchangeClient:
    def __init__(self, base_url: str, *, api_key: str, network: str, timeout: float = 30.0,
                 max_retries: int = DEFAULT_MAX_RETRIES, max_retry_wait: float = MAX_RETRY_WAIT,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._core = _Core(base_url, api_key, network, max_retries=max_retries,
                           max_retry_wait=max_retry_wait)
        self._http = httpx.Client(timeout=timeout, transport=transport)
        self._sleep = sleep

    def __enter__(self) -> ExchangeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                 json_body: Any = None, idempotency_key: str | None = None,
                 headers: Mapping[str, str] | None = None) -> httpx.Response:
        sent_headers = self._core.request_headers(method, idempotency_key, headers)
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            try:
                response = self._http.request(method, url, params=params, json=json_body,
                                              headers=sent_headers)
            except httpx.TransportError:
                wait = self._core.wait_before_retry(attempt, None)
                if wait is None:
                    raise
            else:
                wait = self._core.wait_before_retry(attempt, response)
                if wait is None:
                    self._core.check(response)
                    return response
            self._sleep(wait)

    def _get(self, path: str, model: type[M], **params: Any) -> M:
        response = self._request("GET", self._core.url(path), params=_clean(params))
        return model.model_validate(response.json())

    def network(self) -> NetworkInfo:
        return self._get("", NetworkInfo)

    def sync_members(self, members: Sequence[Mapping[str, Any]], *, dry_run: bool = False,
                     atomic: bool = False) -> SyncReport:
        response = self._request("PUT", self._core.url("/members"),
                                 params={"dry_run": dry_run, "atomic": atomic},
                                 json_body={"members": list(members)})
        return SyncReport.model_validate(response.json())

    def list_members(self, **filters: Any) -> MemberPage:
        return self._get("/members", MemberPage, **filters)

    def iter_members(self, *, page_size: int = 100, **filters: Any) -> Iterator[Member]:
        page = self.list_members(limit=page_size, **filters)
        while True:
            yield from page.items
            if not page.next:
                return
            page = MemberPage.model_validate(self._request("GET", page.next).json())

    def get_member(self, external_id: str) -> MemberDetail:
        """Sends the ETag of the last answer for this member; a 304 returns that answer."""
        url = self._core.url(f"/members/{_segment(external_id)}")
        cached = self._core._etags.get(url)
        response = self._request("GET", url, headers={"If-None-Match": cached[0]}
                                 if cached else None)
        if response.status_code == 304 and cached:
            return MemberDetail.model_validate({**cached[1], "etag": cached[0]})
        data = response.json()
        etag = response.headers.get("etag")
        if etag:
            self._core._etags[url] = (etag, data)
        return MemberDetail.model_validate({**data, "etag": etag})

    def list_internships(self, **filters: Any) -> NetworkInternshipPage:
        """Internships involving members (filters: `state`, `member`, `limit`)."""
        return self._get("/internships", NetworkInternshipPage, **filters)

    def iter_internships(self, *, page_size: int = 50, **filters: Any
                         ) -> Iterator[NetworkInternship]:
        page = self.list_internships(limit=page_size, **filters)
        while True:
            yield from page.items
            if not page.next:
                return
            page = NetworkInternshipPage.model_validate(self._request("GET", page.next).json())

    def get_internship(self, internship_id: int) -> NetworkInternship:
        return self._get(f"/internships/{int(internship_id)}", NetworkInternship)

    def report(self, *, since: date | None = None, until: date | None = None
               ) -> NetworkReport:
        return self._get("/reports", NetworkReport, since=_day(since), until=_day(until))

    def remove_member(self, external_id: str) -> None:
        self._request("DELETE", self._core.url(f"/members/{_segment(external_id)}"))

    def invite_claim(self, external_id: str, email: str, *, idempotency_key: str | None = None
                     ) -> ClaimInvitation:
        response = self._request(
            "POST", self._core.url(f"/members/{_segment(external_id)}/claim-invitations"),
            json_body={"email": email}, idempotency_key=idempotency_key)
        return ClaimInvitation.model_validate(response.json())

    def suggestions(self, external_id: str, *, within: Literal["network", "everywhere"] =
                    "network", limit: int = 20, **options: Any) -> SuggestionPage:
        return self._get(f"/members/{_segment(external_id)}/suggestions", SuggestionPage,
                         within=within, limit=limit, **options)

    def create_webhook(self, url: str, *, event_types: Sequence[str] = (),
                       description: str = "", idempotency_key: str | None = None
                       ) -> WebhookCreated:
        response = self._request("POST", self._core.url("/webhooks"), json_body={
            "url": url, "event_types": list(event_types), "description": description},
            idempotency_key=idempotency_key)
        return WebhookCreated.model_validate(response.json())

    def list_webhooks(self) -> list[Webhook]:
        response = self._request("GET", self._core.url("/webhooks"))
        return [Webhook.model_validate(item) for item in response.json()]

    def enable_webhook(self, endpoint_id: int) -> Webhook:
        response = self._request("POST", self._core.url(f"/webhooks/{endpoint_id}/enable"))
        return Webhook.model_validate(response.json())

    def delete_webhook(self, endpoint_id: int) -> None:
        self._request("DELETE", self._core.url(f"/webhooks/{endpoint_id}"))

    def iter_deliveries(self, endpoint_id: int, *, page_size: int = 50) -> Iterator[Delivery]:
        page = self._get(f"/webhooks/{endpoint_id}/deliveries", DeliveryPage, limit=page_size)
        while True:
            yield from page.items
            if not page.next:
                return
            page = DeliveryPage.model_validate(self._request("GET", page.next).json())

    def redeliver(self, endpoint_id: int, delivery_id: int) -> Delivery:
        response = self._request(
            "POST", self._core.url(f"/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver"))
        return Delivery.model_validate(response.json())


# -- async --------------------------------------------------------------------------------------


class AsyncExchangeClient:
    """The same calls as :class:`ExchangeClient`, awaitable; iterators are async."""

    def __init__(self, base_url: str, *, api_key: str, network: str, timeout: float = 30.0,
                 max_retries: int = DEFAULT_MAX_RETRIES, max_retry_wait: float = MAX_RETRY_WAIT,
                 transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._core = _Core(base_url, api_key, network, max_retries=max_retries,
                           max_retry_wait=max_retry_wait)
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._sleep = sleep

    async def __aenter__(self) -> AsyncExchangeClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                       json_body: Any = None, idempotency_key: str | None = None,
                       headers: Mapping[str, str] | None = None) -> httpx.Response:
        sent_headers = self._core.request_headers(method, idempotency_key, headers)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._http.request(method, url, params=params, json=json_body,
                                                    headers=sent_headers)
            except httpx.TransportError:
                wait = self._core.wait_before_retry(attempt, None)
                if wait is None:
                    raise
            else:
                wait = self._core.wait_before_retry(attempt, response)
                if wait is None:
                    self._core.check(response)
                    return response
            await self._sleep(wait)

    async def _get(self, path: str, model: type[M], **params: Any) -> M:
        response = await self._request("GET", self._core.url(path), params=_clean(params))
        return model.model_validate(response.json())

    async def network(self) -> NetworkInfo:
        return await self._get("", NetworkInfo)

    async def sync_members(self, members: Sequence[Mapping[str, Any]], *,
                           dry_run: bool = False, atomic: bool = False) -> SyncReport:
        response = await self._request("PUT", self._core.url("/members"),
                                       params={"dry_run": dry_run, "atomic": atomic},
                                       json_body={"members": list(members)})
        return SyncReport.model_validate(response.json())

    async def list_members(self, **filters: Any) -> MemberPage:
        return await self._get("/members", MemberPage, **filters)

    async def iter_members(self, *, page_size: int = 100, **filters: Any
                           ) -> AsyncIterator[Member]:
        page = await self.list_members(limit=page_size, **filters)
        while True:
            for item in page.items:
                yield item
            if not page.next:
                return
            page = MemberPage.model_validate((await self._request("GET", page.next)).json())

    async def list_internships(self, **filters: Any) -> NetworkInternshipPage:
        return await self._get("/internships", NetworkInternshipPage, **filters)

    async def iter_internships(self, *, page_size: int = 50, **filters: Any
                               ) -> AsyncIterator[NetworkInternship]:
        page = await self.list_internships(limit=page_size, **filters)
        while True:
            for item in page.items:
                yield item
            if not page.next:
                return
            page = NetworkInternshipPage.model_validate(
                (await self._request("GET", page.next)).json())

    async def get_internship(self, internship_id: int) -> NetworkInternship:
        return await self._get(f"/internships/{int(internship_id)}", NetworkInternship)

    async def report(self, *, since: date | None = None, until: date | None = None
                     ) -> NetworkReport:
        return await self._get("/reports", NetworkReport, since=_day(since),
                               until=_day(until))

    async def get_member(self, external_id: str) -> MemberDetail:
        response = await self._request("GET",
                                       self._core.url(f"/members/{_segment(external_id)}"))
        return MemberDetail.model_validate({**response.json(),
                                            "etag": response.headers.get("etag")})

    async def remove_member(self, external_id: str) -> None:
        await self._request("DELETE", self._core.url(f"/members/{_segment(external_id)}"))

    async def suggestions(self, external_id: str, *,
                          within: Literal["network", "everywhere"] = "network",
                          limit: int = 20, **options: Any) -> SuggestionPage:
        return await self._get(f"/members/{_segment(external_id)}/suggestions",
                               SuggestionPage, within=within, limit=limit, **options)

    async def create_webhook(self, url: str, *, event_types: Sequence[str] = (),
                             description: str = "", idempotency_key: str | None = None
                             ) -> WebhookCreated:
        response = await self._request("POST", self._core.url("/webhooks"), json_body={
            "url": url, "event_types": list(event_types), "description": description},
            idempotency_key=idempotency_key)
        return WebhookCreated.model_validate(response.json())

    async def list_webhooks(self) -> list[Webhook]:
        response = await self._request("GET", self._core.url("/webhooks"))
        return [Webhook.model_validate(item) for item in response.json()]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _clean(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v).lower() if isinstance(v, bool) else v)
            for k, v in params.items() if v is not None}


def _segment(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
