"""Pages of exchange rounds: the network admin's (rounds, the cleared cycles as a picture,
totals, who is waiting on whom) and the members' (confirm participation, read the proposal and
its explanation, accept or decline). Rules live in exchange/rounds/service.py."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from exchange.accounts.deps import CurrentUser
from exchange.accounts.models import BusinessRole, User
from exchange.deps import SessionDep
from exchange.errors import ExchangeError, ValidationFailed
from exchange.networks.deps import AdminNetwork
from exchange.networks.models import Network
from exchange.profiles.models import Business, BusinessMembership
from exchange.rounds import service
from exchange.rounds.deps import MemberRound
from exchange.rounds.models import ExchangeRound
from exchange.rounds.states import ROUND_TRANSITIONS, RoundAction, RoundRole
from exchange.web.csrf import verify_csrf
from exchange.web.render import redirect, render

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

FormStr = Annotated[str, Form()]


def _message(exc: ExchangeError) -> str:
    if isinstance(exc, ValidationFailed):
        return " ".join(exc.by_field().values())
    return exc.detail


# -- the picture ---------------------------------------------------------------------------------


def cycles_svg(cycles: list[dict[str, Any]]) -> dict[str, Any]:
    """Layout of the cleared cycles for the SVG: each cycle a ring of labelled nodes with arrows
    from a firm to the firm that hosts its intern. Labels sit outside the ring, on the side of
    their node, so neighbours' names do not run into each other. Pure geometry; the template
    draws it."""
    cell_w, cell_h, radius = 560, 250, 80
    columns = 2 if len(cycles) > 1 else 1
    drawn = []
    for n, cycle in enumerate(cycles):
        cx = (n % columns) * cell_w + cell_w / 2
        cy = (n // columns) * cell_h + cell_h / 2
        names = cycle["names"]
        count = len(names)
        nodes = []
        for i, name in enumerate(names):
            # A swap lies flat (left, right); a 3-cycle is a triangle with its tip on top.
            angle = (math.pi if i == 0 else 0.0) if count == 2 else (
                -math.pi / 2 + 2 * math.pi * i / count)
            x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            if abs(x - cx) < 1:
                anchor, lx, ly = "middle", x, y - 26 if y < cy else y + 34
            elif count == 2:  # beside the node, outwards
                anchor = "end" if x < cx else "start"
                lx, ly = x + (-24 if x < cx else 24), y + 5
            else:  # below the node, running outwards from it
                anchor = "end" if x < cx else "start"
                lx, ly = x + (10 if x < cx else -10), y + 36
            nodes.append({"x": round(x, 1), "y": round(y, 1), "name": name, "anchor": anchor,
                          "lx": round(lx, 1), "ly": round(ly, 1)})
        arrows = []
        for i in range(count):
            a, b = nodes[i], nodes[(i + 1) % count]
            # Stop short of the node circles (r = 16) so the arrowhead shows.
            dx, dy = b["x"] - a["x"], b["y"] - a["y"]
            length = math.hypot(dx, dy) or 1
            ux, uy = dx / length, dy / length
            bend = 0 if count > 2 else 12  # the two arrows of a swap side by side
            arrows.append({"x1": round(a["x"] + ux * 18 - uy * bend, 1),
                           "y1": round(a["y"] + uy * 18 + ux * bend, 1),
                           "x2": round(b["x"] - ux * 22 - uy * bend, 1),
                           "y2": round(b["y"] - uy * 22 + ux * bend, 1)})
        drawn.append({**cycle, "nodes": nodes, "arrows": arrows, "cx": cx, "cy": cy})
    rows = max(1, math.ceil(len(cycles) / columns))
    return {"width": columns * cell_w, "height": rows * cell_h, "cycles": drawn}


def _businesses(session: Session, ids: set[int]) -> dict[int, Business]:
    return {b.id or 0: b for b in session.exec(
        select(Business).where(col(Business.id).in_(list(ids)))).all()}


def _round_context(session: Session, round_: ExchangeRound) -> dict[str, Any]:
    participants = service.participants_of(session, round_)
    proposals = service.proposals_of(session, round_)
    ids = {p.business_id for p in participants}
    for proposal, _ in proposals:
        ids.update(proposal.business_ids)
    businesses = _businesses(session, ids)
    cycles = []
    for proposal, parties in proposals:
        cycles.append({
            "proposal": proposal, "parties": parties,
            "names": [businesses[b].name for b in proposal.business_ids],
            "waiting": [businesses[p.business_id].name for p in parties if p.decision is None]
            if proposal.state == "pending" else [],
        })
    live = [c for c in cycles if c["proposal"].state in ("pending", "accepted")]
    totals = {
        "confirmed": sum(1 for p in participants if p.confirmed),
        "invited": len(participants),
        "pending": sum(1 for c in cycles if c["proposal"].state == "pending"),
        "accepted": sum(1 for c in cycles if c["proposal"].state == "accepted"),
        "released": sum(1 for c in cycles if c["proposal"].state in ("declined", "expired")),
        "weight": round(sum(c["proposal"].total_weight for c in live), 2),
        "firms_served": len({b for c in live for b in c["proposal"].business_ids}),
    }
    return {"round": round_, "participants": participants, "businesses": businesses,
            "cycles": cycles, "picture": cycles_svg(live), "totals": totals}


# -- network admin -------------------------------------------------------------------------------


def _rounds_page(request: Request, session: Session, network: Network, *,
                 status_code: int = 200, errors: dict[str, str] | None = None,
                 form: dict[str, Any] | None = None) -> Response:
    return render(request, "rounds/list.html",
                  {"network": network, "rounds": service.rounds_of(session, network)},
                  status_code=status_code, errors=errors, form=form or {
                      "max_cycle_length": "3", "prefer": "more_firms", "answer_days": "7"})


@router.get("/networks/{network_slug}/rounds")
def rounds_list(request: Request, network: AdminNetwork, session: SessionDep) -> Response:
    return _rounds_page(request, session, network)


def _date(value: str, field: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = "Enter a date as YYYY-MM-DD."
        return None


def _int(value: str, field: str, errors: dict[str, str], default: int) -> int:
    try:
        return int(value.strip() or default)
    except ValueError:
        errors[field] = "Enter a whole number."
        return default


@router.post("/networks/{network_slug}/rounds")
def rounds_create(request: Request, network: AdminNetwork, session: SessionDep,
                  user: CurrentUser, name: FormStr = "", window_start: FormStr = "",
                  window_end: FormStr = "", max_cycle_length: FormStr = "3",
                  prefer: FormStr = "more_firms", answer_days: FormStr = "7") -> Response:
    form = {"name": name, "window_start": window_start, "window_end": window_end,
            "max_cycle_length": max_cycle_length, "prefer": prefer, "answer_days": answer_days}
    errors: dict[str, str] = {}
    start = _date(window_start, "window_start", errors)
    end = _date(window_end, "window_end", errors)
    length = _int(max_cycle_length, "max_cycle_length", errors, 3)
    days = _int(answer_days, "answer_days", errors, 7)
    if errors or start is None or end is None:
        return _rounds_page(request, session, network, status_code=422, errors=errors, form=form)
    try:
        round_ = service.create_round(session, network, user, name=name, window_start=start,
                                      window_end=end, max_cycle_length=length, prefer=prefer,
                                      answer_days=days)
    except ValidationFailed as exc:
        session.rollback()
        return _rounds_page(request, session, network, status_code=422,
                            errors=exc.by_field(), form=form)
    return redirect(request, f"/networks/{network.slug}/rounds/{round_.id}",
                    f"Round “{round_.name}” opened: members can now confirm.")


def _admin_round(round_id: int, network: AdminNetwork, session: SessionDep) -> ExchangeRound:
    return service.get_round(session, network, round_id)


AdminRound = Annotated[ExchangeRound, Depends(_admin_round)]


def _admin_page(request: Request, session: Session, network: Network, round_: ExchangeRound,
                *, status_code: int = 200, message: str | None = None) -> Response:
    context = _round_context(session, round_)
    context.update({
        "network": network,
        "can": {action.value for (state, action), move in ROUND_TRANSITIONS.items()
                if state == round_.state and RoundRole.network_admin.value in move.roles},
    })
    return render(request, "rounds/admin.html", context, status_code=status_code,
                  errors={"form": message} if message else None)


@router.get("/networks/{network_slug}/rounds/{round_id}")
def round_admin(request: Request, network: AdminNetwork, round_: AdminRound,
                session: SessionDep) -> Response:
    return _admin_page(request, session, network, round_)


@router.post("/networks/{network_slug}/rounds/{round_id}/{round_action}")
def round_admin_action(request: Request, network: AdminNetwork, round_: AdminRound,
                       session: SessionDep, user: CurrentUser, round_action: str) -> Response:
    action = round_action
    try:
        if action == RoundAction.clear.value:
            result = service.clear(session, round_, user)
            message = (f"Cleared: {len(result.cycles)} new cycle(s), total learning value "
                       f"{result.total_weight:.2f}"
                       + (" (proven optimal)." if result.proven_optimal
                          else f" (within {result.mip_gap * 100:.2g} % of the best possible)."
                          if result.mip_gap is not None else "."))
        elif action in (RoundAction.close.value, RoundAction.cancel.value):
            service.set_round_state(session, round_, user, RoundAction(action))
            message = f"Round {round_.state}."
        else:
            return _admin_page(request, session, network, round_, status_code=404,
                               message="There is no such action.")
    except ExchangeError as exc:
        session.rollback()
        return _admin_page(request, session, network, round_, status_code=exc.status_code,
                           message=_message(exc))
    return redirect(request, f"/networks/{network.slug}/rounds/{round_.id}", message)


# -- members -------------------------------------------------------------------------------------


def _interns_of(session: Session, business_ids: list[int]) -> dict[int, list[User]]:
    rows = session.exec(select(BusinessMembership, User).join(
        User, col(User.id) == BusinessMembership.user_id).where(
        col(BusinessMembership.business_id).in_(business_ids),
        BusinessMembership.role == BusinessRole.intern.value)).all()
    out: dict[int, list[User]] = {b: [] for b in business_ids}
    for membership, person in rows:
        out[membership.business_id].append(person)
    return out


def _member_page(request: Request, session: Session, round_: ExchangeRound, user: User, *,
                 status_code: int = 200, errors: dict[str, str] | None = None) -> Response:
    context = _round_context(session, round_)
    participants = context["participants"]
    mine = set(service.businesses_run_by(session, user, [p.business_id for p in participants]))
    context.update({
        "mine": mine,
        "my_participants": [p for p in participants if p.business_id in mine],
        "my_cycles": [c for c in context["cycles"]
                      if mine & set(c["proposal"].business_ids)],
        "interns": _interns_of(session, sorted(mine)),
        "network": session.get(Network, round_.network_id),
        "open": service.is_open(round_),
    })
    return render(request, "rounds/member.html", context, status_code=status_code,
                  errors=errors)


@router.get("/rounds/{round_id}")
def round_member(request: Request, round_: MemberRound, session: SessionDep,
                 user: CurrentUser) -> Response:
    return _member_page(request, session, round_, user)


def _run_business(session: Session, user: User, business_id: str) -> Business:
    from exchange.errors import NotFound

    try:
        wanted = int(business_id)
    except ValueError:
        wanted = 0
    business = session.get(Business, wanted)
    if business is None or not service.businesses_run_by(session, user, [wanted]):
        raise NotFound("You do not run that business.")
    return business


@router.post("/rounds/{round_id}/participation")
async def round_participation(request: Request, round_: MemberRound, session: SessionDep,
                              user: CurrentUser) -> Response:
    form = await request.form()
    business = _run_business(session, user, str(form.get("business_id", "")))
    take_part = form.get("take_part") == "yes"
    intern_ids = [int(v) for v in form.getlist("intern_ids") if str(v).isdigit()]
    errors: dict[str, str] = {}
    capacity = _int(str(form.get("capacity", "1")), "capacity", errors, 1)
    if errors:
        return _member_page(request, session, round_, user, status_code=422, errors=errors)
    try:
        service.confirm(session, round_, user, business, take_part=take_part,
                        intern_ids=intern_ids, capacity=capacity if take_part else 0)
    except ExchangeError as exc:
        session.rollback()
        problems = exc.by_field() if isinstance(exc, ValidationFailed) else {"form": exc.detail}
        return _member_page(request, session, round_, user, status_code=exc.status_code,
                            errors=problems)
    word = "confirmed" if take_part else "withdrawn"
    return redirect(request, f"/rounds/{round_.id}", f"{business.name}: participation {word}.")


@router.post("/rounds/{round_id}/proposals/{proposal_id}/answer")
def round_answer(request: Request, round_: MemberRound, session: SessionDep, user: CurrentUser,
                 proposal_id: int, business_id: FormStr = "", answer: FormStr = "") -> Response:
    business = _run_business(session, user, business_id)
    try:
        proposal = service.get_proposal(session, round_, proposal_id)
        if answer not in ("accept", "decline"):
            raise ValidationFailed.single("answer", "Choose accept or decline.")
        service.answer(session, round_, proposal, user, business, accept=answer == "accept")
    except ExchangeError as exc:
        session.rollback()
        return _member_page(request, session, round_, user, status_code=exc.status_code,
                            errors={"form": _message(exc)})
    verb = "accepted" if answer == "accept" else "declined"
    return redirect(request, f"/rounds/{round_.id}", f"{business.name} {verb} the proposal.")
