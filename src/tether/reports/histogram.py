"""Small bar charts of a distribution (how many cases in each band of
values), laid out for server-drawn SVG (reports/dashboard_histogram.html), as
care/svg.py lays out the case page's lines: plain values in, coordinates out,
no Django; the colours are the product's one palette (core/palette.py), a
cutoff is a labelled dashed line, and the page puts the same numbers in a
table beside the chart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tether.core import palette

WIDTH = 360
HEIGHT = 210
FONT = 12


@dataclass(frozen=True)
class Bin:
    """Values from `low` to `high` (both included; whole numbers), named."""

    low: int
    high: int
    label: str
    count: int


@dataclass(frozen=True)
class Cutoff:
    """A vertical line between two bins at `value`, named: values on its
    `side` ("above" or "below") are past it."""

    value: int
    side: str
    text: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int


@dataclass(frozen=True)
class Line:
    x: float
    text: str
    text_x: float
    anchor: str


@dataclass(frozen=True)
class Tick:
    at: float
    text: str


@dataclass(frozen=True)
class Histogram:
    id: str
    title: str
    summary: str
    x_title: str
    y_title: str
    bars: tuple[Bar, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    cutoffs: tuple[Line, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: float = 34.0
    top: float = 24.0
    right: float = WIDTH - 16.0
    bottom: float = HEIGHT - 42.0
    font: int = FONT
    colour: str = palette.PEOPLE[0]
    cutoff_colour: str = palette.CUTOFF
    ink: str = palette.INK
    muted: str = palette.MUTED
    grid: str = palette.GRID
    paper: str = palette.PAPER

    @property
    def tick_x(self) -> float:
        return self.left - 5

    @property
    def y_title_at(self) -> float:
        return -(self.top + self.bottom) / 2

    @property
    def x_title_y(self) -> float:
        return self.height - 4.0

    @property
    def label_y(self) -> float:
        return self.bottom + 15.0

    @property
    def cutoff_text_y(self) -> float:
        return self.top - 8.0


def histogram(
    chart_id: str,
    title: str,
    summary: str,
    bins: Sequence[Bin],
    *,
    x_title: str,
    y_title: str,
    edges: Sequence[tuple[int, str]] = (),
    cutoffs: Sequence[Cutoff] = (),
) -> Histogram:
    """One bar per bin, equal widths, the count axis from 0 to a round
    number; `edges` names the edges between bins (index, text: 0 is the left
    of the first bin); each cutoff is drawn at the edge of the bin where its
    side begins."""
    base = Histogram(chart_id, title, summary, x_title, y_title, (), (), (), ())
    left, right, top, bottom = base.left, base.right, base.top, base.bottom
    most = max((b.count for b in bins), default=0)
    step = tick_step(most)
    ceiling = max(step, math.ceil(most / step) * step)
    slot = (right - left) / max(len(bins), 1)
    gap = min(3.0, slot / 6)

    def y_of(count: float) -> float:
        return bottom - count / ceiling * (bottom - top)

    bars = tuple(
        Bar(
            x=left + i * slot + gap / 2,
            y=y_of(b.count),
            width=slot - gap,
            height=bottom - y_of(b.count),
            label=b.label,
            count=b.count,
        )
        for i, b in enumerate(bins)
    )
    y_ticks = tuple(
        Tick(y_of(v), str(v)) for v in range(0, int(ceiling) + 1, int(step))
    )
    x_ticks = tuple(Tick(left + i * slot, text) for i, text in edges)
    lines = tuple(
        _cutoff(c, bins, left, slot, right)
        for c in cutoffs
        if _edge(c, bins) is not None
    )
    return Histogram(
        chart_id, title, summary, x_title, y_title, bars, y_ticks, x_ticks, lines
    )


def tick_step(most: int) -> int:
    """1, 2 or 5 times a power of ten, so the axis has at most five steps."""
    for power in range(0, 7):
        for unit in (1, 2, 5):
            step = unit * 10**power
            if most <= 5 * step:
                return step
    return 10**7


def _edge(cutoff: Cutoff, bins: Sequence[Bin]) -> int | None:
    """The index of the edge the cutoff is drawn at: the left edge of the
    first bin past it (above) or the right edge of the last (below)."""
    if cutoff.side == "above":
        found = [i for i, b in enumerate(bins) if b.low >= cutoff.value]
        return found[0] if found else None
    found = [i for i, b in enumerate(bins) if b.high <= cutoff.value]
    return found[-1] + 1 if found else None


def _cutoff(
    cutoff: Cutoff, bins: Sequence[Bin], left: float, slot: float, right: float
) -> Line:
    edge = _edge(cutoff, bins)
    assert edge is not None
    x = left + edge * slot
    # The name goes on the side the values past it are, inside the plot.
    if cutoff.side == "above":
        return Line(x, cutoff.text, min(x + 4, right), "start")
    return Line(x, cutoff.text, max(x - 4, left), "end")


def bins_of(
    values: Sequence[int], edges: Sequence[int], labels: Sequence[str]
) -> list[Bin]:
    """Values counted in the bins [edges[i], edges[i+1] - 1]; the first bin
    takes everything below, the last everything above."""
    out = []
    for i, label in enumerate(labels):
        low, high = edges[i], edges[i + 1] - 1
        first, last = i == 0, i == len(labels) - 1
        count = sum(1 for v in values if (first or v >= low) and (last or v <= high))
        out.append(Bin(low, high, label, count))
    return out
