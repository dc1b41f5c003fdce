"""The family view's numbers: the family's and each subsystem's alliance, and
each symptom or outcome measure's average, session by session, computed only
from the scores of members who agreed to share them (docs/reports.md
§Family view). Pure: a long-format score table and the sets of sharing
members in, frozen values out.

What goes in is cut down first, before anything is computed, so a member who
did not share cannot reach a number: member rows only (never a therapist's
rating), only the members who share that kind of score, never an item row
(`item:<id>`: risk items, TAC items), and for the alliance only each
instrument's own-alliance scale (TAC `self`, else `total`) — never the
`family` or `within-family` scales, which hold the question about safety to
speak in front of the family (clinical-support.md §5: safety answers never
go in the family view). Each point says how many members it averages.

The alliance at each level is `signals.alliance.alliance_levels` (the same
0–100 POMP means the case page draws: Cohen et al. 1999; Pinsof's levels),
so when every member shares, the family view's family line is the case
page's. A subsystem is drawn where it averages fewer members than the whole
family at that session (a subsystem of everyone who shared is the family
line again); a subsystem of one member who shared is that member's score,
shown because they agreed to it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from tether.instruments import Definition, Library
from tether.signals.alliance import alliance_frame, alliance_levels

ITEM_PREFIX = "item:"
OUTCOME_ROLES = ("symptom", "outcome")
"""The measures of the outcome trend: symptom and outcome measures (as the
case page's), never support or screening."""


@dataclass(frozen=True)
class Point:
    session: int
    value: float
    members: int
    """How many members' scores the value averages."""


@dataclass(frozen=True)
class Trend:
    key: str
    """`family`, `subsystem:<name>`, or an outcome measure's id."""
    points: tuple[Point, ...]
    members: int
    """How many different members contributed to any point."""


@dataclass(frozen=True)
class Outcome:
    """The average of one symptom or outcome measure's main scale."""

    instrument: str
    """The latest version's key (id@version) among the rows averaged."""
    scale: str
    low: float
    high: float
    higher_is_better: bool
    trend: Trend


@dataclass(frozen=True)
class FamilyAggregates:
    alliance: tuple[Trend, ...]
    """The family first, then the subsystems by name; empty without data."""
    alliance_members: int
    """How many members' alliance scores any point averages."""
    alliance_instruments: tuple[str, ...]
    """The alliance instruments (ids) averaged, to name them."""
    outcomes: tuple[Outcome, ...]
    """One per measure, by id."""

    @property
    def empty(self) -> bool:
        return not self.alliance and not self.outcomes


def shared_rows(frame: pd.DataFrame, members: Collection[str]) -> pd.DataFrame:
    """The rows a family view may read for these members: their own answers'
    scale scores, answered (never a therapist's rating, never an item)."""
    if frame.empty:
        return frame
    keep = (
        (frame["respondent"] == "member")
        & frame["member_id"].isin([str(m) for m in members])
        & ~frame["scale"].astype(str).str.startswith(ITEM_PREFIX)
        & frame["score"].notna()
    )
    return frame[keep]


def family_aggregates(
    frame: pd.DataFrame,
    library: Library,
    alliance_members: Collection[str],
    outcome_members: Collection[str],
) -> FamilyAggregates:
    """The family view of a case's long-format score table (one case): the
    alliance from `alliance_members`' scores, the outcome measures from
    `outcome_members`' scores (member ids as the table writes them)."""
    alliance_rows = shared_rows(frame, alliance_members)
    alliance_rows = alliance_rows[alliance_rows["role"] == "alliance"]
    alliance, counted, instruments = _alliance(alliance_rows, library)
    outcomes = _outcomes(shared_rows(frame, outcome_members), library)
    return FamilyAggregates(alliance, counted, instruments, outcomes)


def _alliance(
    rows: pd.DataFrame, library: Library
) -> tuple[tuple[Trend, ...], int, tuple[str, ...]]:
    if rows.empty:
        return (), 0, ()
    scored = alliance_frame(rows, library)
    # alliance_frame also keeps a therapist's rating of the family; none is
    # here, and its own-alliance scale is the only one left.
    scored = scored[scored["member_id"] != "family"]
    if scored.empty:
        return (), 0, ()
    levels = alliance_levels(scored)
    family = levels[levels["level"] == "family"]
    subsystems = levels[levels["level"] == "subsystem"]
    family_n = subsystems["session"].map(family.set_index("session")["n"])
    subsystems = subsystems[subsystems["n"] < family_n]
    trends = [_trend("family", family, scored)]
    for subject, found in sorted(subsystems.groupby("subject")):
        name = str(subject).removeprefix("subsystem:")
        who = scored[scored["subsystem"] == name]
        trends.append(_trend(str(subject), found, who))
    instruments = tuple(sorted(scored["instrument_id"].unique()))
    return (
        tuple(t for t in trends if t.points),
        int(scored["member_id"].nunique()),
        instruments,
    )


def _trend(key: str, level_rows: pd.DataFrame, members: pd.DataFrame) -> Trend:
    sessions = set(level_rows["session"])
    contributing = members[members["session"].isin(sessions)]["member_id"]
    points = tuple(
        Point(int(r.session), float(r.value), int(r.n))
        for r in level_rows.sort_values("session").itertuples()
    )
    return Trend(key, points, int(contributing.nunique()))


def _outcomes(rows: pd.DataFrame, library: Library) -> tuple[Outcome, ...]:
    if rows.empty:
        return ()
    rows = rows[rows["role"].isin(OUTCOME_ROLES)]
    out = []
    for instrument_id, found in sorted(rows.groupby("instrument_id")):
        latest = sorted(found["instrument"].unique())[-1]
        definition = library.get(str(latest))
        scale = main_scale(definition)
        ours = found[found["scale"] == scale]
        if ours.empty:
            continue
        by_session = ours.groupby("session")["score"].agg(["mean", "count"])
        points = tuple(
            Point(int(session), float(mean), int(count))
            for session, mean, count in by_session.itertuples()
        )
        low, high = definition.scale_bounds(definition.scale(scale))
        out.append(
            Outcome(
                instrument=definition.key,
                scale=scale,
                low=float(low),
                high=float(high),
                higher_is_better=definition.scale(scale).higher_is_better,
                trend=Trend(
                    str(instrument_id), points, int(ours["member_id"].nunique())
                ),
            )
        )
    return tuple(out)


def main_scale(definition: Definition) -> str:
    """The scale a measure is read by: its total, else its first."""
    ids = [s.id for s in definition.scales]
    return "total" if "total" in ids else ids[0]
