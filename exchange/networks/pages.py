"""Pages: platform admins create networks and appoint their admins; network admins manage
members, invitations and API keys; business owners answer an invitation on its link's page.

Forms post, then redirect (POST-redirect-GET) with a flash message; invalid input re-renders the
page with the messages (422). The rules are in service.py and keys.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from exchange.accounts.deps import CurrentUser, PlatformAdmin
from exchange.accounts.models import User
from exchange.deps import SessionDep, SettingsDep
from exchange.errors import ExchangeError, NotFound, ValidationFailed
from exchange.networks import keys as keys_service
from exchange.networks import service, webhooks
from exchange.networks.deps import AdminNetwork
from exchange.networks.models import InvitationKind, Network, Scope
from exchange.web.csrf import verify_csrf
from exchange.web.render import redirect, render

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

FormStr = Annotated[str, Form()]
PAGE_SIZE = 100
SCOPE_HELP = {
    Scope.members_read: "list and read members",
    Scope.members_write: "sync, remove and hand over members",
    Scope.matches_read: "partner suggestions for members",
    Scope.internships_read: "internships involving members",
    Scope.rounds_write: "run exchange rounds",
    Scope.reports_read: "network reports",
    Scope.webhooks_manage: "register webhooks and read their delivery log",
}


# -- platform admins ----------------------------------------------------------------------------


def _admin_page(request: Request, session: Session, *, status_code: int = 200,
                errors: dict[str, str] | None = None, form: dict[str, Any] | None = None
                ) -> Response:
    networks = service.all_networks(session)
    return render(request, "networks/admin.html", {
        "networks": [(n, service.admins_of(session, n), service.member_count(session, n))
                     for n in networks],
    }, status_code=status_code, errors=errors, form=form)


@router.get("/admin/networks")
def admin_networks(request: Request, admin: PlatformAdmin, session: SessionDep) -> Response:
    return _admin_page(request, session)


@router.post("/admin/networks")
def create_network(request: Request, admin: PlatformAdmin, session: SessionDep,
                   name: FormStr = "", slug: FormStr = "", description: FormStr = "",
                   admin_email: FormStr = "") -> Response:
    form = {"name": name, "slug": slug, "description": description, "admin_email": admin_email}
    try:
        network = service.create_network_with_admins(
            session, admin, name=name, slug=slug, description=description,
            admin_emails=[admin_email] if admin_email.strip() else [])
    except ValidationFailed as exc:
        session.rollback()
        errors = {("admin_email" if k == "admins[0]" else k): v
                  for k, v in exc.by_field().items()}
        return _admin_page(request, session, status_code=422, errors=errors, form=form)
    return redirect(request, "/admin/networks", f"Network {network.name} created.")


@router.post("/admin/networks/{network_slug}/admins")
def appoint_admin(request: Request, admin: PlatformAdmin,
                  network: AdminNetwork, session: SessionDep, email: FormStr = "") -> Response:
    try:
        user = service.appoint_admin(session, network, email)
    except ValidationFailed as exc:
        session.rollback()
        errors = {f"admin_email_{network.slug}": exc.errors[0].message}
        return _admin_page(request, session, status_code=422, errors=errors)
    return redirect(request, "/admin/networks",
                    f"{user.display_name} now administers {network.name}.")


# -- network admins -----------------------------------------------------------------------------


@router.get("/networks")
def my_networks(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return render(request, "networks/mine.html",
                  {"networks": service.networks_administered_by(session, user)})


def _network_page(request: Request, session: Session, network: Network, *, after: int = 0,
                  status_code: int = 200, errors: dict[str, str] | None = None,
                  form: dict[str, Any] | None = None) -> Response:
    members = service.list_members(session, network, after_id=after, limit=PAGE_SIZE + 1)
    next_after = members[PAGE_SIZE - 1].member.id if len(members) > PAGE_SIZE else None
    return render(request, "networks/network.html", {
        "network": network,
        "members": members[:PAGE_SIZE],
        "member_count": service.member_count(session, network),
        "next_after": next_after,
        "invitations": service.pending_invitations(session, network),
        "admins": service.admins_of(session, network),
        "claim_kind": InvitationKind.claim.value,
    }, status_code=status_code, errors=errors, form=form)


@router.get("/networks/{network_slug}")
def network_home(request: Request, network: AdminNetwork, session: SessionDep,
                 after: int = 0) -> Response:
    return _network_page(request, session, network, after=max(0, after))


@router.post("/networks/{network_slug}/invitations")
def invite_business(request: Request, network: AdminNetwork, user: CurrentUser,
                    session: SessionDep, settings: SettingsDep, business: FormStr = "",
                    external_id: FormStr = "") -> Response:
    try:
        service.invite_business(session, settings, network, user, business_slug=business,
                                external_id=external_id)
    except ValidationFailed as exc:
        session.rollback()
        return _network_page(request, session, network, status_code=422,
                             errors=exc.by_field(),
                             form={"business": business, "external_id": external_id})
    return redirect(request, f"/networks/{network.slug}",
                    "Invitation sent to the business's owners. It joins when one consents.")


@router.post("/networks/{network_slug}/members/{external_id}/remove")
def remove_member(request: Request, network: AdminNetwork, session: SessionDep,
                  external_id: str) -> Response:
    view = service.remove_member(session, network, external_id)
    return redirect(request, f"/networks/{network.slug}",
                    f"{view.business.name} is no longer a member. Its profile stays on the "
                    "exchange.")


@router.post("/networks/{network_slug}/members/{external_id}/claim")
def invite_claim(request: Request, network: AdminNetwork, user: CurrentUser,
                 session: SessionDep, settings: SettingsDep, external_id: str,
                 email: FormStr = "") -> Response:
    try:
        service.invite_claim(session, settings, network, user, external_id=external_id,
                             email=email)
    except ValidationFailed as exc:
        session.rollback()
        return _network_page(request, session, network, status_code=422,
                             errors={f"claim_{external_id}": exc.errors[0].message})
    return redirect(request, f"/networks/{network.slug}",
                    f"A claim link was e-mailed to {email.strip()}.")


# -- API keys -----------------------------------------------------------------------------------


def _keys_page(request: Request, session: Session, network: Network, *, new_key: str | None =
               None, status_code: int = 200, errors: dict[str, str] | None = None,
               form: dict[str, Any] | None = None) -> Response:
    return render(request, "networks/keys.html", {
        "network": network, "keys": keys_service.keys_of(session, network),
        "new_key": new_key, "scopes": list(Scope), "scope_help": SCOPE_HELP,
    }, status_code=status_code, errors=errors, form=form or {"scopes": []},
        no_store=new_key is not None)


@router.get("/networks/{network_slug}/keys")
def api_keys(request: Request, network: AdminNetwork, session: SessionDep) -> Response:
    return _keys_page(request, session, network)


@router.post("/networks/{network_slug}/keys")
def create_key(request: Request, network: AdminNetwork, user: CurrentUser,
               session: SessionDep, settings: SettingsDep,
               name: FormStr = "", expires_in_days: FormStr = "",
               scopes: Annotated[list[str] | None, Form()] = None) -> Response:
    form = {"name": name, "expires_in_days": expires_in_days, "scopes": scopes or []}
    try:
        data = keys_service.ApiKeyCreate.model_validate({
            "name": name, "scopes": scopes or [],
            "expires_in_days": expires_in_days.strip() or None})
    except ValidationError as exc:
        failed = ValidationFailed.from_pydantic(exc)
        errors = {e.field.split("[")[0]: e.message for e in failed.errors}
        if "scopes" in errors:
            errors["scopes"] = "choose at least one scope from the list"
        return _keys_page(request, session, network, status_code=422, errors=errors, form=form)
    issued = keys_service.create_key(session, settings, network, user, data)
    # Shown once, in this response: not stored anywhere we could show it again.
    return _keys_page(request, session, network, new_key=issued.key, status_code=201)


@router.post("/networks/{network_slug}/keys/{key_id}/revoke")
def revoke_key(request: Request, network: AdminNetwork, session: SessionDep, key_id: int
               ) -> Response:
    record = keys_service.revoke_key(session, network, key_id)
    return redirect(request, f"/networks/{network.slug}/keys", f"Key {record.name} revoked.")


# -- the invitation link ------------------------------------------------------------------------


def _invitation_page(request: Request, session: Session, settings: Any, token: str, user: User,
                     *, status_code: int | None = None, errors: dict[str, str] | None = None
                     ) -> Response:
    try:
        opened = service.open_invitation(session, settings, token)
    except ExchangeError as exc:
        return render(request, "networks/invitation.html", {"problem": exc.detail,
                                                            "opened": None},
                      status_code=exc.status_code)
    allowed = service.may_answer(session, user, opened)
    return render(request, "networks/invitation.html", {
        "opened": opened, "allowed": allowed, "token": token,
        "is_claim": opened.invitation.kind == InvitationKind.claim.value,
    }, status_code=status_code or (200 if allowed else 404), errors=errors)


@router.get("/network-invitations/{token}")
def invitation(request: Request, token: str, user: CurrentUser, session: SessionDep,
               settings: SettingsDep) -> Response:
    return _invitation_page(request, session, settings, token, user)


@router.post("/network-invitations/{token}")
def answer_invitation(request: Request, token: str, user: CurrentUser, session: SessionDep,
                      settings: SettingsDep, answer: FormStr = "") -> Response:
    if answer not in {"accept", "decline"}:
        return _invitation_page(request, session, settings, token, user, status_code=422,
                                errors={"answer": "choose accept or decline"})
    try:
        if answer == "decline":
            opened = service.decline_invitation(session, settings, token, user)
            return redirect(request, "/dashboard",
                            f"You declined {opened.network.name}'s invitation.", kind="info")
        opened = service.accept_invitation(session, settings, token, user)
    except ExchangeError as exc:
        session.rollback()
        return _invitation_page(request, session, settings, token, user,
                                status_code=exc.status_code, errors={"form": exc.detail})
    return redirect(request, f"/businesses/{opened.business.slug}",
                    f"{opened.business.name} is now a member of {opened.network.name}.")


# -- webhooks -----------------------------------------------------------------------------------


def _webhooks_page(request: Request, session: Session, network: Network, *,
                   new_secret: str | None = None, status_code: int = 200,
                   errors: dict[str, str] | None = None, form: dict[str, Any] | None = None
                   ) -> Response:
    return render(request, "networks/webhooks.html", {
        "network": network, "endpoints": webhooks.endpoints_of(session, network),
        "event_types": webhooks.EVENT_TYPES, "new_secret": new_secret,
    }, status_code=status_code, errors=errors, form=form or {"event_types": []},
        no_store=new_secret is not None)


@router.get("/networks/{network_slug}/webhooks")
def webhook_endpoints(request: Request, network: AdminNetwork, session: SessionDep
                      ) -> Response:
    return _webhooks_page(request, session, network)


@router.post("/networks/{network_slug}/webhooks")
def create_webhook(request: Request, network: AdminNetwork, session: SessionDep,
                   settings: SettingsDep, url: FormStr = "", description: FormStr = "",
                   event_types: Annotated[list[str] | None, Form()] = None) -> Response:
    form = {"url": url, "description": description, "event_types": event_types or []}
    try:
        _, secret = webhooks.create_endpoint(session, settings, network, url=url,
                                             event_types=event_types or [],
                                             description=description)
    except ValidationFailed as exc:
        session.rollback()
        return _webhooks_page(request, session, network, status_code=422,
                              errors=exc.by_field(), form=form)
    # The secret is derived, never stored: this response is the only place it appears.
    return _webhooks_page(request, session, network, new_secret=secret, status_code=201)


@router.post("/networks/{network_slug}/webhooks/{endpoint_id}/{action}")
def change_webhook(request: Request, network: AdminNetwork, session: SessionDep,
                   endpoint_id: int, action: str) -> Response:
    if action == "delete":
        webhooks.delete_endpoint(session, network, endpoint_id)
        message = "Endpoint deleted."
    elif action in {"enable", "disable"}:
        webhooks.set_enabled(session, network, endpoint_id, action == "enable")
        message = f"Endpoint {action}d."
    else:
        raise NotFound("No such action.")
    return redirect(request, f"/networks/{network.slug}/webhooks", message)


@router.get("/networks/{network_slug}/webhooks/{endpoint_id}")
def webhook_log(request: Request, network: AdminNetwork, session: SessionDep,
                endpoint_id: int, before: int | None = None) -> Response:
    endpoint = webhooks.endpoint_of(session, network, endpoint_id)
    found = webhooks.deliveries_of(session, endpoint, before_id=before, limit=PAGE_SIZE + 1)
    page = found[:PAGE_SIZE]
    return render(request, "networks/webhook_log.html", {
        "network": network, "endpoint": endpoint, "deliveries": page,
        "attempts": webhooks.attempts_of(session, page),
        "next_before": page[-1].id if len(found) > PAGE_SIZE else None,
    })


@router.post("/networks/{network_slug}/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver")
def redeliver(request: Request, network: AdminNetwork, session: SessionDep, endpoint_id: int,
              delivery_id: int) -> Response:
    webhooks.redeliver(session, network, endpoint_id, delivery_id)
    return redirect(request, f"/networks/{network.slug}/webhooks/{endpoint_id}",
                    "The delivery will be sent again in a moment.")
