"""Pages: a business's members and invitations, and the page behind an invitation link.

Forms post, then redirect (POST-redirect-GET) with a flash message; invalid input re-renders the
page with the messages (422), a refused action with its reason (409). The rules are in
exchange/profiles/members.py.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from exchange.accounts import service as accounts_service
from exchange.accounts.deps import SESSION_COOKIE, OptionalUser
from exchange.accounts.models import BusinessRole, User
from exchange.config import Settings
from exchange.deps import SessionDep, SettingsDep
from exchange.errors import Conflict, ExchangeError, NotFound, ValidationFailed
from exchange.profiles import members as service
from exchange.profiles.deps import BusinessMember, BusinessOwner, Membership, membership_of
from exchange.profiles.members_api import InvitationId, UserId
from exchange.profiles.places import country_name
from exchange.web.csrf import verify_csrf
from exchange.web.render import redirect, render, set_cookie

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

FormStr = Annotated[str, Form()]


def _members_url(membership: Membership) -> str:
    return f"/businesses/{membership.business.slug}/members"


def _members_page(
    request: Request, session: Session, membership: Membership, *, status_code: int = 200,
    errors: dict[str, str] | None = None, form: dict[str, Any] | None = None,
    issued: service.IssuedInvitation | None = None,
) -> Response:
    business = membership.business
    is_owner = membership.role is BusinessRole.owner
    members = service.list_members(session, business)
    context = {
        "business": business,
        "viewer_id": membership.user.id,
        "viewer_role": membership.role,
        "is_owner": is_owner,
        "members": members,
        "owner_count": sum(1 for m in members if m.role is BusinessRole.owner),
        "invitations": service.list_invitations(session, business) if is_owner else [],
        "invitation_status": service.invitation_status,
        "roles": service.ROLE_ORDER,
        "role_descriptions": service.ROLE_DESCRIPTIONS,
        "ttl_days": service.INVITATION_TTL.days,
        "issued": issued,
    }
    return render(request, "profiles/members.html", context, status_code=status_code,
                  errors=errors, form=form or {"role": BusinessRole.intern.value},
                  no_store=issued is not None)


def _refused(
    request: Request, session: Session, membership: Membership, exc: ExchangeError
) -> Response:
    """Re-render the page with why an action on a member or invitation was refused."""
    session.rollback()
    message = exc.detail
    if isinstance(exc, ValidationFailed):
        message = " ".join(exc.by_field().values())
    return _members_page(request, session, membership, status_code=exc.status_code,
                         errors={"form": message})


@router.get("/businesses/{slug}/members")
def members(request: Request, membership: BusinessMember, session: SessionDep) -> Response:
    return _members_page(request, session, membership)


@router.post("/businesses/{slug}/invitations")
def invite(
    request: Request, membership: BusinessOwner, session: SessionDep, settings: SettingsDep,
    email: FormStr = "", role: FormStr = "",
) -> Response:
    try:
        issued = service.invite(session, settings, membership.business, membership.user,
                                email=email, role=role)
    except ValidationFailed as exc:
        session.rollback()
        return _members_page(request, session, membership, status_code=422,
                             errors=exc.by_field(), form={"email": email, "role": role})
    # Rendered, not redirected: the link is shown once and must not travel in a cookie or URL.
    return _members_page(request, session, membership, issued=issued)


@router.post("/businesses/{slug}/invitations/{invitation_id}/resend")
def resend_invitation(
    request: Request, invitation_id: InvitationId, membership: BusinessOwner,
    session: SessionDep, settings: SettingsDep,
) -> Response:
    try:
        issued = service.resend_invitation(session, settings, membership.business,
                                           membership.user, invitation_id)
    except Conflict as exc:
        return _refused(request, session, membership, exc)
    return _members_page(request, session, membership, issued=issued)


@router.post("/businesses/{slug}/invitations/{invitation_id}/revoke")
def revoke_invitation(
    request: Request, invitation_id: InvitationId, membership: BusinessOwner,
    session: SessionDep,
) -> Response:
    try:
        invitation = service.revoke_invitation(session, membership.business, invitation_id)
    except Conflict as exc:
        return _refused(request, session, membership, exc)
    return redirect(request, _members_url(membership),
                    f"The invitation to {invitation.email} is revoked; its link no longer works.")


@router.post("/businesses/{slug}/members/{user_id}/role")
def change_role(
    request: Request, user_id: UserId, membership: BusinessOwner, session: SessionDep,
    role: FormStr = "",
) -> Response:
    try:
        member = service.change_role(session, membership.business, user_id, role)
    except (ValidationFailed, Conflict) as exc:
        return _refused(request, session, membership, exc)
    return redirect(request, _members_url(membership),
                    f"{member.display_name} is now {member.role.value}.")


@router.post("/businesses/{slug}/members/{user_id}/remove")
def remove_member(
    request: Request, user_id: UserId, membership: BusinessOwner, session: SessionDep,
) -> Response:
    assert membership.user.id is not None
    name = membership.business.name
    try:
        member = service.remove_member(session, membership.business, actor_id=membership.user.id,
                                       actor_role=membership.role, user_id=user_id)
    except Conflict as exc:
        return _refused(request, session, membership, exc)
    if member.user_id == membership.user.id:
        return redirect(request, "/dashboard", f"You left {name}.")
    return redirect(request, _members_url(membership),
                    f"{member.display_name} is no longer a member of {name}.")


@router.post("/businesses/{slug}/leave")
def leave(request: Request, membership: BusinessMember, session: SessionDep) -> Response:
    name = membership.business.name
    try:
        service.leave_business(session, membership.business, membership.user)
    except Conflict as exc:
        return _refused(request, session, membership, exc)
    return redirect(request, "/dashboard", f"You left {name}.")


# -- the invitation link ----------------------------------------------------------------------


def _invitation_url(token: str) -> str:
    return f"/invitations/{quote(token, safe='')}"


def _invitation_page(
    request: Request, session: Session, settings: Settings, token: str, user: User | None, *,
    status_code: int | None = None, errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    """One page for every state of a link: unknown, no longer usable, or open — and then what
    this visitor can do with it (join, switch account, log in, or sign up right here)."""
    try:
        details = service.invitation_details(session, settings, token)
    except NotFound as exc:
        return render(request, "profiles/invitation.html",
                      {"state": "invalid", "problem": exc.detail}, status_code=status_code or 404,
                      errors=errors)
    viewer_role = membership_of(session, user, details.business) if user is not None else None
    if details.status is not service.InvitationStatus.pending:
        state = "gone"
    elif user is None:
        state = "log_in" if details.account_exists else "sign_up"
    elif viewer_role is not None:
        state = "member"
    elif service.email_matches(details.invitation, user):
        state = "join"
    else:
        state = "wrong_account"
    role = BusinessRole(details.invitation.role)
    context = {
        "state": state,
        "details": details,
        "role": role,
        "role_description": service.ROLE_DESCRIPTIONS[role],
        "article": "an" if role in (BusinessRole.owner, BusinessRole.intern) else "a",
        "token_url": _invitation_url(token),
        "login_url": "/login?next=" + quote(_invitation_url(token), safe=""),
        "viewer_email": user.email if user is not None else None,
        "viewer_role": viewer_role,
        "country": country_name(details.business.country) or details.business.country,
    }
    default_status = 200 if state != "gone" else 410
    return render(request, "profiles/invitation.html", context,
                  status_code=status_code or default_status, errors=errors, form=form)


@router.get("/invitations/{token}")
def invitation(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, user: OptionalUser,
) -> Response:
    return _invitation_page(request, session, settings, token, user)


@router.post("/invitations/{token}/accept")
def accept_invitation(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, user: OptionalUser,
) -> Response:
    if user is None:
        # Back to the invitation page after logging in, not to this POST-only address.
        login = "/login?next=" + quote(_invitation_url(token), safe="")
        return redirect(request, login, "Log in to accept the invitation.", kind="info")
    try:
        business, membership = service.accept_invitation(session, settings, token, user)
    except ExchangeError as exc:
        session.rollback()
        return _invitation_page(request, session, settings, token, user,
                                status_code=exc.status_code, errors={"form": exc.detail})
    return redirect(request, f"/businesses/{business.slug}",
                    f"Welcome to {business.name}. You are now {membership.role} here.")


@router.post("/invitations/{token}/signup")
def sign_up_and_accept(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, user: OptionalUser,
    display_name: FormStr = "", password: FormStr = "",
) -> Response:
    if user is not None:
        return redirect(request, _invitation_url(token),
                        "You are already logged in; accept with this account or log out first.",
                        kind="info")
    try:
        new_user, business = service.sign_up_and_accept(
            session, settings, token, display_name=display_name, password=password)
    except ValidationFailed as exc:
        session.rollback()
        return _invitation_page(request, session, settings, token, None, status_code=422,
                                errors=exc.by_field(), form={"display_name": display_name})
    except ExchangeError as exc:
        session.rollback()
        return _invitation_page(request, session, settings, token, None,
                                status_code=exc.status_code, errors={"form": exc.detail})
    session_token = accounts_service.start_session(session, settings, new_user)
    response = redirect(request, f"/businesses/{business.slug}",
                        f"Welcome, {new_user.display_name}. Your account is ready and you have "
                        f"joined {business.name}.")
    set_cookie(response, request, SESSION_COOKIE, session_token, settings.session_ttl_seconds)
    return response


@router.post("/invitations/{token}/switch-account")
def switch_account(
    request: Request, token: str, session: SessionDep, settings: SettingsDep,
) -> Response:
    """Log out and come straight back to the invitation, to accept it as the invited address."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts_service.end_session(session, settings, cookie)
    response = redirect(request, _invitation_url(token),
                        "You are logged out. Log in or sign up with the invited address to "
                        "accept the invitation.", kind="info")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
