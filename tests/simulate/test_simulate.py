"""The synthetic cohort: determinism, valid scores, planted events, CSV round trip."""

import csv
import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from tether.instruments import Library, bundled_definitions
from tether.simulate import (
    EVENTS,
    SCORE_COLUMNS,
    TRUTH_COLUMNS,
    SimulationConfig,
    simulate_cohort,
    write_cohort,
)

LIBRARY = Library(bundled_definitions())
COHORT = simulate_cohort(300, seed=7)
SCORES = COHORT.scores
TRUTH = COHORT.truth
KEY = ["case_id", "member_id", "respondent", "session", "instrument", "scale"]


def events(kind):
    return TRUTH[TRUTH["event"] == kind]


def own_alliance():
    """Each member's own alliance (TAC or TAC-C `self`), indexed by case, member, session."""
    rows = SCORES[(SCORES["respondent"] == "member") & (SCORES["scale"] == "self")]
    return rows.set_index(["case_id", "member_id", "session"])["score"].sort_index()


def test_the_same_seed_gives_identical_frames():
    first = simulate_cohort(40, seed=11)
    second = simulate_cohort(40, seed=11)
    pd.testing.assert_frame_equal(first.scores, second.scores)
    pd.testing.assert_frame_equal(first.truth, second.truth)


def test_a_different_seed_gives_different_frames():
    first = simulate_cohort(40, seed=11)
    other = simulate_cohort(40, seed=12)
    assert not first.scores.equals(other.scores)
    assert not first.truth.equals(other.truth)


def test_a_case_does_not_depend_on_how_many_cases_were_asked_for():
    few = simulate_cohort(10, seed=3)
    many = simulate_cohort(25, seed=3)
    first_ten = set(few.scores["case_id"])
    pd.testing.assert_frame_equal(
        few.scores, many.scores[many.scores["case_id"].isin(first_ten)]
    )
    pd.testing.assert_frame_equal(
        few.truth, many.truth[many.truth["case_id"].isin(first_ten)]
    )


def test_the_frames_have_the_documented_columns_and_types():
    assert tuple(SCORES.columns) == SCORE_COLUMNS
    assert tuple(TRUTH.columns) == TRUTH_COLUMNS
    assert SCORES["session"].dtype == np.int64
    assert SCORES["score"].dtype == np.float64
    assert str(TRUTH["end_session"].dtype) == "Int64"
    assert set(SCORES["respondent"]) == {"member", "therapist"}
    assert set(SCORES["case_kind"]) == {"individual", "couple", "family"}
    for detail in TRUTH["detail"]:
        assert isinstance(json.loads(detail), dict)


def test_case_and_member_ids_follow_the_pattern():
    assert SCORES["case_id"].str.fullmatch(r"C\d{5}").all()
    assert SCORES["case_id"].min() == "C00001"
    assert SCORES["case_id"].max() == "C00300"
    assert SCORES["member_id"].str.fullmatch(r"M\d|family").all()
    family_rows = SCORES[SCORES["member_id"] == "family"]
    assert set(family_rows["member_role"]) == {"family"}
    assert set(family_rows["instrument"] + "/" + family_rows["scale"]) == {
        "tac-t@1.0/family"
    }
    assert family_rows["age_band"].isna().all()
    assert set(SCORES.loc[SCORES["member_id"] != "family", "age_band"]) == {
        "adult",
        "youth",
    }


def test_every_instrument_and_scale_written_exists_in_the_bundled_definitions():
    for (instrument, scale), _ in SCORES.groupby(["instrument", "scale"]):
        definition = LIBRARY.get(instrument)
        if scale.startswith("item:"):
            assert definition.item(scale.removeprefix("item:")).risk is not None
        else:
            definition.scale(scale)  # raises KeyError when unknown
    assert set(SCORES["instrument"]) == {
        "tac@1.0",
        "tac-child@1.0",
        "tac-t@1.0",
        "pcl-5@past-week",
        "phq-9",
        "mspss",
    }


def test_every_score_lies_in_its_scales_range():
    answered = SCORES.dropna(subset=["score"])
    for (instrument, scale), rows in answered.groupby(["instrument", "scale"]):
        definition = LIBRARY.get(instrument)
        if scale.startswith("item:"):
            allowed = {option.value for option in definition.options}
            assert set(rows["score"]) <= allowed, (instrument, scale)
        else:
            low, high = definition.scale_bounds(definition.scale(scale))
            assert rows["score"].between(low, high).all(), (instrument, scale)


@pytest.mark.parametrize(
    ("instrument", "scale", "step"),
    [
        ("tac@1.0", "self", 1 / 7),
        ("tac-child@1.0", "self", 1 / 4),
        ("tac@1.0", "family-therapist", 1 / 2),
        ("tac@1.0", "within-family", 1 / 2),
        ("pcl-5@past-week", "total", 1),
        ("phq-9", "total", 1),
        ("mspss", "family", 1 / 4),
        ("mspss", "total", 1 / 12),
    ],
)
def test_scores_lie_on_the_grid_their_items_allow(instrument, scale, step):
    rows = SCORES[(SCORES["instrument"] == instrument) & (SCORES["scale"] == scale)]
    values = rows["score"].dropna().to_numpy()
    assert values.size > 0
    steps = values / step
    assert np.allclose(steps, np.round(steps), atol=1e-3)


def test_every_case_has_6_to_20_consecutive_sessions():
    sessions = SCORES.groupby("case_id")["session"].agg(["min", "max", "nunique"])
    assert (sessions["min"] == 1).all()
    assert sessions["max"].between(6, 20).all()
    assert (sessions["nunique"] == sessions["max"]).all()
    assert sessions["max"].nunique() > 10  # spread over the range


def test_the_case_kinds_come_in_the_configured_shares():
    kinds = SCORES.groupby("case_id")["case_kind"].first().value_counts(normalize=True)
    assert kinds["individual"] == pytest.approx(0.30, abs=0.08)
    assert kinds["couple"] == pytest.approx(0.25, abs=0.08)
    assert kinds["family"] == pytest.approx(0.45, abs=0.08)


def test_children_answer_the_child_form_and_only_13_plus_answer_tac_and_mspss():
    child_form = SCORES[SCORES["instrument"] == "tac-child@1.0"]
    assert set(child_form["age_band"]) == {"youth"}
    children = set(zip(child_form["case_id"], child_form["member_id"], strict=True))
    grown = SCORES[SCORES["instrument"].isin(["tac@1.0", "mspss"])]
    assert children.isdisjoint(
        set(zip(grown["case_id"], grown["member_id"], strict=True))
    )
    individual = SCORES[SCORES["case_kind"] == "individual"]
    assert set(individual["member_id"]) == {"M1"}
    pairs = set(individual["instrument"] + "/" + individual["scale"])
    assert pairs.isdisjoint(
        {"tac@1.0/family-therapist", "tac@1.0/within-family", "tac-t@1.0/family"}
    )


def test_no_row_is_duplicated():
    assert not SCORES.duplicated(subset=KEY).any()


def test_every_kind_of_planted_event_is_present_in_a_300_case_cohort():
    assert set(TRUTH["event"]) == set(EVENTS)


def test_every_case_has_exactly_one_pcl5_trajectory_class():
    classes = TRUTH[TRUTH["event"].str.startswith("pcl5-")]
    assert classes["case_id"].is_unique
    assert len(classes) == 300
    assert (classes["member_id"] == "M1").all()


def test_planted_events_happen_at_roughly_their_configured_rates():
    cases = TRUTH.groupby("event")["case_id"].nunique() / 300
    assert cases["rupture"] == pytest.approx(0.25, abs=0.07)
    assert cases["therapist-overestimation"] == pytest.approx(0.15, abs=0.06)
    assert cases["missed"] == pytest.approx(0.10, abs=0.05)
    assert cases["low-support"] == pytest.approx(0.10, abs=0.05)
    splits = cases[[e for e in EVENTS if e.startswith("split-")]].sum()
    assert splits == pytest.approx(0.35 * 0.70, abs=0.08)


def test_ruptures_sit_inside_the_allowed_sessions():
    last = SCORES.groupby("case_id")["session"].max()
    for rupture in events("rupture").itertuples():
        assert 4 <= rupture.session <= last[rupture.case_id] - 2
        repaired = json.loads(rupture.detail)["repaired"]
        if repaired:
            assert rupture.end_session == rupture.session + 1
        else:
            assert pd.isna(rupture.end_session)


def test_a_rupture_drops_and_an_unrepaired_one_stays_low():
    alliance = own_alliance()
    ratios = []
    for rupture in events("rupture").itertuples():
        detail = json.loads(rupture.detail)
        series = alliance.loc[(rupture.case_id, rupture.member_id)]
        t = rupture.session
        pre = series.loc[t - 3 : t - 1].mean()
        assert pre - series.loc[t] > 0.5 * detail["drop"]
        after = series.loc[t + 1 :].mean()
        if detail["repaired"]:
            assert abs(series.loc[t + 1] - pre) < 0.6
        else:
            assert pre - after > 0.5 * detail["drop"]
            ratios.append((pre - after) / detail["drop"])
    assert len(ratios) >= 10
    assert np.mean(ratios) >= 0.7


def test_a_split_member_is_lower_than_the_others_during_the_split():
    alliance = own_alliance()
    therapist_family = (
        SCORES[SCORES["member_id"] == "family"]
        .set_index(["case_id", "session"])["score"]
        .sort_index()
    )
    gaps: dict[str, list[float]] = {}
    for split in TRUTH[TRUTH["event"].str.startswith("split-")].itertuples():
        lowered = json.loads(split.detail)["members"]
        window = slice(split.session, split.end_session)
        assert split.end_session - split.session + 1 >= 3
        assert split.session == 1  # present from the first session
        case = alliance.loc[split.case_id].unstack("member_id").loc[window]
        if split.event == "split-family-therapist":
            others = therapist_family.loc[split.case_id].loc[window]
            gap = others.mean() - case[lowered].mean(axis=1).mean()
        else:
            rest = [m for m in case.columns if m not in lowered]
            gap = case[rest].mean(axis=1).mean() - case[lowered].mean(axis=1).mean()
        gaps.setdefault(split.event, []).append(gap)
    assert set(gaps) == {e for e in EVENTS if e.startswith("split-")}
    for event, values in gaps.items():
        assert np.mean(values) >= 0.9, event


def test_split_member_ids_name_the_lowered_part():
    for split in TRUTH[TRUTH["event"].str.startswith("split-")].itertuples():
        lowered = json.loads(split.detail)["members"]
        if split.event == "split-family-therapist":
            assert split.member_id == "family"
        elif split.event == "split-adult-youth":
            assert split.member_id == "youth"
        else:
            assert [split.member_id] == lowered


def test_the_therapist_overestimates_the_planted_member():
    ratings = SCORES[SCORES["scale"] == "self"].pivot_table(
        index=["case_id", "member_id", "session"], columns="respondent", values="score"
    )
    gap = (
        (ratings["therapist"] - ratings["member"])
        .groupby(["case_id", "member_id"])
        .mean()
    )
    planted = (
        events("therapist-overestimation").set_index(["case_id", "member_id"]).index
    )
    assert gap.loc[planted].mean() > 0.6
    assert abs(gap.drop(planted).mean()) < 0.1


def test_deteriorators_rise_after_onset_and_end_worse_than_at_intake():
    pcl5 = (
        SCORES[SCORES["instrument"] == "pcl-5@past-week"]
        .set_index(["case_id", "session"])["score"]
        .sort_index()
    )
    rises, worse = [], []
    for event in events("pcl5-deteriorator").itertuples():
        series = pcl5.loc[event.case_id]
        o = event.session
        assert o >= 4
        assert o <= series.index.max() - 3
        rises.append(series.loc[o + 1 :].mean() - series.loc[o - 2 : o - 1].mean())
        worse.append(series.loc[o + 1 :].mean() - series.loc[1])
    assert len(rises) >= 10
    assert np.mean(rises) >= 15
    assert np.mean(worse) >= 5


def test_responders_improve_and_non_responders_do_not():
    pcl5 = SCORES[SCORES["instrument"] == "pcl-5@past-week"]
    change = pcl5.groupby("case_id")["score"].agg(
        lambda s: s.iloc[-3:].mean() - s.iloc[0]
    )
    responders = events("pcl5-responder")["case_id"]
    non_responders = events("pcl5-non-responder")["case_id"]
    assert change[responders].mean() < -15
    assert abs(change[non_responders].mean()) < 5


def test_phq9_item_9_is_zero_except_at_planted_risk_items():
    item9 = SCORES[SCORES["scale"] == "item:9"].dropna(subset=["score"])
    endorsed = item9[item9["score"] > 0]
    planted = events("risk-item")
    assert set(zip(endorsed["case_id"], endorsed["session"], strict=True)) == set(
        zip(planted["case_id"], planted["session"], strict=True)
    )
    for event in planted.itertuples():
        detail = json.loads(event.detail)
        assert detail["instrument"] == "phq-9"
        assert detail["item"] == "9"
        row = endorsed[endorsed["case_id"] == event.case_id]
        assert row["score"].item() == detail["value"]


def test_mspss_is_asked_every_fourth_session_and_low_support_only_where_planted():
    mspss = SCORES[SCORES["instrument"] == "mspss"]
    assert set(mspss["session"] % 4) == {1}
    family = mspss[mspss["scale"] == "family"].dropna(subset=["score"])
    low = family[family["score"] < 3]
    planted = events("low-support")
    assert set(zip(low["case_id"], low["member_id"], strict=True)) == set(
        zip(planted["case_id"], planted["member_id"], strict=True)
    )
    for event in planted.itertuples():
        rows = low[
            (low["case_id"] == event.case_id) & (low["member_id"] == event.member_id)
        ]
        assert rows["session"].min() == event.session


def test_a_missed_member_answers_nothing_in_two_consecutive_sessions():
    for event in events("missed").itertuples():
        assert event.end_session == event.session + 1
        rows = SCORES[
            (SCORES["case_id"] == event.case_id)
            & (SCORES["member_id"] == event.member_id)
            & (SCORES["respondent"] == "member")
        ]
        during = rows["session"].between(event.session, event.end_session)
        assert during.sum() > 0
        assert rows.loc[during, "score"].isna().all()
        assert rows.loc[~during, "score"].notna().all()
    assert SCORES.loc[SCORES["respondent"] == "therapist", "score"].notna().all()
    missing = SCORES[SCORES["score"].isna()]
    by_event = events("missed")
    assert set(zip(missing["case_id"], missing["member_id"], strict=True)) == set(
        zip(by_event["case_id"], by_event["member_id"], strict=True)
    )


def test_a_missed_session_never_overlaps_another_event_of_that_member():
    for event in events("missed").itertuples():
        missed = {event.session, event.session + 1}
        others = TRUTH[
            (TRUTH["case_id"] == event.case_id)
            & (TRUTH["event"] != "missed")
            & ~TRUTH["event"].isin(["pcl5-responder", "pcl5-non-responder"])
        ]
        for other in others.itertuples():
            members = json.loads(other.detail).get("members", [other.member_id])
            if event.member_id not in members:
                continue
            end = other.end_session if pd.notna(other.end_session) else 10**6
            if other.event in ("low-support", "pcl5-deteriorator"):
                end = other.session
            assert not any(other.session <= s <= end for s in missed), other.event


def test_a_cohort_has_about_170_rows_per_case():
    # 10,000 cases should give 1.0-2.0 million rows.
    assert 100 <= len(SCORES) / 300 <= 200


def test_write_cohort_round_trips(tmp_path):
    scores_path, truth_path = write_cohort(COHORT, tmp_path / "out" / "cohort")
    assert scores_path.name == "scores.csv"
    assert truth_path.name == "truth.csv"
    scores = pd.read_csv(scores_path)
    truth = pd.read_csv(truth_path, dtype={"end_session": "Int64"})
    pd.testing.assert_frame_equal(scores, SCORES)
    pd.testing.assert_frame_equal(truth, TRUTH)


def test_written_scores_are_plain_numbers_and_empty_when_missed(tmp_path):
    scores_path, _ = write_cohort(COHORT, tmp_path)
    with scores_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == SCORE_COLUMNS
    assert all(not row["score"].endswith(".0") for row in rows)
    pcl5 = [row["score"] for row in rows if row["instrument"] == "pcl-5@past-week"]
    assert all(value.isdigit() for value in pcl5 if value)
    empty = {(row["case_id"], row["member_id"]) for row in rows if row["score"] == ""}
    missed = events("missed")
    assert empty == set(zip(missed["case_id"], missed["member_id"], strict=True))


def test_an_empty_cohort_has_the_columns_and_no_rows(tmp_path):
    cohort = simulate_cohort(0, seed=1)
    assert tuple(cohort.scores.columns) == SCORE_COLUMNS
    assert tuple(cohort.truth.columns) == TRUTH_COLUMNS
    assert cohort.scores.empty
    assert cohort.truth.empty
    scores_path, _ = write_cohort(cohort, tmp_path)
    assert scores_path.read_text().strip() == ",".join(SCORE_COLUMNS)


def test_a_custom_config_changes_the_cohort():
    calm = SimulationConfig(
        rupture_rate=0.0, split_rate=0.0, missed_rate=0.0, sessions=(8, 8)
    )
    cohort = simulate_cohort(50, seed=7, config=calm)
    assert not cohort.truth["event"].isin(["rupture", "missed"]).any()
    assert not cohort.truth["event"].str.startswith("split-").any()
    assert (cohort.scores.groupby("case_id")["session"].max() == 8).all()
    assert cohort.scores["score"].notna().all()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"individual_share": 0.5}, "must be 1"),
        ({"rupture_rate": 1.5}, "rupture_rate"),
        ({"sessions": (4, 20)}, "sessions"),
        ({"unrepaired_kept": (0.5, 1.0)}, "unrepaired_kept"),
        ({"split_drop": (1.4, 0.9)}, "split_drop"),
        ({"alliance_residual_sd": -0.1}, "alliance_residual_sd"),
    ],
)
def test_a_bad_config_is_refused_with_the_field_named(changes, message):
    with pytest.raises(ValueError, match=message):
        SimulationConfig(**changes)


@pytest.mark.parametrize(("cases", "seed"), [(-1, 1), (3, -2), (2.5, 1), (3, "x")])
def test_bad_arguments_are_refused(cases, seed):
    with pytest.raises(ValueError, match="whole number"):
        simulate_cohort(cases, seed)


# ---- the realistic mode (data as noisy as a clinic's) ------------------------------

REALISTIC = simulate_cohort(300, seed=7, config=SimulationConfig.realistic())


def test_realistic_mode_has_the_documented_parameters():
    config = SimulationConfig.realistic()
    assert config.alliance_residual_sd == pytest.approx(0.06 * 4)  # 6% of 0-4
    assert config.family_scales_sd == pytest.approx(0.06 * 4)
    assert config.rupture_drop == pytest.approx((0.15 * 4, 0.25 * 4))
    assert config.split_drop == pytest.approx((0.15 * 4, 0.25 * 4))
    assert config.skipped_member_sessions == 0.15
    assert config.alliance_mean == 3.4
    assert SimulationConfig().skipped_member_sessions == 0.0


def test_realistic_alliance_crowds_near_the_ceiling():
    realistic = REALISTIC.scores
    own = realistic[
        (realistic["respondent"] == "member") & (realistic["scale"] == "self")
    ]
    default = own_alliance()
    assert own["score"].median() > default.median() + 0.3
    assert (own["score"] == 4).mean() > 3 * (default == 4).mean()
    assert (own["score"] == 4).mean() > 0.10


def test_realistic_mode_leaves_out_about_15_percent_of_member_sessions_after_intake():
    def member_sessions(scores):
        members = scores[
            (scores["respondent"] == "member")
            & (scores["scale"].isin(["self"]))
            & (scores["session"] > 1)
        ]
        return len(members.drop_duplicates(["case_id", "member_id", "session"]))

    # The same seed draws the same cases, so the realistic cohort's member-sessions
    # can be compared with how many there would be without gaps.
    without_gaps = dataclasses.replace(
        SimulationConfig.realistic(), skipped_member_sessions=0.0
    )
    full = simulate_cohort(300, seed=7, config=without_gaps).scores
    share = 1 - member_sessions(REALISTIC.scores) / member_sessions(full)
    assert 0.13 < share < 0.17
    first = REALISTIC.scores[REALISTIC.scores["session"] == 1]
    assert len(first) == len(full[full["session"] == 1])  # everyone answers at intake


def test_the_default_mode_draws_exactly_as_before_the_realistic_mode_existed():
    """Gaps are drawn after everything else, and only when asked for."""
    again = simulate_cohort(300, seed=7, config=SimulationConfig())
    pd.testing.assert_frame_equal(again.scores, SCORES)
    assert len(REALISTIC.truth) == len(TRUTH)


def test_realistic_scores_stay_on_the_answer_grid():
    own = REALISTIC.scores[
        (REALISTIC.scores["instrument"] == "tac@1.0")
        & (REALISTIC.scores["scale"] == "self")
    ]
    sevenths = own["score"].dropna() * 7
    assert np.allclose(sevenths, np.round(sevenths), atol=1e-3)
