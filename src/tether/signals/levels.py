"""Scores below a validated cutoff: low alliance (e.g. SRS < 36) and low support
(MSPSS family subscale mean < 3, Zimet's low band 1–2.9; docs/clinical-rules.md §Low
alliance, §Low support)."""

from __future__ import annotations

import pandas as pd

from tether.instruments import Library

from .config import SignalConfig
from .model import empty, ended_runs, episodes, rows

SERIES = ["case_id", "member_id", "instrument"]


def low_alliance_signals(frame: pd.DataFrame, library: Library) -> pd.DataFrame:
    """Yellow where an alliance scale with a validated cutoff is on its concern side."""
    answered = frame[
        (frame["role"] == "alliance")
        & frame["score"].notna()
        & (frame["respondent"] == "member")
    ]
    parts = []
    for key in answered["instrument"].unique():
        for scale in library.get(key).scales:
            if scale.cutoff is None:
                continue
            data = answered[
                (answered["instrument"] == key) & (answered["scale"] == scale.id)
            ]
            hits = data[data["score"].map(scale.cutoff.is_met).astype(bool)]
            runs = episodes(hits.assign(severity="yellow"), SERIES)
            evidence = [
                {
                    "member": r.member_id,
                    "instrument": key,
                    "score": r.score,
                    "cutoff": scale.cutoff.value,
                    "sessions": int(r.sessions),
                    "last_session": int(r.last_session),
                }
                for r in runs.itertuples(index=False)
            ]
            ended = ended_runs(
                runs, data[[*SERIES, "session"]], hits, SERIES, "low score"
            )
            parts.append(
                rows(
                    "low-alliance",
                    runs,
                    "yellow",
                    "member:" + runs["member_id"],
                    evidence,
                    ended=ended,
                )
            )
    return pd.concat(parts, ignore_index=True) if parts else empty()


def low_support_signals(frame: pd.DataFrame, config: SignalConfig) -> pd.DataFrame:
    data = frame[
        (frame["instrument"].str.startswith("mspss@"))
        & (frame["scale"] == "family")
        & frame["score"].notna()
    ]
    if not (data["score"] < config.low_support_below).any():
        return empty()
    # MSPSS is asked every few sessions: a run goes on while each answer is low.
    data = data.sort_values([*SERIES, "session"])
    data = data.assign(answer=data.groupby(SERIES).cumcount())
    lows = data[data["score"] < config.low_support_below].assign(severity="yellow")
    runs = episodes(lows, SERIES, order="answer")
    evidence = [
        {
            "member": r.member_id,
            "score": round(r.score, 2),
            "threshold": config.low_support_below,
            "times": int(r.sessions),
        }
        for r in runs.itertuples(index=False)
    ]
    ended = ended_runs(runs, data[[*SERIES, "session"]], lows, SERIES, "low support")
    return rows(
        "low-support",
        runs,
        "yellow",
        "member:" + runs["member_id"],
        evidence,
        ended=ended,
    )
