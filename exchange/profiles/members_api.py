"""/api/v1: a business's members and invitations, and accepting an invitation with a token.

The invitation token never appears in an answer: it travels only in the e-mail to the invited
address, so that an owner's script (or its logs) cannot accept on someone else's behalf.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request, Response, status
from sqlmodel import SQLModel

from exchange.accounts.deps import CurrentUser
from exchange.accounts.models import BusinessRole
from exchange.deps import SessionDep, SettingsDep
from exchange.errors import PROBLEM_JSON
from exchange.profiles import members as service
from exchange.profiles.deps import BusinessMember, BusinessOwner
from exchange.profiles.models import Invitation

router = APIRouter(prefix="/api/v1", tags=["members"])

MAX_ID = 2**31 - 1  # the database's integer range; larger ids cannot exist
UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="The member's user id.")]
InvitationId = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="How many items to skip.")]


# -- schemas ----------------------------------------------------------------------------------


class MemberPublic(SQLModel):
    user_id: int
    display_name: str
    email: str
    role: BusinessRole
    joined_at: datetime

    @classmethod
    def of(cls, member: service.Member) -> MemberPublic:
        return cls(user_id=member.user_id, display_name=member.display_name,
                   email=member.email, role=member.role, joined_at=member.joined_at)


class MemberPage(SQLModel):
    items: list[MemberPublic]
    next: str | None = None


class InvitationPublic(SQLModel):
    """An invitation as its business's owners see it (never with its token)."""

    id: int
    email: str
    role: BusinessRole
    status: service.InvitationStatus
    invited_by_id: int | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationPublic:
        assert invitation.id is not None
        return cls(
            id=invitation.id, email=invitation.email, role=BusinessRole(invitation.role),
            status=service.invitation_status(invitation), invited_by_id=invitation.invited_by_id,
            created_at=invitation.created_at, expires_at=invitation.expires_at,
            accepted_at=invitation.accepted_at, revoked_at=invitation.revoked_at,
        )


class InvitationPage(SQLModel):
    items: list[InvitationPublic]
    next: str | None = None


class JoinedBusiness(SQLModel):
    """The membership an accepted invitation created."""

    business_slug: str
    business_name: str
    user_id: int
    role: BusinessRole
    joined_at: datetime


# Documented inline (no component) so that the schema names the content type the error handler
# really sends, application/problem+json, and nothing else.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    reasons = {
        401: "No valid personal token.",
        403: "You may see the business but not do this.",
        404: "No such business, member or invitation visible to you.",
        409: "The current state forbids it (e.g. the last owner, an accepted invitation).",
        410: "The invitation was accepted, revoked or has expired.",
        422: "Invalid input; `errors` names each field and the reason.",
    }
    return {
        code: {"description": reasons[code], "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
        for code in codes
    }


def _next(request: Request, count: int, limit: int, offset: int) -> str | None:
    """The next page's address, or None when this page was the last one."""
    if count <= limit:
        return None
    query = {**request.query_params, "limit": str(limit), "offset": str(offset + limit)}
    return f"{request.url.path}?{urlencode(query)}"


# -- members ----------------------------------------------------------------------------------


@router.get(
    "/businesses/{slug}/members", response_model=MemberPage, summary="List the members",
    responses=_problems(401, 403, 404, 422),
)
def list_members(
    request: Request, membership: BusinessMember, session: SessionDep,
    limit: Limit = 50, offset: Offset = 0,
) -> MemberPage:
    """Every member with their role, owners first. Any member may read the list."""
    found = service.list_members(session, membership.business, limit=limit + 1, offset=offset)
    return MemberPage(items=[MemberPublic.of(m) for m in found[:limit]],
                      next=_next(request, len(found), limit, offset))


@router.patch(
    "/businesses/{slug}/members/{user_id}", response_model=MemberPublic,
    summary="Change a member's role", responses=_problems(401, 403, 404, 409, 422),
)
def change_role(
    user_id: UserId, data: service.RoleChange, membership: BusinessOwner, session: SessionDep,
) -> MemberPublic:
    """Owners only. Demoting the last owner answers 409."""
    member = service.change_role(session, membership.business, user_id, data.role.value)
    return MemberPublic.of(member)


@router.delete(
    "/businesses/{slug}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response, summary="Remove a member, or leave",
    responses=_problems(401, 403, 404, 409, 422),
)
def remove_member(user_id: UserId, membership: BusinessMember, session: SessionDep) -> Response:
    """Owners remove anyone; any member may remove themselves (leave the business). The last
    owner can do neither (409)."""
    assert membership.user.id is not None
    service.remove_member(session, membership.business, actor_id=membership.user.id,
                          actor_role=membership.role, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- invitations ------------------------------------------------------------------------------


@router.post(
    "/businesses/{slug}/invitations", response_model=InvitationPublic,
    status_code=status.HTTP_201_CREATED, summary="Invite someone by e-mail",
    responses=_problems(401, 403, 404, 422),
)
def invite(
    data: service.InvitationCreate, membership: BusinessOwner, session: SessionDep,
    settings: SettingsDep,
) -> InvitationPublic:
    """Owners only. E-mails a single-use link valid for 7 days to `email`; the link (its token)
    is never part of this answer. An address that is already a member, or that already has a
    pending invitation, is refused (422 on `email`): resend or revoke that one instead."""
    issued = service.invite(session, settings, membership.business, membership.user,
                            email=str(data.email), role=data.role.value)
    return InvitationPublic.of(issued.record)


@router.get(
    "/businesses/{slug}/invitations", response_model=InvitationPage,
    summary="List invitations", responses=_problems(401, 403, 404, 422),
)
def list_invitations(
    request: Request, membership: BusinessOwner, session: SessionDep,
    limit: Limit = 50, offset: Offset = 0,
    include_closed: Annotated[bool, Query(
        description="Also list accepted and revoked invitations.")] = False,
) -> InvitationPage:
    """Owners only. Newest first; by default the unanswered ones (pending and expired)."""
    found = service.list_invitations(session, membership.business, include_closed=include_closed,
                                     limit=limit + 1, offset=offset)
    return InvitationPage(items=[InvitationPublic.of(i) for i in found[:limit]],
                          next=_next(request, len(found), limit, offset))


@router.post(
    "/businesses/{slug}/invitations/{invitation_id}/resend", response_model=InvitationPublic,
    status_code=status.HTTP_201_CREATED, summary="Resend an invitation with a new link",
    responses=_problems(401, 403, 404, 409, 422),
)
def resend_invitation(
    invitation_id: InvitationId, membership: BusinessOwner, session: SessionDep,
    settings: SettingsDep,
) -> InvitationPublic:
    """Owners only. Revokes the old link and e-mails a new one, valid for 7 more days; answers
    the new invitation. Accepted or revoked invitations answer 409."""
    issued = service.resend_invitation(session, settings, membership.business, membership.user,
                                       invitation_id)
    return InvitationPublic.of(issued.record)


@router.delete(
    "/businesses/{slug}/invitations/{invitation_id}", response_model=InvitationPublic,
    summary="Revoke an invitation", responses=_problems(401, 403, 404, 409, 422),
)
def revoke_invitation(
    invitation_id: InvitationId, membership: BusinessOwner, session: SessionDep,
) -> InvitationPublic:
    """Owners only. The link stops working at once; revoking twice is harmless. An invitation
    of another business answers 404."""
    invitation = service.revoke_invitation(session, membership.business, invitation_id)
    return InvitationPublic.of(invitation)


@router.post(
    "/invitations/{token}/accept", response_model=JoinedBusiness,
    status_code=status.HTTP_201_CREATED, summary="Accept an invitation",
    responses=_problems(401, 403, 404, 409, 410, 422),
)
def accept_invitation(
    token: Annotated[str, Path(max_length=200, description="The token from the e-mailed link.")],
    user: CurrentUser, session: SessionDep, settings: SettingsDep,
) -> JoinedBusiness:
    """The invited person accepts with their own personal token; the account's e-mail must be
    the invited address (403 otherwise). Unknown links answer 404; used, revoked or expired
    ones 410."""
    business, membership = service.accept_invitation(session, settings, token, user)
    return JoinedBusiness(business_slug=business.slug, business_name=business.name,
                          user_id=membership.user_id, role=BusinessRole(membership.role),
                          joined_at=membership.created_at)
