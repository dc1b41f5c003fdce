"""Which change counts, per instrument: every symptom measure with a change rule
has a usable threshold from the first case, and the ones without say why."""

import numpy as np
import pytest

from tether.instruments import bundled_definitions
from tether.signals import SignalConfig, compute_signals
from tether.signals.thresholds import (
    MEANINGFUL,
    NEEDS_CLINIC_SD,
    NO_CHANGE_NORMS,
    RELIABLE,
    change_rule,
    clinic_intake_sds,
    missing_change_rule,
    sd_key,
)

from .conftest import LIBRARY, table

OUTCOME_DEFINITIONS = [
    d for d in bundled_definitions() if d.role in ("symptom", "outcome")
]


def total_rule(key, config=None, clinic_sd=None):
    definition = LIBRARY.get(key)
    return change_rule(
        definition.key,
        definition.scale("total"),
        config or SignalConfig(),
        clinic_sd,
        LIBRARY,
    )


@pytest.mark.parametrize(
    ("key", "threshold", "basis", "reliable", "possible"),
    [
        ("pcl-5@past-week", 10, MEANINGFUL, 15, 5),
        ("pcl-5@past-month", 10, MEANINGFUL, 15, 5),
        ("phq-9", 6, RELIABLE, 6, None),
        ("gad-7", 4, RELIABLE, 4, None),
        ("ors", 5, RELIABLE, 5, None),
    ],
)
def test_published_thresholds_apply_from_the_first_case(
    key, threshold, basis, reliable, possible
):
    rule = total_rule(key)
    assert (rule.threshold, rule.basis, rule.reliable, rule.possible) == (
        threshold,
        basis,
        reliable,
        possible,
    )


def test_the_clinic_setting_makes_marx_15_the_pcl5_alert_and_drops_nothing_else():
    rule = total_rule("pcl-5", SignalConfig(change_alert_rule="reliable-change"))
    assert (rule.threshold, rule.basis, rule.reliable, rule.possible) == (
        15,
        RELIABLE,
        15,
        5,
    )
    # PHQ-9 publishes one value only: the setting changes nothing there.
    assert total_rule("phq-9", SignalConfig(change_alert_rule="reliable-change")) == (
        total_rule("phq-9")
    )


def test_phq9_is_labelled_with_its_reliable_change_source_not_the_mcid():
    rule = total_rule("phq-9")
    assert rule.source == (
        "NHS Talking Therapies manual: reliable change >= 6 points on the PHQ-9 [S]"
    )
    assert "MCID" not in rule.source


def test_phq9_and_gad7_recover_together():
    phq9, gad7 = total_rule("phq-9"), total_rule("gad-7")
    assert (phq9.partner.instrument_id, phq9.partner.caseness) == ("gad-7", 8)
    assert (gad7.partner.instrument_id, gad7.partner.caseness) == ("phq-9", 10)
    assert (phq9.partner.recovery.value, phq9.partner.recovery.inclusive) == (8, False)


def test_the_only_symptom_measures_without_a_default_rule_are_cats_and_cries8():
    without = {
        d.id: missing_change_rule(d, SignalConfig())
        for d in OUTCOME_DEFINITIONS
        if missing_change_rule(d, SignalConfig()) is not None
    }
    assert without == {"cats": NEEDS_CLINIC_SD, "cries-8": NO_CHANGE_NORMS}


def test_cats_gets_a_locally_derived_jacobson_truax_rule_from_30_clinic_intakes():
    rng = np.random.default_rng(1)
    intakes = rng.normal(30, 8, size=30).round()
    lines = [
        f"C{i},M1,identified-client,member,1,cats,total,{int(v)}"
        for i, v in enumerate(intakes)
    ]
    sds = clinic_intake_sds(table(*lines))
    sd = sds[sd_key("cats@1.0", "total")]
    assert sd == pytest.approx(np.std(intakes, ddof=1))
    rule = total_rule("cats", clinic_sd=sd)
    # Jacobson & Truax: 1.96 * sqrt(2) * SD * sqrt(1 - .88).
    assert rule.threshold == pytest.approx(1.959964 * np.sqrt(2) * sd * np.sqrt(0.12))
    assert "locally derived" in rule.source
    cats = LIBRARY.get("cats")
    assert missing_change_rule(cats, SignalConfig(), sds) is None


def test_29_intakes_are_too_few_for_a_clinic_sd():
    lines = [
        f"C{i},M1,identified-client,member,1,cats,total,{20 + i % 7}" for i in range(29)
    ]
    assert clinic_intake_sds(table(*lines)) == {}


def test_stored_clinic_sds_judge_one_case_as_the_whole_clinic_would():
    # One case alone has one intake; the clinic's stored SD still applies.
    lines = [
        "C1,M1,identified-client,member,1,cats,total,30",
        "C1,M1,identified-client,member,2,cats,total,45",
    ]
    alone = compute_signals(table(*lines), LIBRARY).signals
    assert alone.empty
    stored = {sd_key("cats@1.0", "total"): 10.0}
    signals = compute_signals(table(*lines), LIBRARY, intake_sds=stored)
    # 1.96 * sqrt(2) * 10 * sqrt(.12) = 9.6 points; 15 is a reliable deterioration.
    assert signals.signals["signal"].tolist() == ["reliable-deterioration"]
    assert signals.intake_sds == stored
