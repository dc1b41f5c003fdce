"""Rupture and repair: docs/clinical-rules.md §Rupture and its vector RUP-1."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether.instruments import Library
from tether.signals import compute_signals
from tether.signals.alliance import Norms, alliance_frame
from tether.signals.config import SignalConfig
from tether.signals.rupture import rupture_signals, rupture_table

from .conftest import LIBRARY, table

CONFIG = SignalConfig(z_crit=1.96)


def series(values, member="M1"):
    return pd.DataFrame(
        {
            "case_id": "C1",
            "member_id": member,
            "instrument": "wai-sr@1.0",
            "session": np.arange(1, len(values) + 1),
            "pomp": np.asarray(values, dtype=float),
        }
    )


def test_rup_1_a_reliable_person_relative_drop_repaired_at_session_5():
    table = rupture_table(series([48, 50, 49, 38, 47, 50]), 2.5, CONFIG)
    s4 = table.iloc[3]
    assert s4["threshold"] == pytest.approx(6.93, abs=0.005)
    assert s4["drop"] == 11
    assert bool(s4["r1"])
    assert bool(s4["r2"])
    assert s4["prior_mean"] == pytest.approx(49.0)
    assert s4["prior_sd"] == pytest.approx(1.0)
    assert bool(s4["relative_drop"])  # R3: 11 >= 0.15 * 49 = 7.35
    assert table["rupture"].tolist() == [False, False, False, True, False, False]
    assert s4["pre_level"] == pytest.approx(49.0)
    assert s4["state"] == "repaired"
    assert s4["repaired_at"] == 5


def test_rup_1_the_same_series_without_recovery_is_unrepaired():
    table = rupture_table(series([48, 50, 49, 38, 40, 41]), 2.5, CONFIG)
    assert table.iloc[3]["state"] == "unrepaired"
    assert np.isnan(table.iloc[3]["repaired_at"])


def test_a_rupture_in_the_last_session_is_pending():
    table = rupture_table(series([48, 50, 49, 38]), 2.5, CONFIG)
    assert table.iloc[3]["state"] == "pending"


def test_a_reliable_drop_inside_the_persons_usual_swings_is_not_a_rupture():
    # Prior 40, 60, 45: sd 10.4, so 38 is within mean - 2 sd; the drop of 7 is reliable.
    table = rupture_table(series([40, 60, 45, 38]), 2.5, CONFIG)
    assert bool(table.iloc[3]["r1"])
    assert not table.iloc[3]["rupture"]


def test_with_fewer_than_three_prior_sessions_a_reliable_drop_alone_is_a_rupture():
    table = rupture_table(series([70, 60]), 2.5, CONFIG)
    assert table["rupture"].tolist() == [False, True]


def test_series_of_different_members_do_not_mix():
    both = pd.concat(
        [series([48, 50, 49, 38]), series([20, 50, 49, 48], member="M2")],
        ignore_index=True,
    )
    table = rupture_table(both, 2.5, CONFIG)
    assert table["rupture"].tolist() == [
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        False,
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=2, max_size=12), st.floats(0.5, 10))
def test_a_rupture_always_needs_a_drop_of_at_least_the_reliable_change(values, sem):
    table = rupture_table(series(values), sem, CONFIG)
    flagged = table[table["rupture"]]
    reliable = 1.96 * np.sqrt(2) * sem - 1e-9
    from_last = flagged["drop"] >= reliable
    from_level = flagged["pre_level"] - flagged["pomp"] >= reliable
    assert (from_last | from_level).all()


def test_a_fall_over_two_sessions_is_a_rupture_like_one_over_one():
    """Hand-made: 80, 80, 80, 72, 62 with SEM 5, so RC = 1.96·√2·5 = 13.86.
    Neither step (8, then 10) is a reliable drop, but 62 is below the repair
    floor, the mean of the three sessions before (77.33) minus 13.86 = 63.47,
    and below R2's bound, 78 − 2·max(3.27, 5) = 68: a rupture at session 5."""
    table = rupture_table(series([80, 80, 80, 72, 62]), 5.0, CONFIG)
    last = table.iloc[-1]
    assert not last["r1"]
    assert last["pre_level"] - last["threshold"] == pytest.approx(63.47, abs=0.01)
    assert table["rupture"].tolist() == [False] * 4 + [True]


def test_staying_low_after_a_fall_below_the_floor_is_not_a_second_rupture():
    # 62 is a rupture (above); 50 is below its own floor (71.33 − 13.86 = 57.47)
    # too, but the session before was already below the floor: one event.
    table = rupture_table(series([80, 80, 80, 72, 62, 50]), 5.0, CONFIG)
    assert table["rupture"].tolist() == [False] * 4 + [True, False]


def test_a_fall_below_the_floor_inside_the_persons_usual_swings_is_not_a_rupture():
    # Prior 40, 60, 45 swing widely (successive-difference SD 12.5): 30 is
    # 18.3 below their level, beyond RC (6.93) but not beyond R2's bound,
    # 48.3 − 2·12.5 = 23.3.
    table = rupture_table(series([40, 60, 45, 30]), 2.5, CONFIG)
    assert not table.iloc[3]["rupture"]


def test_an_unverified_scoring_key_raises_no_alliance_alert():
    """SOFTA-s ships without its reverse items (issue "Alerts that are right",
    item 10): a large drop in its total is shown, never alerted; the same drop
    on a definition with a verified key is a rupture."""
    softa = LIBRARY.get("softa-s")
    assert not softa.key_verified
    assert not LIBRARY.get("softa-s-t").key_verified
    assert not LIBRARY.get("wai-sr-t").key_verified
    scale = softa.scales[0]
    low, high = softa.scale_bounds(scale)
    lines = [
        f"C1,M1,identified-client,member,{session},{softa.key},{scale.id},{value:g}"
        for session, value in enumerate([high, high - 1, high, high - 1, low], start=1)
    ]
    shown = compute_signals(table(*lines), LIBRARY).signals
    assert "rupture" not in set(shown["signal"])
    verified = Library([replace(softa, key_verified=True)])
    alerted = compute_signals(table(*lines), verified).signals
    assert "rupture" in set(alerted["signal"])


def child_series(values, sem=1.0):
    """TAC-C 1.0 `self` answers (a mean of four items on 0-4, steps of 0.25) of one
    child."""
    frame = table(
        *(
            f"C1,M3,child,member,{session},tac-child@1.0,self,{value:g}"
            for session, value in enumerate(values, start=1)
        )
    )
    members = alliance_frame(frame, LIBRARY)
    return rupture_signals(members, Norms({}, sem, 10.0, True), CONFIG, LIBRARY)


def test_one_step_of_one_answer_on_the_child_form_is_never_a_rupture():
    # 3.0 -> 2.75 is 6.25 points; with a tiny SEM the threshold is still 12.5.
    assert child_series([3.0, 3.0, 3.0, 3.0, 2.75]).empty


def test_a_first_child_rupture_is_yellow_and_a_later_one_red():
    # "Totally" -> "Some" on one item: two steps, 12.5 points (issue item 9).
    out = child_series([3.0, 3.0, 3.0, 3.0, 2.5, 3.0, 3.0, 3.0, 3.0, 2.5], sem=3.0)
    assert out["session"].tolist() == [5, 10]
    assert out["severity"].tolist() == ["yellow", "red"]
    assert out.iloc[0]["evidence"]["threshold"] == 12.5


def test_the_threshold_floor_follows_the_configured_number_of_answer_steps():
    frame = table(
        *(
            f"C1,M3,child,member,{session},tac-child@1.0,self,{value:g}"
            for session, value in enumerate([3.0, 3.0, 3.0, 3.0, 2.25], start=1)
        )
    )
    members = alliance_frame(frame, LIBRARY)
    norms = Norms({}, 1.0, 10.0, True)
    assert not rupture_signals(members, norms, CONFIG, LIBRARY).empty  # 18.75 >= 12.5
    strict = SignalConfig(z_crit=1.96, rupture_min_answer_steps=4)  # floor 25
    assert rupture_signals(members, norms, strict, LIBRARY).empty


def tac_series(values, member="M1"):
    frame = table(
        *(
            f"C1,{member},identified-client,member,{session},tac,self,{value:g}"
            for session, value in enumerate(values, start=1)
        )
    )
    members = alliance_frame(frame, LIBRARY)
    return rupture_signals(members, Norms({}, 2.0, 10.0, True), CONFIG, LIBRARY)


def test_a_repaired_rupture_has_ended_with_the_session_of_its_repair():
    """Repair is good news (issue item 6): the alert says so and is closed."""
    out = tac_series([3.0, 3.0, 3.0, 3.0, 2.0, 3.0, 3.0])
    assert (out.iloc[0]["state"], out.iloc[0]["ended"]) == (
        "repaired",
        "repaired at session 6",
    )


def test_an_unrepaired_rupture_stays_open():
    out = tac_series([3.0, 3.0, 3.0, 3.0, 2.0, 2.0, 2.0])
    assert (out.iloc[0]["state"], out.iloc[0]["ended"]) == ("unrepaired", "")


def test_a_return_after_the_repair_window_is_a_late_repair():
    out = tac_series([3.0, 3.0, 3.0, 3.0, 2.0, 2.0, 2.0, 3.0])
    row = out.iloc[0]
    assert (row["state"], row["ended"]) == (
        "repaired-late",
        "repaired late, at session 8",
    )
    assert row["evidence"]["repaired_session"] == 8


def with_rupture_item(values, answers):
    """TAC 1.1 `self` scores and item 9 answers ("didn't sit right") of M1."""
    lines = []
    for session, (value, answer) in enumerate(zip(values, answers, strict=True), 1):
        lines.append(f"C1,M1,identified-client,member,{session},tac,self,{value:g}")
        if answer is not None:
            lines.append(
                f"C1,M1,identified-client,member,{session},tac,item:9,{answer}"
            )
    return compute_signals(table(*lines), LIBRARY, norms=Norms({}, 2.0, 10.0, True))


def test_agreeing_that_something_did_not_sit_right_is_a_rupture_whatever_the_scores():
    """R4 (docs/clinical-rules.md §Rupture): the member said so; the scores
    barely moved."""
    out = with_rupture_item([3.0, 3.0, 3.0, 3.0, 2.9], [0, 0, 0, 1, 3]).signals
    rupture = out[out["signal"] == "rupture"]
    assert rupture["session"].tolist() == [5]
    row = rupture.iloc[0]
    assert (row["severity"], row["state"]) == ("red", "reported")
    assert (row["evidence"]["item"], row["evidence"]["answer"]) == ("9", "Agree")


def test_not_sure_on_the_rupture_item_is_no_rupture():
    out = with_rupture_item([3.0] * 5, [0, 0, 0, 0, 2]).signals
    assert "rupture" not in out["signal"].tolist()


def test_a_score_rupture_the_member_also_reported_is_one_alert():
    out = with_rupture_item([3.0, 3.0, 3.0, 3.0, 1.5], [0, 0, 0, 0, 4]).signals
    rupture = out[out["signal"] == "rupture"]
    assert len(rupture) == 1
    row = rupture.iloc[0]
    assert row["state"] == "pending"
    assert row["evidence"]["reported"] == "Strongly agree"
    from tether.signals import to_signals
    from tether.signals.catalogue import describe

    text = describe(to_signals(rupture)[0]).explanation
    assert "also agreed that something in the session did not sit right" in text


def test_an_earlier_level_shift_no_longer_hides_a_drop():
    """Hand-made: a member low for two sessions (a split that ended), then
    steady at 80 for six, then 52. The plain SD of the earlier answers (13.9)
    would put R2's bound at 72.5 − 2·13.9 = 44.7, above nothing; their
    successive-difference SD, √(30² / (2·7)) = 8.02, puts it at 56.5, and 52
    is below it: a rupture."""
    out = rupture_table(series([50, 50, 80, 80, 80, 80, 80, 80, 52]), 2.0, CONFIG)
    last = out.iloc[-1]
    assert last["prior_sd"] == pytest.approx(13.887, abs=1e-3)
    assert last["successive_sd"] == pytest.approx(8.018, abs=1e-3)
    assert bool(last["r2"])
    assert out["rupture"].tolist() == [False] * 8 + [True]
