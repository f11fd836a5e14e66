"""The development mailbox: platform admins read the e-mail outbox here, secret links hidden."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import col, select

from exchange.accounts.deps import PlatformAdmin
from exchange.deps import SessionDep
from exchange.logs import hide_secrets
from exchange.notifications.models import OutboxEmail
from exchange.web.csrf import verify_csrf
from exchange.web.render import render

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])


@router.get("/admin/outbox")
def outbox(request: Request, session: SessionDep, admin: PlatformAdmin) -> Response:
    messages = session.exec(
        select(OutboxEmail).order_by(col(OutboxEmail.id).desc()).limit(100)
    ).all()
    # A live reset or invitation link would let the admin take over the recipient's account:
    # the page shows every message with its secrets hidden (developers: `exchange outbox list
    # --show-secrets` on the machine itself).
    bodies = {m.id: hide_secrets(m.body_text) for m in messages}
    return render(request, "admin/outbox.html", {"messages": messages, "bodies": bodies})
