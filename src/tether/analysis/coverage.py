"""How much of the clinic's work is measured (docs/analytics.md §Coverage):
the share of sessions in which an instrument was answered, and the share of
questionnaires asked that came back.

- a session is *measured* by an instrument when at least one person sent it
  in that session;
- a questionnaire is *asked* of one person in one session (a link or kiosk
  turn, a started or paper response, a link that expired unanswered) and
  *completed* when it was sent (or entered from paper).

Plain counts; no model and no minimum beyond one session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .needs import NotEnoughData

SESSION_COLUMNS = ("session", "date")
"""One row per session: any stable session key, and its date."""
ASKED_COLUMNS = ("session", "instrument", "person", "sent")
"""One row per questionnaire asked of one person (or of the therapist about
one) in one session: the instrument id (any version), whether it was sent."""


@dataclass(frozen=True, slots=True)
class InstrumentCoverage:
    instrument: str
    sessions_measured: int
    asked: int
    completed: int


@dataclass(frozen=True, slots=True)
class Coverage:
    sessions: int
    sessions_measured: int
    """Sessions with at least one questionnaire sent, of any instrument."""
    asked: int
    completed: int
    instruments: tuple[InstrumentCoverage, ...]
    first_date: dt.date | None
    last_date: dt.date | None

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None


def coverage(sessions: pd.DataFrame, asked: pd.DataFrame) -> Coverage | NotEnoughData:
    """Counts over `sessions` (SESSION_COLUMNS) and `asked` (ASKED_COLUMNS);
    a questionnaire asked twice of one person in one session counts once,
    completed if either was sent. Instruments by most sessions measured."""
    if sessions.empty:
        return NotEnoughData("measurement coverage", "sessions", 1, 0)
    known = asked[asked["session"].isin(sessions["session"])]
    one = known.groupby(["session", "instrument", "person"], as_index=False)[
        "sent"
    ].max()
    sent = one[one["sent"].astype(bool)]
    instruments = [
        InstrumentCoverage(
            str(instrument),
            int(sent.loc[sent["instrument"] == instrument, "session"].nunique()),
            len(rows),
            int(rows["sent"].astype(bool).sum()),
        )
        for instrument, rows in one.groupby("instrument")
    ]
    instruments.sort(key=lambda i: (-i.sessions_measured, i.instrument))
    dates = pd.to_datetime(sessions["date"], errors="coerce").dropna()
    return Coverage(
        sessions=int(sessions["session"].nunique()),
        sessions_measured=int(sent["session"].nunique()),
        asked=len(one),
        completed=int(one["sent"].astype(bool).sum()),
        instruments=tuple(instruments),
        first_date=dates.min().date() if len(dates) else None,
        last_date=dates.max().date() if len(dates) else None,
    )
