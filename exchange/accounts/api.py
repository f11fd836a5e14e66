"""/api/v1/me: the caller's own account and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, status

from exchange.accounts import service
from exchange.accounts.deps import CurrentUser
from exchange.accounts.models import ApiTokenCreate, ApiTokenCreated, ApiTokenPublic, UserPublic
from exchange.deps import SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/me", tags=["account"])


@router.get("", response_model=UserPublic, summary="The account behind the token")
def read_me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/tokens", response_model=list[ApiTokenPublic], summary="Your personal API tokens")
def list_tokens(user: CurrentUser, session: SessionDep) -> list[ApiTokenPublic]:
    return [
        ApiTokenPublic.model_validate(t, from_attributes=True)
        for t in service.list_api_tokens(session, user)
    ]


@router.post(
    "/tokens",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create a personal API token (the token is shown only in this response)",
)
def create_token(
    data: ApiTokenCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ApiTokenCreated:
    issued = service.create_api_token(session, settings, user, data)
    public = ApiTokenPublic.model_validate(issued.record, from_attributes=True)
    return ApiTokenCreated(**public.model_dump(), token=issued.token)


@router.delete("/tokens/{token_id}", response_model=ApiTokenPublic, summary="Revoke a token")
def revoke_token(token_id: int, user: CurrentUser, session: SessionDep) -> ApiTokenPublic:
    record = service.revoke_api_token(session, user, token_id)
    return ApiTokenPublic.model_validate(record, from_attributes=True)
