"""What an organization may set of the alert thresholds: every SignalConfig
field, each published default within its own range and with a source, and
each bad value named with what is wrong (signals/tunables.py)."""

import math

from tether.signals import SignalConfig
from tether.signals.tunables import (
    TUNABLES,
    check_settings,
    config_fields,
    default_of,
)


def test_every_signal_setting_can_be_set_and_says_where_its_default_comes_from():
    assert [t.name for t in TUNABLES] == sorted(
        config_fields(), key=[t.name for t in TUNABLES].index
    )
    assert {t.name for t in TUNABLES} == config_fields()
    for tunable in TUNABLES:
        assert tunable.source.strip(), tunable.name
        assert "[" in tunable.source, f"{tunable.name}: no evidence tag"


def test_the_published_defaults_pass_their_own_checks():
    defaults = {t.name: default_of(t.name) for t in TUNABLES}
    assert check_settings(defaults) == []
    assert SignalConfig.from_mapping(defaults) == SignalConfig()


def codes(values):
    return [(p.name, p.code) for p in check_settings(values)]


def test_each_bad_value_is_named_with_what_is_wrong():
    assert codes({"rupture_k": 9}) == [("rupture_k", "out-of-range")]
    assert codes({"rupture_k": 0.5, "repair_window": 6}) == []
    assert codes({"repair_window": 2.5}) == [("repair_window", "not-whole")]
    assert codes({"repair_window": 3.0}) == []
    for not_a_number in ("2", True, None, math.nan, math.inf):
        assert codes({"z_crit": not_a_number}) == [("z_crit", "not-a-number")]
    assert codes({"change_alert_rule": "gut"}) == [
        ("change_alert_rule", "not-a-choice")
    ]
    assert codes({"snooze": 1, "rupture_k": -1}) == [
        ("snooze", "unknown"),
        ("rupture_k", "out-of-range"),
    ]


def test_red_must_be_further_off_track_than_yellow():
    assert codes({"not_on_track_red_z": 0.8}) == [("not_on_track_red_z", "order")]
    assert codes({"not_on_track_yellow_z": 1.5, "not_on_track_red_z": 2.0}) == []
    assert codes({"not_on_track_yellow_z": 2.0}) == [("not_on_track_red_z", "order")]
