"""Business profiles: create, edit, archive, exclusions. Services flush; callers commit."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from exchange.accounts.models import BusinessRole, User
from exchange.db import utcnow
from exchange.errors import FieldError, ValidationFailed
from exchange.events import DomainEvent, emit
from exchange.profiles.models import (
    Business,
    BusinessCreate,
    BusinessExclusion,
    BusinessMembership,
    BusinessUpdate,
)
from exchange.profiles.places import (
    country_name,
    display_place,
    language_name,
    normalize_place,
)
from exchange.taxonomy.models import Industry, IndustryLevel

SLUG_MAX = 60


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:SLUG_MAX].strip("-") or "business"


def unique_slug(session: Session, name: str, *, exclude_id: int | None = None) -> str:
    base = slugify(name)
    taken = set(session.exec(
        select(Business.slug).where(col(Business.slug).startswith(base),
                                    col(Business.id) != (exclude_id or -1))
    ).all())
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def isic_class_codes(session: Session) -> set[str]:
    return set(session.exec(
        select(Industry.code).where(Industry.level == IndustryLevel.class_)
    ).all())


def _check_codes(
    session: Session, data: dict[str, Any], class_codes: set[str] | None = None
) -> list[FieldError]:
    """Problems with codes that need lists or the database, each with its field name.
    `class_codes` lets bulk imports check ISIC codes without a query per record."""
    errors: list[FieldError] = []
    if "country" in data and data["country"] is not None:
        data["country"] = data["country"].upper()
        if country_name(data["country"]) is None:
            errors.append(FieldError("country", "is not an ISO 3166-1 alpha-2 country code"))
    if data.get("languages") is not None:
        codes = [c.strip().lower() for c in data["languages"] if c and c.strip()]
        bad = [c for c in codes if language_name(c) is None]
        if bad:
            errors.append(FieldError(
                "languages", f"not ISO 639-1 language codes: {', '.join(sorted(set(bad)))}"
            ))
        data["languages"] = list(dict.fromkeys(codes))
    if data.get("isic_class") is not None:
        if class_codes is not None:
            is_class = data["isic_class"] in class_codes
        else:
            industry = session.get(Industry, data["isic_class"])
            is_class = industry is not None and industry.level == IndustryLevel.class_
        if not is_class:
            errors.append(FieldError("isic_class", "is not an ISIC Rev. 4 class (4 digits)"))
    if data.get("website"):
        site = data["website"].strip()
        if not re.match(r"^https?://[^\s/$.?#].[^\s]*$", site, re.IGNORECASE):
            errors.append(FieldError("website", "must be a web address starting with https://"))
        data["website"] = site
    for field in ("name", "city", "region", "description"):
        if data.get(field) is not None:
            data[field] = data[field].strip() if field == "description" else display_place(
                data[field])
    if "name" in data and data["name"] is not None and len(data["name"]) < 2:
        errors.append(FieldError("name", "must be at least 2 characters"))
    if "city" in data and data["city"] is not None and not data["city"]:
        errors.append(FieldError("city", "must not be blank"))
    return errors


def _apply_places(business: Business) -> None:
    business.city_normalized = normalize_place(business.city)
    business.region_normalized = normalize_place(business.region)


def validate_create(
    session: Session, raw: dict[str, Any], class_codes: set[str] | None = None
) -> BusinessCreate:
    """Parse and check a whole profile, reporting every problem at once."""
    errors: list[FieldError] = []
    data = dict(raw)
    errors.extend(_check_codes(session, data, class_codes))
    try:
        parsed = BusinessCreate.model_validate(data)
    except ValidationError as exc:
        errors.extend(ValidationFailed.from_pydantic(exc).errors)
        parsed = None
    if errors or parsed is None:
        raise ValidationFailed(_dedupe(errors))
    return parsed


def _dedupe(errors: list[FieldError]) -> list[FieldError]:
    seen: dict[str, FieldError] = {}
    for error in errors:
        seen.setdefault(error.field, error)
    return list(seen.values())


def create_business(session: Session, owner: User, raw: dict[str, Any]) -> Business:
    data = validate_create(session, raw)
    business = Business(**data.model_dump(), slug=unique_slug(session, data.name))
    _apply_places(business)
    session.add(business)
    session.flush()
    assert business.id is not None and owner.id is not None
    session.add(BusinessMembership(business_id=business.id, user_id=owner.id,
                                   role=BusinessRole.owner))
    session.flush()
    return business


def new_business(fields: dict[str, Any], slug: str) -> Business:
    """An unsaved business from validated fields (imports and partner networks create
    businesses before any owner claims them)."""
    business = Business(**fields, slug=slug)
    _apply_places(business)
    return business


def announce_change(session: Session, business: Business, changed: list[str]) -> None:
    """Tell the domain-event hub that an owner or manager changed the profile or the matrix
    (partner networks the business belongs to turn it into `member.updated` webhooks). Bulk
    paths that announce changes themselves (the network sync) do not call it."""
    if changed:
        emit(session, DomainEvent(type="business.updated",
                                  data={"business": business.slug, "changed": sorted(changed)},
                                  business_ids=(business.id or 0,)))


def update_business(session: Session, business: Business, raw: dict[str, Any], *,
                    announce: bool = True) -> Business:
    data = {k: v for k, v in raw.items() if v is not None}
    errors = _check_codes(session, data)
    try:
        parsed = BusinessUpdate.model_validate(data)
    except ValidationError as exc:
        errors.extend(ValidationFailed.from_pydantic(exc).errors)
        parsed = None
    if errors or parsed is None:
        raise ValidationFailed(_dedupe(errors))
    changes = parsed.model_dump(exclude_unset=True)
    before = {key: getattr(business, key) for key in changes}
    for key, value in changes.items():
        setattr(business, key, value.value if hasattr(value, "value") else value)
    _apply_places(business)
    business.updated_at = utcnow()
    session.add(business)
    session.flush()
    if announce:
        announce_change(session, business,
                        [k for k in changes if getattr(business, k) != before[k]])
    return business


def set_archived(session: Session, business: Business, archived: bool) -> Business:
    business.archived_at = utcnow() if archived else None
    business.updated_at = utcnow()
    session.add(business)
    session.flush()
    return business


def exclusions_of(session: Session, business: Business) -> list[Business]:
    return list(session.exec(
        select(Business)
        .join(BusinessExclusion, col(BusinessExclusion.excluded_business_id) == Business.id)
        .where(BusinessExclusion.business_id == business.id)
        .order_by(col(Business.name))
    ).all())


def set_exclusions(session: Session, business: Business, slugs: list[str]) -> list[Business]:
    """Replace the exclusion list. Any existing business may be excluded, visible or not (one
    may know a competitor by name); unknown slugs are an error naming them."""
    wanted = list(dict.fromkeys(s.strip() for s in slugs if s.strip()))
    found = {b.slug: b for b in session.exec(
        select(Business).where(col(Business.slug).in_(wanted))
    ).all()} if wanted else {}
    unknown = [s for s in wanted if s not in found]
    if unknown:
        raise ValidationFailed.single("excluded", f"no business with address: {', '.join(unknown)}")
    if business.slug in found:
        raise ValidationFailed.single("excluded", "a business cannot exclude itself")
    existing = session.exec(
        select(BusinessExclusion).where(BusinessExclusion.business_id == business.id)
    ).all()
    for row in existing:
        session.delete(row)
    session.flush()
    assert business.id is not None
    for other in found.values():
        assert other.id is not None
        session.add(BusinessExclusion(business_id=business.id, excluded_business_id=other.id))
    # Exclusions change who may be matched: bump the profile so the matching index reloads it.
    business.updated_at = utcnow()
    session.add(business)
    session.flush()
    return list(found.values())


def businesses_of(session: Session, user: User) -> list[tuple[Business, BusinessRole]]:
    rows = session.exec(
        select(Business, BusinessMembership.role)
        .join(BusinessMembership, col(BusinessMembership.business_id) == Business.id)
        .where(BusinessMembership.user_id == user.id)
        .order_by(col(Business.name))
    ).all()
    return [(b, BusinessRole(role)) for b, role in rows]
