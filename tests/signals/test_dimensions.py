"""What the alliance is made of: TAC answers by dimension against the member's
own earlier level, checked against hand-computed cases."""

import pytest

from tether.signals.dimensions import (
    Fall,
    describe_falls,
    dimension_answers,
    dimension_changes,
    fell_most,
    fell_most_at,
    recent_against_earlier,
)

from .conftest import LIBRARY, table


def tac(member, session, *answers, role="caregiver", instrument="tac@1.0"):
    """`item:<id>` rows of one member's TAC answers, items 1, 2, …"""
    return [
        f"C1,{member},{role},member,{session},{instrument},item:{number},{value}"
        for number, value in enumerate(answers, 1)
        if value != ""
    ]


# Respect (item 2) was 4, 4, 3 and is 1 in session 4; goals (item 5) went from
# 3 to 2; nothing else moved.
RESPECT_DROP = [
    *tac("M1", 1, 3, 4, 3, 3, 3, 3, 3),
    *tac("M1", 2, 3, 4, 3, 3, 3, 3, 3),
    *tac("M1", 3, 3, 3, 3, 3, 3, 3, 3),
    *tac("M1", 4, 3, 1, 3, 3, 2, 3, 3),
]


def test_each_answered_tac_item_is_one_dimension_value_in_the_order_of_the_form():
    answers = dimension_answers(table(*tac("M1", 1, 3, 4, 3, 3, 2, 3, 1)), LIBRARY)
    assert answers["dimension"].tolist() == [
        "empathy",
        "respect",
        "genuineness",
        "warmth",
        "goal",
        "task",
        "safety",
    ]
    assert set(answers["level"]) == {"self"}
    assert answers["value"].tolist() == [3, 4, 3, 3, 2, 3, 1]
    assert set(answers["low"]) == {0}
    assert set(answers["high"]) == {4}


def test_the_earlier_level_is_the_mean_of_up_to_three_earlier_sessions():
    changes = dimension_changes(dimension_answers(table(*RESPECT_DROP), LIBRARY))
    respect = changes[changes["dimension"] == "respect"].set_index("session")
    assert respect.loc[1, "earlier_sessions"] == 0
    assert respect["earlier"].isna().loc[1]
    assert respect.loc[3, "earlier"] == pytest.approx(4.0)
    # (4 + 4 + 3) / 3 = 3.667; 3.667 − 1 = 2.667
    assert respect.loc[4, "earlier"] == pytest.approx(11 / 3)
    assert respect.loc[4, "fall"] == pytest.approx(11 / 3 - 1)
    goal = changes[(changes["dimension"] == "goal") & (changes["session"] == 4)]
    assert goal["fall"].item() == pytest.approx(1.0)


def test_the_window_drops_sessions_older_than_three():
    lines = [*RESPECT_DROP, *tac("M1", 5, 3, 1, 3, 3, 3, 3, 3)]
    changes = dimension_changes(dimension_answers(table(*lines), LIBRARY))
    respect = changes[changes["dimension"] == "respect"].set_index("session")
    # Session 5 looks back at sessions 2-4: (4 + 3 + 1) / 3.
    assert respect.loc[5, "earlier"] == pytest.approx(8 / 3)


def test_respect_is_named_as_what_fell_most():
    changes = dimension_changes(dimension_answers(table(*RESPECT_DROP), LIBRARY))
    assert fell_most(changes, "C1", "M1", "tac@1.0", 4) == [
        Fall("self", "respect", "2", pytest.approx(11 / 3), 1.0, pytest.approx(8 / 3))
    ]
    assert describe_falls(fell_most(changes, "C1", "M1", "tac@1.0", 4)) == (
        "respect (from 3.7 to 1)"
    )


def test_every_dimension_tied_for_the_largest_fall_is_named():
    lines = [
        *tac("M1", 1, 3, 3, 3, 3, 3, 3, 3),
        *tac("M1", 2, 1, 3, 3, 3, 3, 1, 3),
    ]
    changes = dimension_changes(dimension_answers(table(*lines), LIBRARY))
    names = [f.dimension for f in fell_most(changes, "C1", "M1", "tac@1.0", 2)]
    assert names == ["empathy", "task"]


def test_nothing_is_named_when_nothing_fell_or_at_the_first_session():
    changes = dimension_changes(dimension_answers(table(*RESPECT_DROP), LIBRARY))
    assert fell_most(changes, "C1", "M1", "tac@1.0", 1) == []
    assert fell_most(changes, "C1", "M1", "tac@1.0", 2) == []


def test_the_family_levels_are_named_with_their_level():
    lines = [
        *tac("M1", 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4),
        *tac("M1", 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1),
        "C1,M2,child,member,1,tac-child@1.0,self,3",
    ]
    changes = dimension_changes(dimension_answers(table(*lines), LIBRARY))
    falls = fell_most(changes, "C1", "M1", "tac@1.0", 2)
    assert [(f.level, f.dimension, f.items) for f in falls] == [
        ("within", "safety", "11")
    ]
    assert describe_falls(falls) == "safety within the family (from 4 to 1)"


def test_only_members_own_alliance_items_are_read():
    lines = [
        *tac("M1", 1, 3, 3, 3, 3, 3, 3, 3),
        "C1,M1,caregiver,therapist,1,tac-t@1.0,item:2,0",
        "C1,M1,caregiver,member,1,phq-9,item:9,2",
        "C1,M1,caregiver,member,1,tac@1.0,self,3",
    ]
    answers = dimension_answers(table(*lines), LIBRARY)
    assert set(answers["instrument"]) == {"tac@1.0"}
    assert len(answers) == 7


def test_the_child_form_has_its_four_dimensions():
    lines = tac("M2", 1, 4, 3, 2, 1, role="child", instrument="tac-child@1.0")
    answers = dimension_answers(table(*lines), LIBRARY)
    assert answers["dimension"].tolist() == ["empathy", "warmth", "goal", "safety"]


def test_falls_are_found_for_each_row_asked_about_in_its_order():
    frame = table(*RESPECT_DROP)
    at = frame[frame["scale"] == "item:1"][["case_id", "member_id", "instrument"]]
    at = at.assign(session=[4, 1, 2, 3])
    falls = fell_most_at(frame, LIBRARY, at)
    # Session 3: respect 3 against 4 before, the only fall.
    assert [[f.dimension for f in found] for found in falls] == [
        ["respect"],
        [],
        [],
        ["respect"],
    ]


def test_the_latest_sessions_are_read_against_the_members_level_before_them():
    lines = [*RESPECT_DROP, *tac("M1", 5, 3, 1, 3, 3, 3, 3, 3)]
    answers = dimension_answers(table(*lines), LIBRARY)
    shown = recent_against_earlier(answers, recent=2)
    assert sorted(set(shown["session"])) == [4, 5]
    respect = shown[shown["dimension"] == "respect"].set_index("session")
    # Sessions 1-3 before the two shown: (4 + 4 + 3) / 3.
    assert respect["earlier"].tolist() == [pytest.approx(11 / 3)] * 2
    assert respect["below"].tolist() == [pytest.approx(8 / 3)] * 2
    assert (respect["earlier_first"].iloc[0], respect["earlier_last"].iloc[0]) == (
        1,
        3,
    )


def test_with_no_earlier_session_there_is_no_earlier_level():
    answers = dimension_answers(table(*RESPECT_DROP), LIBRARY)
    shown = recent_against_earlier(answers, recent=4)
    assert shown["earlier"].isna().all()
