"""Change since intake, recovery and one alert per outcome trend, on hand-made cases.

The numbers are the instruments' published ones (docs/signals.md, "Outcomes"):
PCL-5 5 / 10 / 15 points and recovery at 28 or below (VA guidance, Blanchard
2023, Marx 2022); PHQ-9 6 and GAD-7 4 points and recovery below 10 and 8 on both
(NHS Talking Therapies manual)."""

import pytest

from tether.signals import SignalConfig, compute_signals
from tether.signals.expected import ExpectedResponse

from .conftest import LIBRARY, table


def answers(instrument, *scores, member="M1", case="C1"):
    """One member's totals on one instrument, sessions 1, 2, … (None: not asked)."""
    return [
        f"{case},{member},identified-client,member,{session},{instrument},total,{score}"
        for session, score in enumerate(scores, start=1)
        if score is not None
    ]


def outcome(lines, config=None, models=None):
    signals = compute_signals(table(*lines), LIBRARY, config, models=models).signals
    return signals[signals["evidence"].map(lambda e: "baseline" in e or "intake" in e)]


def kinds(signals):
    return [
        (r.signal, r.severity, r.session, r.evidence["instrument"].split("@")[0])
        for r in signals.itertuples()
    ]


# ---- PCL-5: possible, clinically meaningful, reliable -------------------------


def test_a_12_point_pcl5_rise_alerts_as_clinically_meaningful_worsening():
    signals = outcome(answers("pcl-5", 40, 52))
    assert kinds(signals) == [("meaningful-worsening", "red", 2, "pcl-5")]
    evidence = signals.iloc[0]["evidence"]
    assert (evidence["change"], evidence["threshold"]) == (12, 10)
    assert "VA PCL-5 guidance" in evidence["threshold_source"]


def test_a_6_point_pcl5_rise_is_information_only():
    signals = outcome(answers("pcl-5", 40, 46))
    assert kinds(signals) == [("possible-change", "info", 2, "pcl-5")]
    evidence = signals.iloc[0]["evidence"]
    assert (evidence["direction"], evidence["change"], evidence["possible"]) == (
        "worse",
        6,
        5,
    )


def test_a_4_point_pcl5_rise_raises_nothing():
    assert outcome(answers("pcl-5", 40, 44)).empty


def test_a_12_point_pcl5_improvement_is_clinically_meaningful_improvement():
    assert kinds(outcome(answers("pcl-5", 60, 48))) == [
        ("meaningful-improvement", "green", 2, "pcl-5")
    ]


def test_the_clinic_setting_of_15_points_silences_a_12_point_rise():
    config = SignalConfig.from_mapping({"change_alert_rule": "reliable-change"})
    signals = outcome(answers("pcl-5", 40, 52), config)
    # Not an alert any more: below the clinic's threshold it is information only.
    assert kinds(signals) == [("possible-change", "info", 2, "pcl-5")]
    assert signals.iloc[0]["evidence"]["threshold"] == 15


def test_with_the_clinic_setting_a_15_point_rise_is_reliable_deterioration_after_marx():
    config = SignalConfig.from_mapping({"change_alert_rule": "reliable-change"})
    signals = outcome(answers("pcl-5", 40, 55), config)
    assert kinds(signals) == [("reliable-deterioration", "red", 2, "pcl-5")]
    source = signals.iloc[0]["evidence"]["threshold_source"]
    assert "Marx et al. 2022" in source
    assert "clinic's setting" in source


def test_an_unknown_change_alert_rule_is_refused():
    with pytest.raises(ValueError, match="change_alert_rule"):
        SignalConfig.from_mapping({"change_alert_rule": "lenient"})


# ---- recovery ------------------------------------------------------------------


def test_pcl5_recovery_is_a_reliable_15_point_fall_to_28_or_below():
    # 50 -> 28: 22 points (>= 15, Marx's reliable change), now <= 28, intake >= 33.
    signals = outcome(answers("pcl-5", 50, 28))
    assert kinds(signals) == [("recovery", "green", 2, "pcl-5")]
    evidence = signals.iloc[0]["evidence"]
    assert (evidence["reliable"], evidence["end"]) == (15, "at or below 28")


def test_pcl5_at_29_is_not_yet_recovered():
    assert kinds(outcome(answers("pcl-5", 50, 29))) == [
        ("meaningful-improvement", "green", 2, "pcl-5")
    ]


def test_pcl5_recovery_needs_the_reliable_change_not_only_the_end_point():
    # 40 -> 28 reaches the end point, but 12 points is meaningful, not reliable (15).
    assert kinds(outcome(answers("pcl-5", 40, 28))) == [
        ("meaningful-improvement", "green", 2, "pcl-5")
    ]


# ---- PHQ-9 and GAD-7: NHS Talking Therapies --------------------------------------


@pytest.mark.parametrize(
    ("instrument", "rise", "points"), [("phq-9", 6, 6), ("gad-7", 4, 4)]
)
def test_phq9_and_gad7_use_the_nhs_talking_therapies_reliable_change(
    instrument, rise, points
):
    signals = outcome(answers(instrument, 5, 5 + rise))
    assert kinds(signals) == [("reliable-deterioration", "red", 2, instrument)]
    evidence = signals.iloc[0]["evidence"]
    assert evidence["threshold"] == points
    assert evidence["threshold_source"].startswith("NHS Talking Therapies manual")


@pytest.mark.parametrize(("instrument", "rise"), [("phq-9", 5), ("gad-7", 3)])
def test_one_point_below_the_nhs_value_is_no_change(instrument, rise):
    assert outcome(answers(instrument, 5, 5 + rise)).empty


def test_gad7_gives_a_change_signal_with_one_case_only():
    # No clinic intake SD is needed: the published 4 points apply from the start.
    signals = outcome(answers("gad-7", 12, 7))
    assert kinds(signals) == [("recovery", "green", 2, "gad-7")]


def test_phq9_recovery_needs_the_gad7_below_8_as_well():
    # PHQ-9 14 -> 7 is a reliable fall (7 >= 6) below 10, but the GAD-7 is still 9.
    signals = outcome(answers("phq-9", 14, 7) + answers("gad-7", 12, 9))
    assert ("reliable-improvement", "green", 2, "phq-9") in kinds(signals)
    assert "recovery" not in set(signals["signal"])


def test_phq9_and_gad7_both_below_their_ends_is_recovery_on_each():
    signals = outcome(answers("phq-9", 14, 7) + answers("gad-7", 12, 6))
    assert sorted(kinds(signals)) == [
        ("recovery", "green", 2, "gad-7"),
        ("recovery", "green", 2, "phq-9"),
    ]
    by_instrument = {r.evidence["instrument"]: r.evidence for r in signals.itertuples()}
    assert by_instrument["phq-9@1.0"]["end"] == "below 10, with GAD-7 below 8 (now 6)"


def test_caseness_on_either_measure_at_intake_counts_for_recovery():
    # PHQ-9 9 at intake is not a case, but GAD-7 12 is: the pair was a case.
    signals = outcome(answers("phq-9", 9, 2) + answers("gad-7", 12, 6))
    assert ("recovery", "green", 2, "phq-9") in kinds(signals)


def test_no_case_on_either_measure_at_intake_is_no_recovery():
    signals = outcome(answers("phq-9", 9, 2) + answers("gad-7", 7, 2))
    assert "recovery" not in set(signals["signal"])


def test_gad7_caseness_is_8_not_its_diagnostic_cutoff_of_10():
    # GAD-7 8 -> 3 alone: a case at 8 (NHS Talking Therapies), now below 8, 5 >= 4.
    assert kinds(outcome(answers("gad-7", 8, 3))) == [("recovery", "green", 2, "gad-7")]


def test_the_partner_is_judged_on_its_latest_score_at_or_before_the_session():
    # GAD-7 answered at sessions 1 and 2 only: at session 3 its latest is 9.
    signals = outcome(answers("phq-9", 14, 12, 6) + answers("gad-7", 12, 9))
    assert "recovery" not in set(signals["signal"])
    signals = outcome(answers("phq-9", 14, 12, 6) + answers("gad-7", 12, 5))
    assert ("recovery", "green", 3, "phq-9") in kinds(signals)


# ---- one outcome trend, one alert ----------------------------------------------

FLAT = ExpectedResponse(
    beta=(40.0, 0.0, 1.0, 0.0),
    g=((0.0, 0.0), (0.0, 0.0)),
    sigma2=25.0,
    intake_mean=40.0,
    cases=150,
    observations=900,
)
"""By hand: μ(t | intake) = intake and sd_pred = 5, so the 80% bound is intake +
4.208 and the 90% bound intake + 6.408 (z 0.8416 and 1.2816)."""


def test_unfitted_a_16_point_pcl5_rise_is_one_alert_from_the_change_rule():
    signals = outcome(answers("pcl-5", 40, 56))
    assert kinds(signals) == [("meaningful-worsening", "red", 2, "pcl-5")]


def test_fitted_a_16_point_pcl5_rise_is_one_not_on_track_alert():
    signals = outcome(answers("pcl-5", 40, 56), models={"pcl-5@past-week": FLAT})
    assert kinds(signals) == [("not-on-track", "red", 2, "pcl-5")]
    evidence = signals.iloc[0]["evidence"]
    assert (evidence["expected"], evidence["upper80"], evidence["upper90"]) == (
        40,
        pytest.approx(44.2),
        pytest.approx(46.4),
    )


def test_fitted_the_model_bands_alone_set_the_severity():
    # 40 -> 45: above the 80% bound (44.2), below the 90% one (46.4): yellow, and
    # no possible-change information beside it.
    signals = outcome(answers("pcl-5", 40, 45), models={"pcl-5@past-week": FLAT})
    assert kinds(signals) == [("not-on-track", "yellow", 2, "pcl-5")]


def test_fitted_a_rise_within_the_bands_is_no_alert_even_at_the_change_threshold():
    wide = ExpectedResponse(
        beta=(40.0, 0.0, 1.0, 0.0),
        g=((0.0, 0.0), (0.0, 0.0)),
        sigma2=400.0,
        intake_mean=40.0,
        cases=150,
        observations=900,
    )
    # sd_pred 20: bounds 56.8 and 65.6; a 16-point rise to 56 is inside them.
    signals = outcome(answers("pcl-5", 40, 56), models={"pcl-5@past-week": wide})
    assert signals.empty


def test_fitted_improvement_still_comes_from_the_change_rule():
    signals = outcome(answers("pcl-5", 50, 28), models={"pcl-5@past-week": FLAT})
    assert kinds(signals) == [("recovery", "green", 2, "pcl-5")]


def test_with_no_model_for_the_instrument_the_change_rule_alerts():
    signals = outcome(answers("pcl-5", 40, 56), models={"pcl-5@past-week": None})
    assert kinds(signals) == [("meaningful-worsening", "red", 2, "pcl-5")]
