"""Line charts laid out for server-drawn SVG (care/templates/care/_panel.html):
the page needs no chart script, the same drawing goes into a PDF, and every
number is also in a table beside it.

Plain values in, plain values out (no Django): `draw` takes the series of one
panel and returns every coordinate the template writes. Lines are named at
their ends (not in a legend), so colour is never the only cue; the therapist's
ratings are dashed; an open alert is a ring on the line it belongs to."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from tether.core import palette

WIDTH = 360
"""The width of a panel's drawing (SVG user units; it scales to its column:
about 330 px on a phone, 350-480 px on a wider screen, so text stays 11-16 px)."""
HEIGHT = 230
FONT = 13
"""Text size in user units."""
CHAR = 0.62 * FONT
"""An average character's width, to leave room for the names at line ends."""
LABEL_GAP = FONT + 2
"""The least vertical distance between two names at line ends."""
DASH = "6 4"
DOTS = "2 3"

_Scale = Callable[[float], float]


@dataclass(frozen=True)
class Mark:
    """An open alert at one session of a line."""

    session: int
    text: str
    severity: str


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    colour: str
    points: tuple[tuple[int, float], ...]
    """(session, value), by session."""
    dashed: bool = False
    width: float = 2.0
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class Guide:
    """A horizontal line (low == high) or band across the panel, named."""

    low: float
    high: float
    colour: str
    text: str
    dashed: bool = True


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Ring:
    x: float
    y: float
    colour: str
    text: str
    session: int = 0
    value: float = 0.0
    """Where the ring is, in sessions and values."""


@dataclass(frozen=True)
class Line:
    key: str
    name: str
    colour: str
    dash: str
    width: float
    path: str
    points: tuple[Point, ...]
    label_x: float
    label_y: float
    rings: tuple[Ring, ...] = ()
    data: tuple[tuple[int, float], ...] = ()
    """The series' (session, value) pairs, as given."""


@dataclass(frozen=True)
class Band:
    x: float
    y: float
    width: float
    height: float
    colour: str
    text: str
    text_x: float
    text_y: float
    line: bool
    dash: str
    low: float = 0.0
    high: float = 0.0
    """The guide's values, as given."""


@dataclass(frozen=True)
class Tick:
    at: float
    text: str


@dataclass(frozen=True)
class Panel:
    id: str
    title: str
    summary: str
    x_title: str
    y_title: str
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...]
    bands: tuple[Band, ...] = ()
    sessions: tuple[int, int] = (0, 0)
    """The first and last session on the x axis, as given."""
    y_range: tuple[float, float] = (0.0, 0.0)
    """The lowest and highest value on the y axis, as given (a PDF's chart
    redraws the panel from these, its lines' `data` and its bands' values)."""

    font: int = FONT
    ink: str = palette.INK
    muted: str = palette.MUTED
    grid: str = palette.GRID
    paper: str = palette.PAPER

    def line(self, key: str) -> Line:
        """The line drawn for the series with this key."""
        return next(line for line in self.lines if line.key == key)

    @property
    def keys(self) -> list[str]:
        return [line.key for line in self.lines]

    @property
    def tick_x(self) -> float:
        """Where the value labels end, left of the plot."""
        return self.left - 6

    @property
    def y_title_at(self) -> float:
        """The rotated axis title's centre, in its rotated frame."""
        return -(self.top + self.bottom) / 2


def draw(
    panel_id: str,
    title: str,
    summary: str,
    series: Sequence[Series],
    sessions: tuple[int, int],
    y_range: tuple[float, float],
    *,
    x_title: str,
    y_title: str,
    guides: Sequence[Guide] = (),
    height: int = HEIGHT,
    longest: int | None = None,
) -> Panel:
    """One panel: `series` over `sessions` (first, last) and `y_range`.
    `longest`: the longest name to leave room for at the line ends (panels
    side by side pass the same, so their axes line up); by default this
    panel's own."""
    drawn = [s for s in series if s.points]
    if longest is None:
        longest = max((len(s.name) for s in drawn), default=0)
    left, top = 40.0, 10.0
    right = WIDTH - min(130.0, 8.0 + CHAR * (longest + 2))
    bottom = height - 36.0
    first, last = sessions
    low, high = y_range

    def x_of(session: float) -> float:
        if last == first:
            return (left + right) / 2
        return left + (session - first) / (last - first) * (right - left)

    def y_of(value: float) -> float:
        clipped = min(max(value, low), high)
        return bottom - (clipped - low) / (high - low) * (bottom - top)

    lines = [_line(s, x_of, y_of) for s in drawn]
    label_ys = spread([line.label_y for line in lines], top + FONT / 2, bottom)
    lines = [
        replace(line, label_y=round(y, 1))
        for line, y in zip(lines, label_ys, strict=True)
    ]
    return Panel(
        id=panel_id,
        title=title,
        summary=summary,
        x_title=x_title,
        y_title=y_title,
        width=WIDTH,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        x_ticks=tuple(
            Tick(round(x_of(s), 1), str(s)) for s in session_ticks(first, last)
        ),
        y_ticks=tuple(
            Tick(round(y_of(v), 1), f"{v:g}") for v in value_ticks(low, high)
        ),
        lines=tuple(lines),
        bands=tuple(_band(g, left, right, y_of) for g in guides),
        sessions=(first, last),
        y_range=(low, high),
    )


def _line(s: Series, x_of: _Scale, y_of: _Scale) -> Line:
    points = tuple(
        Point(
            round(x_of(session), 1),
            round(y_of(value), 1),
            f"{s.name}, {session}: {value:.0f}",
        )
        for session, value in s.points
    )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{p.x:g} {p.y:g}" for i, p in enumerate(points)
    )
    at = {session: p for (session, _), p in zip(s.points, points, strict=True)}
    rings = tuple(
        Ring(
            at[m.session].x,
            at[m.session].y,
            palette.ALERT.get(m.severity, palette.INK),
            m.text,
            m.session,
            dict(s.points)[m.session],
        )
        for m in s.marks
        if m.session in at
    )
    end = points[-1]
    return Line(
        key=s.key,
        name=s.name,
        colour=s.colour,
        dash=DASH if s.dashed else "",
        width=s.width,
        path=path,
        points=points,
        label_x=end.x + 6,
        label_y=end.y + FONT / 3,
        rings=rings,
        data=s.points,
    )


def _band(g: Guide, left: float, right: float, y_of: _Scale) -> Band:
    y_high, y_low = y_of(g.high), y_of(g.low)
    line = g.low == g.high
    return Band(
        x=left,
        y=round(y_high, 1),
        width=round(right - left, 1),
        height=round(y_low - y_high, 1),
        colour=g.colour,
        text=g.text,
        text_x=left + 4,
        text_y=round(y_high - 4 if line else y_high + FONT, 1),
        line=line,
        dash=DOTS if g.dashed else "",
        low=g.low,
        high=g.high,
    )


def spread(wanted: Sequence[float], lowest: float, highest: float) -> list[float]:
    """Positions for names at line ends: each as near its wish as it can be,
    at least LABEL_GAP apart, within [lowest, highest] (top to bottom)."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    previous = -math.inf
    for i in order:
        placed[i] = max(wanted[i], previous + LABEL_GAP, lowest)
        previous = placed[i]
    overflow = previous - highest
    if overflow > 0:  # pushed below the bottom: move the run up again
        following = math.inf
        for i in reversed(order):
            placed[i] = min(placed[i], following - LABEL_GAP, highest)
            following = placed[i]
    return placed


def session_ticks(first: int, last: int) -> list[int]:
    """Every session up to 8, else every second, third... counted back from
    the latest, which is always named."""
    step = max(1, math.ceil((last - first + 1) / 8))
    return list(range(last, first - 1, -step))[::-1]


def value_ticks(low: float, high: float) -> list[float]:
    """About five round values from low to high."""
    span = high - low
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(
        m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-9
    )
    first = math.ceil(low / step) * step
    count = math.floor((high - first) / step + 1e-9) + 1
    return [round(first + i * step, 6) for i in range(count)]
