"""One event, one alert: a split that an open rupture made is part of that
rupture, not a second alert (issue "Alerts that are right", item 4).

When one member's alliance drops, the same drop also puts them below the other
members (a dyad or family split), lowers their group's mean (adult–youth) and
the family's view of its alliance with the therapist (family–therapist). A
split is folded into a rupture when, in the same case, the rupture's member is
on the split's lower side (the lower member; a member of the lower group; any
member for the family), the split became one while the rupture was open
(its first red session — or its first session, for a run that never turned
red — lies between the rupture's session and the session before its repair,
or the end when it is unrepaired or pending), and it ended by the repair (a
split that outlasts the repair is more than the drop and stays an alert of
its own). The rupture takes the worst severity of what it folds in. The rupture keeps the folded splits as evidence,
so the clinician still sees them [P].
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .model import RANK
from .split import GROUPS

SPLITS = (
    "split-dyad",
    "split-family",
    "split-adult-youth",
    "split-family-therapist",
    "split-across-forms",
)


def fold_splits_into_ruptures(signals: pd.DataFrame, bands: pd.Series) -> pd.DataFrame:
    """`signals` without the splits an open rupture made, those ruptures with
    `folded` evidence: one entry (kind, session, last session) per split.
    `bands` maps (case_id, member_id) to the member's age band."""
    # A rupture only reported (R4) says nothing of how long the drop lasts.
    ruptures = signals[
        (signals["signal"] == "rupture") & (signals["state"] != "reported")
    ]
    splits = signals[signals["signal"].isin(SPLITS)]
    if ruptures.empty or splits.empty:
        return signals
    spans = ruptures.assign(
        member=ruptures["subject"].str.removeprefix("member:"),
        until=[_open_until(e) for e in ruptures["evidence"]],
    )[["case_id", "member", "session", "until"]].reset_index()
    pairs = splits.reset_index().merge(spans, on="case_id", suffixes=("", "_rupture"))
    # A split is the rupture's when it became a split worth alerting on (red,
    # or its one session when yellow) while the rupture was open: a one-session
    # dip just before the drop is not a split of its own.
    alerted = pd.Series(
        [
            e.get("red_from_session") or s
            for e, s in zip(pairs["evidence"], pairs["session"], strict=True)
        ],
        index=pairs.index,
    )
    last = pd.Series(
        [
            e.get("last_session", s)
            for e, s in zip(pairs["evidence"], pairs["session"], strict=True)
        ],
        index=pairs.index,
    )
    # ... and ended by the rupture's repair: a split that outlasts the repair
    # is more than the drop, and stays an alert of its own.
    began_open = (
        (alerted >= pairs["session_rupture"])
        & (alerted <= pairs["until"])
        & (last <= pairs["until"])
    )
    lower = [
        _is_lower(kind, evidence, case, member, bands)
        for kind, evidence, case, member in zip(
            pairs["signal"],
            pairs["evidence"],
            pairs["case_id"],
            pairs["member"],
            strict=True,
        )
    ]
    folded = pairs[began_open & np.asarray(lower, dtype=bool)]
    if folded.empty:
        return signals
    first = folded.sort_values("session_rupture").drop_duplicates("index")
    out = signals.drop(index=first["index"]).copy()
    for rupture, group in first.groupby("index_rupture"):
        evidence = dict(out.at[rupture, "evidence"])
        evidence["folded"] = [
            {
                "kind": r.signal,
                "session": int(r.session),
                "last_session": int(r.evidence.get("last_session", r.session)),
            }
            for r in group.itertuples(index=False)
        ]
        out.at[rupture, "evidence"] = evidence
        # The one alert is as severe as the worst of what it stands for.
        worst = max(
            [out.at[rupture, "severity"], *group["severity"]], key=RANK.__getitem__
        )
        out.at[rupture, "severity"] = worst
    return out


def _open_until(evidence: dict[str, Any]) -> float:
    repaired = evidence.get("repaired_session")
    return float("inf") if repaired is None else float(repaired) - 1


def _is_lower(
    kind: str, evidence: dict[str, Any], case: str, member: str, bands: pd.Series
) -> bool:
    if kind == "split-family-therapist":
        return True
    if kind == "split-adult-youth":
        band = bands.get((case, member))
        return band is not None and GROUPS.get(band) == evidence.get("lower")
    return member in (evidence.get("lower"), evidence.get("lowest"))
