"""Every signal comes with its rule, source, explanation and suggestions."""

from tether.signals.catalogue import describe
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
    assert "methods.md §3.3" in explained.source
    assert 2 <= len(explained.suggestions) <= 4


def test_missing_evidence_reads_as_a_dash_not_an_error():
    signal = Signal(
        "not-on-track", "yellow", "C1", "member:M1", 5, {"member": "M1", "score": 40.0}
    )
    assert "—" in describe(signal).explanation


def test_every_number_a_rule_states_follows_the_configuration():
    """Change each setting that a rule text names: the rendered text changes
    with it, for every kind whose rule states it (issue "Alerts that are
    right": the text shown says exactly what the code does)."""
    from dataclasses import fields, replace

    from tether.signals.catalogue import catalogue, rule_text
    from tether.signals.config import SignalConfig

    default = SignalConfig()
    stated = set()
    for field in fields(SignalConfig):
        value = getattr(default, field.name)
        if not isinstance(value, int | float):
            continue
        changed = replace(
            default, **{field.name: value + (1 if isinstance(value, int) else 0.37)}
        )
        for kind, entry in catalogue().items():
            if "{" + field.name in entry["rule"] or _derived(field.name, entry["rule"]):
                assert rule_text(kind, changed) != rule_text(kind, default), (
                    kind,
                    field.name,
                )
                stated.add(field.name)
    assert {
        "z_crit",
        "rupture_k",
        "rupture_min_prior",
        "repair_window",
        "rupture_min_answer_steps",
        "split_persistent_sessions",
        "not_on_track_yellow_z",
        "not_on_track_red_z",
        "etr_min_cases",
        "etr_min_sessions",
        "low_support_below",
        "disengagement_missed",
    } <= stated


def _derived(name, rule):
    derived = {
        "rupture_min_answer_steps": ("{child_form_floor}", "{tac_floor}"),
        "not_on_track_yellow_z": ("{not_on_track_yellow_percent}",),
        "not_on_track_red_z": ("{not_on_track_red_percent}",),
    }
    return any(placeholder in rule for placeholder in derived.get(name, ()))


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
