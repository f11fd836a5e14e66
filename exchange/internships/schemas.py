"""Input and output shapes of the internship workflow, shared by the API and the pages."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from exchange.internships.models import MAX_OBJECTIVES
from exchange.internships.states import Action, InternshipState, Role


def _clean(value: str) -> str:
    return " ".join(value.split())


class ObjectiveIn(SQLModel):
    statement: str = Field(min_length=5, max_length=500,
                           description="What the intern will be able to do, specifically.")
    success_criterion: str = Field(min_length=3, max_length=500,
                                   description="How you will measure that it was achieved.")

    @field_validator("statement", "success_criterion")
    @classmethod
    def _strip(cls, value: str) -> str:
        return _clean(value)


class AgreementIn(SQLModel):
    """The agreement every party accepts: editing any of it makes a new version."""

    title: str = Field(min_length=3, max_length=160)
    focus_processes: list[str] = Field(
        min_length=1, max_length=10,
        description="Process keys (`department.process`) the intern goes to learn.")
    objectives: list[ObjectiveIn] = Field(min_length=1, max_length=MAX_OBJECTIVES)
    start_date: date
    end_date: date
    schedule_notes: str = Field(default="", max_length=2000)
    confidentiality_terms: str = Field(default="", max_length=4000)

    @field_validator("title")
    @classmethod
    def _strip_title(cls, value: str) -> str:
        return _clean(value)


class ProposalIn(AgreementIn):
    host: str = Field(max_length=80, description="Slug of the business that hosts the intern.")
    intern_id: int = Field(description="User id of the intern: a member of your business "
                                       "with the intern role.")
    mentor_id: int | None = Field(default=None, description="User id of the host's mentor "
                                  "(the host may name one when accepting).")


class MentorIn(SQLModel):
    mentor_id: int


class ObjectivePublic(SQLModel):
    id: int
    statement: str
    success_criterion: str


class FocusProcessPublic(SQLModel):
    key: str
    name: str
    complexity: int
    # The firms' self-assessed matrix levels when proposed; null for an intern, who sees
    # nothing of either business beyond their own internship.
    home_level_at_proposal: int | None
    host_level_at_proposal: int | None


class PersonPublic(SQLModel):
    id: int
    display_name: str


class BusinessRef(SQLModel):
    slug: str
    name: str


class AcceptancePublic(SQLModel):
    party: str
    accepted: bool
    accepted_at: datetime | None = None
    user: PersonPublic | None = None


class InternshipPublic(SQLModel):
    id: int
    title: str
    state: InternshipState
    version: int = Field(description="Send it back as `expected_version` to act on exactly "
                                     "what you saw.")
    agreement_version: int
    home: BusinessRef
    host: BusinessRef
    intern: PersonPublic
    mentor: PersonPublic | None
    start_date: date
    end_date: date
    duration_days: int
    schedule_notes: str
    confidentiality_terms: str
    focus_processes: list[FocusProcessPublic]
    objectives: list[ObjectivePublic]
    acceptances: list[AcceptancePublic]
    your_roles: list[Role]
    your_actions: list[Action]
    created_at: datetime
    updated_at: datetime


class ActionIn(SQLModel):
    action: Action
    expected_version: int | None = Field(
        default=None, description="The `version` you saw; a different current one is a 409.")
    note: str = Field(default="", max_length=2000)
