"""Signals as rows: one table shape that every rule returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

SEVERITIES = ("info", "green", "yellow", "red")
"""From least to most urgent: the one order of severities."""
RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """Higher is more urgent; an unknown severity ranks below every known one."""
    return RANK.get(severity, -1)


NO_ACTION_KINDS = frozenset(
    {
        "meaningful-improvement",
        "reliable-improvement",
        "recovery",
        "possible-change",
        "split-across-forms",
    }
)
"""Good news and information that ask nothing of the clinician: the case page
shows them, but they are never open alerts (docs/signals.md, "Open alerts are
the ones that ask for something"). Every other kind asks for something, the
information ones included: a skipped risk item ("ask in session") and a
therapist rating above the client's ("worth a question")."""


def needs_action(kind: str) -> bool:
    """Whether an alert of this kind stays open until someone acts on it."""
    return kind not in NO_ACTION_KINDS


COLUMNS = [
    "case_id",
    "subject",
    "session",
    "signal",
    "severity",
    "state",
    "evidence",
    "ended",
]


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str
    severity: str
    case_id: str
    subject: str
    """`member:<id>`, `subsystem:<name>`, `family` or `case`."""
    session: int
    evidence: Mapping[str, Any]
    """The numbers that triggered it (0-100 for alliance, raw points for symptoms)."""
    state: str = ""
    """Rupture: repaired, repaired-late, unrepaired or pending."""
    ended: str = ""
    """Why the condition behind the signal has ended (a repair, a later
    session without it), or empty while it lasts. Risk signals never end."""


def empty() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS})


def rows(
    kind: str,
    frame: pd.DataFrame,
    severity: str | pd.Series,
    subject: pd.Series,
    evidence: list[dict[str, Any]],
    state: pd.Series | str = "",
    ended: pd.Series | str = "",
) -> pd.DataFrame:
    """Signal rows for each row of `frame` (which has case_id and session)."""
    if frame.empty:
        return empty()
    return pd.DataFrame(
        {
            "case_id": frame["case_id"].to_numpy(),
            "subject": np.asarray(subject),
            "session": frame["session"].to_numpy(),
            "signal": kind,
            "severity": severity if isinstance(severity, str) else np.asarray(severity),
            "state": state if isinstance(state, str) else np.asarray(state),
            "evidence": evidence,
            "ended": ended if isinstance(ended, str) else np.asarray(ended),
        }
    )


def to_signals(table: pd.DataFrame) -> list[Signal]:
    return [
        Signal(
            r.signal,
            r.severity,
            r.case_id,
            r.subject,
            int(r.session),
            r.evidence,
            r.state,
            r.ended,
        )
        for r in table.itertuples(index=False)
    ]


def episodes(
    flags: pd.DataFrame,
    keys: list[str],
    escalate_after: int | None = None,
    order: str = "session",
) -> pd.DataFrame:
    """Collapse runs of consecutive flagged sessions into one row per run.

    `flags` has the `keys`, `session`, `severity` and any other columns; a run is
    a stretch of rows whose `order` values (the session number, or for a measure
    asked every few sessions its answer count) follow one another. The result
    keeps the columns of the run's latest row, plus `first_session`,
    `last_session`, `sessions` (the run's length), `first_red_session` (or NaN)
    and `severity` (the worst in the run); `session` becomes the first session.
    With `escalate_after` = k, a run of k or more sessions is red from its k-th."""
    if flags.empty:
        return flags.assign(
            first_session=[], last_session=[], sessions=[], first_red_session=[]
        )
    flags = flags.sort_values([*keys, order]).reset_index(drop=True)
    same_series = (flags[keys].shift() == flags[keys]).all(axis=1)
    consecutive = flags[order].diff() == 1
    run = (~(same_series & consecutive)).cumsum()
    if escalate_after is not None:
        position = flags.groupby(run).cumcount() + 1
        flags["severity"] = flags["severity"].where(position < escalate_after, "red")
    grouped = flags.groupby(run)
    red_session = flags["session"].where(flags["severity"] == "red")
    summary = pd.DataFrame(
        {
            "first_session": grouped["session"].min(),
            "last_session": grouped["session"].max(),
            "sessions": grouped["session"].size(),
            "first_red_session": red_session.groupby(run).min(),
            "worst": flags["severity"].map(RANK).groupby(run).max(),
        }
    )
    latest = grouped.tail(1)
    out = latest.set_index(run[latest.index]).join(summary)
    out["severity"] = out["worst"].map(dict(enumerate(SEVERITIES)))
    out["session"] = out["first_session"]
    return out.drop(columns=["worst"]).reset_index(drop=True)


def ended_runs(
    runs: pd.DataFrame,
    checked: pd.DataFrame,
    hits: pd.DataFrame,
    identity: list[str],
    what: str,
) -> pd.Series:
    """Why each run of `runs` (from `episodes`) has ended: the first session
    after its last one in which the same comparison was checked (`checked`: its
    key columns, a subset of `identity`, and `session`) and no hit of the same
    `identity` was found (`hits`: identity and session); empty while every
    later checked session is a hit again, or none has been checked."""
    if runs.empty:
        return pd.Series("", index=runs.index, dtype=object)
    keys = [c for c in checked.columns if c != "session"]
    later = (
        runs[[*identity, "last_session"]]
        .reset_index()
        .merge(checked.drop_duplicates(), on=keys)
    )
    later = later[later["session"] > later["last_session"]]
    again = later.merge(
        hits[[*identity, "session"]].drop_duplicates(),
        on=[*identity, "session"],
        how="left",
        indicator=True,
    )
    later = again[again["_merge"] == "left_only"]
    first = later.groupby("index")["session"].min()
    reason = pd.Series("", index=runs.index, dtype=object)
    reason.loc[first.index] = [f"no {what} at session {int(s)}" for s in first]
    return reason
