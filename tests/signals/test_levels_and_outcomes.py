"""Alliance levels, reliable change, not-on-track and discrepancy on hand-made cases."""

import numpy as np
import pandas as pd
import pytest

from tether.signals import check_scores, compute_signals
from tether.signals.alliance import Norms, alliance_frame, alliance_levels, pomp
from tether.signals.config import SignalConfig
from tether.signals.discrepancy import discrepancy_signals
from tether.signals.outcome import not_on_track_signals
from tether.signals.thresholds import outcome_scales

from .conftest import HEADER, LIBRARY, table


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


def test_an_adult_identified_client_counts_among_the_caregivers():
    levels = levels_of(
        table(
            "C4,M1,identified-client,member,1,tac,self,4",
            "C4,M2,caregiver,member,1,tac,self,2",
            "C4,M3,child,member,1,tac-child,self,1",
        )
    )
    assert levels[("subsystem", "subsystem:caregivers")] == (
        75,
        pytest.approx(np.std([100, 50], ddof=1)),
        2,
    )
    assert levels[("subsystem", "subsystem:children")][2] == 1


def test_the_subsystem_column_decides_the_subsystem_level():
    columns = [*HEADER, "subsystem"]
    rows = [
        "C5,M1,caregiver,member,1,tac,self,4,",
        "C5,M2,caregiver,member,1,tac,self,2,none",
        "C5,M3,sibling,member,1,tac,self,3,caregivers",
        "C5,M4,child,member,1,tac-child@1.0,self,1,",
    ]
    frame = check_scores(
        pd.DataFrame([r.split(",") for r in rows], columns=columns), LIBRARY
    )
    levels = levels_of(frame)
    # M1 and the older sibling M3, whom the clinician moved; M2 taken out.
    assert levels[("subsystem", "subsystem:caregivers")][0] == 87.5  # (100 + 75) / 2
    assert levels[("subsystem", "subsystem:caregivers")][2] == 2
    assert levels[("subsystem", "subsystem:children")][::2] == (25, 1)
    assert levels[("family", "family")][2] == 4


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


def test_with_few_cases_not_on_track_fits_no_model_and_leaves_worsening_to_the_change_rule():
    frame = table(*pcl5_case(40, 45, 56))
    signals, model = not_on_track_signals(frame, pcl5_spec(frame), SignalConfig())
    assert model is None
    assert signals.empty


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
    # 90% bound and 20% above the 80% bound (docs/clinical-rules.md §Expected response).
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
    assert set(session_3["signal"]) == {"risk-item", "meaningful-worsening"}


def test_a_low_alliance_run_has_ended_when_a_later_answer_is_not_low():
    from tether.signals.levels import low_alliance_signals

    from .conftest import LIBRARY, table

    frame = table(
        "C1,M1,identified-client,member,1,srs,total,30",
        "C1,M1,identified-client,member,2,srs,total,31",
        "C1,M1,identified-client,member,3,srs,total,38",
    )
    out = low_alliance_signals(frame, LIBRARY)
    assert out.iloc[0]["ended"] == "no low score at session 3"
    still = low_alliance_signals(frame[frame["session"] < 3], LIBRARY)
    assert still.iloc[0]["ended"] == ""
