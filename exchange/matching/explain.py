"""What the matcher answers, and the words for it.

Every suggestion carries the processes that drive it, in both directions, and every refusal
("why not this business?") carries reason codes with words. This module holds those answer types
and the sentence helpers; the numbers come from ``algorithm.py``. Pure: no web, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

Direction = Literal["learn", "teach"]

ReasonCode = Literal[
    "self",
    "not_visible",
    "excluded",
    "not_available",
    "competitor",
    "no_capacity",
    "no_overlap",
    "no_common_language",
    "different_country",
    "different_region",
    "outside_networks",
    "below_min_learn",
]

NEED_WORDS: Final[Mapping[int, str]] = {0: "none", 1: "low", 2: "medium", 3: "high"}

# Fixed wording per reason. "not_available" is deliberately the same sentence whoever caused it:
# a firm that excluded the asker must not be exposed by the answer (PRODUCT §4).
REASON_MESSAGES: Final[Mapping[ReasonCode, str]] = {
    "self": "this is your own business",
    "not_visible": "not visible to you: it is shown only to members of its networks",
    "excluded": "you excluded them",
    "not_available": "not available",
    "competitor": "competitor",
    "no_capacity": "no free hosting place right now",
    "no_overlap": "nothing to learn from or teach each other",
    "no_common_language": "no language in common",
    "different_country": "based in another country",
    "different_region": "based in another region",
    "outside_networks": "not in the networks you chose",
    "below_min_learn": "you would learn too little from them",
}


@dataclass(frozen=True, slots=True)
class ProcessContribution:
    """One process behind a suggestion, seen from the asker.

    In the ``learn`` direction the asker learns from the partner: ``partner_level`` is the host's
    level, ``own_level`` the asker's, ``need`` the asker's need. In the ``teach`` direction the
    partner learns from the asker: the levels keep their owners (partner / own) and ``need`` is the
    *partner's* need. ``value`` is the term of that direction's sum, ``share`` its fraction of the
    direction's total, ``weight`` the learner's department-involvement weight (0.5..1).
    """

    process: str
    department: str
    partner_level: int
    own_level: int
    need: int
    value: float
    share: float
    direction: Direction = "learn"
    process_name: str = ""
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A ranked partner. ``score`` is the mutual score; ``learn``/``teach`` sorted by value."""

    partner_id: str
    score: float
    learn_value: float
    teach_value: float
    learn: tuple[ProcessContribution, ...]
    teach: tuple[ProcessContribution, ...]
    partner_name: str = ""

    def sentences(self, limit: int = 3) -> list[str]:
        """The top ``limit`` processes of each direction as human sentences, learning first."""
        return [describe_contribution(c) for c in (*self.learn[:limit], *self.teach[:limit])]


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    message: str


@dataclass(frozen=True, slots=True)
class NotSuggested:
    """Why a business is not suggested to the asker; at least one reason."""

    partner_id: str
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        return tuple(reason.code for reason in self.reasons)


def reason(code: ReasonCode, detail: str = "") -> Reason:
    """A reason with its standard words, plus an optional detail after a colon."""
    message = REASON_MESSAGES[code]
    return Reason(code, f"{message}: {detail}" if detail else message)


def process_display_name(key: str, display_names: Mapping[str, str] | None = None) -> str:
    """Key "marketing.content_marketing" → "content marketing", unless a display name is given."""
    if display_names and key in display_names:
        return display_names[key]
    return key.rsplit(".", 1)[-1].replace("_", " ")


def need_word(need: int) -> str:
    return NEED_WORDS.get(need, str(need))


def describe_contribution(
    contribution: ProcessContribution, display_names: Mapping[str, str] | None = None
) -> str:
    """A sentence like "They: content marketing 5 · You: 1 · you need it: high" (or the mirror
    "You: … · They: … · they need it: …" for the teaching direction)."""
    c = contribution
    if display_names and c.process in display_names:
        name = display_names[c.process]
    else:
        name = c.process_name or process_display_name(c.process)
    need = need_word(c.need)
    if c.direction == "learn":
        return f"They: {name} {c.partner_level} · You: {c.own_level} · you need it: {need}"
    return f"You: {name} {c.own_level} · They: {c.partner_level} · they need it: {need}"
