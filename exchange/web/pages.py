"""The home page and the signed-in person's dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.accounts.models import BusinessRole
from exchange.deps import SessionDep
from exchange.internships import views as internship_views
from exchange.internships.service import OWNER_ROLES
from exchange.networks import service as networks_service
from exchange.profiles import service as profiles_service
from exchange.web.csrf import verify_csrf
from exchange.web.render import render

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])


@router.get("/")
def home(request: Request, user: OptionalUser) -> Response:
    return render(request, "home.html")


@router.get("/dashboard")
def dashboard(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """What this person does next, by role: the steps that wait for them on internships; for
    owners and managers their businesses with partners to find; for interns their internships;
    for network and platform admins their administration pages."""
    board = internship_views.dashboard(session, user)
    businesses = profiles_service.businesses_of(session, user)
    managed = [b for b, role in businesses
               if role.value in OWNER_ROLES and b.archived_at is None]
    return render(request, "dashboard.html",
                  {"businesses": businesses, "managed": managed,
                   "intern_only": bool(businesses) and not managed and all(
                       role is BusinessRole.intern for _, role in businesses),
                   "networks": networks_service.networks_administered_by(session, user),
                   "awaiting": board.awaiting[:5], "awaiting_count": len(board.awaiting),
                   "as_intern": board.as_intern,
                   "running": len(board.sending) + len(board.hosting) + len(board.as_intern),
                   "owner_roles": OWNER_ROLES})
