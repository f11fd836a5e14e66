"""/api/v1 partner suggestions: the ranked list for a business and "why (not) this business?".

Only members of a business see its suggestions (they reveal its needs and whom it excluded);
the other business of a pair must be visible to the caller, else 404 as if it did not exist.
Both routes call the same services as the pages (``exchange.matching.serving``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from exchange.deps import SessionDep
from exchange.errors import ValidationFailed
from exchange.matching.competition import IsicDepth
from exchange.matching.serving import (
    MAX_DEPTH,
    MAX_LIMIT,
    MatchingDep,
    Partner,
    SuggestionOptions,
    SuggestionView,
    explain_for,
    suggestions_for,
)
from exchange.profiles.deps import BusinessMember
from exchange.profiles.matrix_api import OtherVisibleBusiness

router = APIRouter(prefix="/api/v1", tags=["matching"])


# -- schemas -----------------------------------------------------------------------------------


class PartnerOut(BaseModel):
    slug: str
    name: str
    city: str
    region: str
    country: str = Field(description="ISO 3166-1 alpha-2")
    country_name: str
    isic_class: str = Field(description="ISIC Rev. 4 class")
    industry: str = Field(description="Title of the ISIC class")
    market_reach: str
    hosting_capacity: int

    @classmethod
    def of(cls, partner: Partner) -> PartnerOut:
        return cls(
            slug=partner.slug, name=partner.name, city=partner.city, region=partner.region,
            country=partner.country, country_name=partner.country_name,
            isic_class=partner.isic_class, industry=partner.industry,
            market_reach=partner.market_reach, hosting_capacity=partner.hosting_capacity,
        )  # fmt: skip


class ProcessContributionOut(BaseModel):
    """One process behind a suggestion. In `learn` you learn from the partner (levels are the
    partner's and yours, `need` is yours); in `teach` the partner learns from you (`need` is
    theirs)."""

    process: str = Field(description="The `department.process` key")
    process_name: str
    department: str
    partner_level: int = Field(ge=0, le=5)
    own_level: int = Field(ge=0, le=5)
    need: int = Field(ge=0, le=3, description="The learner's need: 1 low, 2 medium, 3 high")
    need_name: str
    value: float = Field(description="This process's part of the direction's value")
    share: float = Field(ge=0, le=1, description="Fraction of the direction's value")
    sentence: str = Field(description='e.g. "They: content marketing 5 · You: 1 · you need '
                                      'it: high"')


class SuggestionOut(BaseModel):
    partner: PartnerOut
    score: float = Field(description="Mutual score: learn + teach + min(learn, teach)")
    learn_value: float = Field(description="What you would learn from them")
    teach_value: float = Field(description="What they would learn from you")
    learn: list[ProcessContributionOut]
    teach: list[ProcessContributionOut]

    @classmethod
    def of(cls, partner: Partner, suggestion: SuggestionView) -> SuggestionOut:
        return cls(
            partner=PartnerOut.of(partner),
            score=suggestion.score,
            learn_value=suggestion.learn_value,
            teach_value=suggestion.teach_value,
            learn=[ProcessContributionOut.model_validate(c, from_attributes=True)
                   for c in suggestion.learn],
            teach=[ProcessContributionOut.model_validate(c, from_attributes=True)
                   for c in suggestion.teach],
        )


class SuggestionPage(BaseModel):
    business: str = Field(description="The slug of the business the list is for")
    items: list[SuggestionOut]
    next: str | None = Field(description="URL of the next page, or null on the last page")


class ReasonOut(BaseModel):
    code: str = Field(description="self, not_visible, excluded, not_available, competitor, "
                                  "no_capacity, no_overlap, no_common_language, "
                                  "different_country, different_region, archived, …")
    message: str


class PairExplanationOut(BaseModel):
    business: str
    partner: PartnerOut
    suggested: bool
    suggestion: SuggestionOut | None = Field(
        description="What the list shows for this partner, whatever its rank")
    reasons: list[ReasonOut] = Field(description="Why it is not suggested (empty if it is)")


# -- routes ------------------------------------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many partners")]
Offset = Annotated[int, Query(ge=0, le=MAX_DEPTH, description="Skip this many")]
SameCountry = Annotated[bool, Query(description="Only partners in your country")]
SameRegion = Annotated[bool, Query(description="Only partners in your region")]
CommonLanguage = Annotated[bool, Query(description="Only partners sharing a language with you")]
Depth = Annotated[IsicDepth, Query(
    description="ISIC depth at which two firms in overlapping markets compete")]


@router.get(
    "/businesses/{slug}/suggestions",
    response_model=SuggestionPage,
    summary="Partner suggestions for your business (members)",
)
def list_suggestions(
    request: Request,
    membership: BusinessMember,
    session: SessionDep,
    matching: MatchingDep,
    limit: Limit = 20,
    offset: Offset = 0,
    same_country: SameCountry = False,
    same_region: SameRegion = False,
    common_language: CommonLanguage = False,
    isic_depth: Depth = "group",
) -> Response:
    """Businesses that do not compete with yours, best mutual score first, each with the
    processes that drive it in both directions. A business never sees itself, firms excluded
    either way, competitors (same industry at `isic_depth` and overlapping markets), or firms
    with nothing to learn or teach; a partner you would learn from must have a free hosting
    place. Answers 409 for an archived business."""
    if offset + limit > MAX_DEPTH:
        raise ValidationFailed.single(
            "offset", f"offset + limit must be at most {MAX_DEPTH}: the list stops there")
    options = SuggestionOptions(limit=limit, same_country=same_country, same_region=same_region,
                                common_language=common_language, isic_depth=isic_depth)
    found = suggestions_for(session, matching, membership.business, options, offset=offset,
                            extra=1)
    next_url = None
    if len(found) > limit and offset + limit < MAX_DEPTH:
        next_url = str(request.url.include_query_params(offset=offset + limit, limit=limit))
    page = SuggestionPage(
        business=membership.business.slug,
        items=[SuggestionOut.of(item.partner, item.suggestion) for item in found[:limit]],
        next=next_url,
    )
    # Serialised once, in pydantic's core: the page is the largest read of the API (~25 kB),
    # and FastAPI's own path (to Python dicts, then json.dumps) cost a fifth of the request.
    return Response(page.model_dump_json(), media_type="application/json")


@router.get(
    "/businesses/{slug}/suggestions/{other_slug}",
    response_model=PairExplanationOut,
    summary="Why (not) this business? Explain one pair (members)",
)
def explain_suggestion(
    membership: BusinessMember,
    other: OtherVisibleBusiness,
    session: SessionDep,
    matching: MatchingDep,
    same_country: SameCountry = False,
    same_region: SameRegion = False,
    common_language: CommonLanguage = False,
    isic_depth: Depth = "group",
) -> PairExplanationOut:
    """The suggestion the list would show for `other_slug` (whatever its rank), or every reason
    it is not suggested: competitor (and why), excluded by you, not available, no free hosting
    place, nothing to learn or teach, not visible, archived, or one of the filters you set.
    `other_slug` must be a business you can see (else 404)."""
    options = SuggestionOptions(same_country=same_country, same_region=same_region,
                                common_language=common_language, isic_depth=isic_depth)
    answer = explain_for(session, matching, membership.business, other, options)
    return PairExplanationOut(
        business=membership.business.slug,
        partner=PartnerOut.of(answer.partner),
        suggested=answer.suggested,
        suggestion=(SuggestionOut.of(answer.partner, answer.suggestion)
                    if answer.suggestion is not None else None),
        reasons=[ReasonOut(code=r.code, message=r.message) for r in answer.reasons],
    )
