"""Split alliances: docs/clinical-rules.md §Splits and its vectors SPLIT-1."""

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether.signals.alliance import Norms
from tether.signals.config import SignalConfig
from tether.signals.split import between_members, split_signals

CONFIG = SignalConfig(z_crit=1.96)


def members(values_by_session, kind="family", bands=None, forms=None):
    rows = []
    for session, values in enumerate(values_by_session, start=1):
        for index, value in enumerate(values):
            if value is None:
                continue
            band = bands[index] if bands else "adult"
            rows.append(
                {
                    "case_id": "C1",
                    "session": session,
                    "member_id": f"M{index + 1}",
                    "member_role": "caregiver" if band == "adult" else "child",
                    "age_band": band,
                    "case_kind": kind,
                    "instrument": forms[index] if forms else "x@1.0",
                    "pomp": value,
                }
            )
    return pd.DataFrame(rows)


NO_THERAPIST = pd.DataFrame(columns=["case_id", "session", "member_id", "pomp"])


def signals_of(
    frame, sem=2.5, between_sd=0.6, therapist=NO_THERAPIST, family_view=None
):
    norms = Norms({}, sem, between_sd, True)
    return split_signals(frame, therapist, norms, CONFIG, family_view)


def therapist_family_rating(*values):
    return pd.DataFrame(
        [
            {"case_id": "C1", "session": session, "member_id": "family", "pomp": v}
            for session, v in enumerate(values, start=1)
        ]
    )


def test_split_1_couple_55_vs_41_is_a_reliable_split_naming_the_lower_partner():
    out = signals_of(members([[55, 41]], kind="couple"))
    assert out["signal"].tolist() == ["split-dyad"]
    evidence = out.iloc[0]["evidence"]
    assert (evidence["lower"], evidence["difference"], evidence["threshold"]) == (
        "M2",
        14.0,
        6.9,
    )
    assert out.iloc[0]["subject"] == "member:M2"
    assert out.iloc[0]["severity"] == "yellow"


def test_split_1_family_4_5_3_2_4_0_is_split_with_the_family_sd():
    spread = between_members(members([[4.5, 3.2, 4.0]]).rename(columns={}))
    assert spread.iloc[0]["range"] == pytest.approx(1.3)
    assert spread.iloc[0]["sd"] == pytest.approx(0.6557, abs=1e-4)
    # The vector gives no SEM; the family rule also asks the lowest and the
    # highest to differ reliably, which an SEM of 0.25 on this scale allows
    # (1.96·√2·0.25 = 0.69 < 1.3), and an SEM of 2.5 would not.
    out = signals_of(members([[4.5, 3.2, 4.0]]), sem=0.25)
    assert out["signal"].tolist() == ["split-family"]
    assert signals_of(members([[4.5, 3.2, 4.0]]), sem=2.5).empty
    assert out.iloc[0]["evidence"]["lowest"] == "M2"


def test_a_dyad_difference_within_reliable_change_is_no_split():
    assert signals_of(members([[55, 49]], kind="couple")).empty


def test_a_split_in_two_consecutive_sessions_is_red_from_the_second():
    out = signals_of(members([[55, 41], [54, 40], [50, 49]], kind="couple"))
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["severity"], row["session"]) == ("red", 1)
    assert row["evidence"]["sessions"] == 2
    assert row["evidence"]["red_from_session"] == 2


def test_the_adult_youth_contrast_names_the_young_people_when_they_are_lower():
    frame = members([[80, 82, 60, 58]], bands=["adult", "adult", "youth", "youth"])
    out = signals_of(frame, between_sd=30)
    assert out["signal"].tolist() == ["split-adult-youth"]
    evidence = out.iloc[0]["evidence"]
    assert evidence["lower"] == "the young people"
    assert evidence["difference"] == 22.0
    # threshold 1.96 · 2.5 · √(1/2 + 1/2)
    assert evidence["threshold"] == 4.9


def test_the_family_below_the_therapists_rating_of_the_same_thing_is_a_split():
    """Like with like: the members' `family` scale against the therapist's
    `family` scale, not the members' own alliance."""
    own = members([[90, 92, 91]])
    view = members([[60, 62, 61]])
    out = signals_of(
        own,
        between_sd=30,
        therapist=therapist_family_rating(85.0),
        family_view=view,
    )
    assert out["signal"].tolist() == ["split-family-therapist"]
    evidence = out.iloc[0]["evidence"]
    assert (evidence["lower"], evidence["family_mean"], evidence["members"]) == (
        "the family",
        61.0,
        3,
    )
    # threshold 1.96 · 2.5 · √(1/3 + 1)
    assert evidence["threshold"] == 5.7


def test_members_own_alliance_is_never_compared_with_the_therapists_family_rating():
    out = signals_of(
        members([[60, 62, 61]]), between_sd=30, therapist=therapist_family_rating(85.0)
    )
    assert out.empty


def test_a_therapist_rating_below_the_familys_raises_no_split():
    out = signals_of(
        members([[80, 82, 81]]),
        between_sd=30,
        therapist=therapist_family_rating(50.0),
        family_view=members([[80, 82, 81]]),
    )
    assert out.empty


def test_members_on_different_forms_are_compared_only_as_information():
    """The child (TAC-C) is far below two adults (TAC): not an alert, because
    a different instrument is a different ruler; the adults agree."""
    frame = members(
        [[80, 82, 40]],
        bands=["adult", "adult", "youth"],
        forms=["tac@1.0", "tac@1.0", "tac-child@1.0"],
    )
    out = signals_of(frame, between_sd=10)
    assert out["signal"].tolist() == ["split-across-forms"]
    row = out.iloc[0]
    assert (row["severity"], row["subject"]) == ("info", "member:M3")
    assert (
        row["evidence"]["lower_instrument"],
        row["evidence"]["higher_instrument"],
    ) == (
        "tac-child",
        "tac",
    )


def test_within_one_instrument_a_split_is_an_alert_even_beside_another_form():
    frame = members(
        [[80, 82, 40, 79]],
        bands=["adult", "adult", "youth", "youth"],
        forms=["tac@1.0", "tac@1.0", "tac@1.0", "tac-child@1.0"],
    )
    out = signals_of(frame, between_sd=10)
    family = out[out["signal"] == "split-family"]
    assert family["subject"].tolist() == ["member:M3"]
    assert family.iloc[0]["evidence"]["instrument"] == "tac"
    assert "split-across-forms" not in out["signal"].tolist()


def test_tac_1_0_and_1_1_are_one_series():
    frame = members([[80, 40]], kind="couple", forms=["tac@1.0", "tac@1.1"])
    out = signals_of(frame)
    assert out["signal"].tolist() == ["split-dyad"]


def test_no_adult_youth_split_when_only_two_people_answered():
    """A parent and a child are a pair: the dyad split says it once."""
    frame = members([[80, 40]], bands=["adult", "youth"])
    out = signals_of(frame, between_sd=30)
    assert out["signal"].tolist() == ["split-dyad"]


def test_a_split_ends_when_a_later_session_shows_none():
    out = signals_of(members([[55, 41], [54, 40], [50, 49]], kind="couple"))
    assert out.iloc[0]["ended"] == "no such split at session 3"


def test_a_split_that_lasts_to_the_latest_session_has_not_ended():
    out = signals_of(members([[50, 49], [55, 41], [54, 40]], kind="couple"))
    assert out.iloc[0]["ended"] == ""


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=2, max_size=5))
def test_a_split_does_not_depend_on_the_order_of_members(values):
    kind = "couple" if len(values) == 2 else "family"
    results = set()
    for order in itertools.islice(itertools.permutations(values), 6):
        out = signals_of(members([list(order)], kind=kind), between_sd=20)
        results.add(
            tuple(
                sorted(
                    (r.signal, r.evidence.get("difference") or r.evidence.get("range"))
                    for r in out.itertuples()
                )
            )
        )
    assert len(results) == 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=2, max_size=4))
def test_adding_an_absent_member_changes_nothing(values):
    kind = "couple" if len(values) == 2 else "family"
    present = signals_of(members([values], kind=kind), between_sd=20)
    with_absent = signals_of(members([[*values, None]], kind=kind), between_sd=20)
    pd.testing.assert_frame_equal(present, with_absent)


def test_a_persistent_family_split_names_the_member_who_was_lower_throughout():
    """Seen on held-out families: runs were grouped per case and named after
    the lowest member of the last session. M1 is lower in sessions 1-3; in
    session 3 M2 also dips, just below M1: M1's split stays M1's."""
    out = signals_of(
        members([[2.0, 4.0, 4.2], [2.1, 4.1, 4.3], [2.2, 2.1, 4.4]]),
        sem=0.25,
        between_sd=1.0,
    )
    family = out[out["signal"] == "split-family"]
    by_subject = dict(zip(family["subject"], family["severity"], strict=True))
    assert by_subject["member:M1"] == "red"
    m1 = family[family["subject"] == "member:M1"].iloc[0]
    assert (m1["session"], m1["evidence"]["last_session"]) == (1, 2)
    # M2's one session as the lowest is its own, single-session (yellow) split.
    assert by_subject["member:M2"] == "yellow"


def test_a_split_keeps_its_identity_when_a_session_is_added():
    values = [[40, 70, 72], [41, 71, 70], [42, 70, 71]]
    before = signals_of(members(values[:2]), between_sd=10)
    after = signals_of(members(values), between_sd=10)
    key = ["signal", "subject", "session"]
    assert before[key].values.tolist() == after[key].values.tolist()


def test_a_session_where_one_partner_did_not_answer_does_not_break_a_split():
    """Session 2 had one answer: no comparison, so no evidence against it."""
    out = signals_of(members([[55, 41], [54, None], [54, 40]], kind="couple"))
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["severity"], row["session"]) == ("red", 1)
    assert (row["evidence"]["last_session"], row["evidence"]["red_from_session"]) == (
        3,
        3,
    )


def test_one_low_young_person_is_their_own_split_not_the_young_peoples():
    """Two adults and two young people; only M4 is low: the adult–youth gap
    vanishes without M4, so the family split names M4 and no group split is
    raised beside it."""
    frame = members([[80, 82, 79, 40]], bands=["adult", "adult", "youth", "youth"])
    out = signals_of(frame, between_sd=10)
    assert out["signal"].tolist() == ["split-family"]
    assert out.iloc[0]["subject"] == "member:M4"


def test_the_adult_youth_sides_follow_the_subsystems_as_the_clinician_edited_them():
    """M3 is 19 (an adult by age band) but the clinician put them with the
    children: the two of them, lower, are 'the young people'."""
    frame = members([[80, 82, 60, 58]], bands=["adult", "adult", "adult", "youth"])
    frame["subsystem"] = frame["member_id"].map(
        {"M1": "caregivers", "M2": "caregivers", "M3": "children", "M4": "children"}
    )
    out = signals_of(frame, between_sd=30)
    assert out["signal"].tolist() == ["split-adult-youth"]
    assert out.iloc[0]["evidence"]["lower"] == "the young people"
    by_age = signals_of(frame.drop(columns="subsystem"), between_sd=30)
    assert "split-adult-youth" not in by_age["signal"].tolist()


def test_a_group_is_lower_only_if_it_stays_lower_without_its_lowest_member():
    """The young people average below the adults only because of M3: without
    M3 they (95) are above the adults (70), so it is M3's own split."""
    frame = members([[70, 70, 20, 95]], bands=["adult", "adult", "youth", "youth"])
    out = signals_of(frame, sem=5, between_sd=10)
    assert "split-adult-youth" not in out["signal"].tolist()
    assert out[out["signal"] == "split-family"]["subject"].tolist() == ["member:M3"]


def test_across_forms_a_hint_needs_two_different_forms():
    """Two TAC answers (60, 72) and a child-form answer (65): the TAC pair
    differs by less than the reliable difference, and the forms of the lowest
    and the highest are the same, so there is no hint about forms."""
    frame = members(
        [[60, 72, 65]],
        bands=["adult", "adult", "youth"],
        forms=["tac@1.0", "tac@1.0", "tac-child@1.0"],
    )
    assert signals_of(frame, sem=5, between_sd=10).empty


def test_a_low_session_after_a_missed_one_does_not_end_the_split():
    """Session 3: one answer only; session 4 the same split again. The run
    from session 1 goes on; nothing says it ended."""
    out = signals_of(members([[55, 41], [54, 40], [60, None], [54, 40]], kind="couple"))
    assert out["ended"].tolist() == [""]
