"""Measurement coverage: the share of sessions in which each questionnaire was
answered, and the share of questionnaires asked that came back."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tether.analysis.coverage import ASKED_COLUMNS, SESSION_COLUMNS, Coverage, coverage
from tether.analysis.needs import NotEnoughData


def sessions(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        [(s, dt.date(2026, 2, s)) for s in range(1, n + 1)],
        columns=list(SESSION_COLUMNS),
    )


def asked(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(ASKED_COLUMNS))


def test_sessions_measured_and_questionnaires_completed_are_counted_per_instrument():
    result = coverage(
        sessions(4),
        asked(
            [
                (1, "tac", "maria", True),
                (1, "tac", "leo", False),
                (1, "pcl-5", "leo", True),
                (2, "tac", "maria", True),
                (3, "tac", "maria", False),
            ]
        ),
    )
    assert isinstance(result, Coverage)
    assert (result.sessions, result.sessions_measured) == (4, 2)
    assert (result.asked, result.completed) == (5, 3)
    tac, pcl5 = result.instruments
    assert (tac.instrument, tac.sessions_measured, tac.asked, tac.completed) == (
        "tac",
        2,
        4,
        2,
    )
    assert (pcl5.instrument, pcl5.sessions_measured, pcl5.asked, pcl5.completed) == (
        "pcl-5",
        1,
        1,
        1,
    )
    assert Coverage.share(tac.sessions_measured, result.sessions) == 0.5
    assert (result.first_date, result.last_date) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 4),
    )


def test_a_questionnaire_asked_twice_of_one_person_counts_once_and_as_sent_if_either_was():
    result = coverage(
        sessions(1), asked([(1, "tac", "leo", False), (1, "tac", "leo", True)])
    )
    assert (result.asked, result.completed, result.sessions_measured) == (1, 1, 1)


def test_another_clinics_sessions_are_not_counted():
    result = coverage(
        sessions(2), asked([(99, "tac", "x", True), (1, "tac", "y", True)])
    )
    assert (result.asked, result.sessions_measured) == (1, 1)


def test_no_sessions_is_no_figure():
    result = coverage(sessions(0), asked([]))
    assert isinstance(result, NotEnoughData)
    assert (result.minimum, result.current) == (1, 0)
