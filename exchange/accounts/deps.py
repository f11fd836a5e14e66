"""Who is asking: the user behind a session cookie (pages) or a bearer token (API).

Permission checks are dependencies that chain from these (``CurrentUser`` →
``PlatformAdmin``; later ``business_member`` → ``business_owner``), so a route states its rule in
its signature instead of an ``if`` in its body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from exchange.accounts import service
from exchange.accounts.models import User
from exchange.deps import SessionDep, SettingsDep
from exchange.errors import NotAuthenticated, NotFound
from exchange.notifications import inbox

SESSION_COOKIE = "exchange_session"

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="PersonalToken",
    description="A personal API token (`pie_pat_…`) created on the Account → API tokens page.",
)


@dataclass(frozen=True)
class Viewer:
    id: int
    email: str
    display_name: str
    is_platform_admin: bool

    @classmethod
    def of(cls, user: User) -> Viewer:
        assert user.id is not None
        return cls(user.id, user.email, user.display_name, user.is_platform_admin)


def is_api_request(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def get_optional_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User | None:
    """API requests authenticate with a bearer token only, pages with the session cookie only:
    cookies never authorise an API call, so the API needs no CSRF defence."""
    user: User | None = None
    if is_api_request(request):
        if credentials is not None:
            user = service.user_for_api_token(session, settings, credentials.credentials)
            if user is None:
                raise NotAuthenticated("The token is invalid, expired or revoked.")
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            user = service.user_for_session_token(session, settings, token)
    # Pages (including error pages rendered after a rollback) show who is logged in from this
    # plain snapshot, never from the ORM object, which a rollback expires.
    request.state.user = Viewer.of(user) if user is not None else None
    if user is not None and user.id is not None and not is_api_request(request):
        # The navigation's inbox badge on every page.
        request.state.unread_notifications = inbox.unread_count(session, user.id)
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_current_user(user: OptionalUser) -> User:
    if user is None:
        raise NotAuthenticated()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_platform_admin(user: CurrentUser) -> User:
    # 404, not 403: the admin area does not advertise itself to other users.
    if not user.is_platform_admin:
        raise NotFound()
    return user


PlatformAdmin = Annotated[User, Depends(get_platform_admin)]
