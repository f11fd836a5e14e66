"""Server-rendered SVG bar charts for the report pages: no script, printable, and each one names
itself (``<title>``/``<desc>``) for screen readers; the pages put a table with the same numbers
beside every chart as its text alternative.

Every text that goes into the SVG is escaped here (the result is marked safe for Jinja)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# Each label stands on its own line above its bar, in a narrow drawing: scaled to a 390 px phone
# (about 0.85) its 15-unit text is still 12-13 px, where labels beside the bars in a wide drawing
# shrank to 6 px. The stylesheet caps the drawn width on desktops (.chart).
WIDTH = 420
VALUE_WIDTH = 124  # room for "done on time" at 14 units
LABEL_HEIGHT = 18
ROW_GAP = 12
BAR_HEIGHT = 16
PAIR_HEIGHT = 12
LABEL_LIMIT = 48


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing to show yet
    text: str  # the value as people read it, e.g. "4 / 5" or "50 %"


@dataclass(frozen=True)
class Pair:
    label: str
    before: float
    after: float


def _short(label: str, limit: int = LABEL_LIMIT) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _frame(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    svg = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>',
        *body,
        "</svg>",
    ]
    return Markup("".join(svg))  # noqa: S704 — every piece above is escaped


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], maximum: float) -> Markup:
    """Horizontal bars from 0 to `maximum` (values beyond are drawn to the end)."""
    track = WIDTH - VALUE_WIDTH
    row = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    height = max(1, len(bars)) * row + 4
    body: list[str] = []
    for index, bar in enumerate(bars):
        top = index * row + 4
        y = top + LABEL_HEIGHT
        share = 0.0 if bar.value is None or maximum <= 0 else max(0.0, min(1.0,
                                                                              bar.value / maximum))
        body.append(f'<text class="chart-label" x="0" y="{top + 13}">'
                    f'<title>{escape(bar.label)}</title>{escape(_short(bar.label))}</text>')
        body.append(f'<rect class="chart-track" x="0" y="{y}" width="{track}" '
                    f'height="{BAR_HEIGHT}" rx="3"/>')
        if bar.value is not None:
            body.append(f'<rect class="chart-bar" x="0" y="{y}" '
                        f'width="{track * share:.1f}" height="{BAR_HEIGHT}" rx="3"/>')
        body.append(f'<text class="chart-value" x="{track + 8}" y="{y + 13}">'
                    f'{escape(bar.text)}</text>')
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars) or "No data yet."
    return _frame(chart_id, title, desc, height, body)


def paired_chart(chart_id: str, title: str, pairs: Sequence[Pair], maximum: float,
                 before: str, after: str) -> Markup:
    """Two bars per row (e.g. the level at proposal and now), with a legend."""
    track = WIDTH - VALUE_WIDTH
    row = LABEL_HEIGHT + PAIR_HEIGHT * 2 + 2 + ROW_GAP
    height = max(1, len(pairs)) * row + 30
    body = [
        '<rect class="chart-bar chart-before" x="0" y="4" width="12" height="12"/>',
        f'<text class="chart-legend" x="18" y="15">{escape(before)}</text>',
        '<rect class="chart-bar" x="190" y="4" width="12" height="12"/>',
        f'<text class="chart-legend" x="208" y="15">{escape(after)}</text>',
    ]
    for index, pair in enumerate(pairs):
        top = 28 + index * row
        y = top + LABEL_HEIGHT
        body.append(f'<text class="chart-label" x="0" y="{top + 13}">'
                    f'<title>{escape(pair.label)}</title>{escape(_short(pair.label))}</text>')
        for offset, value, css in ((0, pair.before, "chart-bar chart-before"),
                                   (PAIR_HEIGHT + 2, pair.after, "chart-bar")):
            share = max(0.0, min(1.0, value / maximum)) if maximum > 0 else 0.0
            body.append(f'<rect class="chart-track" x="0" y="{y + offset}" '
                        f'width="{track}" height="{PAIR_HEIGHT}" rx="2"/>')
            body.append(f'<rect class="{css}" x="0" y="{y + offset}" '
                        f'width="{track * share:.1f}" height="{PAIR_HEIGHT}" rx="2"/>')
        body.append(f'<text class="chart-value" x="{track + 8}" '
                    f'y="{y + PAIR_HEIGHT + 6}">{pair.before:g} → {pair.after:g}</text>')
    desc = "; ".join(f"{p.label}: {before} {p.before:g}, {after} {p.after:g}"
                     for p in pairs) or "No data yet."
    return _frame(chart_id, title, desc, height, body)


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f} %"
