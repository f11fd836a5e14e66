"""/api/v1/businesses: profiles, the directory, archiving and exclusions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field

from exchange.accounts.deps import CurrentUser
from exchange.accounts.models import BusinessRole
from exchange.deps import SessionDep
from exchange.fields import Line
from exchange.profiles import directory
from exchange.profiles import service as profiles_service
from exchange.profiles.deps import BusinessManager, BusinessMember, BusinessOwner, VisibleBusiness
from exchange.profiles.models import Business, BusinessCreate, BusinessPublic, BusinessUpdate

router = APIRouter(prefix="/api/v1", tags=["businesses"])

Slug = Annotated[Line, Field(min_length=1, max_length=80)]


class BusinessPage(BaseModel):
    items: list[BusinessPublic]
    total: int
    next: str | None = Field(description="URL of the next page, or null on the last page")


class MyBusiness(BaseModel):
    business: BusinessPublic
    role: BusinessRole


class Exclusions(BaseModel):
    excluded: list[Slug] = Field(
        max_length=500, description="Slugs of businesses never to be matched with"
    )


@router.get("/businesses", response_model=BusinessPage, summary="Search the directory")
def list_businesses(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    q: Annotated[Line, Query(max_length=100, description="Words in name, description or city")
                 ] = "",
    section: Annotated[str, Query(pattern="^[A-Ua-u]?$", description="ISIC section letter")] = "",
    country: Annotated[str, Query(pattern="^([A-Za-z]{2})?$")] = "",
    region: Annotated[Line, Query(max_length=100)] = "",
    offers: Annotated[Line, Query(max_length=100, description="Process key it can teach")] = "",
    needs: Annotated[Line, Query(max_length=100, description="Process key it wants to learn")
                     ] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=directory.MAX_OFFSET)] = 0,
) -> BusinessPage:
    """Businesses visible to you, alphabetically; filters combine with AND."""
    filters = directory.DirectoryFilters(q=q, section=section, country=country, region=region,
                                         offers=offers, needs=needs)
    page = directory.search(session, user.id, filters, limit=limit, offset=offset)
    next_url = None
    if page.next_offset is not None:
        next_url = str(request.url.include_query_params(offset=page.next_offset, limit=limit))
    return BusinessPage(items=[BusinessPublic.of(b) for b in page.items], total=page.total,
                        next=next_url)


@router.post("/businesses", response_model=BusinessPublic, status_code=status.HTTP_201_CREATED,
             summary="Create a business (you become its owner)")
def create_business(data: BusinessCreate, session: SessionDep, user: CurrentUser) -> BusinessPublic:
    business = profiles_service.create_business(session, user, data.model_dump(mode="json"))
    return BusinessPublic.of(business)


@router.get("/me/businesses", response_model=list[MyBusiness], summary="Businesses you belong to")
def my_businesses(session: SessionDep, user: CurrentUser) -> list[MyBusiness]:
    return [MyBusiness(business=BusinessPublic.of(b), role=role)
            for b, role in profiles_service.businesses_of(session, user)]


@router.get("/businesses/{slug}", response_model=BusinessPublic, summary="A business profile")
def read_business(business: VisibleBusiness) -> BusinessPublic:
    return BusinessPublic.of(business)


@router.patch("/businesses/{slug}", response_model=BusinessPublic,
              summary="Change profile fields (owners and managers)")
def update_business(
    data: BusinessUpdate, member: BusinessManager, session: SessionDep
) -> BusinessPublic:
    changes: dict[str, Any] = data.model_dump(mode="json", exclude_unset=True)
    business = profiles_service.update_business(session, member.business, changes)
    return BusinessPublic.of(business)


@router.post("/businesses/{slug}/archive", response_model=BusinessPublic,
             summary="Archive: hidden from the directory and matching (owners)")
def archive_business(member: BusinessOwner, session: SessionDep) -> BusinessPublic:
    return BusinessPublic.of(profiles_service.set_archived(session, member.business, True))


@router.post("/businesses/{slug}/restore", response_model=BusinessPublic,
             summary="Bring an archived business back (owners)")
def restore_business(member: BusinessOwner, session: SessionDep) -> BusinessPublic:
    return BusinessPublic.of(profiles_service.set_archived(session, member.business, False))


@router.get("/businesses/{slug}/exclusions", response_model=Exclusions,
            summary="Businesses this one never wants to be matched with (members)")
def read_exclusions(member: BusinessMember, session: SessionDep) -> Exclusions:
    return _exclusions(session, member.business)


@router.put("/businesses/{slug}/exclusions", response_model=Exclusions,
            summary="Replace the exclusion list (owners and managers)")
def replace_exclusions(
    data: Exclusions, member: BusinessManager, session: SessionDep
) -> Exclusions:
    profiles_service.set_exclusions(session, member.business, data.excluded)
    return _exclusions(session, member.business)


def _exclusions(session: SessionDep, business: Business) -> Exclusions:
    return Exclusions(excluded=[b.slug for b in profiles_service.exclusions_of(session, business)])
