"""The import shape as a typed model: one business (a network's member) with its matrix cells.

`exchange import` and the partner-network sync (`PUT /api/v1/networks/{slug}/members`) read
records through :class:`MemberRecord`, so the served schema names every field with its type,
enum or pattern, and a generated client gets real models. The request parser does not validate
the items itself (`SkipValidation` in the API schema): the importer validates each record on its
own, so one bad member is reported under `rejected` with each field named while the others
apply. Checks that need the database or code lists (the ISIC class exists, the country and
languages are real codes, the process is in the taxonomy, excluded ids are known) follow in the
importer and the profile service, as for the pages.

Types come from exchange/fields.py: strict integers (`"2"` and `true` are not capacities),
bounded ids and text without control or bidi-override characters.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from exchange.errors import FieldError, ValidationFailed
from exchange.fields import Count, Flag, Line, Prose
from exchange.profiles.models import MarketReach, SizeBand, Visibility

EXTERNAL_ID_MAX = 128


def _id_text(value: Any) -> Any:
    """Ids may come as JSON integers from older files; they are text from here on."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


ExternalId = Annotated[Line, BeforeValidator(_id_text),
                       Field(min_length=1, max_length=EXTERNAL_ID_MAX,
                             description="Your id for the business (text; a JSON integer is "
                                         "read as its digits)",
                             examples=["crm-42"])]
IsicClass = Annotated[str, Field(pattern=r"^[0-9]{4}$",
                                 description="ISIC Rev. 4 class, 4 digits (see /taxonomy)",
                                 examples=["4923"])]
CountryCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$",
                                   description="ISO 3166-1 alpha-2 country code",
                                   examples=["IN"])]
LanguageCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$",
                                    description="ISO 639-1 language code", examples=["mr"])]
ProcessKey = Annotated[str, Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$", max_length=100,
                                  description="`department.process` key (see /taxonomy)",
                                  examples=["marketing.seo"])]


class CellRecord(BaseModel):
    """One cell of the matrix. A cell with level 0, need 0, no offer and no target says
    nothing and is not stored (the canonical form leaves it out; a read-back omits it)."""

    model_config = ConfigDict(extra="ignore")

    process: ProcessKey
    level: Count = Field(ge=0, le=5, description="0 none … 5 could teach it")
    offer: Flag = Field(default=False, description="Willing to host an intern for it")
    need: Count = Field(default=0, ge=0, le=3, description="0 none … 3 high")
    target_level: Count | None = Field(default=None, ge=1, le=5)
    evidence: Prose | None = Field(default=None, max_length=500)


class MemberRecord(BaseModel):
    """One business in the import shape (`exchange import`, and a network's member sync)."""

    model_config = ConfigDict(extra="ignore", title="MemberRecord")

    id: ExternalId
    name: Line = Field(min_length=2, max_length=120)
    isic: IsicClass
    country: CountryCode
    region: Line = Field(default="", max_length=100)
    city: Line = Field(min_length=1, max_length=100)
    market_reach: MarketReach
    excluded: list[ExternalId] = Field(
        default_factory=list, max_length=1000,
        description="Ids (from the same file or network) of businesses this one will not "
                    "exchange with")
    cells: list[CellRecord] = Field(default_factory=list, max_length=500)
    size_band: SizeBand = SizeBand.micro
    languages: list[LanguageCode] = Field(default_factory=list, max_length=20)
    hosting_capacity: Count = Field(default=1, ge=0, le=50,
                                    description="Interns it can host at once")
    visibility: Visibility = Visibility.public
    description: Prose = Field(default="", max_length=2000)
    website: Line | None = Field(default=None, max_length=255,
                                 description="https://… address")
    slug: Line | None = Field(default=None, max_length=80,
                              description="Wanted address on the exchange, when free")


def parse_record(record: Any) -> MemberRecord:
    """One record, or ValidationFailed naming every problem by its field (`cells[2].level`)."""
    if not isinstance(record, dict):
        raise ValidationFailed([FieldError("", "must be an object")])
    # `null` for an optional field means "the default", as the import always read it.
    present = {k: v for k, v in record.items() if v is not None or k in _REQUIRED}
    try:
        return MemberRecord.model_validate(present)
    except ValidationError as exc:
        raise ValidationFailed(ValidationFailed.from_pydantic(exc).errors) from None


_REQUIRED = frozenset(name for name, f in MemberRecord.model_fields.items() if f.is_required())
