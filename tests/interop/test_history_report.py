"""The report of an import: what is new, what was there, what was filled in."""

import datetime as dt

from tether.interop.history_report import ImportReport, Tally, report_lines


def report(**changes):
    values = {
        "file": "scores.csv",
        "format": "long",
        "rows": 1234,
        "cases": Tally(2, 1),
        "members": Tally(3, 2),
        "sessions": Tally(10, 4),
        "responses": {"tac@1.0": Tally(20, 8), "phq-9@1.0": Tally(5, 0)},
    }
    return ImportReport(**(values | changes))


def test_the_report_counts_what_is_new_and_what_is_already_there():
    assert report_lines(report()) == [
        "scores.csv: a long-format score file, 1,234 rows",
        "",
        "             new  already in Tether",
        "cases          2                  1",
        "members        3                  2",
        "sessions      10                  4",
        "responses     25                  8",
        "  phq-9@1.0    5                  0",
        "  tac@1.0     20                  8",
    ]


def test_the_report_says_what_the_import_fills_in_and_leaves():
    lines = report_lines(
        report(
            format="wide",
            unanswered=3,
            undated_sessions=10,
            today=dt.date(2026, 12, 1),
            cases_without_clinician=1,
            unread_columns=("name", "notes"),
        )
    )
    assert lines[0] == "scores.csv: a wide item file, 1,234 rows"
    assert lines[-5:] == [
        "",
        "3 new responses not answered (empty scores): kept as invitations left "
        "unanswered, which the disengagement rule counts.",
        "10 new sessions without a session_date: dated 2026-12-01, the day of the "
        "import.",
        "1 new case without a clinician: until an administrator chooses their "
        "clinicians, only supervisors see them.",
        "Columns not read: name, notes.",
    ]


def test_nothing_new_creates_nothing():
    assert report().creates_anything
    there = {"tac@1.0": Tally(0, 8)}
    assert not report(
        cases=Tally(0, 1), members=Tally(0, 2), sessions=Tally(0, 4), responses=there
    ).creates_anything
