"""Business profile pages: directory, create, view, edit, archive."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from exchange.accounts.deps import CurrentUser
from exchange.deps import SessionDep
from exchange.errors import ValidationFailed
from exchange.fields import form_input
from exchange.internships import service as internships_service
from exchange.profiles import directory
from exchange.profiles import matrix as matrix_service
from exchange.profiles import service as profiles_service
from exchange.profiles.deps import BusinessManager, BusinessOwner, VisibleBusiness, membership_of
from exchange.profiles.models import Business, MarketReach, SizeBand, Visibility
from exchange.profiles.places import countries, country_name, language_name, languages
from exchange.taxonomy import service as taxonomy_service
from exchange.web.csrf import verify_csrf
from exchange.web.render import redirect, render

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

# Far beyond any directory, far below what a database integer holds.
MAX_DIRECTORY_OFFSET = directory.MAX_OFFSET

PROFILE_FIELDS = ("name", "description", "website", "isic_class", "country", "region", "city",
                  "market_reach", "size_band", "hosting_capacity", "visibility")


def _form_data(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {k: str(form.get(k) or "") for k in PROFILE_FIELDS}
    data["languages"] = [c.strip() for c in str(form.get("languages") or "").replace(";", ",")
                         .split(",") if c.strip()]
    data["website"] = data["website"].strip() or None
    return data


def _form_context(session: SessionDep, form: dict[str, Any], request: Request) -> dict[str, Any]:
    from exchange.taxonomy import service as taxonomy_service

    query = str(request.query_params.get("isic_q") or form.get("isic_q") or "")
    return {
        "countries": countries(),
        "market_reaches": list(MarketReach),
        "size_bands": list(SizeBand),
        "visibilities": list(Visibility),
        "all_languages": languages(),
        "picker": taxonomy_service.picker_context(session, query, form.get("isic_class") or None),
    }


def _as_form(business: Business, excluded: list[Business] | None = None) -> dict[str, Any]:
    data = {k: getattr(business, k) for k in PROFILE_FIELDS}
    data["website"] = business.website or ""
    data["languages"] = ", ".join(business.languages)
    data["excluded"] = ", ".join(b.slug for b in excluded or [])
    return data


@router.get("/businesses")
def directory_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    params = request.query_params
    filters = directory.DirectoryFilters(
        q=params.get("q", "")[:100], section=params.get("section", "")[:1],
        country=params.get("country", "")[:2], region=params.get("region", "")[:100],
        offers=params.get("offers", "")[:100], needs=params.get("needs", "")[:100],
    )
    try:
        # Capped: the database cannot take an offset beyond 64 bits (SQLite raises on it).
        offset = min(max(0, int(params.get("offset", "0"))), MAX_DIRECTORY_OFFSET)
    except ValueError:
        offset = 0
    page = directory.search(session, user.id, filters, limit=20, offset=offset)
    tree = taxonomy_service.industry_tree(session)
    return render(request, "profiles/directory.html", {
        "page": page, "filters": filters, "countries": countries(),
        "country_names": {b.country: country_name(b.country) or b.country for b in page.items},
        "industry_titles": {b.isic_class: node.title for b in page.items
                            if (node := tree.get(b.isic_class)) is not None},
        "sections": taxonomy_service.industry_children(session, None),
        "taxonomy": matrix_service.taxonomy(session),
        "mine": profiles_service.businesses_of(session, user),
    })


@router.get("/businesses/new")
def new_business_form(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    form = {"market_reach": "national", "size_band": "1-9", "hosting_capacity": 1,
            "visibility": "public", "country": "", "languages": "en"}
    return render(request, "profiles/edit.html",
                  {"business": None, **_form_context(session, form, request)}, form=form)


@router.post("/businesses/new")
async def create_business(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    form = await request.form()
    data = _form_data(form)
    shown = {**data, "languages": str(form.get("languages") or ""),
             "isic_q": str(form.get("isic_q") or "")}
    if taxonomy_service.is_picker_search(form):
        return render(request, "profiles/edit.html",
                      {"business": None, **_form_context(session, shown, request)}, form=shown)
    try:
        with form_input():  # the form's hosting capacity is text ("2")
            business = profiles_service.create_business(session, user, data)
    except ValidationFailed as exc:
        session.rollback()
        return render(request, "profiles/edit.html",
                      {"business": None, **_form_context(session, shown, request)},
                      status_code=422, errors=exc.by_field(), form=shown)
    return redirect(request, f"/businesses/{business.slug}/matrix",
                    f"{business.name} is listed. Now rate your processes: what you do well and "
                    "what you want to learn.")


@router.get("/businesses/{slug}")
def business_page(
    request: Request, business: VisibleBusiness, session: SessionDep, user: CurrentUser
) -> Response:
    strengths, needs = matrix_service.strengths_and_needs(session, business)
    role = membership_of(session, user, business)
    industry_path = taxonomy_service.industry_path(session, business.isic_class)
    return render(request, "profiles/detail.html", {
        "business": business, "strengths": strengths, "needs": needs, "role": role,
        "industry_path": industry_path, "country": country_name(business.country),
        "language_names": [language_name(c) or c for c in business.languages],
        "mine": [b for b, _ in profiles_service.businesses_of(session, user)
                 if b.id != business.id],
        # Businesses the viewer runs that could send an intern here, each with whether it may
        # (a competitor may not: the page says why instead of offering what would be refused).
        "offers": internships_service.proposal_offers(
            session, [(b, business) for b, r in profiles_service.businesses_of(session, user)
                      if b.id != business.id and r.value in ("owner", "manager")
                      and b.archived_at is None]),
        "level_names": matrix_service.LEVEL_NAMES, "need_names": matrix_service.NEED_NAMES,
    })


@router.get("/businesses/{slug}/edit")
def edit_business_form(
    request: Request, member: BusinessManager, session: SessionDep
) -> Response:
    business = member.business
    form = _as_form(business, profiles_service.exclusions_of(session, business))
    return render(request, "profiles/edit.html",
                  {"business": business, **_form_context(session, form, request)}, form=form)


@router.post("/businesses/{slug}/edit")
async def edit_business(request: Request, member: BusinessManager, session: SessionDep) -> Response:
    business = member.business
    form = await request.form()
    data = _form_data(form)
    excluded = [s.strip() for s in str(form.get("excluded") or "").split(",") if s.strip()]
    shown = {**data, "languages": str(form.get("languages") or ""),
             "excluded": str(form.get("excluded") or ""), "isic_q": str(form.get("isic_q") or "")}
    if taxonomy_service.is_picker_search(form):
        return render(request, "profiles/edit.html",
                      {"business": business, **_form_context(session, shown, request)}, form=shown)
    # Both parts are checked so that every problem shows at once; either failing saves nothing.
    errors: dict[str, str] = {}
    try:
        with form_input():
            profiles_service.update_business(session, business, data)
    except ValidationFailed as exc:
        errors.update(exc.by_field())
    try:
        profiles_service.set_exclusions(session, business, excluded)
    except ValidationFailed as exc:
        errors.update(exc.by_field())
    if errors:
        session.rollback()
        return render(request, "profiles/edit.html",
                      {"business": business, **_form_context(session, shown, request)},
                      status_code=422, errors=errors, form=shown)
    return redirect(request, f"/businesses/{business.slug}", "The profile is saved.")


@router.post("/businesses/{slug}/archive")
def archive(request: Request, member: BusinessOwner, session: SessionDep) -> Response:
    profiles_service.set_archived(session, member.business, True)
    return redirect(request, f"/businesses/{member.business.slug}",
                    f"{member.business.name} is archived: it no longer appears in the directory "
                    "or in suggestions. You can restore it at any time.")


@router.post("/businesses/{slug}/restore")
def restore(request: Request, member: BusinessOwner, session: SessionDep) -> Response:
    profiles_service.set_archived(session, member.business, False)
    return redirect(request, f"/businesses/{member.business.slug}",
                    f"{member.business.name} is back in the directory.")
