"""Partner matching (PRODUCT §4): a pure module — numpy in, dataclasses out; no web, no database.

Build a :class:`MatchingIndex` from :class:`BusinessRecord` objects (or straight from arrays),
then ask :func:`suggest_partners`, :func:`explain_pair` or :func:`learn_matrix`. The formulas and
the reasons behind them are in ``docs/matching.md``.
"""

from exchange.matching.algorithm import (
    DEFAULT_HOST_MIN_LEVEL,
    BusinessRecord,
    Cell,
    MatchingIndex,
    SuggestionQuery,
    Taxonomy,
    UnknownBusinessError,
    Visibility,
    explain_pair,
    learn_edges,
    learn_matrix,
    suggest_partners,
)
from exchange.matching.competition import (
    ISIC_DEPTHS,
    MARKET_REACHES,
    IsicDepth,
    MarketReach,
    competes,
    industry_and_market_reason,
    isic_codes,
    markets_overlap,
)
from exchange.matching.explain import (
    NEED_WORDS,
    REASON_MESSAGES,
    Direction,
    NotSuggested,
    ProcessContribution,
    Reason,
    ReasonCode,
    Suggestion,
    describe_contribution,
    process_display_name,
)

__all__ = [
    "DEFAULT_HOST_MIN_LEVEL",
    "ISIC_DEPTHS",
    "MARKET_REACHES",
    "NEED_WORDS",
    "REASON_MESSAGES",
    "BusinessRecord",
    "Cell",
    "Direction",
    "IsicDepth",
    "MarketReach",
    "MatchingIndex",
    "NotSuggested",
    "ProcessContribution",
    "Reason",
    "ReasonCode",
    "Suggestion",
    "SuggestionQuery",
    "Taxonomy",
    "UnknownBusinessError",
    "Visibility",
    "competes",
    "describe_contribution",
    "explain_pair",
    "industry_and_market_reason",
    "isic_codes",
    "learn_edges",
    "learn_matrix",
    "markets_overlap",
    "process_display_name",
    "suggest_partners",
]
