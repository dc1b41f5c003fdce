"""What the alliance is made of: a member's answers to the alliance items, by
dimension, against their own earlier level (docs/clinical-rules.md §TAC dimensions).

The TAC items each carry one alliance facet, a level (Pinsof's self, other,
group, within) and a dimension (the core conditions empathy, respect,
genuineness and warmth; Bordin's goal and task; safety and pace; SOFTA's
shared purpose and within-family safety): docs/tac.md; Pinsof & Catherall 1986.
When the alliance drops, the suggestion should follow what weakened: a drop in
goals or tasks points to immediate repair (re-explain, adjust the task), a drop
in feeling understood or respected to exploratory repair (metacommunication),
a drop in safety or pace to the pacing options (docs/clinical-rules.md §Suggestions,
rule 4, after the CAFT strategies and Muran, Eubanks & Samstag 2021).

The long format carries each answered item that has an alliance facet as an
`item:<id>` row (docs/long-format.md). A dimension's value in a session is the
mean of the member's answers to its items of that level (one item per
dimension on the TAC forms; four bond items on the WAI-SR), on the instrument's
answer scale. Its earlier level is the mean of the member's own values in up to
`window` (default 3) earlier answered sessions: the same window as the
pre-rupture level of the rupture rule (docs/clinical-rules.md §Rupture [P]), so "what
fell" is read against the level the rupture is read against. The fall is earlier level
minus value; the dimensions that fell most are those with the largest positive fall (all
of them on a tie) [P].

Only members' own answers are read (not a therapist's rating), only
instruments whose scoring key is verified, and only items that are not
reverse-keyed (their stored answer is their score).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tether.instruments import Library

ITEM_PREFIX = "item:"
SERIES = ["case_id", "member_id", "instrument"]
DIMENSION = ["level", "dimension"]
ANSWER_COLUMNS = [
    *SERIES,
    "session",
    *DIMENSION,
    "order",
    "items",
    "value",
    "low",
    "high",
]
CHANGE_COLUMNS = [*ANSWER_COLUMNS, "earlier", "earlier_sessions", "fall"]
DEFAULT_WINDOW = 3


@dataclass(frozen=True, slots=True)
class Fall:
    """One dimension of one member's alliance in one session, against their
    own earlier level."""

    level: str
    dimension: str
    items: str
    """The item ids of this level and dimension, e.g. "2"."""
    earlier: float
    value: float
    fall: float
    """earlier − value, on the instrument's answer scale (positive: it fell)."""

    def as_evidence(self) -> dict[str, object]:
        return {
            "level": self.level,
            "dimension": self.dimension,
            "items": self.items,
            "earlier": round(self.earlier, 2),
            "value": round(self.value, 2),
            "fall": round(self.fall, 2),
        }


def facets(library: Library) -> pd.DataFrame:
    """Every alliance item Tether reads by dimension: instrument, scale
    (`item:<id>`), level, dimension, and its order on the form."""
    records = []
    for definition in library:
        if definition.role != "alliance" or not definition.key_verified:
            continue
        for order, item in enumerate(definition.items):
            if item.alliance is None or item.reverse:
                continue
            records.append(
                (
                    definition.key,
                    ITEM_PREFIX + item.id,
                    item.id,
                    item.alliance.level,
                    item.alliance.dimension,
                    order,
                )
            )
    return pd.DataFrame.from_records(
        records,
        columns=["instrument", "scale", "item", "level", "dimension", "order"],
    )


def dimension_answers(frame: pd.DataFrame, library: Library) -> pd.DataFrame:
    """One row per member, instrument, session, level and dimension answered:
    `value` is the mean of the member's answers to that dimension's items,
    `items` their ids, `low`/`high` the answer scale, `order` the position of
    the dimension's first item on the form.

    `frame` is a checked score table (data.check_scores)."""
    answered = frame[
        (frame["respondent"] == "member")
        & frame["scale"].str.startswith(ITEM_PREFIX)
        & frame["score"].notna()
    ]
    table = facets(library)
    if answered.empty or table.empty:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    joined = answered.merge(table, on=["instrument", "scale"], how="inner")
    if joined.empty:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    grouped = joined.groupby([*SERIES, "session", *DIMENSION], sort=False)
    out = grouped.agg(
        order=("order", "min"),
        items=("item", lambda ids: ", ".join(ids)),
        value=("score", "mean"),
        low=("low", "first"),
        high=("high", "first"),
    ).reset_index()
    return out.sort_values([*SERIES, "session", "order"], ignore_index=True)[
        ANSWER_COLUMNS
    ]


def dimension_changes(
    answers: pd.DataFrame, window: int = DEFAULT_WINDOW
) -> pd.DataFrame:
    """`answers` (from dimension_answers) with, per row, the member's own
    earlier level of that dimension (`earlier`: the mean of its values in up to
    `window` earlier answered sessions; NaN at the first), how many sessions
    that mean rests on (`earlier_sessions`), and `fall` = earlier − value."""
    if answers.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    ordered = answers.sort_values([*SERIES, *DIMENSION, "session"], ignore_index=True)
    group = ordered.groupby([*SERIES, *DIMENSION], sort=False)["value"]
    before = pd.concat([group.shift(step) for step in range(1, window + 1)], axis=1)
    earlier = before.mean(axis=1)
    counted = before.notna().sum(axis=1)
    out = ordered.assign(
        earlier=earlier,
        earlier_sessions=counted.astype(np.int64),
        fall=earlier - ordered["value"],
    )
    return out.sort_values([*SERIES, "session", "order"], ignore_index=True)[
        CHANGE_COLUMNS
    ]


def fell_most(
    changes: pd.DataFrame, case_id: str, member_id: str, instrument: str, session: int
) -> list[Fall]:
    """The dimensions of this member's alliance that fell most in `session`:
    those with the largest positive fall against their own earlier level (all
    of them on a tie), in the order of the form; empty when nothing fell or
    there is no earlier session."""
    rows = changes[
        (changes["case_id"] == case_id)
        & (changes["member_id"] == member_id)
        & (changes["instrument"] == instrument)
        & (changes["session"] == session)
        & (changes["fall"] > 0)
    ]
    if rows.empty:
        return []
    largest = rows["fall"].max()
    top = rows[np.isclose(rows["fall"], largest)].sort_values("order")
    return [
        Fall(
            str(r.level),
            str(r.dimension),
            str(r.items),
            float(r.earlier),
            float(r.value),
            float(r.fall),
        )
        for r in top.itertuples(index=False)
    ]


def fell_most_at(
    frame: pd.DataFrame,
    library: Library,
    at: pd.DataFrame,
    window: int = DEFAULT_WINDOW,
) -> list[list[Fall]]:
    """For each row of `at` (case_id, member_id, instrument, session: e.g. the
    rupture hits of rupture.py), the dimensions that fell most; one list per
    row, in `at`'s order. `frame` is the checked score table with its
    `item:<id>` rows."""
    if at.empty:
        return []
    changes = dimension_changes(dimension_answers(frame, library), window)
    return [
        fell_most(changes, str(c), str(m), str(i), int(s))
        for c, m, i, s in zip(
            at["case_id"], at["member_id"], at["instrument"], at["session"], strict=True
        )
    ]


def recent_against_earlier(answers: pd.DataFrame, recent: int = 4) -> pd.DataFrame:
    """The rows of each member's latest `recent` answered sessions (per
    instrument), each with `earlier`: the mean of that dimension's values in the
    member's sessions before those (NaN when there are none), `earlier_first`
    and `earlier_last` (the sessions it spans) and `below` = earlier − value.
    This is the case page's breakdown: the latest sessions read against the
    member's own level before them."""
    if answers.empty:
        return answers.assign(earlier=[], earlier_first=[], earlier_last=[], below=[])
    sessions = answers[[*SERIES, "session"]].drop_duplicates()
    rank = sessions.groupby(SERIES)["session"].rank(ascending=False, method="first")
    shown = sessions[rank <= recent]
    first_shown = shown.groupby(SERIES)["session"].min().rename("first_shown")
    data = answers.join(first_shown, on=SERIES)
    before = data[data["session"] < data["first_shown"]]
    keys = [*SERIES, *DIMENSION]
    earlier = before.groupby(keys)["value"].mean().rename("earlier")
    span = before.groupby(SERIES)["session"].agg(
        earlier_first="min", earlier_last="max"
    )
    latest = data[data["session"] >= data["first_shown"]].drop(columns="first_shown")
    out = latest.join(earlier, on=keys).join(span, on=SERIES)
    out = out.assign(below=out["earlier"] - out["value"])
    return out.sort_values([*SERIES, "order", "session"], ignore_index=True)


def describe_falls(falls: list[Fall]) -> str:
    """A plain phrase for an alert's evidence, e.g. "respect (from 3.3 to 1)";
    levels other than `self` are named, e.g. "safety within the family"."""
    if not falls:
        return ""
    return "; ".join(
        f"{_name(f.level, f.dimension)} (from {_num(f.earlier)} to {_num(f.value)})"
        for f in falls
    )


LEVEL_NAMES = {
    "self": "{dimension}",
    "other": "{dimension} towards the others",
    "group": "{dimension} with the family as a group",
    "within": "{dimension} within the family",
}


def _name(level: str, dimension: str) -> str:
    return LEVEL_NAMES.get(level, "{dimension}").format(
        dimension=dimension.replace("-", " ")
    )


def _num(value: float) -> str:
    return f"{round(value, 1):g}"
