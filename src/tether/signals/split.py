"""Split alliances in couple and family cases [P] (docs/clinical-rules.md
§Splits, vector SPLIT-1).

Per session, on the 0-100 scale, with RC_A = z·√2·SEM_A, and comparing like
with like — members' scores on one instrument (the published split rules
compare the same instrument; TAC 1.0 and 1.1 are one series, by instrument id):
- dyad (two members answered the instrument): split if |A_1 − A_2| > RC_A (a
  reliable between-member difference);
- family (three or more answered it): split if max(A) − min(A) ≥ the clinic's
  between-client SD (after Muñiz de la Peña et al. 2009) and > RC_A, so the
  lowest and highest members also differ reliably [P] (where members crowd
  near the ceiling the between-client SD is small, and the range of three or
  four noisy scores alone exceeds it);
- adult–youth (three or more answered it, members of the case's caregivers and
  children subsystems — as the clinician edited them — among them):
  split if |mean(adults) − mean(youth)| > z·SEM·√(1/n_a + 1/n_y), the dyad
  rule for two group means [P] (Escudero et al. 2022 report this contrast),
  and the gap still holds without the lower group's lowest member [P] — else
  it is that one member's split, which the dyad or family rule names; with
  only two people answering it is the dyad split, not a second alert;
- family–therapist: the members' view of the alliance of the family as a whole
  with the therapist (TAC `family`) against the therapist's view of the same
  thing (TAC-T `family`, the same three questions), split if the members' mean
  is lower by more than z·SEM·√(1/n + 1) [P] (Escudero et al. 2022). Only the
  family being lower alerts: a therapist rating below the family's is the
  usual pattern, not a warning sign.
- across forms (information only): members on different instruments (a child
  on the child form beside adults on TAC) are compared on the shared 0-100
  scale by the dyad or family rule, but a different instrument is a different
  ruler, so such a difference is shown, never alerted.
A split is yellow; in `split_persistent_sessions` consecutive sessions it is red,
counting only the sessions in which the comparison could be made (a session
where someone did not answer says nothing against a split).
Every signal names who is lower, and a run of sessions is one split only while
the same side stays lower: runs are grouped by (case, lower side, comparison,
instrument), which is also the alert's identity, so the alert names the member
who was lower throughout, not whoever happened to be lowest in its last session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .alliance import Norms
from .config import SignalConfig
from .model import empty, ended_runs, episodes, rows

SESSION = ["case_id", "session"]
GROUPS = {"adult": "the adults", "youth": "the young people"}
CROSS_FORM = "split-across-forms"
"""Information only: members on different instruments differ (no alert)."""


def series_of(members: pd.DataFrame) -> pd.Series:
    """The series an alliance score belongs to: its instrument id (versions of
    one instrument share a scale), or the key where no id is given."""
    column = "instrument_id" if "instrument_id" in members else "instrument"
    return members[column].astype(str).str.split("@").str[0]


GENERATIONS = {"caregivers": "adult", "children": "youth"}
"""The sides of the adult–youth split: the case's caregivers and children
subsystems as the clinician edited them (docs/architecture.md §Records)."""


def generation_of(members: pd.DataFrame) -> pd.Series:
    """Each row's side of the adult–youth split, `adult`, `youth` or "" (in
    neither subsystem), from the `subsystem` column; where a table has none,
    from the age band."""
    if "subsystem" not in members:
        return members["age_band"].fillna("")
    return members["subsystem"].map(GENERATIONS).fillna("")


def member_levels(members: pd.DataFrame, by_series: bool = True) -> pd.DataFrame:
    """One 0-100 value per member and session (the mean of their alliance
    scores) — per instrument series, or with `by_series` False over all of them
    (then `series` lists the instruments the member answered)."""
    keys = [*SESSION, "member_id", "member_role", "generation", "case_kind"]
    data = members.assign(series=series_of(members), generation=generation_of(members))
    if by_series:
        return data.groupby([*keys, "series"], sort=False)["pomp"].mean().reset_index()
    grouped = data.groupby(keys, sort=False)
    return pd.DataFrame(
        {
            "pomp": grouped["pomp"].mean(),
            "series": grouped["series"].agg(lambda s: "+".join(sorted(set(s)))),
        }
    ).reset_index()


def between_members(
    levels: pd.DataFrame, keys: list[str] | None = None
) -> pd.DataFrame:
    """Per case and session (and `keys`): how many answered, the range, who is
    lowest and highest."""
    keys = [*SESSION, *(keys or [])]
    ordered = levels.sort_values([*keys, "pomp", "member_id"])
    grouped = ordered.groupby(keys, sort=False)
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
    members: pd.DataFrame,
    therapist: pd.DataFrame,
    norms: Norms,
    config: SignalConfig,
    family_view: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Split signals of couple and family cases. `members` are the members' own
    alliance scores, `therapist` the therapist's ratings (member_id `family`
    for the family as a whole), `family_view` the members' rating of the
    family as a whole with the therapist."""
    multi = members[members["case_kind"] != "individual"]
    levels = member_levels(multi)
    if levels.empty:
        return empty()
    rc = config.z_crit * np.sqrt(2.0) * norms.pooled_sem
    spread = between_members(levels, ["series"])
    parts = [
        _pairs(spread, rc, norms, config),
        _adult_youth(levels, norms, config),
        _across_forms(multi, spread, rc, norms, config),
        _family_therapist(family_view, therapist, norms, config),
    ]
    return pd.concat([p for p in parts if not p.empty] or [empty()], ignore_index=True)


def _pairs(
    spread: pd.DataFrame, rc: float, norms: Norms, config: SignalConfig
) -> pd.DataFrame:
    compared = spread[spread["n"] >= 2]
    dyads = spread[_dyad_split(spread, rc)]
    families = spread[_family_split(spread, rc, norms)]
    return pd.concat(
        [
            _episodes(
                "split-dyad",
                dyads,
                ["case_id", "series", "lowest", "highest"],
                config,
                lambda r: _dyad_evidence(r, rc),
                lambda f: "member:" + f["lowest"],
                compared[[*SESSION, "series"]],
            ),
            _episodes(
                "split-family",
                families,
                ["case_id", "series", "lowest"],
                config,
                lambda r: _family_evidence(r, max(norms.between_sd, rc)),
                lambda f: "member:" + f["lowest"],
                compared[[*SESSION, "series"]],
            ),
        ],
        ignore_index=True,
    )


def _dyad_split(spread: pd.DataFrame, rc: float) -> pd.Series:
    """Two answered and they differ reliably."""
    return (spread["n"] == 2) & (spread["range"] > rc)


def _family_split(spread: pd.DataFrame, rc: float, norms: Norms) -> pd.Series:
    """Three or more answered; the range reaches the between-client SD and
    the lowest and highest differ reliably."""
    return (
        (spread["n"] >= 3)
        & (spread["range"] >= norms.between_sd)
        & (spread["range"] > rc)
    )


def _dyad_evidence(r: Any, rc: float) -> dict[str, Any]:
    return {
        "lower": r.lowest,
        "higher": r.highest,
        "instrument": r.series,
        "lower_score": round(r.low, 1),
        "higher_score": round(r.high, 1),
        "difference": round(r.range, 1),
        "threshold": round(float(rc), 1),
    }


def _family_evidence(r: Any, threshold: float) -> dict[str, Any]:
    return {
        "lowest": r.lowest,
        "highest": r.highest,
        "instrument": r.series,
        "range": round(r.range, 1),
        "sd_family": round(r.sd, 1),
        "threshold": round(float(threshold), 1),
    }


def _adult_youth(
    levels: pd.DataFrame, norms: Norms, config: SignalConfig
) -> pd.DataFrame:
    family = levels[
        (levels["case_kind"] == "family")
        & levels["generation"].isin(("adult", "youth"))
    ]
    keys = [*SESSION, "series"]
    groups = family.groupby([*keys, "generation"])["pomp"].agg(
        ["mean", "size", "sum", "min"]
    )
    table = groups.unstack("generation")
    if ("mean", "adult") not in table.columns or ("mean", "youth") not in table:
        return empty()
    table = (
        pd.DataFrame(
            {
                "adult_mean": table[("mean", "adult")],
                "youth_mean": table[("mean", "youth")],
                "n_adult": table[("size", "adult")],
                "n_youth": table[("size", "youth")],
                "adult_sum": table[("sum", "adult")],
                "youth_sum": table[("sum", "youth")],
                "adult_min": table[("min", "adult")],
                "youth_min": table[("min", "youth")],
            }
        )
        .dropna()
        .reset_index()
    )
    # Two people answering are a pair: their difference is the dyad split.
    table = table[table["n_adult"] + table["n_youth"] >= 3]
    table["difference"] = table["adult_mean"] - table["youth_mean"]
    table["threshold"] = _group_threshold(
        table["n_adult"], table["n_youth"], norms, config
    )
    youth_lower = table["difference"] > 0
    # A group split is the group's: it still holds without the lower group's
    # lowest member (else it is that one member's split, named by the dyad or
    # family rule).
    n_low = np.where(youth_lower, table["n_youth"], table["n_adult"]) - 1
    rest = np.where(
        youth_lower,
        (table["youth_sum"] - table["youth_min"]) / n_low.clip(min=1),
        (table["adult_sum"] - table["adult_min"]) / n_low.clip(min=1),
    )
    other = np.where(youth_lower, table["adult_mean"], table["youth_mean"])
    n_other = np.where(youth_lower, table["n_adult"], table["n_youth"])
    held = (n_low >= 1) & (
        (other - rest)
        > _group_threshold(
            pd.Series(n_other), pd.Series(n_low.clip(min=1)), norms, config
        ).to_numpy()
    )
    hits = table[(table["difference"].abs() > table["threshold"]) & held]
    lower = np.where(hits["difference"] > 0, GROUPS["youth"], GROUPS["adult"])
    return _episodes(
        "split-adult-youth",
        hits.assign(lower=lower),
        ["case_id", "series", "lower"],
        config,
        lambda r: {
            "lower": r.lower,
            "instrument": r.series,
            "adult_mean": round(r.adult_mean, 1),
            "youth_mean": round(r.youth_mean, 1),
            "difference": round(abs(r.difference), 1),
            "threshold": round(r.threshold, 1),
        },
        lambda f: pd.Series("family", index=f.index),
        table[[*SESSION, "series"]],
    )


def _group_threshold(
    n_a: pd.Series, n_b: pd.Series, norms: Norms, config: SignalConfig
) -> pd.Series:
    """z·SEM·√(1/n_a + 1/n_b): a reliable difference between two group means."""
    return config.z_crit * norms.pooled_sem * np.sqrt(1 / n_a + 1 / n_b)


def _across_forms(
    members: pd.DataFrame,
    within: pd.DataFrame,
    rc: float,
    norms: Norms,
    config: SignalConfig,
) -> pd.DataFrame:
    """Sessions where members answered different instruments and the dyad or
    family rule, applied across them, finds a split that no comparison within
    one instrument found: shown as information."""
    levels = member_levels(members, by_series=False)
    forms = levels.groupby(SESSION)["series"].nunique()
    mixed = forms[forms > 1].index
    if mixed.empty:
        return empty()
    levels = levels.set_index(SESSION).loc[mixed].reset_index()
    spread = between_members(levels)
    hits = spread[_dyad_split(spread, rc) | _family_split(spread, rc, norms)]
    seen = within[_dyad_split(within, rc) | _family_split(within, rc, norms)]
    hits = hits.merge(
        seen[[*SESSION, "lowest"]].drop_duplicates(),
        on=[*SESSION, "lowest"],
        how="left",
        indicator=True,
    )
    hits = hits[hits["_merge"] == "left_only"].drop(columns="_merge")
    form = levels.set_index([*SESSION, "member_id"])["series"]
    hits = hits.assign(
        lower_form=[form[(c, s, m)] for c, s, m in hits[[*SESSION, "lowest"]].values],
        higher_form=[form[(c, s, m)] for c, s, m in hits[[*SESSION, "highest"]].values],
        threshold=np.where(hits["n"] == 2, rc, max(norms.between_sd, rc)),
    )
    # A hint about forms: only where the two members' forms differ.
    hits = hits[hits["lower_form"] != hits["higher_form"]]
    out = _episodes(
        CROSS_FORM,
        hits,
        ["case_id", "lowest", "highest"],
        config,
        lambda r: {
            "lower": r.lowest,
            "higher": r.highest,
            "lower_instrument": r.lower_form,
            "higher_instrument": r.higher_form,
            "lower_score": round(r.low, 1),
            "higher_score": round(r.high, 1),
            "difference": round(r.range, 1),
            "threshold": round(r.threshold, 1),
        },
        lambda f: "member:" + f["lowest"],
        spread[SESSION],
    )
    return out.assign(severity="info")


def _family_therapist(
    family_view: pd.DataFrame | None,
    therapist: pd.DataFrame,
    norms: Norms,
    config: SignalConfig,
) -> pd.DataFrame:
    if family_view is None or family_view.empty:
        return empty()
    view = family_view[family_view["case_kind"] != "individual"]
    members = view.groupby(SESSION)["pomp"].agg(["mean", "size"])
    rating = (
        therapist[therapist["member_id"] == "family"]
        .groupby(SESSION)["pomp"]
        .mean()
        .rename("therapist")
    )
    table = members.join(rating, how="inner").reset_index()
    table["difference"] = table["therapist"] - table["mean"]
    table["threshold"] = (
        config.z_crit * norms.pooled_sem * np.sqrt(1 / table["size"] + 1)
    )
    hits = table[table["difference"] > table["threshold"]]
    return _episodes(
        "split-family-therapist",
        hits.assign(lower="the family"),
        ["case_id", "lower"],
        config,
        lambda r: {
            "lower": r.lower,
            "family_mean": round(r.mean, 1),
            "therapist": round(r.therapist, 1),
            "members": int(r.size),
            "difference": round(r.difference, 1),
            "threshold": round(r.threshold, 1),
        },
        lambda f: pd.Series("family", index=f.index),
        table[SESSION],
    )


def _episodes(
    kind: str,
    hits: pd.DataFrame,
    identity: list[str],
    config: SignalConfig,
    evidence_of: Callable[[Any], dict[str, Any]],
    subject_of: Callable[[pd.DataFrame], pd.Series],
    checked: pd.DataFrame,
) -> pd.DataFrame:
    """One signal per run of split sessions with the same `identity` (case,
    comparison, lower side). `checked` lists the sessions in which the same
    comparison could be made (its key columns and session): a run goes on
    across sessions where it could not (someone did not answer), since those
    say nothing against it, and has ended once a later checked session shows
    no such split."""
    if hits.empty:
        return empty()
    keys = [c for c in checked.columns if c != "session"]
    checked = checked.drop_duplicates().sort_values([*keys, "session"])
    checked = checked.assign(check=checked.groupby(keys).cumcount())
    hits = hits.merge(checked, on=[*keys, "session"])
    runs = episodes(
        hits.assign(severity="yellow"),
        identity,
        escalate_after=config.split_persistent_sessions,
        order="check",
    )
    ended = ended_runs(
        runs, checked.drop(columns="check"), hits, identity, "such split"
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
    return rows(kind, runs, runs["severity"], subject_of(runs), evidence, ended=ended)
