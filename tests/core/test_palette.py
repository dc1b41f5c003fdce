"""The one chart palette: every two series colours are told apart under normal
vision and simulated deuteranopia and protanopia (Machado et al. 2009, full
severity), by at least MIN_DELTA_E in CIEDE2000, and each stands out on white."""

import itertools

import pytest
from coloraide import Color

from tether.core import palette

VISIONS = ("normal", "deuteranopia", "protanopia")
FILTERS = {"deuteranopia": "deutan", "protanopia": "protan"}


def seen(colour: str, vision: str) -> Color:
    """The colour as a person with that vision sees it."""
    c = Color(colour)
    if vision in FILTERS:
        c = c.filter(FILTERS[vision], method="machado")
    return c.convert("srgb")


def difference(a: str, b: str, vision: str) -> float:
    return seen(a, vision).delta_e(seen(b, vision), method="2000")


def test_the_colour_difference_is_ciede2000_as_published():
    """Sharma, Wu & Dalal 2005, table 1, pairs 1, 7 and 17."""
    pairs = [
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ]
    for first, second, expected in pairs:
        a, b = Color("lab-d65", list(first)), Color("lab-d65", list(second))
        assert a.delta_e(b, method="2000") == pytest.approx(expected, abs=1e-4)


def test_the_simulation_loses_the_red_green_difference():
    """The test can fail: red and green that differ plainly in normal vision
    come close under simulated deuteranopia."""
    red, green = "#d62728", "#6b8e23"
    assert difference(red, green, "normal") > 30
    assert difference(red, green, "deuteranopia") < palette.MIN_DELTA_E


@pytest.mark.parametrize("vision", VISIONS)
def test_every_two_series_colours_differ_enough(vision):
    worst = min(
        (difference(a, b, vision), a, b)
        for a, b in itertools.combinations(palette.SERIES, 2)
    )
    assert worst[0] >= palette.MIN_DELTA_E, (
        f"{worst[1]} and {worst[2]} differ by only {worst[0]:.1f} ({vision})"
    )


def test_the_series_colours_are_all_different_and_the_bound_is_not_loose():
    assert len(set(palette.SERIES)) == len(palette.SERIES)
    smallest = min(
        difference(a, b, vision)
        for a, b in itertools.combinations(palette.SERIES, 2)
        for vision in VISIONS
    )
    assert smallest < palette.MIN_DELTA_E + 1.5


@pytest.mark.parametrize(
    "colour", [*palette.SERIES, *palette.ALERT.values(), palette.CUTOFF]
)
def test_each_colour_stands_out_on_white(colour):
    assert Color(colour).contrast("white") >= 3.0


@pytest.mark.parametrize("vision", VISIONS)
def test_the_two_alert_marks_differ(vision):
    assert (
        difference(palette.ALERT["red"], palette.ALERT["yellow"], vision)
        >= palette.MIN_DELTA_E
    )


def test_a_person_keeps_their_colour_and_a_seventh_starts_again():
    assert palette.person(0) == palette.PEOPLE[0]
    assert palette.person(2) == palette.PEOPLE[2]
    assert palette.person(len(palette.PEOPLE)) == palette.PEOPLE[0]
    assert palette.subsystem(1) == palette.SUBSYSTEMS[1]
