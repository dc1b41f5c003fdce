"""The layout of a server-drawn chart panel (care/svg.py): plain values in,
coordinates out."""

import itertools

import pytest

from tether.care.svg import (
    LABEL_GAP,
    Guide,
    Mark,
    Series,
    draw,
    session_ticks,
    spread,
    value_ticks,
)
from tether.core import palette


def panel(*series, sessions=(1, 5), y_range=(0, 100), **options):
    return draw(
        "p",
        "A panel",
        "In words.",
        series,
        sessions,
        y_range,
        x_title="Session",
        y_title="Alliance",
        **options,
    )


def test_values_map_into_the_plot_with_higher_values_higher_up():
    drawn = panel(Series("a", "Ann", "#000", ((1, 0.0), (5, 100.0))))
    low, high = drawn.line("a").points
    assert (low.x, low.y) == (drawn.left, drawn.bottom)
    assert (high.x, high.y) == (drawn.right, drawn.top)
    assert drawn.line("a").path == f"M{low.x:g} {low.y:g} L{high.x:g} {high.y:g}"


def test_a_value_outside_the_range_stays_on_the_plot_edge():
    drawn = panel(Series("a", "Ann", "#000", ((1, 130.0), (2, -5.0))))
    above, below = drawn.line("a").points
    assert above.y == drawn.top
    assert below.y == drawn.bottom


def test_a_series_without_points_is_not_drawn():
    drawn = panel(
        Series("a", "Ann", "#000", ((1, 50.0),)), Series("b", "Ben", "#111", ())
    )
    assert drawn.keys == ["a"]


def test_each_point_says_who_which_session_and_what_value():
    drawn = panel(Series("a", "Ann", "#000", ((3, 72.4),)))
    assert drawn.line("a").points[0].text == "Ann, 3: 72"


def test_the_therapists_lines_are_dashed_and_the_others_solid():
    drawn = panel(
        Series("m", "Ann", "#000", ((1, 50.0),)),
        Series("t", "Therapist", "#111", ((1, 60.0),), dashed=True),
    )
    assert drawn.line("t").dash
    assert drawn.line("m").dash == ""


def test_an_open_alert_is_a_ring_on_its_point_in_the_alerts_colour():
    drawn = panel(
        Series(
            "a",
            "Ann",
            "#000",
            ((1, 80.0), (2, 40.0)),
            marks=(Mark(2, "open alert: possible alliance rupture", "red"),),
        )
    )
    [ring] = drawn.line("a").rings
    point = drawn.line("a").points[1]
    assert (ring.x, ring.y) == (point.x, point.y)
    assert ring.colour == palette.ALERT["red"]
    assert ring.text == "open alert: possible alliance rupture"


def test_a_mark_at_a_session_the_line_has_no_point_for_is_left_out():
    drawn = panel(
        Series("a", "Ann", "#000", ((1, 80.0),), marks=(Mark(4, "x", "red"),))
    )
    assert drawn.line("a").rings == ()


def test_names_at_line_ends_do_not_overlap():
    drawn = panel(
        Series("a", "Ann", "#000", ((5, 50.0),)),
        Series("b", "Ben", "#111", ((5, 50.5),)),
        Series("c", "Cy", "#222", ((5, 49.5),)),
    )
    ys = sorted(line.label_y for line in drawn.lines)
    assert all(b - a >= LABEL_GAP for a, b in itertools.pairwise(ys))


def test_spread_keeps_names_where_they_fit_and_moves_them_apart_where_not():
    assert spread([10.0, 100.0], 0, 200) == [10.0, 100.0]
    assert spread([50.0, 50.0], 0, 200) == [50.0, 50.0 + LABEL_GAP]
    # Near the bottom the run is pushed back up to stay inside.
    placed = spread([199.0, 199.0, 199.0], 0, 200)
    assert max(placed) <= 200
    assert sorted(placed) == placed
    assert placed[2] - placed[0] == pytest.approx(2 * LABEL_GAP)


def test_room_is_left_for_the_longest_name_and_panels_side_by_side_share_it():
    short = panel(Series("a", "Al", "#000", ((1, 50.0),)))
    long = panel(Series("a", "Alexandrina", "#000", ((1, 50.0),)))
    assert long.right < short.right
    shared = panel(Series("a", "Al", "#000", ((1, 50.0),)), longest=11)
    assert shared.right == long.right


def test_a_guide_is_a_line_or_a_band_with_its_values():
    drawn = panel(
        Series("a", "Ann", "#000", ((1, 50.0),)),
        guides=[
            Guide(33, 33, palette.CUTOFF, "cutoff 33"),
            Guide(40, 60, palette.BAND, "no alert"),
        ],
        y_range=(0, 80),
    )
    cutoff, band = drawn.bands
    assert cutoff.line
    assert cutoff.height == 0
    assert not band.line
    assert band.height > 0
    assert (band.low, band.high) == (40, 60)


def test_one_session_is_drawn_in_the_middle():
    drawn = panel(Series("a", "Ann", "#000", ((4, 50.0),)), sessions=(4, 4))
    assert drawn.line("a").points[0].x == pytest.approx(
        (drawn.left + drawn.right) / 2, abs=0.1
    )


@pytest.mark.parametrize(
    ("first", "last", "ticks"),
    [
        (1, 7, [1, 2, 3, 4, 5, 6, 7]),
        (1, 12, [2, 4, 6, 8, 10, 12]),
        (3, 30, [6, 10, 14, 18, 22, 26, 30]),
    ],
)
def test_session_ticks_always_name_the_latest(first, last, ticks):
    assert session_ticks(first, last) == ticks


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 100, [0, 25, 50, 75, 100]),
        (0, 80, [0, 20, 40, 60, 80]),
        (0, 27, [0, 10, 20]),
        (1, 7, [2, 4, 6]),
    ],
)
def test_value_ticks_are_round_numbers(low, high, ticks):
    assert value_ticks(low, high) == ticks
