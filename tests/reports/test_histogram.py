"""The dashboard's small bar charts: values counted in their bands, a round
count axis, and each cutoff drawn at the edge where the values past it
begin (reports/histogram.py)."""

from tether.core import palette
from tether.reports.dashboard import CHANGE_EDGES
from tether.reports.histogram import Cutoff, bins_of, histogram, tick_step


def test_values_fall_in_their_bands_and_the_ends_take_everything_beyond():
    labels = [str(i) for i in range(len(CHANGE_EDGES) - 1)]
    bins = bins_of(
        [-80, -30, -29, -10, -9, -1, 0, 4, 5, 10, 29, 30, 80], CHANGE_EDGES, labels
    )
    counts = [b.count for b in bins]
    # ≤−30: −80, −30 | −29..−25: −29 | −14..−10: −10 | −9..−5: −9 | −4..−1: −1
    # | 0..4: 0, 4 | 5..9: 5 | 10..14: 10 | 25..29: 29 | ≥30: 30, 80
    assert counts == [2, 1, 0, 0, 1, 1, 1, 2, 1, 1, 0, 0, 1, 2]
    assert [(b.low, b.high) for b in bins[4:10]] == [
        (-14, -10),
        (-9, -5),
        (-4, -1),
        (0, 4),
        (5, 9),
        (10, 14),
    ]


def test_a_cutoff_of_ten_points_is_drawn_between_the_bands_it_separates():
    labels = [str(i) for i in range(len(CHANGE_EDGES) - 1)]
    bins = bins_of([12, -12], CHANGE_EDGES, labels)
    chart = histogram(
        "c",
        "Change",
        "summary",
        bins,
        x_title="points",
        y_title="cases",
        cutoffs=[Cutoff(-10, "below", "better"), Cutoff(10, "above", "worse")],
    )
    slot = (chart.right - chart.left) / len(bins)
    better, worse = chart.cutoffs
    assert better.x == chart.left + 5 * slot  # right of −14..−10
    assert worse.x == chart.left + 9 * slot  # left of 10..14
    assert (better.anchor, worse.anchor) == ("end", "start")
    assert chart.colour in palette.SERIES
    assert chart.cutoff_colour == palette.CUTOFF


def test_bars_grow_from_the_axis_to_their_count_on_a_round_scale():
    bins = bins_of([1, 1, 1, 15], (0, 10, 20), ["0–9", "10–19"])
    chart = histogram("a", "A", "s", bins, x_title="x", y_title="y")
    assert [t.text for t in chart.y_ticks] == ["0", "1", "2", "3"]
    tall, short = chart.bars
    assert tall.y == chart.top
    assert tall.y + tall.height == short.y + short.height == chart.bottom
    assert short.height == tall.height / 3


def test_the_count_axis_steps_by_one_two_or_five_times_a_power_of_ten():
    assert [tick_step(n) for n in (0, 5, 6, 10, 11, 30, 240)] == [1, 1, 2, 2, 5, 10, 50]
