"""Alliance rupture and repair [P] (docs/clinical-rules.md §Rupture, vector RUP-1).

For one respondent's alliance series A_1..A_T (higher is better, 0-100):
  RC_A = z · √2 · SEM_A
  R1: A_{t-1} − A_t ≥ RC_A                                          (reliable drop)
  R2: A_t < mean(A_1..A_{t-1}) − k · max(s_d(A_1..A_{t-1}), σ_within)  (person-relative;
      needs at least 3 prior sessions, else R1 alone applies), where s_d is the
      successive-difference SD, √(Σ(A_i − A_{i−1})² / (2·(n − 1))) (von Neumann
      et al. 1941) [P]: the published rule uses the plain SD of the prior answers,
      but a level shift among them (a split that ended, an earlier rupture,
      growth) inflates the plain SD and hides a later drop, while the person's
      session-to-session noise, which R2 is meant to measure, is what the
      successive differences give (600 simulated cases × 3 seeds: recall
      0.879 → 0.952, precision 0.950 → 0.956; vector RUP-1 unchanged).
  rupture at t = R1 and (R2 or fewer than 3 prior sessions), or, with at least
      3 prior sessions, R2 and A_t < A_pre − RC_A (below the repair floor
      defined next) where the session before was neither a rupture nor below
      its own floor: the reliable drop taken from the recent level instead of
      the last session alone, so a fall over two sessions (80, 72, 62) counts
      as one does over one [P] (600 simulated cases × 3 seeds: default
      precision/recall 0.956/0.952 → 0.956/0.955; realistic 0.575/0.360 →
      0.604/0.471, F1 0.443 → 0.529).
  repaired if within the next 2 sessions A ≥ A_pre − RC_A, with A_pre the mean of
  the up-to-3 sessions before t; unrepaired if neither of those sessions is; pending
  while they have not happened yet; repaired late when an unrepaired rupture's
  member is back at A ≥ A_pre − RC_A in a later session [P]. A repaired rupture
  (on time or late) has ended: it is good news, not an open alert.
Sources: Stiles et al. 2004; Gumz et al. 2012 (strict k = 2 / lenient k = 1);
McLaughlin et al. 2014 (unrepaired ruptures and PTSD outcome).

Short forms [P]: RC_A is never below `rupture_min_answer_steps` (2) steps of
one answer on the instrument's scale (TAC-C 1.1 16.7 points, TAC 1.1 5.6; on
version 1.0 12.5 and 7.1), so one answer moving one step is never a
rupture; and a member's first rupture on a child form is yellow, later ones
red, since one child's answer moving two steps is weak evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tether.instruments import Library

from .alliance import SERIES, Norms, answer_step_pomp, primary_scales
from .config import SignalConfig
from .items import ITEM_PREFIX, answers_to, items_with_facet
from .model import empty, rows


def rupture_table(
    series: pd.DataFrame,
    sem: pd.Series | float,
    config: SignalConfig,
    min_rc: pd.Series | float = 0.0,
) -> pd.DataFrame:
    """Per session of each series: drop, thresholds, R1, R2, rupture, state.

    `series` holds one respondent's answered scores in `pomp`, sorted by the
    SERIES columns and session; `sem` is SEM_A per row (or one value);
    `min_rc` the smallest threshold allowed per row (or one value)."""
    a = series["pomp"]
    group = series.groupby(SERIES, sort=False)["pomp"]
    rc = np.maximum(config.z_crit * np.sqrt(2.0) * sem, min_rc)
    previous = group.shift(1)
    prior_n = group.cumcount()
    prior_sum = group.cumsum() - a
    keys = [series[column] for column in SERIES]
    prior_sq = (a * a).groupby(keys, sort=False).cumsum() - a * a
    prior_mean = prior_sum / prior_n.replace(0, np.nan)
    prior_var = (prior_sq - prior_n * prior_mean**2) / (prior_n - 1).replace(0, np.nan)
    prior_sd = np.sqrt(prior_var.clip(lower=0))
    step = group.diff() ** 2
    steps_n = step.notna().groupby(keys, sort=False).cumsum()
    steps_sum = step.fillna(0).groupby(keys, sort=False).cumsum()
    # The successive-difference SD of the prior answers, up to t−1.
    successive_sd = np.sqrt(
        (steps_sum - step.fillna(0)) / (steps_n - step.notna()).replace(0, np.nan) / 2
    )
    spread = np.maximum(successive_sd.fillna(0), sem)
    drop = previous - a
    r1 = drop >= rc
    r2 = a < prior_mean - config.rupture_k * spread
    enough_prior = prior_n >= config.rupture_min_prior
    before = pd.concat([group.shift(step) for step in (1, 2, 3)], axis=1)
    pre_level = before.mean(axis=1)
    floor = pre_level - rc
    # A fall below the repair floor, the line repair is measured against, is
    # the same reliable drop taken over two sessions instead of one.
    below_floor = (a < floor) & enough_prior & r2
    by_drop = r1 & (r2 | ~enough_prior)
    rupture = by_drop | (below_floor & ~_after(by_drop | (a < floor), keys))
    later = [group.shift(-step) for step in range(1, config.repair_window + 1)]
    sessions = series.groupby(SERIES, sort=False)["session"]
    later_sessions = [
        sessions.shift(-step) for step in range(1, config.repair_window + 1)
    ]
    repaired_at = pd.Series(np.nan, index=series.index)
    for value, session in zip(reversed(later), reversed(later_sessions), strict=True):
        repaired_at = repaired_at.where(~(value >= floor), session)
    complete = later[-1].notna()
    state = np.where(
        repaired_at.notna(), "repaired", np.where(complete, "unrepaired", "pending")
    )
    return series.assign(
        previous=previous,
        drop=drop,
        threshold=rc,
        prior_mean=prior_mean,
        prior_sd=prior_sd,
        successive_sd=successive_sd,
        r1=r1,
        r2=r2 & enough_prior,
        below_floor=below_floor,
        relative_drop=drop >= 0.15 * previous,
        rupture=rupture,
        pre_level=pre_level,
        repaired_at=repaired_at,
        state=state,
    )


def _after(flags: pd.Series, keys: list[pd.Series]) -> pd.Series:
    """Whether the previous answered session of the same series is flagged."""
    return flags.groupby(keys, sort=False).shift(1).fillna(False).astype(bool)


def rupture_signals(
    members: pd.DataFrame, norms: Norms, config: SignalConfig, library: Library
) -> pd.DataFrame:
    """Rupture signals for members' own alliance series, with their state: red,
    except a member's first rupture on a child form (yellow)."""
    primary = primary_scales(library)
    keys = members["instrument"].unique()
    floors = {
        key: config.rupture_min_answer_steps
        * answer_step_pomp(library.get(key), primary[key])
        for key in keys
    }
    child_forms = {key for key in keys if library.get(key).respondents == ("child",)}
    sem = members["instrument"].map(norms.sem_for).astype(float)
    min_rc = members["instrument"].map(floors).astype(float)
    table = rupture_table(members, sem, config, min_rc)
    hits = _late_repairs(table[table["rupture"]], table)
    # A child's first rupture on the form, whichever version of it.
    form = hits["instrument"].str.split("@").str[0]
    first = hits.groupby([hits["case_id"], hits["member_id"], form]).cumcount() == 0
    severity = np.where(first & hits["instrument"].isin(child_forms), "yellow", "red")
    evidence = [
        {
            "member": r.member_id,
            "instrument": r.instrument,
            "previous": round(r.previous, 1),
            "current": round(r.pomp, 1),
            "drop": round(r.drop, 1),
            "threshold": round(r.threshold, 1),
            "prior_mean": round(r.prior_mean, 1),
            "pre_level": round(r.pre_level, 1),
            "level_drop": round(r.pre_level - r.pomp, 1),
            "below_floor": bool(r.below_floor and not r.r1),
            "person_relative": bool(r.r2),
            "relative_drop_15pct": bool(r.relative_drop),
            "repaired_session": None if np.isnan(r.repaired_at) else int(r.repaired_at),
            "repair_window": config.repair_window,
        }
        for r in hits.itertuples(index=False)
    ]
    ended = np.where(
        hits["state"] == "repaired",
        "repaired at session " + hits["repaired_at"].fillna(0).astype(int).astype(str),
        np.where(
            hits["state"] == "repaired-late",
            "repaired late, at session "
            + hits["repaired_at"].fillna(0).astype(int).astype(str),
            "",
        ),
    )
    return rows(
        "rupture",
        hits,
        pd.Series(severity, index=hits.index),
        "member:" + hits["member_id"],
        evidence,
        hits["state"],
        pd.Series(ended, index=hits.index),
    )


def _late_repairs(hits: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Unrepaired ruptures whose member is back above the repair floor (the
    pre-rupture level minus the threshold) in a session after the repair
    window: state `repaired-late`, `repaired_at` that session."""
    unrepaired = hits[hits["state"] == "unrepaired"]
    if unrepaired.empty:
        return hits
    floors = unrepaired[[*SERIES, "session"]].assign(
        floor=unrepaired["pre_level"] - unrepaired["threshold"]
    )
    later = (
        floors.reset_index()
        .merge(table[[*SERIES, "session", "pomp"]], on=SERIES, suffixes=("", "_later"))
        .query("session_later > session and pomp >= floor")
        .groupby("index")["session_later"]
        .min()
    )
    if later.empty:
        return hits
    return hits.assign(
        state=hits["state"].where(~hits.index.isin(later.index), "repaired-late"),
        repaired_at=hits["repaired_at"].fillna(later),
    )


RUPTURE_FACET = ("self", "rupture")
"""The facet of a direct rupture item (TAC 1.1 item 9)."""


def rupture_items(library: Library) -> dict[tuple[str, str], dict[float, str]]:
    """(instrument, `item:<id>`) of every direct rupture item, with its answer
    labels."""
    return items_with_facet(library, *RUPTURE_FACET)


def reported_rupture_signals(
    frame: pd.DataFrame, library: Library, config: SignalConfig
) -> pd.DataFrame:
    """R4 (docs/clinical-rules.md §Rupture): a member who agrees that something
    in today's session did not sit right (at or above `rupture_item_at_or_above`)
    reports a rupture, whatever their scores do: red, state `reported`."""
    items = rupture_items(library)
    answered = answers_to(frame, items)
    hits = answered[answered["score"] >= config.rupture_item_at_or_above]
    if hits.empty:
        return empty()
    evidence = [
        {
            "member": r.member_id,
            "instrument": r.instrument,
            "item": r.scale.removeprefix(ITEM_PREFIX),
            "answer": items[(r.instrument, r.scale)].get(r.score, f"{r.score:g}"),
        }
        for r in hits.itertuples(index=False)
    ]
    return rows(
        "rupture", hits, "red", "member:" + hits["member_id"], evidence, "reported"
    )


def with_reported(ruptures: pd.DataFrame, reported: pd.DataFrame) -> pd.DataFrame:
    """One rupture per member, instrument and session: where the scores also
    found one, the report joins its evidence (`reported`: the answer) and
    makes it red; else the report stands alone."""
    if reported.empty:
        return ruptures
    if ruptures.empty:
        return reported
    key = ["case_id", "subject", "session"]

    def instrument(table: pd.DataFrame) -> pd.Series:
        return table["evidence"].map(lambda e: e.get("instrument"))

    scored = ruptures.assign(_instrument=instrument(ruptures))
    said = reported.assign(_instrument=instrument(reported))
    both = scored.reset_index().merge(
        said[[*key, "_instrument", "evidence"]],
        on=[*key, "_instrument"],
        suffixes=("", "_said"),
    )
    out = ruptures.copy()
    for r in both.itertuples(index=False):
        out.at[r.index, "evidence"] = {
            **r.evidence,
            "reported": r.evidence_said["answer"],
        }
        out.at[r.index, "severity"] = "red"
    alone = said.merge(
        both[[*key, "_instrument"]],
        on=[*key, "_instrument"],
        how="left",
        indicator=True,
    )
    alone = alone[alone["_merge"] == "left_only"].drop(
        columns=["_merge", "_instrument"]
    )
    return pd.concat([out, alone[ruptures.columns]], ignore_index=True)
