"""Reading a clinic's score history (tether.interop.history): the records a
long-format or wide item file becomes, and every bad row with its column and
reason."""

import csv
import datetime as dt
import io

import pytest

from tether.instruments import Library, bundled_definitions
from tether.interop.history import HistoryError, read_history

LIBRARY = Library(bundled_definitions())
TODAY = dt.date(2026, 12, 1)
LONG_HEADER = "case_id,member_id,member_role,respondent,session,instrument,scale,score"


def read(text, **options):
    """The records of a CSV text, rows numbered as a spreadsheet shows them."""
    header, *rows = list(csv.reader(io.StringIO(text.strip() + "\n")))
    numbers = list(range(2, len(rows) + 2))
    options.setdefault("today", TODAY)
    return read_history(header, rows, numbers, LIBRARY, **options)


def problems(text, **options):
    with pytest.raises(HistoryError) as refused:
        read(text, **options)
    return refused.value.problems


FAMILY = f"""
{LONG_HEADER},session_date
C1,M1,caregiver,member,1,tac@1.0,self,3.43,2026-10-05
C1,M1,caregiver,member,1,phq-9,total,12,2026-10-05
C1,M1,caregiver,member,1,phq-9,item:9,0,2026-10-05
C1,M2,child,member,1,tac-child@1.0,self,2.75,2026-10-05
C1,M2,child,therapist,1,tac-t@1.0,self,3,2026-10-05
C1,family,family,therapist,1,tac-t@1.0,family,2.5,2026-10-05
C1,M1,caregiver,member,2,tac@1.0,self,,
C1,M2,child,member,2,tac-child@1.0,self,3,
"""


def test_a_long_format_file_becomes_cases_members_sessions_and_responses():
    history = read(FAMILY)
    assert history.format == "long"
    assert history.rows == 8
    [case] = history.cases
    assert (case.id, case.kind, case.row) == ("C1", "family", 2)
    caregiver, child = history.members
    assert (caregiver.id, caregiver.role, caregiver.age_band) == (
        "M1",
        "caregiver",
        "18+",
    )
    assert caregiver.subsystem == "caregivers"
    # A youth who answered the child form (ages 8-12) is 8-12.
    assert (child.id, child.age_band, child.subsystem) == ("M2", "8-12", "children")
    first, second = history.sessions
    assert (first.number, first.date, first.attended) == (
        1,
        dt.date(2026, 10, 5),
        {"M1", "M2"},
    )
    # M1 did not answer in session 2 (an empty score): not there.
    assert (second.date, second.attended) == (None, {"M2"})
    responses = {
        (r.member, r.respondent, r.session, r.instrument): r for r in history.responses
    }
    assert len(responses) == 7
    phq9 = responses[("M1", "member", 1, "phq-9@1.0")]
    assert dict(phq9.scores) == {"total": 12.0, "item:9": 0.0}
    assert dict(phq9.rows) == {"total": 3, "item:9": 4}
    assert responses[(None, "therapist", 1, "tac-t@1.0")].scores == {"family": 2.5}
    unanswered = responses[("M1", "member", 2, "tac@1.0")]
    assert dict(unanswered.scores) == {"self": None}
    assert not unanswered.answered


def test_every_bad_row_is_listed_with_its_column_and_reason():
    found = problems(
        f"""
{LONG_HEADER}
C1,M1,caregiver,member,1,tac@1.0,self,3
C1,M1,caregiver,member,1,tac@1.0,self,2
C1,M1,partner,member,2,tac@1.0,self,5
,M2,aunt,member,1.5,tac@1.0,selfish,NaN
C1,M3,child,member,1,phq-99,total,1
C1,M3,child,member,1,tac-t,self,2
C1,family,caregiver,therapist,1,tac-t@1.0,family,2
C1,M1,caregiver,member,3,phq-9,item:12,inf
"""
    )
    assert found == [
        "row 3: scale: duplicate of row 2: the same case, member, respondent, "
        "session, instrument and scale",
        "row 4: member_role: 'partner' here, but 'caregiver' on row 2 for M1 of case C1",
        "row 4: score: 5 is outside 0–4 for tac@1.0 self",
        "row 5: case_id: empty",
        "row 5: member_role: 'aunt' is not one of identified-client, partner, "
        "caregiver, child, sibling, other, family",
        "row 5: session: '1.5' is not a whole number from 1",
        "row 5: scale: 'selfish' is not a scale of tac@1.0 (self, core-conditions, "
        "family-therapist, family, within-family, or item:<id>)",
        "row 5: score: 'NaN' is not a number (leave it empty for a questionnaire "
        "not answered)",
        "row 6: instrument: 'phq-99' is not an instrument Tether knows "
        "(tether instruments list)",
        "row 7: respondent: tac-t@1.1 is the therapist's form: respondent must be "
        "therapist",
        "row 8: member_role: 'family' is only for a therapist's rating of the whole "
        "family (member_id family, member_role family, respondent therapist)",
        "row 9: scale: phq-9@1.0 has no item '12'",
        "row 9: score: 'inf' is not a number (leave it empty for a questionnaire "
        "not answered)",
    ]


def test_a_missing_column_is_named_on_row_1():
    assert problems("case_id,member_id,session\nC1,M1,1") == [
        f"row 1: {name}: missing column (a long-format score file needs case_id, "
        "member_id, member_role, respondent, session, instrument, scale, score; "
        "for a wide item file give its --instrument)"
        for name in ("member_role", "respondent", "instrument", "scale", "score")
    ]


def test_a_case_a_member_and_a_session_are_the_same_on_every_row():
    found = problems(
        f"""
{LONG_HEADER},case_kind,age_band,subsystem,session_date,clinician
C1,M1,caregiver,member,1,tac@1.0,self,3,family,adult,,2026-10-05,ames
C1,M1,caregiver,member,1,phq-9,total,3,couple,youth,none,2026-10-06,baker
C1,M1,caregiver,member,2,phq-9,total,3,family,adult,,2027-01-05,ames
C1,M1,caregiver,member,3,phq-9,total,3,family,adult,,05/10/2026,ames
"""
    )
    assert found == [
        "row 3: case_kind: 'couple' here, but 'family' on row 2 for case C1",
        "row 3: age_band: 'youth' here, but 'adult' on row 2 for M1 of case C1",
        "row 3: subsystem: 'none' here, but empty on row 2 for M1 of case C1",
        "row 3: session_date: '2026-10-06' here, but '2026-10-05' on row 2 for "
        "session 1 of case C1",
        "row 3: clinician: 'baker' here, but 'ames' on row 2 for case C1",
        "row 4: session_date: 2027-01-05 is after today",
        "row 5: session_date: '05/10/2026' is not a date (YYYY-MM-DD)",
    ]


def test_a_stored_case_keeps_its_kind():
    text = f"{LONG_HEADER},case_kind\nC1,M1,caregiver,member,1,tac,self,3,{{kind}}"
    # Alone in the file, M1 would make an individual case; C1 is stored as a family.
    history = read(text.format(kind=""), known_kinds={"C1": "family"})
    assert history.cases[0].kind == "family"
    assert history.members[0].subsystem == "caregivers"
    assert problems(text.format(kind="couple"), known_kinds={"C1": "family"}) == [
        "row 2: case_kind: case C1 is stored in Tether as a family case"
    ]


def test_a_member_taken_out_of_their_subsystem_is_in_none():
    history = read(
        f"""
{LONG_HEADER},subsystem
C1,M1,caregiver,member,1,tac,self,3,none
C1,M2,child,member,1,tac,self,3,
"""
    )
    caregiver, child = history.members
    assert (caregiver.subsystem, caregiver.by_role) == ("", "caregivers")
    assert (child.subsystem, child.by_role, child.age_band) == (
        "children",
        "children",
        "13-17",
    )


WIDE = """
case_id,member_id,member_role,session,name,Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9
C7,M1,identified-client,1,Ann,1,2,0,1,1,0,2,0,1
C7,M1,identified-client,2,Ann,,,,,,,,,
C7,M1,identified-client,3,Ann,3,3,NA,2,1,2,2,1,0
"""


def test_a_wide_file_gives_each_row_its_answers():
    history = read(WIDE, instrument="phq-9", item_columns="Q*")
    assert history.format == "wide"
    assert history.unread_columns == ("name",)
    assert [c.kind for c in history.cases] == ["individual"]
    first, empty, third = history.responses
    assert (first.instrument, first.respondent, first.row) == ("phq-9@1.0", "member", 2)
    assert first.answers["9"] == 1.0
    assert first.scores == {}
    assert not empty.answered
    assert set(empty.answers.values()) == {None}
    assert third.answers["3"] is None  # NA: not answered, as `tether score` reads it
    assert [s.attended for s in history.sessions] == [{"M1"}, set(), {"M1"}]


def test_every_bad_answer_of_a_wide_file_is_listed_by_its_column():
    found = problems(
        """
case_id,member_id,member_role,session,Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9
C7,M1,identified-client,1,1,4,0,1,1,0,2,0,x
C7,M1,identified-client,1,1,1,0,1,1,0,2,0,0
C7,M1,identified-client,0,1,1,0,1,1,0,2,0,0
""",
        instrument="phq-9",
        item_columns="Q*",
    )
    assert found == [
        "row 2: Q2: '4' is not an answer of phq-9@1.0 {0, 1, 2, 3}",
        "row 2: Q9: 'x' is not an answer of phq-9@1.0 {0, 1, 2, 3}",
        "row 3: session: duplicate of row 2: the same case, member, respondent and "
        "session",
        "row 4: session: '0' is not a whole number from 1",
    ]


def test_an_instrument_scored_only_whole_needs_every_answer_or_none():
    text = """
case_id,member_id,member_role,session,1,2,3,4
C7,M1,identified-client,1,8.5,9,,7
C7,M1,identified-client,2,,,,
"""
    assert problems(text, instrument="srs") == [
        "row 2: 3: not answered: srs@3.0 is scored only with every question "
        "answered (leave the whole row empty for a questionnaire not answered)"
    ]


def test_a_wide_file_of_the_therapists_form_says_who_rated():
    text = "case_id,member_id,member_role,session,{who}1,2,3,4,5,6,7,8,9,10\n"
    row = "C7,M1,caregiver,1,{who}3,3,3,3,3,3,3,,,\n"
    assert problems(
        text.format(who="") + row.format(who=""), instrument="tac-t@1.0"
    ) == [
        "row 2: respondent: tac-t@1.0 is the therapist's form: respondent must be "
        "therapist"
    ]
    history = read(
        text.format(who="respondent,") + row.format(who="therapist,"),
        instrument="tac-t@1.0",
    )
    assert history.responses[0].respondent == "therapist"


def test_the_item_columns_and_the_instrument_are_checked_first():
    assert problems(WIDE, instrument="phq-99") == [
        "--instrument: unknown instrument 'phq-99'; known instruments: "
        + ", ".join(sorted(LIBRARY.keys()))
    ]
    assert problems(WIDE, instrument="phq-9") == [
        "row 1: no --item-columns given and the header does not name every item of "
        "phq-9@1.0 (1, 2, 3, 4, 5, 6, 7, 8, 9); give the columns, e.g. "
        "--item-columns 'Q28_*'"
    ]
    assert problems(FAMILY, item_columns="Q*") == [
        "--item-columns: only for a wide item file (give its --instrument)"
    ]
