"""Alliance levels, reliable change, not-on-track and discrepancy on hand-made cases."""

import numpy as np
import pandas as pd
import pytest

from tether.signals import compute_signals
from tether.signals.alliance import Norms, alliance_frame, alliance_levels, pomp
from tether.signals.config import SignalConfig
from tether.signals.discrepancy import discrepancy_signals
from tether.signals.outcome import change_signals, not_on_track_signals, outcome_scales

from .conftest import LIBRARY, table


def test_pomp_puts_any_range_on_0_to_100():
    assert pomp(pd.Series([0.0, 2.0, 4.0]), 0, 4).tolist() == [0, 50, 100]
    assert pomp(pd.Series([12.0, 60.0]), 12, 60).tolist() == [0, 100]


FAMILY = table(
    "C1,M1,caregiver,member,1,tac,self,4",
    "C1,M2,caregiver,member,1,tac,self,3",
    "C1,M3,child,member,1,tac-child@1.0,self,1",
    "C1,M4,sibling,member,1,tac-child@1.0,self,",
    "C1,M3,child,therapist,1,tac-t,self,3",
    "C1,family,family,therapist,1,tac-t,family,2",
)


def levels_of(frame):
    out = alliance_levels(alliance_frame(frame, LIBRARY))
    return {(r.level, r.subject): (r.value, r.spread, r.n) for r in out.itertuples()}


def test_three_levels_for_a_family_session():
    levels = levels_of(FAMILY)
    assert levels[("member", "member:M1")][0] == 100
    assert levels[("subsystem", "subsystem:caregivers")][:1] == (87.5,)
    assert levels[("subsystem", "subsystem:caregivers")][2] == 2
    assert levels[("subsystem", "subsystem:children")][0] == 25
    value, spread, n = levels[("family", "family")]
    assert (value, n) == (pytest.approx(200 / 3), 3)
    assert spread == pytest.approx(np.std([100, 75, 25], ddof=1))
    assert levels[("therapist", "member:M3")][0] == 75
    assert levels[("therapist", "family")][0] == 50


def test_an_absent_member_is_left_out_of_every_level():
    assert ("member", "member:M4") not in levels_of(FAMILY)
    assert levels_of(FAMILY)[("subsystem", "subsystem:children")][2] == 1


def test_an_individual_case_has_a_member_level_and_no_family_level():
    levels = levels_of(table("C2,M1,identified-client,member,1,tac,self,2"))
    assert set(levels) == {("member", "member:M1")}


def test_a_couple_is_one_subsystem():
    levels = levels_of(
        table(
            "C3,M1,identified-client,member,1,tac,self,2",
            "C3,M2,partner,member,1,tac,self,4",
        )
    )
    assert levels[("subsystem", "subsystem:couple")][0] == 75


def pcl5_case(*scores, case="C1"):
    return [
        f"{case},M1,identified-client,member,{s},pcl-5,total,{v}"
        for s, v in enumerate(scores, start=1)
    ]


def pcl5_spec(frame):
    (spec,) = [
        s
        for s in outcome_scales(frame, LIBRARY, SignalConfig())
        if s.instrument.startswith("pcl-5")
    ]
    return spec


def test_pcl5_uses_its_published_15_point_reliable_change():
    frame = table(*pcl5_case(50, 44, 36, 30))
    spec = pcl5_spec(frame)
    assert spec.threshold == 15
    out = change_signals(frame, spec)
    by_kind = {r.signal: r for r in out.itertuples()}
    # 50 -> 36 is 14 points: not reliable; 50 -> 30 is 20: reliable, and 30 < 33 after 50 >= 33.
    assert set(by_kind) == {"recovery"}
    assert by_kind["recovery"].session == 4
    assert by_kind["recovery"].evidence["change"] == -20


def test_reliable_improvement_without_leaving_the_clinical_range_is_not_recovery():
    out = change_signals(
        table(*pcl5_case(70, 50)), pcl5_spec(table(*pcl5_case(70, 50)))
    )
    assert out["signal"].tolist() == ["reliable-improvement"]


def test_a_rise_of_15_points_is_reliable_deterioration_and_red():
    frame = table(*pcl5_case(40, 45, 55))
    out = change_signals(frame, pcl5_spec(frame))
    assert out[["signal", "severity", "session"]].values.tolist() == [
        ["reliable-deterioration", "red", 3]
    ]


def test_with_few_cases_not_on_track_falls_back_to_reliable_deterioration():
    frame = table(*pcl5_case(40, 45, 55))
    signals, model = not_on_track_signals(frame, pcl5_spec(frame), SignalConfig())
    assert model is None
    assert signals["severity"].tolist() == ["red"]
    assert signals.iloc[0]["state"] == "reliable-change"
    assert signals.iloc[0]["evidence"]["method"] == "reliable-change rule"


def test_with_enough_cases_the_expected_response_model_flags_a_case_above_its_band():
    rng = np.random.default_rng(3)
    lines = []
    for case in range(120):
        intake = rng.normal(50, 8)
        for session in range(1, 9):
            y = intake - 8 * np.log(session) + rng.normal(0, 3)
            lines.append(
                f"C{case},M1,identified-client,member,{session},pcl-5,total,{int(np.clip(round(y), 0, 80))}"
            )
    lines += pcl5_case(50, 50, 52, 55, 58, 60, 62, 64, case="X")
    frame = table(*lines)
    signals, model = not_on_track_signals(frame, pcl5_spec(frame), SignalConfig())
    assert model is not None
    assert model.cases == 121
    flagged = signals[signals["case_id"] == "X"]
    assert flagged.iloc[0]["severity"] == "red"
    assert flagged.iloc[0]["evidence"]["method"] == "expected-response model"
    # Calibration: by construction about 10% of typical sessions lie above the
    # 90% bound and 20% above the 80% bound (methods §2.2).
    later = frame[(frame["session"] > 1) & (frame["case_id"] != "X")]
    intake = frame[frame["session"] == 1].set_index("case_id")["score"]
    mu = model.mean(later["session"], later["case_id"].map(intake))
    sd = model.sd(later["session"])
    above90 = np.mean(later["score"] > mu + 1.2816 * sd)
    above80 = np.mean(later["score"] > mu + 0.8416 * sd)
    assert above90 == pytest.approx(0.10, abs=0.04)
    assert above80 == pytest.approx(0.20, abs=0.05)


def test_the_therapist_rating_a_member_reliably_higher_is_an_info_signal_with_its_trend():
    frame = table(
        "C1,M1,caregiver,member,1,tac,self,2",
        "C1,M1,caregiver,therapist,1,tac-t,self,3",
        "C1,M1,caregiver,member,2,tac,self,2",
        "C1,M1,caregiver,therapist,2,tac-t,self,3.5",
    )
    alliance = alliance_frame(frame, LIBRARY)
    members = alliance[alliance["respondent"] == "member"]
    therapist = alliance[alliance["respondent"] == "therapist"]
    out = discrepancy_signals(
        members, therapist, Norms({}, 3.0, 10.0, True), SignalConfig()
    )
    assert out["severity"].tolist() == ["info"]
    evidence = out.iloc[0]["evidence"]
    assert (evidence["therapist"], evidence["client"], evidence["difference"]) == (
        87.5,
        50.0,
        37.5,
    )
    assert evidence["trend"] == -12.5


def test_compute_signals_orders_each_session_red_first(library):
    frame = table(
        *pcl5_case(40, 45, 55),
        "C1,M1,identified-client,member,3,phq-9,item:9,2",
    )
    signals = compute_signals(frame, library).signals
    session_3 = signals[signals["session"] == 3]
    assert session_3["severity"].iloc[0] == "red"
    assert set(session_3["signal"]) >= {
        "risk-item",
        "reliable-deterioration",
        "not-on-track",
    }
