"""Split alliances in couple and family cases (methods §4.4 [P], vectors SPLIT-1).

Per session, on the 0-100 scale, with RC_A = z·√2·SEM_A:
- dyad (two members answered): split if |A_1 − A_2| > RC_A (a reliable
  between-member difference);
- family (three or more answered): split if max(A) − min(A) ≥ the clinic's
  between-client SD (after Muñiz de la Peña et al. 2009);
- adult–youth: split if |mean(adults) − mean(youth)| > z·SEM·√(1/n_a + 1/n_y),
  the dyad rule for two group means [P] (Escudero et al. 2022 report this contrast);
- family–therapist: split if |mean(members) − therapist's family rating| >
  z·SEM·√(1/n + 1) [P] (Escudero et al. 2022).
A split is yellow; in `split_persistent_sessions` consecutive sessions it is red.
Every signal names who is lower, and a run of sessions is one split only while
the same side stays lower: runs are grouped by (case, lower side, comparison),
which is also the alert's identity, so the alert names the member who was
lower throughout, not whoever happened to be lowest in its last session.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .alliance import Norms
from .config import SignalConfig
from .model import empty, episodes, rows

SESSION = ["case_id", "session"]


def member_levels(members: pd.DataFrame) -> pd.DataFrame:
    """One 0-100 value per member and session (the mean of their alliance scores)."""
    keys = [*SESSION, "member_id", "member_role", "age_band", "case_kind"]
    return members.groupby(keys, sort=False)["pomp"].mean().reset_index()


def between_members(levels: pd.DataFrame) -> pd.DataFrame:
    """Per case and session: how many answered, the range, who is lowest and highest."""
    ordered = levels.sort_values([*SESSION, "pomp", "member_id"])
    grouped = ordered.groupby(SESSION, sort=False)
    out = grouped.agg(
        n=("pomp", "size"),
        low=("pomp", "first"),
        high=("pomp", "last"),
        lowest=("member_id", "first"),
        highest=("member_id", "last"),
        sd=("pomp", "std"),
        mean=("pomp", "mean"),
    )
    out["range"] = out["high"] - out["low"]
    return out.reset_index()


def split_signals(
    members: pd.DataFrame, therapist: pd.DataFrame, norms: Norms, config: SignalConfig
) -> pd.DataFrame:
    levels = member_levels(members[members["case_kind"] != "individual"])
    if levels.empty:
        return empty()
    spread = between_members(levels)
    rc = config.z_crit * np.sqrt(2.0) * norms.pooled_sem
    dyads = spread[(spread["n"] == 2) & (spread["range"] > rc)]
    families = spread[(spread["n"] >= 3) & (spread["range"] >= norms.between_sd)]
    parts = [
        _episodes(
            "split-dyad",
            dyads,
            ["case_id", "lowest", "highest"],
            config,
            lambda r: {
                "lower": r.lowest,
                "higher": r.highest,
                "lower_score": round(r.low, 1),
                "higher_score": round(r.high, 1),
                "difference": round(r.range, 1),
                "threshold": round(rc, 1),
            },
            lambda f: "member:" + f["lowest"],
        ),
        _episodes(
            "split-family",
            families,
            ["case_id", "lowest"],
            config,
            lambda r: {
                "lowest": r.lowest,
                "highest": r.highest,
                "range": round(r.range, 1),
                "sd_family": round(r.sd, 1),
                "threshold": round(norms.between_sd, 1),
            },
            lambda f: "member:" + f["lowest"],
        ),
        _adult_youth(levels, norms, config),
        _family_therapist(spread, therapist, norms, config),
    ]
    return pd.concat([p for p in parts if not p.empty] or [empty()], ignore_index=True)


def _adult_youth(
    levels: pd.DataFrame, norms: Norms, config: SignalConfig
) -> pd.DataFrame:
    family = levels[levels["case_kind"] == "family"]
    groups = (
        family.groupby([*SESSION, "age_band"])["pomp"]
        .agg(["mean", "size"])
        .unstack("age_band")
    )
    if ("mean", "adult") not in groups.columns or (
        "mean",
        "youth",
    ) not in groups.columns:
        return empty()
    table = (
        pd.DataFrame(
            {
                "adult_mean": groups[("mean", "adult")],
                "youth_mean": groups[("mean", "youth")],
                "n_adult": groups[("size", "adult")],
                "n_youth": groups[("size", "youth")],
            }
        )
        .dropna()
        .reset_index()
    )
    table["difference"] = table["adult_mean"] - table["youth_mean"]
    table["threshold"] = (
        config.z_crit
        * norms.pooled_sem
        * np.sqrt(1 / table["n_adult"] + 1 / table["n_youth"])
    )
    hits = table[table["difference"].abs() > table["threshold"]]
    lower = np.where(hits["difference"] > 0, "the young people", "the adults")
    return _episodes(
        "split-adult-youth",
        hits.assign(lower=lower),
        ["case_id", "lower"],
        config,
        lambda r: {
            "lower": r.lower,
            "adult_mean": round(r.adult_mean, 1),
            "youth_mean": round(r.youth_mean, 1),
            "difference": round(abs(r.difference), 1),
            "threshold": round(r.threshold, 1),
        },
        lambda f: pd.Series("family", index=f.index),
    )


def _family_therapist(
    spread: pd.DataFrame, therapist: pd.DataFrame, norms: Norms, config: SignalConfig
) -> pd.DataFrame:
    rating = (
        therapist[therapist["member_id"] == "family"]
        .groupby(SESSION)["pomp"]
        .mean()
        .rename("therapist")
    )
    table = spread.join(rating, on=SESSION, how="inner")
    table["difference"] = table["mean"] - table["therapist"]
    table["threshold"] = config.z_crit * norms.pooled_sem * np.sqrt(1 / table["n"] + 1)
    hits = table[table["difference"].abs() > table["threshold"]]
    lower = np.where(hits["difference"] < 0, "the family", "the therapist")
    return _episodes(
        "split-family-therapist",
        hits.assign(lower=lower),
        ["case_id", "lower"],
        config,
        lambda r: {
            "lower": r.lower,
            "family_mean": round(r.mean, 1),
            "therapist": round(r.therapist, 1),
            "difference": round(abs(r.difference), 1),
            "threshold": round(r.threshold, 1),
        },
        lambda f: pd.Series("family", index=f.index),
    )


def _episodes(kind, hits, identity, config, evidence_of, subject_of) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """One signal per run of consecutive split sessions with the same
    `identity` (case, lower side, comparison)."""
    if hits.empty:
        return empty()
    runs = episodes(
        hits.assign(severity="yellow"),
        identity,
        escalate_after=config.split_persistent_sessions,
    )
    evidence = [
        {
            **evidence_of(r),
            "sessions": int(r.sessions),
            "last_session": int(r.last_session),
            "red_from_session": None
            if np.isnan(r.first_red_session)
            else int(r.first_red_session),
        }
        for r in runs.itertuples(index=False)
    ]
    return rows(kind, runs, runs["severity"], subject_of(runs), evidence)
