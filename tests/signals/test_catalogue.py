"""Every signal comes with its rule, source, explanation and suggestions."""

from tether.signals.catalogue import catalogue, describe, rule_name
from tether.signals.model import Signal


def test_a_rupture_is_explained_with_its_numbers_and_state():
    signal = Signal(
        "rupture",
        "red",
        "C1",
        "member:M2",
        4,
        {
            "member": "M2",
            "previous": 81.3,
            "current": 58.3,
            "drop": 23.0,
            "threshold": 14.4,
            "prior_mean": 80.2,
            "repaired_session": None,
        },
        "unrepaired",
    )
    explained = describe(signal, names={"M2": "Leo"})
    assert explained.title == "Possible alliance rupture"
    assert "Leo" in explained.explanation
    assert "58.3" in explained.explanation
    assert "unrepaired" in explained.explanation
    assert "Gumz et al. 2012" in explained.source
    assert "McLaughlin et al. 2014" in explained.source
    assert 2 <= len(explained.suggestions) <= 4


def test_missing_evidence_reads_as_a_dash_not_an_error():
    signal = Signal(
        "not-on-track", "yellow", "C1", "member:M1", 5, {"member": "M1", "score": 40.0}
    )
    assert "—" in describe(signal).explanation


def test_every_number_a_rule_states_follows_the_configuration():
    """Change each setting: every placeholder whose value moves with it (the
    setting itself, or a number derived from it) moves the rendered text of
    every rule that states it (issue "Alerts that are right": the text shown
    says exactly what the code does)."""
    import re
    from dataclasses import fields, replace

    from tether.signals.catalogue import catalogue, rule_text, rule_values
    from tether.signals.config import SignalConfig

    default = SignalConfig()
    before = rule_values(default)
    stated = set()
    live = set()
    for field in fields(SignalConfig):
        value = getattr(default, field.name)
        if not isinstance(value, int | float):
            continue
        changed = replace(
            default, **{field.name: value + (1 if isinstance(value, int) else 0.37)}
        )
        after = rule_values(changed)
        moved = {name for name in before if after[name] != before[name]}
        assert field.name in moved
        for kind, entry in catalogue().items():
            if set(re.findall(r"{(\w+)}", entry["rule"])) & moved:
                assert rule_text(kind, changed) != rule_text(kind, default), (
                    kind,
                    field.name,
                )
                stated.add(field.name)
        live |= moved
    # No placeholder is a constant: each moves with some setting.
    for entry in catalogue().values():
        assert set(re.findall(r"{(\w+)}", entry["rule"])) <= live
    assert {
        "z_crit",
        "rupture_k",
        "rupture_min_prior",
        "repair_window",
        "rupture_min_answer_steps",
        "rupture_item_at_or_above",
        "split_persistent_sessions",
        "not_on_track_yellow_z",
        "not_on_track_red_z",
        "etr_min_cases",
        "etr_min_sessions",
        "low_support_below",
        "disengagement_missed",
        "within_safety_low_at_or_below",
    } <= stated


def test_the_default_rule_texts_state_the_published_numbers():
    from tether.signals.catalogue import rule_text

    rupture = rule_text("rupture")
    assert "1.96·√2·SEM" in rupture
    assert (
        "16.7 points on the four-item child form, 5.6 on TAC; "
        "12.5 and 7.1 on their version 1.0" in rupture
    )
    assert "worse than 80% (yellow) or 90% (red)" in rule_text("not-on-track")
    assert "in 2 or more consecutive sessions" in rule_text("split-dyad")


def test_alert_titles_name_their_instrument_so_two_recoveries_read_apart():
    def recovery(instrument):
        return Signal(
            "recovery",
            "green",
            "C1",
            "member:M1",
            6,
            {"member": "M1", "instrument": instrument, "baseline": 40, "current": 20},
        )

    titles = [describe(recovery(key)).title for key in ("pcl-5@past-week", "phq-9@1.0")]
    assert titles == ["Recovery on PCL-5", "Recovery on PHQ-9"]


def test_a_title_without_its_instrument_says_this_measure():
    signal = Signal("reliable-improvement", "green", "C1", "member:M1", 3, {})
    assert describe(signal).title == "Reliable improvement on this measure"


def test_a_rule_is_named_without_the_measure_its_alerts_name():
    assert rule_name("risk-item") == "Risk item endorsed"
    assert rule_name("possible-change") == "Possible change, not yet meaningful"
    assert rule_name("risk-item-skipped") == "Risk item not answered — ask in session"
    assert rule_name("rupture") == "Possible alliance rupture"
    assert all("{" not in rule_name(kind) for kind in catalogue())
