"""Input and output shapes of the internship workflow, shared by the API and the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from sqlmodel import Field, SQLModel

from exchange.fields import Day, Id, Line, Prose, Version
from exchange.internships.models import MAX_OBJECTIVES
from exchange.internships.states import Action, InternshipState, Role

ProcessKey = Annotated[Line, Field(min_length=3, max_length=100)]


class ObjectiveIn(SQLModel):
    # Line (exchange/fields.py) trims before the lengths are checked: "  a  " is one character,
    # refused here, not accepted and then refused by the model the service builds from it.
    statement: Line = Field(min_length=5, max_length=500,
                            description="What the intern will be able to do, specifically.")
    success_criterion: Line = Field(min_length=3, max_length=500,
                                    description="How you will measure that it was achieved.")


class AgreementIn(SQLModel):
    """The agreement every party accepts: editing any of it makes a new version."""

    title: Line = Field(min_length=3, max_length=160)
    focus_processes: list[ProcessKey] = Field(
        min_length=1, max_length=10,
        description="Process keys (`department.process`) the intern goes to learn.")
    objectives: list[ObjectiveIn] = Field(min_length=1, max_length=MAX_OBJECTIVES)
    start_date: Day
    end_date: Day
    schedule_notes: Prose = Field(default="", max_length=2000)
    confidentiality_terms: Prose = Field(default="", max_length=4000)


class ProposalIn(AgreementIn):
    host: Line = Field(max_length=80, description="Slug of the business that hosts the intern.")
    intern_id: Id = Field(description="User id of the intern: a member of your business "
                                      "with the intern role.")
    mentor_id: Id | None = Field(default=None, description="User id of the host's mentor "
                                 "(the host may name one when accepting).")


class MentorIn(SQLModel):
    mentor_id: Id


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
    expected_version: Version | None = Field(
        default=None, description="The `version` you saw; a different current one is a 409.")
    note: Prose = Field(default="", max_length=2000)
