"""Suggestion pages: a business's ranked partners with filters and explanations, the "why not this
business?" question, and one pair explained. Members of the business only; plain GET forms, so
everything works without JavaScript and every state has its own address."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from exchange.accounts.deps import CurrentUser
from exchange.deps import SessionDep
from exchange.internships import service as internships_service
from exchange.matching.serving import (
    MatchingDep,
    NotMatchable,
    PairAnswer,
    PartnerSuggestion,
    explain_for,
    find_businesses,
    options_from_form,
    suggestions_for,
)
from exchange.profiles.deps import BusinessMember
from exchange.profiles.matrix_api import OtherVisibleBusiness
from exchange.profiles.places import country_name
from exchange.web.csrf import verify_csrf
from exchange.web.render import render

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

LIMIT_CHOICES = (10, 20, 50, 100)
DEPTH_CHOICES = (
    ("section", "the same ISIC section (broadest)"),
    ("division", "the same ISIC division"),
    ("group", "the same ISIC group (default)"),
    ("class", "the same ISIC class (narrowest)"),
)


@router.get("/businesses/{slug}/suggestions")
def suggestions_page(
    request: Request, membership: BusinessMember, session: SessionDep, matching: MatchingDep,
    user: CurrentUser,
) -> Response:
    business = membership.business
    options = options_from_form(request.query_params)
    why = " ".join(request.query_params.get("why", "").split())[:100]
    suggestions: list[PartnerSuggestion] = []
    why_answer: PairAnswer | None = None
    why_matches = []
    archived = False
    try:
        suggestions = suggestions_for(session, matching, business, options)
        if why:
            assert user.id is not None
            why_matches = find_businesses(session, user.id, why, exclude_id=None)
            if len(why_matches) == 1:
                why_answer = explain_for(session, matching, business, why_matches[0], options)
    except NotMatchable:
        archived = True
    # A narrower ISIC depth than the internship rule's can list a competitor: its card says why
    # no proposal is possible instead of offering one.
    offers = {o.host.id: o for o in internships_service.proposal_offers(
        session, [(business, item.partner) for item in suggestions])}
    return render(request, "matching/suggestions.html", {
        "business": business,
        "options": options,
        "suggestions": suggestions,
        "offers": offers,
        "archived": archived,
        "why": why,
        "why_answer": why_answer,
        "why_matches": why_matches,
        "country": country_name(business.country) or business.country,
        "limit_choices": LIMIT_CHOICES,
        "depth_choices": DEPTH_CHOICES,
        "role": membership.role,
    })


@router.get("/businesses/{slug}/suggestions/{other_slug}")
def pair_page(
    request: Request, membership: BusinessMember, other: OtherVisibleBusiness,
    session: SessionDep, matching: MatchingDep,
) -> Response:
    business = membership.business
    options = options_from_form(request.query_params)
    answer: PairAnswer | None = None
    # An archived business takes part in no matching: the page says so instead of answering.
    with contextlib.suppress(NotMatchable):
        answer = explain_for(session, matching, business, other, options)
    return render(request, "matching/pair.html", {
        "business": business,
        "other": other,
        "options": options,
        "answer": answer,
        "offer": internships_service.proposal_offer(session, business, other),
        "role": membership.role,
    })
