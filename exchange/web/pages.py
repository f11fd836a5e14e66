"""The home page and the signed-in person's dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.deps import SessionDep
from exchange.internships import views as internship_views
from exchange.internships.states import ACTION_LABELS
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
    board = internship_views.dashboard(session, user)
    return render(request, "dashboard.html",
                  {"businesses": profiles_service.businesses_of(session, user),
                   "networks": networks_service.networks_administered_by(session, user),
                   "awaiting": board.awaiting[:5], "awaiting_count": len(board.awaiting),
                   "running": len(board.sending) + len(board.hosting) + len(board.as_intern),
                   "action_labels": ACTION_LABELS})
