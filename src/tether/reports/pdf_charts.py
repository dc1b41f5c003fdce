"""The printable case report's charts, drawn with matplotlib as SVG (no
browser on the server; WeasyPrint puts the SVG into the PDF as vectors).

Each chart redraws a panel the case page lays out (care/charts.py chooses
what a panel shows, care/svg.py lays it out): the same lines, cutoffs, bands
and alert rings, from the panel's own values (`Line.data`, `Band.low/high`,
`Ring.session/value`, `Panel.sessions/y_range`), so the report and the page
cannot disagree. What every chart has (issue #15, item 5): a title, axis
titles with their units, cutoff lines and bands labelled on the chart, the
one colour-blind-safe palette (core/palette.py: a member keeps their colour),
each line named at its end with a leader in its colour (colour is never the
only cue; the therapist's ratings are dashed), and a data table beside it in
the report (templates/reports/case_report.html).

Plain values in, an SVG string out: no Django. matplotlib's object API is
used without pyplot (no global figure state, safe in a threaded server); the
few settings read from rcParams at save time (text as paths, fixed ids) are
set under a lock."""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from tether.care.svg import Band, Line, Panel
from tether.core import palette

MM = 1 / 25.4
"""Inches per millimetre (matplotlib sizes figures in inches)."""
FONT = 6.5
"""Text size in points: ticks, axis titles, line names (about the report's
small print, 7 pt, at the scale WeasyPrint draws the picture)."""
TITLE_FONT = 7.5
TITLE_GAP = 2.2
"""Millimetres between a panel's title and its plot (clear of the top value
label)."""
CHAR_WIDTH = 0.56
"""An average character's width, in ems (DejaVu Sans), to leave room for the
line names."""
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Chart:
    """One figure for the report: its SVG text and its size in millimetres."""

    svg: str
    width_mm: float
    height_mm: float


def panel_chart(
    panel: Panel, width_mm: float, height_mm: float, titled: bool = True
) -> Chart:
    """One panel as a chart of its own; without its title where the report
    heads it with the same words (`titled=False`)."""
    return small_multiples([panel], width_mm, height_mm, columns=1, titled=titled)


def small_multiples(
    panels: Sequence[Panel],
    width_mm: float,
    height_mm: float,
    columns: int = 2,
    titled: bool = True,
) -> Chart:
    """Panels side by side, `columns` to a row, on one session axis and one
    value scale (the alliance by level: each member, subsystems, the whole
    family, the therapist's ratings); `height_mm` is the whole figure's."""
    if not panels:
        raise ValueError("no panel to draw")
    columns = max(1, min(columns, len(panels)))
    rows = -(-len(panels) // columns)
    figure = Figure(figsize=(width_mm * MM, height_mm * MM))
    longest = max((len(line.name) for p in panels for line in p.lines), default=0)
    cell_w, cell_h = 1 / columns, 1 / rows
    # Margins in figure fractions: room for the y tick labels and axis title
    # on the left, the names of the lines on the right, the title above and
    # the session ticks and axis title below.
    left = 11.5 / (width_mm / columns)
    right = min(
        0.42, (longest * CHAR_WIDTH * FONT / 72 / MM + 5) / (width_mm / columns)
    )
    # A title starts at the panel's left edge, over the value axis.
    titles = [_wrapped(p.title, width_mm / columns - 3) for p in panels]
    title_lines = max(t.count("\n") + 1 for t in titles) if titled else 0
    top = (2.5 + (TITLE_GAP + 3.4 * title_lines if titled else 0)) / (height_mm / rows)
    bottom = 8.5 / (height_mm / rows)
    for index, panel in enumerate(panels):
        row, column = divmod(index, columns)
        box = (
            column * cell_w + left * cell_w,
            1 - (row + 1) * cell_h + bottom * cell_h,
            cell_w * (1 - left - right),
            cell_h * (1 - top - bottom),
        )
        ax = figure.add_axes(box)
        plot_pt = (width_mm * box[2] * MM * 72, height_mm * box[3] * MM * 72)
        _draw(ax, panel, plot_pt)
        if titled:
            above = 1 + TITLE_GAP / (box[3] * height_mm)
            ax.text(
                -(left * cell_w - 1.5 / width_mm) / box[2],
                above,
                titles[index],
                transform=ax.transAxes,
                fontsize=TITLE_FONT,
                color=palette.INK,
                fontweight="bold",
                ha="left",
                va="bottom",
                linespacing=1.1,
            )
    return Chart(_svg(figure), width_mm, height_mm)


def _wrapped(title: str, width_mm: float) -> str:
    """The title in lines that fit `width_mm` (bold, TITLE_FONT)."""
    chars = int(width_mm / (CHAR_WIDTH * 1.1 * TITLE_FONT / 72 / MM))
    return "\n".join(textwrap.wrap(title, max(chars, 12))) or title


def _draw(ax: Axes, panel: Panel, size_pt: tuple[float, float]) -> None:
    """One panel on `ax`, whose plot is `size_pt` (width, height) in points."""
    first, last = panel.sessions
    low, high = panel.y_range
    ax.set_xlim(first - 0.4, last + 0.4)
    ax.set_ylim(low, high)
    ax.set_xlabel(panel.x_title, fontsize=FONT, color=palette.MUTED, labelpad=1)
    ax.set_ylabel(panel.y_title, fontsize=FONT, color=palette.MUTED, labelpad=1)
    ax.set_xticks([int(t.text) for t in panel.x_ticks])
    ax.set_yticks([float(t.text) for t in panel.y_ticks])
    ax.tick_params(labelsize=FONT, colors=palette.MUTED, length=2, pad=1.5)
    ax.grid(axis="y", color=palette.GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(palette.GRID)
    taken: list[_Box] = []
    for band in panel.bands:
        taken.append(_guide(ax, band, panel, taken, size_pt))
    for line in panel.lines:
        _line(ax, line)
    _names(ax, panel.lines, (low, high), size_pt[1])


_Box = tuple[float, float, float, float]
"""x0, x1, y0, y1 in axes fractions."""


def _guide(
    ax: Axes,
    band: Band,
    panel: Panel,
    taken: Sequence[_Box],
    size_pt: tuple[float, float],
) -> _Box:
    """A cutoff line (dotted) or a band (shaded), its words on the chart
    where they cross the fewest points of the lines (`_place`); returns
    where they went."""
    low, high = panel.y_range
    if band.line:
        ax.axhline(
            band.low,
            color=band.colour,
            linewidth=1.0,
            linestyle=(0, (1.5, 1.5)),
            zorder=1.5,
        )
    else:
        ax.axhspan(
            band.low, band.high, color=band.colour, alpha=0.1, linewidth=0, zorder=1
        )
    width_pt, height_pt = size_pt
    at = [(v - low) / (high - low) for v in (band.low, band.high)]
    points = _samples(panel)
    tried = []
    for text in (band.text, _two_lines(band.text)):
        lines = text.count("\n") + 1
        size = (
            max(len(t) for t in text.split("\n")) * CHAR_WIDTH * (FONT - 0.5) / width_pt
            + 0.02,
            (FONT * 1.2 * lines + 2) / height_pt,
        )
        covered, box, va = _place(points, at, size, band.line, taken)
        tried.append((covered, lines, text, box, va))
        if covered == 0:
            break
    covered, _lines, text, box, va = min(tried, key=lambda t: (t[0], t[1]))
    ax.text(
        box[0] + 0.01,
        box[2] if va == "bottom" else box[3],
        text,
        transform=ax.transAxes,
        fontsize=FONT - 0.5,
        color=palette.INK,
        va=va,
        ha="left",
        zorder=4,
        linespacing=1.1,
        bbox={
            "facecolor": palette.PAPER,
            "edgecolor": "none",
            "alpha": 0.8,
            "pad": 0.6,
        },
    )
    return box


def _two_lines(text: str) -> str:
    """The words in two lines of about equal length ("cutoff 10:" above
    "probable major depression")."""
    words = text.split()
    if len(words) < 2:
        return text
    cut = min(
        range(1, len(words)),
        key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))),
    )
    return " ".join(words[:cut]) + "\n" + " ".join(words[cut:])


def _place(
    points: Sequence[tuple[float, float]],
    at: Sequence[float],
    size: tuple[float, float],
    line: bool,
    taken: Sequence[_Box],
) -> tuple[int, _Box, str]:
    """Where a guide's words go, in axes fractions: just above or below a
    line, or inside a band at its top or bottom, anywhere along it; the
    first place (from the left, above first) that covers the fewest of the
    lines' `points` and no other guide's words. Returns how many points it
    covers, the box and the vertical alignment."""
    low_at, high_at = at
    width, height = size
    if line:
        rows = [(high_at, high_at + height, "bottom"), (low_at - height, low_at, "top")]
    else:
        rows = [(high_at - height, high_at, "top"), (low_at, low_at + height, "bottom")]
    steps = 20
    best: tuple[int, _Box, str] | None = None
    for y0, y1, va in rows:
        if y0 < 0 or y1 > 1:
            continue
        for step in range(steps + 1):
            x0 = (1 - width) * step / steps
            box = (x0, x0 + width, y0, y1)
            if x0 < 0 or any(_overlap(box, other) for other in taken):
                continue
            covered = sum(x0 <= x <= x0 + width and y0 <= y <= y1 for x, y in points)
            if best is None or covered < best[0]:
                best = (covered, box, va)
    if best is None:  # nowhere free: above the line (or inside the band), left
        y0, y1, va = rows[0]
        return len(points), (0.0, width, y0, y1), va
    return best


def _samples(panel: Panel, per_segment: int = 12) -> list[tuple[float, float]]:
    """Points along every line of the panel, in axes fractions."""
    first, last = panel.sessions
    low, high = panel.y_range
    span = last - first + 0.8

    def frac(session: float, value: float) -> tuple[float, float]:
        return (session - first + 0.4) / span, (value - low) / (high - low)

    out = []
    for line in panel.lines:
        data = list(line.data)
        out += [frac(*data[0])] if data else []
        for (s0, v0), (s1, v1) in pairwise(data):
            out += [
                frac(s0 + (s1 - s0) * k / per_segment, v0 + (v1 - v0) * k / per_segment)
                for k in range(1, per_segment + 1)
            ]
    return out


def _overlap(a: _Box, b: _Box) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _line(ax: Axes, line: Line) -> None:
    sessions = [session for session, _value in line.data]
    values = [value for _session, value in line.data]
    ax.plot(
        sessions,
        values,
        color=line.colour,
        linewidth=line.width * 0.55,
        linestyle=(0, (4, 2)) if line.dash else "-",
        marker="o",
        markersize=2.2,
        zorder=3,
        solid_joinstyle="round",
    )
    for ring in line.rings:
        ax.plot(
            [ring.session],
            [ring.value],
            marker="o",
            markersize=7,
            markerfacecolor="none",
            markeredgecolor=ring.colour,
            markeredgewidth=1.3,
            linestyle="none",
            zorder=5,
        )


def _names(
    ax: Axes, lines: Sequence[Line], y_range: tuple[float, float], height_pt: float
) -> None:
    """Each line's name right of the plot, as near its last point as the
    others allow, joined to it by a thin leader in the line's colour."""
    if not lines:
        return
    low, high = y_range
    gap = FONT * 1.25 / height_pt
    wanted = [(line.data[-1][1] - low) / (high - low) for line in lines]
    placed = _apart(wanted, gap)
    for line, y in zip(lines, placed, strict=True):
        session, value = line.data[-1]
        ax.annotate(
            line.name,
            xy=(session, value),
            xytext=(1.03, y),
            textcoords="axes fraction",
            fontsize=FONT,
            color=palette.INK,
            va="center",
            ha="left",
            annotation_clip=False,
            arrowprops={
                "arrowstyle": "-",
                "color": line.colour,
                "linewidth": 0.8,
                "shrinkA": 0,
                "shrinkB": 2.5,
                "linestyle": "--" if line.dash else "-",
            },
        )


def _apart(wanted: list[float], gap: float) -> list[float]:
    """Positions at least `gap` apart within 0..1 (axes fractions, upwards),
    each as near its wish as the others allow (care/svg.py's `spread`, in
    this chart's units)."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    out = list(wanted)
    previous = -1.0
    for i in order:
        out[i] = max(wanted[i], previous + gap, 0.0)
        previous = out[i]
    if previous > 1.0:  # pushed above the top: move the run down again
        following = 2.0
        for i in reversed(order):
            out[i] = min(out[i], following - gap, 1.0)
            following = out[i]
    return out


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with (
        _LOCK,
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "tether"}),
    ):
        figure.savefig(
            buffer, format="svg", metadata={"Date": None}, facecolor=palette.PAPER
        )
    return buffer.getvalue()
