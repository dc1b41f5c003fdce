"""Therapist–client discrepancy [P] (docs/clinical-rules.md §Discrepancy): D_t =
A_client − A_therapist on the 0-100 scale, with its trend (the OLS slope of D over
sessions; convergence is a slope towards 0). Info only: the evidence is correlational
(Laws et al. 2017; Zilcha-Mano et al. 2016). Reported when the therapist rates the
member's alliance higher than the member does by more than a reliable difference,
z·√2·SEM, in a session."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .alliance import Norms
from .config import SignalConfig
from .model import episodes, rows

PAIR = ["case_id", "member_id"]


def discrepancy_table(members: pd.DataFrame, therapist: pd.DataFrame) -> pd.DataFrame:
    client = members.groupby([*PAIR, "session"])["pomp"].mean().rename("client")
    rated = (
        therapist[therapist["member_id"] != "family"]
        .groupby([*PAIR, "session"])["pomp"]
        .mean()
        .rename("therapist")
    )
    table = pd.concat([client, rated], axis=1, join="inner").reset_index()
    table["difference"] = table["client"] - table["therapist"]
    grouped = table.groupby(PAIR)
    t_centred = table["session"] - grouped["session"].transform("mean")
    d_centred = table["difference"] - grouped["difference"].transform("mean")
    sxy = (t_centred * d_centred).groupby([table[c] for c in PAIR]).transform("sum")
    sxx = (t_centred**2).groupby([table[c] for c in PAIR]).transform("sum")
    table["trend"] = sxy / sxx.replace(0, np.nan)
    return table


def discrepancy_signals(
    members: pd.DataFrame, therapist: pd.DataFrame, norms: Norms, config: SignalConfig
) -> pd.DataFrame:
    table = discrepancy_table(members, therapist)
    threshold = config.z_crit * np.sqrt(2.0) * norms.pooled_sem
    hits = table[table["difference"] < -threshold].assign(severity="info")
    runs = episodes(hits, PAIR)
    evidence = [
        {
            "member": r.member_id,
            "therapist": round(r.therapist, 1),
            "client": round(r.client, 1),
            "difference": round(-r.difference, 1),
            "threshold": round(threshold, 1),
            "trend": None if np.isnan(r.trend) else round(r.trend, 2),
            "sessions": int(r.sessions),
            "last_session": int(r.last_session),
        }
        for r in runs.itertuples(index=False)
    ]
    return rows(
        "therapist-discrepancy", runs, "info", "member:" + runs["member_id"], evidence
    )
