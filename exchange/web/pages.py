"""The home page and the signed-in person's dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.deps import SessionDep
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
    return render(request, "dashboard.html",
                  {"businesses": profiles_service.businesses_of(session, user),
                   "networks": networks_service.networks_administered_by(session, user)})
