"""Who is asking, for network routes, as chained dependencies.

API: `NetworkKey(Scope.members_read)` — a live `pie_net_` key (401 otherwise) of the network in
the path (404 for any other network, exactly as if it did not exist), holding the scope (403),
within its rate limit (429 with `Retry-After`; `RateLimit-Policy`/`RateLimit` headers on every
answer, see exchange/ratelimit.py).

Pages: `AdminNetwork` — the signed-in user administers the network in the path (404 otherwise;
platform admins may manage every network).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from exchange import ratelimit
from exchange.accounts.deps import CurrentUser
from exchange.accounts.models import User
from exchange.deps import SessionDep, SettingsDep
from exchange.errors import NotAuthenticated, NotFound, PermissionDenied, RateLimited
from exchange.networks import keys as keys_service
from exchange.networks import service
from exchange.networks.models import Network, NetworkApiKey, Scope
from exchange.ratelimit import RateLimit

network_key_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="NetworkApiKey",
    description="A partner network's API key (`pie_net_…`), created by a network admin on the "
                "network's API keys page. Each key has scopes and reaches only its own network.",
)

DEFAULT_RATE = "600/minute"


class KeyRateLimit(RateLimit):
    """Requests per API key in a moving window (exchange/ratelimit.py): counted in the store of
    EXCHANGE_RATE_LIMIT_STORAGE, so with Redis every worker and replica shares the count."""

    def __init__(self, rate: str = DEFAULT_RATE, storage_uri: str = "memory://") -> None:
        super().__init__("per-key", rate, ratelimit.storage(storage_uri))


def rate_limit_for(app: FastAPI) -> KeyRateLimit:
    limit: KeyRateLimit | None = getattr(app.state, "network_rate_limit", None)
    if limit is None:
        settings = app.state.settings
        limit = app.state.network_rate_limit = KeyRateLimit(
            settings.network_key_rate_limit, settings.rate_limit_storage)
    return limit


@dataclass(frozen=True)
class KeyContext:
    key: NetworkApiKey
    network: Network


def _authenticated_key(
    request: Request, network_slug: str, session: SessionDep, settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(network_key_scheme)],
) -> KeyContext:
    if credentials is None:
        raise NotAuthenticated("Send a network API key as `Authorization: Bearer pie_net_…`.")
    found = keys_service.key_for_token(session, settings, credentials.credentials)
    if found is None:
        raise NotAuthenticated("The API key is invalid, expired or revoked.")
    key, network = found
    if network.slug != network_slug:
        raise NotFound("No network with that address is visible to this key.")
    assert key.id is not None
    verdict = rate_limit_for(request.app).hit(str(key.id))
    ratelimit.remember_headers(request.scope.setdefault("state", {}), verdict.headers)
    if not verdict.allowed:
        raise RateLimited("This API key sent too many requests.",
                          retry_after=verdict.retry_after)
    return KeyContext(key, network)


def _scoped(scope: Scope) -> Any:
    def dependency(
        context: Annotated[KeyContext, Depends(_authenticated_key)],
    ) -> KeyContext:
        if scope.value not in context.key.scopes:
            raise PermissionDenied(f"This API key lacks the `{scope.value}` scope.")
        return context

    dependency.__name__ = f"key_with_{scope.name}"
    return dependency


_BY_SCOPE = {scope: _scoped(scope) for scope in Scope}


def NetworkKey(scope: Scope) -> Any:
    """`context: NetworkKey(Scope.members_read)` in a route's signature."""
    return Annotated[KeyContext, Depends(_BY_SCOPE[scope])]


MembersRead = NetworkKey(Scope.members_read)
MembersWrite = NetworkKey(Scope.members_write)
MatchesRead = NetworkKey(Scope.matches_read)
InternshipsRead = NetworkKey(Scope.internships_read)
ReportsRead = NetworkKey(Scope.reports_read)
WebhooksManage = NetworkKey(Scope.webhooks_manage)
AnyNetworkKey = Annotated[KeyContext, Depends(_authenticated_key)]


def get_admin_network(network_slug: str, session: SessionDep, user: CurrentUser) -> Network:
    network = service.get_network(session, network_slug)
    if network is None or not (user.is_platform_admin
                               or service.is_admin(session, user, network)):
        raise NotFound("No network with that address is visible to you.")
    return network


AdminNetwork = Annotated[Network, Depends(get_admin_network)]

__all__ = ["AdminNetwork", "AnyNetworkKey", "CurrentUser", "InternshipsRead", "KeyContext",
           "MatchesRead", "MembersRead", "MembersWrite", "NetworkKey", "ReportsRead", "User",
           "WebhooksManage"]
