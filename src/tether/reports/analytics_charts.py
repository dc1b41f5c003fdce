"""Horizontal interval and bar charts for the clinic analytics page, laid out
for server-drawn SVG (reports/templates/reports/_analytics_hchart.html), as
care/svg.py lays out the case page's line charts: plain values in and out, no
chart script, the palette of core/palette.py, and the numbers in a table
beside every chart (the template's caller writes it).

Each row has its name and value written above its mark, so a phone's narrow
column needs no room for labels beside the axis; colour is never the only cue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tether.care.svg import CHAR, FONT, Tick, value_ticks
from tether.core import palette

WIDTH = 360
"""The drawing's width in SVG user units, as care/svg.py's panels: about 330 px
on a phone and at most 480 px (analytics.css), so text stays 12-17 px."""
LINE = FONT + 4
"""Height of one line of a row's text."""
MARK = 16
"""Height of a row's mark (dot and interval, or bar) under its text."""
TOP = 6.0
AXIS = 34.0
"""Room under the rows for the tick values and the axis title."""
LEFT, RIGHT = 12.0, WIDTH - 16.0
CHARS = int((RIGHT - LEFT) / CHAR)
"""Characters that fit on one line of a row's text."""


@dataclass(frozen=True)
class Row:
    label: str
    value: float
    low: float | None = None
    high: float | None = None
    """An interval around `value` (a confidence interval); none for a bar."""
    text: str = ""
    """The value as written after the label ("α 0.87 [0.80, 0.92]", "64%")."""


@dataclass(frozen=True)
class TextLine:
    y: float
    label: str
    """Part of the row's name."""
    text: str = ""
    """Its value, on the last line."""


@dataclass(frozen=True)
class DrawnRow:
    lines: tuple[TextLine, ...]
    mark_y: float
    """The top of the row's bar."""
    dot_y: float
    """The middle of the row's mark (dot and interval)."""
    x: float
    low_x: float | None
    high_x: float | None
    bar_x: float
    bar_width: float


@dataclass(frozen=True)
class HChart:
    id: str
    title: str
    summary: str
    x_title: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    rows: tuple[DrawnRow, ...]
    x_ticks: tuple[Tick, ...]
    bars: bool
    colour: str
    reference_x: float | None = None
    reference_text: str = ""
    bar_height: int = 9
    font: int = FONT
    ink: str = palette.INK
    muted: str = palette.MUTED
    grid: str = palette.GRID
    paper: str = palette.PAPER
    reference_colour: str = palette.CUTOFF


def wrap(label: str, text: str, width: int = CHARS) -> list[tuple[str, str]]:
    """A row's name in lines of at most `width` characters, broken at spaces,
    with its value after the last line (or on a line of its own)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    pairs = [(line, "") for line in lines] or [("", "")]
    if text and len(pairs[-1][0]) + 1 + len(text) <= width:
        pairs[-1] = (pairs[-1][0], text)
    elif text:
        pairs.append(("", text))
    return pairs


def hchart(
    chart_id: str,
    title: str,
    summary: str,
    rows: Sequence[Row],
    x_range: tuple[float, float],
    *,
    x_title: str,
    bars: bool = False,
    reference: tuple[float, str] | None = None,
    colour: str = palette.PEOPLE[0],
) -> HChart:
    """Rows of estimates with intervals (or bars from the range's low end)
    over `x_range`; `reference` draws a labelled vertical line (zero, say),
    its label above the rows."""
    low, high = x_range

    def x_of(value: float) -> float:
        clipped = min(max(value, low), high)
        return round(LEFT + (clipped - low) / (high - low) * (RIGHT - LEFT), 1)

    top = TOP + (LINE if reference is not None else 0)
    y = top
    drawn = []
    for row in rows:
        lines = []
        for label, text in wrap(row.label, row.text):
            y += LINE
            lines.append(TextLine(round(y - 4, 1), label, text))
        start = x_of(low)
        drawn.append(
            DrawnRow(
                lines=tuple(lines),
                mark_y=round(y + 2, 1),
                dot_y=round(y + 6.5, 1),
                x=x_of(row.value),
                low_x=None if row.low is None else x_of(row.low),
                high_x=None if row.high is None else x_of(row.high),
                bar_x=start,
                bar_width=round(x_of(row.value) - start, 1),
            )
        )
        y += MARK
    bottom = y + 2
    return HChart(
        id=chart_id,
        title=title,
        summary=summary,
        x_title=x_title,
        width=WIDTH,
        height=int(bottom + AXIS),
        left=LEFT,
        right=RIGHT,
        top=round(top, 1),
        bottom=round(bottom, 1),
        rows=tuple(drawn),
        x_ticks=tuple(
            Tick(x_of(v), f"{v:g}") for v in value_ticks(low, high) if low <= v <= high
        ),
        bars=bars,
        colour=colour,
        reference_x=None if reference is None else x_of(reference[0]),
        reference_text="" if reference is None else reference[1],
    )


def padded_range(
    values: Sequence[float], floor: float | None = None, ceiling: float | None = None
) -> tuple[float, float]:
    """A range holding every value with a little room, within floor and ceiling."""
    low, high = min(values), max(values)
    room = max((high - low) * 0.1, 0.05 if high - low < 1 else 0.5)
    low, high = low - room, high + room
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    return (low, high) if high > low else (low - 1, high + 1)
