"""/api/v1/networks/{network_slug}: the partner-network API, authenticated by network API keys.

Every route names the scope it needs (`MembersRead`, …, see deps.py); a key reaches only its
own network — any other network's address answers 404, as if it did not exist.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response, status
from pydantic import BaseModel, Field, PlainValidator
from sqlmodel import col, select

from exchange.deps import SessionDep, SettingsDep
from exchange.errors import NotFound, ValidationFailed
from exchange.fields import INT32_MAX, Line, Moment
from exchange.matching.api import CommonLanguage, Depth, SameCountry, SameRegion, SuggestionOut
from exchange.matching.serving import (
    MAX_DEPTH,
    MAX_LIMIT,
    MatchingDep,
    SuggestionOptions,
    suggestions_for,
)
from exchange.networks import service, sync
from exchange.networks.deps import AnyNetworkKey, MatchesRead, MembersRead, MembersWrite
from exchange.networks.models import Network, NetworkMember
from exchange.networks.service import MemberFilters, MemberView
from exchange.profiles import matrix as matrix_service
from exchange.profiles.models import BusinessExclusion, BusinessPublic, CellPublic
from exchange.profiles.records import MemberRecord

router = APIRouter(prefix="/api/v1/networks/{network_slug}", tags=["partner networks"])

NetworkSlug = Annotated[str, Path(description="The network's address, e.g. `pune-chamber`")]
ExternalId = Annotated[str, Path(max_length=service.EXTERNAL_ID_MAX,
                                 description="The member's id in your own system")]

EXAMPLE_MEMBER = {
    "id": "crm-42", "name": "Kavya Logistics", "isic": "4923", "country": "IN",
    "region": "Maharashtra", "city": "Pune", "market_reach": "regional", "excluded": [],
    "cells": [{"process": "supply_chain.transport_planning", "level": 5, "offer": True,
               "need": 0},
              {"process": "marketing.seo", "level": 1, "offer": False, "need": 3}],
    "size_band": "10-49", "languages": ["en", "mr"], "hosting_capacity": 2,
    "visibility": "networks",
}


# -- schemas ------------------------------------------------------------------------------------


class NetworkOut(BaseModel):
    slug: str
    name: str
    description: str
    member_count: int
    key_name: str = Field(description="The name of the key that asked")
    key_scopes: list[str]


class MemberOut(BaseModel):
    external_id: str = Field(description="Your id for this member")
    managed_by_network: bool = Field(
        description="True while the network manages the profile (created by your sync and not "
                    "yet claimed by an owner); false once it has owners, who alone edit it")
    joined_at: datetime
    profile: BusinessPublic

    @classmethod
    def of(cls, view: MemberView) -> MemberOut:
        return cls(external_id=view.member.external_id,
                   managed_by_network=view.member.managed_by_network,
                   joined_at=view.member.joined_at, profile=BusinessPublic.of(view.business))


class MemberDetail(MemberOut):
    cells: list[CellPublic]
    excluded: list[str] = Field(description="Your ids of the members this one excludes")


class MemberPage(BaseModel):
    items: list[MemberOut]
    next: str | None = Field(description="URL of the next page, or null on the last page")


# The item as received (a dict, or anything), documented as a MemberRecord.
UnparsedMember = Annotated[Any, PlainValidator(lambda value: value,
                                               json_schema_input_type=MemberRecord)]


class SyncIn(BaseModel):
    # Typed in the schema, validated item by item by the importer (records.py): a bad member
    # is reported under `rejected` while the others apply, not a 422 for the whole request.
    members: list[UnparsedMember] = Field(
        max_length=sync.MAX_MEMBERS,
        description="Up to 1,000 members in the import shape (`MemberRecord`). Each is "
                    "validated on its own: a bad one is listed under `rejected` with every "
                    "field named, the others apply (unless `atomic=true`).",
        examples=[[EXAMPLE_MEMBER]],
    )


class RejectedOut(BaseModel):
    index: int = Field(description="Position in `members`")
    id: str | None
    errors: list[dict[str, str]] = Field(description="`{field, message}` for every problem")


class SyncOut(BaseModel):
    dry_run: bool
    atomic: bool
    applied: bool = Field(description="Whether anything was written: false for a dry run, a "
                                      "refused atomic sync, or a sync where every member was "
                                      "unchanged, owner-managed or rejected")
    counts: dict[str, int]
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    owner_managed: list[str] = Field(
        description="Valid records of members with owners: left untouched")
    rejected: list[RejectedOut]


class ClaimIn(BaseModel):
    email: Line = Field(min_length=3, max_length=254,
                       description="Who should become the owner (the link is e-mailed there)")


class ClaimOut(BaseModel):
    external_id: str
    email: str
    expires_at: datetime
    url: str = Field(description="The claim link, shown only in this response")


class NetworkSuggestionOut(SuggestionOut):
    partner_external_id: str | None = Field(
        description="Your id of the partner when it is a member of your network")


class NetworkSuggestionPage(BaseModel):
    member: str = Field(description="Your id of the member the list is for")
    within: Literal["network", "everywhere"]
    items: list[NetworkSuggestionOut]
    next: str | None


# -- helpers ------------------------------------------------------------------------------------


def _member(session: SessionDep, network: Network, external_id: str) -> MemberView:
    view = service.member_by_external_id(session, network, external_id)
    if view is None:
        raise NotFound("No member with this id in the network.")
    return view


def _cursor(row_id: int, kind: str = "m") -> str:
    """An opaque cursor for the row after which the next page starts; `kind` tells the lists
    apart (`m` members, `i` internships), so one list's cursor is refused by another."""
    return base64.urlsafe_b64encode(f"{kind}{row_id}".encode()).decode().rstrip("=")


def _after(cursor: str | None, kind: str = "m") -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith(kind) and text[len(kind):].isdigit():
            row_id = int(text[len(kind):])
            if row_id <= INT32_MAX:  # a forged cursor must not overflow the database's integer
                return row_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationFailed.single("cursor", "is not a cursor this API gave out")


def _with_etag(model: BaseModel, if_none_match: str | None) -> Response:
    """The JSON of `model` with a strong `ETag` of its bytes; 304 when the caller has it."""
    body = model.model_dump_json().encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag})


# -- routes -------------------------------------------------------------------------------------


@router.get("", response_model=NetworkOut, summary="The network behind the key")
def read_network(context: AnyNetworkKey, session: SessionDep) -> NetworkOut:
    """Any live key of the network may ask: handy to check a key and its scopes."""
    network = context.network
    return NetworkOut(slug=network.slug, name=network.name, description=network.description,
                      member_count=service.member_count(session, network),
                      key_name=context.key.name, key_scopes=context.key.scopes)


@router.put("/members", response_model=SyncOut,
            summary="Bulk upsert of up to 1,000 members by your ids (members:write)")
def sync_members(
    context: MembersWrite, session: SessionDep,
    data: Annotated[SyncIn, Body()],
    dry_run: Annotated[bool, Query(description="Validate and report only; write nothing")] = False,
    atomic: Annotated[bool, Query(description="All or nothing: if any member is invalid, write "
                                              "nothing and answer 422")] = False,
) -> SyncOut:
    """Creates or updates each member by its `id`; members not in the payload are left alone.
    Sending the same payload again reports every member unchanged and writes nothing.

    **Per item** by default: a member with problems is listed in `rejected` with every problem
    (`field`, `message`) and the others apply. With `atomic=true` any problem means nothing is
    written and a 422 names `members[i].field`. Members created here are network-managed until
    an owner claims them; members with owners are never edited by the network
    (`owner_managed`). `applied` is true only when something was written.

    **Canonical cells:** a cell with level 0, need 0, no offer and no target says nothing and
    is not stored, so a read-back omits it (and sending it again changes nothing)."""
    result = sync.sync_members(session, context.network, data.members, dry_run=dry_run,
                               atomic=atomic)
    if atomic and result.report.rejected:
        raise ValidationFailed(result.rejected_field_errors(),
                               "Some members are invalid; nothing was written.")
    report = result.report
    return SyncOut(
        dry_run=dry_run, atomic=atomic, applied=result.applied,
        counts={**report.counts(), "owner_managed": len(report.locked)},
        created=report.created, updated=report.updated, unchanged=report.unchanged,
        owner_managed=report.locked,
        rejected=[RejectedOut(index=r.index, id=r.external_id,
                              errors=[e.as_dict() for e in r.errors]) for r in report.rejected],
    )


@router.get("/members", response_model=MemberPage, summary="List members (members:read)")
def list_members(
    request: Request, context: MembersRead, session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=40, description="From a `next` link")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    isic: Annotated[str | None, Query(min_length=4, max_length=4, description="ISIC class")
                    ] = None,
    managed: Annotated[bool | None, Query(description="Only network-managed (true) or "
                                                      "owner-managed (false) members")] = None,
    updated_since: Annotated[Moment | None, Query(
        description="Profiles changed since (ISO 8601 with a time zone)")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Name contains")] = None,
) -> MemberPage:
    """In the order members joined (stable while you page); follow `next` until it is null.
    The `Link: <…>; rel="next"` header carries the same URL."""
    filters = MemberFilters(country=country, isic=isic, managed=managed,
                            updated_since=updated_since, q=q)
    views = service.list_members(session, context.network, after_id=_after(cursor),
                                 limit=limit + 1, filters=filters)
    next_url = None
    if len(views) > limit:
        last = views[limit - 1].member.id
        assert last is not None
        next_url = str(request.url.include_query_params(cursor=_cursor(last), limit=limit))
    return MemberPage(items=[MemberOut.of(v) for v in views[:limit]], next=next_url)


@router.get("/members/{external_id}", response_model=MemberDetail,
            responses={304: {"description": "Not modified (your `If-None-Match` matches)"}},
            summary="One member with its matrix (members:read)")
def read_member(
    context: MembersRead, session: SessionDep, external_id: ExternalId,
    if_none_match: Annotated[str | None, Header(description="An `ETag` you have")] = None,
) -> Response:
    """Answers with an `ETag`; send it back as `If-None-Match` to get 304 while it is
    unchanged."""
    view = _member(session, context.network, external_id)
    excluded_ids = select(BusinessExclusion.excluded_business_id).where(
        BusinessExclusion.business_id == view.business.id)
    excluded = list(session.exec(select(NetworkMember.external_id).where(
        NetworkMember.network_id == context.network.id,
        col(NetworkMember.business_id).in_(excluded_ids)).order_by(
        col(NetworkMember.external_id))).all())
    detail = MemberDetail(**MemberOut.of(view).model_dump(),
                          cells=matrix_service.public_cells(session, view.business),
                          excluded=excluded)
    return _with_etag(detail, if_none_match)


@router.delete("/members/{external_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Remove a member from the network (members:write)")
def remove_member(context: MembersWrite, session: SessionDep, external_id: ExternalId
                  ) -> Response:
    """Ends the membership, never the business. A member with owners stays on the exchange as
    it is. A network-managed member (never claimed) is archived — no longer public, suggested
    or in rounds — and syncing the same id again revives that same business (listed under
    `created`)."""
    service.remove_member(session, context.network, external_id)
    return Response(status_code=204)


@router.post("/members/{external_id}/claim-invitations", response_model=ClaimOut,
             status_code=status.HTTP_201_CREATED,
             summary="Invite a person to claim a network-managed member (members:write)")
def invite_claim(context: MembersWrite, session: SessionDep, settings: SettingsDep,
                 external_id: ExternalId, data: ClaimIn) -> ClaimOut:
    """E-mails a single-use link (valid 14 days); whoever opens it signed in with this e-mail
    becomes the business's owner and the network stops managing the profile. 409 when the
    member already has owners."""
    invitation, token = service.invite_claim(session, settings, context.network, None,
                                             external_id=external_id, email=data.email)
    return ClaimOut(external_id=external_id, email=invitation.email,
                    expires_at=invitation.expires_at,
                    url=service.invitation_link(settings, token))


@router.get("/members/{external_id}/suggestions", response_model=NetworkSuggestionPage,
            summary="Partner suggestions for a member (matches:read)")
def member_suggestions(
    request: Request, context: MatchesRead, session: SessionDep, matching: MatchingDep,
    external_id: ExternalId,
    within: Annotated[Literal["network", "everywhere"], Query(
        description="Only partners in your network, or every business the member may be "
                    "matched with")] = "network",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_DEPTH)] = 0,
    same_country: SameCountry = False,
    same_region: SameRegion = False,
    common_language: CommonLanguage = False,
    isic_depth: Depth = "group",
) -> NetworkSuggestionPage:
    """The same ranking the member's own people see (non-competitors, best mutual score
    first, with the processes behind it). 409 when the member's business is archived."""
    if offset + limit > MAX_DEPTH:
        raise ValidationFailed.single(
            "offset", f"offset + limit must be at most {MAX_DEPTH}: the list stops there")
    network = context.network
    view = _member(session, network, external_id)
    options = SuggestionOptions(
        limit=limit, same_country=same_country, same_region=same_region,
        common_language=common_language, isic_depth=isic_depth,
        within_networks=frozenset({network.slug}) if within == "network" else None)
    found = suggestions_for(session, matching, view.business, options, offset=offset, extra=1)
    partner_ids = [item.partner.id for item in found[:limit]]
    external = dict(session.exec(select(NetworkMember.business_id, NetworkMember.external_id)
                                 .where(NetworkMember.network_id == network.id,
                                        col(NetworkMember.business_id).in_(partner_ids))).all())
    next_url = None
    if len(found) > limit and offset + limit < MAX_DEPTH:
        next_url = str(request.url.include_query_params(offset=offset + limit, limit=limit))
    items = []
    for item in found[:limit]:
        out = SuggestionOut.of(item.partner, item.suggestion)
        items.append(NetworkSuggestionOut(**out.model_dump(),
                                          partner_external_id=external.get(item.partner.id)))
    return NetworkSuggestionPage(member=external_id, within=within, items=items, next=next_url)

