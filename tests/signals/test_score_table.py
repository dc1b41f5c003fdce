"""Checking the long-format score table: every problem names its row."""

import pandas as pd
import pytest

from tether.signals import ScoreTableError, check_scores, read_scores

from .conftest import HEADER, LIBRARY, table


def problems(lines, columns=HEADER):
    rows = [line.split(",") for line in lines]
    with pytest.raises(ScoreTableError) as caught:
        check_scores(pd.DataFrame(rows, columns=columns), LIBRARY)
    return caught.value.problems


def test_a_good_table_is_typed_and_enriched():
    frame = table(
        "C1,M1,caregiver,member,1,tac,self,3.5", "C1,M2,child,member,1,tac-child,self,"
    )
    assert frame["session"].dtype.kind == "i"
    assert frame["score"].isna().tolist() == [False, True]
    # A bare id is the default version: TAC 1.1, TAC-C 1.1 (0-3).
    assert frame["instrument"].tolist() == ["tac@1.1", "tac-child@1.1"]
    assert frame["age_band"].tolist() == ["adult", "youth"]
    assert set(frame["case_kind"]) == {"family"}
    assert frame["high"].tolist() == [4.0, 3.0]


def test_case_kind_is_derived_from_who_takes_part():
    frame = table(
        "A,M1,identified-client,member,1,tac,self,3",
        "B,M1,identified-client,member,1,tac,self,3",
        "B,M2,partner,member,1,tac,self,3",
    )
    assert frame.groupby("case_id")["case_kind"].first().to_dict() == {
        "A": "individual",
        "B": "couple",
    }


WITH_SUBSYSTEM = [*HEADER, "case_kind", "age_band", "subsystem"]


def with_subsystem(*lines):
    rows = [line.split(",") for line in lines]
    return check_scores(pd.DataFrame(rows, columns=WITH_SUBSYSTEM), LIBRARY)


def test_an_empty_subsystem_is_derived_from_the_role_and_a_given_one_is_kept():
    frame = with_subsystem(
        "C1,M1,caregiver,member,1,tac,self,3,family,adult,",
        "C1,M2,child,member,1,tac-child,self,3,family,youth,",
        "C1,M3,other,member,1,tac,self,3,family,adult,caregivers",
        "C1,M4,caregiver,member,1,tac,self,3,family,adult,none",
        "C1,family,family,therapist,1,tac-t,family,3,family,,",
    )
    assert frame["subsystem"].tolist() == [
        "caregivers",
        "children",
        "caregivers",
        "",
        "",
    ]


def test_without_the_column_every_subsystem_is_derived():
    frame = table(
        "C1,M1,caregiver,member,1,tac,self,3",
        "C1,M2,identified-client,member,1,tac,self,3",
        "C1,M3,child,member,1,tac-child,self,3",
        "C2,M1,identified-client,member,1,tac,self,3",
        "C2,M2,partner,member,1,tac,self,3",
    )
    assert frame["subsystem"].tolist() == [
        "caregivers",
        "caregivers",  # an adult identified client: a parent who is the veteran
        "children",
        "couple",
        "couple",
    ]


def test_an_unknown_subsystem_is_named_with_its_row():
    found = problems(
        ["C1,M1,caregiver,member,1,tac,self,3,family,adult,parents"], WITH_SUBSYSTEM
    )
    assert found == [
        "row 2: subsystem 'parents' is not caregivers, children, couple or none"
    ]


def test_a_missing_column_is_named():
    with pytest.raises(ScoreTableError, match="missing column: score"):
        check_scores(pd.DataFrame([["C1"] * 7], columns=HEADER[:-1]), LIBRARY)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "C1,M1,caregiver,member,1,tac,self,high",
            "row 2: score 'high' is not a number",
        ),
        (
            "C1,M1,caregiver,member,0,tac,self,3",
            "row 2: session '0' is not a whole number from 1",
        ),
        (
            "C1,M1,caregiver,member,1.5,tac,self,3",
            "row 2: session '1.5' is not a whole number from 1",
        ),
        (
            "C1,M1,caregiver,client,1,tac,self,3",
            "row 2: respondent 'client' is not member or therapist",
        ),
        (
            "C1,M1,aunt,member,1,tac,self,3",
            "row 2: member_role 'aunt' is not one of identified-client, partner, caregiver, child, sibling, other, family",
        ),
        (
            "C1,M1,caregiver,member,1,tac-x,self,3",
            "row 2: instrument 'tac-x' is not known",
        ),
        (
            "C1,M1,caregiver,member,1,tac,total,3",
            "row 2: scale 'total' is not a scale of tac@1.1 (self, core-conditions, family-therapist, family, within-family)",
        ),
        (
            "C1,M1,caregiver,member,1,tac,self,4.5",
            "row 2: score 4.5 is outside 0–4 for tac@1.1 self",
        ),
        (
            "C1,M1,caregiver,member,1,phq-9,item:12,1",
            "row 2: scale 'item:12': phq-9@1.0 has no item '12'",
        ),
        (",M1,caregiver,member,1,tac,self,3", "row 2: case_id is empty"),
    ],
)
def test_each_bad_cell_is_reported_with_its_row(line, message):
    assert problems([line]) == [message]


def test_a_duplicate_row_is_refused_with_the_row_of_the_repeat():
    assert problems(
        ["C1,M1,caregiver,member,1,tac,self,3", "C1,M1,caregiver,member,1,tac,self,2"]
    ) == [
        "row 3: duplicate row: the same case, member, respondent, session, instrument and scale as an earlier row"
    ]


def test_problems_are_listed_in_row_order_and_cut_after_fifty():
    lines = [f"C1,M1,caregiver,member,{i},tac,self,9" for i in range(1, 61)]
    listed = problems(lines)
    assert listed[0] == "row 2: score 9 is outside 0–4 for tac@1.1 self"
    assert listed[-1] == "… and 10 more problems"
    assert len(listed) == 51


def test_an_empty_file_is_reported(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ScoreTableError, match="is empty"):
        read_scores(path, LIBRARY)


def test_a_table_of_column_names_without_rows_is_refused_not_a_key_error():
    with pytest.raises(ScoreTableError, match="no score rows"):
        check_scores(pd.DataFrame(columns=HEADER), LIBRARY)


def test_problems_name_the_row_numbers_given():
    listed = problems(
        ["C1,M1,caregiver,member,1,tac,self,9", "C1,M1,caregiver,member,2,tac,self,1"]
    )
    assert listed == ["row 2: score 9 is outside 0–4 for tac@1.1 self"]
    rows = [
        line.split(",")
        for line in (
            "C1,M1,caregiver,member,1,tac,self,1",
            "C1,M1,caregiver,member,2,tac,self,9",
        )
    ]
    with pytest.raises(ScoreTableError) as caught:
        check_scores(pd.DataFrame(rows, columns=HEADER), LIBRARY, (4, 7))
    assert caught.value.problems == ["row 7: score 9 is outside 0–4 for tac@1.1 self"]
