"""The one palette of every chart Tether draws, on its pages and in its PDFs.

A person keeps one colour wherever they appear (each member by the order they
were added to the case; the therapist; the whole family), so a reader learns
it once. Every series colour is told apart from every other by people with
normal colour vision and by people with deuteranopia or protanopia: the
smallest CIEDE2000 difference between any two of them, under Machado, Oliveira
& Fernandes's (2009) simulation of either deficiency at full severity, is
MIN_DELTA_E or more, and each has a contrast of at least 3:1 on white (WCAG 2.1,
1.4.11 non-text contrast). tests/core/test_palette.py checks both.

Colour is never the only cue: lines carry their names at their ends, the
therapist's ratings are dashed, and every chart has its numbers in a table.

Sources: Machado, Oliveira & Fernandes 2009, "A physiologically-based model for
simulation of color vision deficiency", IEEE TVCG 15(6):1291-1298; Sharma, Wu &
Dalal 2005, "The CIEDE2000 color-difference formula", Color Res Appl 30(1):21-30;
hues after Okabe & Ito 2008 ("Color Universal Design") and the IBM design
palette, chosen by a search for the largest smallest difference."""

from __future__ import annotations

PEOPLE = ("#0072B2", "#FE6100", "#00795C", "#332288", "#D62728", "#648FFF")
"""One colour per member, in the order they were added to the case (a seventh
member takes the first colour again: its line's name still tells them apart)."""

FAMILY = "#1d2733"
"""The whole family (the mean of every member who answered)."""

THERAPIST = "#5b6775"
"""The therapist's own ratings."""

SUBSYSTEMS = ("#35978F", "#3E2104", "#27A164")
"""Subsystems (caregivers, children, a couple), in the order of their names."""

SERIES = (*PEOPLE, FAMILY, THERAPIST, *SUBSYSTEMS)
"""Every colour a line of a chart can take: pairwise told apart (see above)."""

MIN_DELTA_E = 12.0
"""The smallest CIEDE2000 difference between two SERIES colours, under normal
vision, deuteranopia and protanopia (measured: 12.7)."""

ALERT = {"red": "#a3222a", "yellow": "#b07800"}
"""The marks of open alerts on a chart, as the alert tags of the pages."""

CUTOFF = "#a3222a"
"""A clinical cutoff line."""

BAND = "#2a5d8f"
"""A shaded band (the change within which no alert is raised), drawn faint."""

EXPECTED = ("#5b6775", "#b07800", "#a3222a")
"""The expected-response curve and its 80% and 90% upper bounds."""

INK = "#1d2733"
"""Axis labels and text."""

MUTED = "#5b6775"
"""Axis ticks and titles."""

GRID = "#e3e7ec"
"""Grid lines."""

PAPER = "#ffffff"
"""The background, also the halo that keeps text legible over a line."""


def person(index: int) -> str:
    """The colour of the index-th member of a case (0 for the first added)."""
    return PEOPLE[index % len(PEOPLE)]


def subsystem(index: int) -> str:
    """The colour of the index-th subsystem of a case, by name."""
    return SUBSYSTEMS[index % len(SUBSYSTEMS)]
