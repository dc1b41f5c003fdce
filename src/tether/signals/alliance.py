"""Alliance series on a common 0-100 scale, the clinic's own noise norms, and the
three alliance levels (DESIGN §1, §4; methods §0.5, §3.3, §4.4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tether.instruments import Library

from .config import SignalConfig

SERIES = ["case_id", "member_id", "instrument"]


def pomp(score: pd.Series, low: pd.Series, high: pd.Series) -> pd.Series:
    """Percent of maximum possible: 100·(x − min)/(max − min), so instruments
    with different ranges share one 0-100 scale (Cohen et al. 1999; methods §0.5)."""
    return 100.0 * (score - low) / (high - low)


def primary_scales(library: Library) -> dict[str, str]:
    """The scale that carries each alliance instrument's own-alliance score:
    `self` where the instrument has one (TAC), else `total`."""
    primary = {}
    for definition in library:
        if definition.role != "alliance":
            continue
        ids = {scale.id for scale in definition.scales}
        primary[definition.key] = "self" if "self" in ids else "total"
    return primary


def alliance_frame(frame: pd.DataFrame, library: Library) -> pd.DataFrame:
    """Every answered primary alliance score with its POMP value.

    Therapist rows keep the member they rate; a therapist's rating of the whole
    family uses the instrument's `family` scale."""
    primary = primary_scales(library)
    alliance = frame[frame["role"] == "alliance"]
    wanted = alliance["scale"] == alliance["instrument"].map(primary)
    family_rating = (alliance["member_id"] == "family") & (alliance["scale"] == "family")
    out = alliance[(wanted | family_rating) & alliance["score"].notna()].copy()
    out["pomp"] = pomp(out["score"], out["low"], out["high"])
    return out.sort_values([*SERIES, "respondent", "session"]).reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class Norms:
    """Noise of the alliance measures in this clinic, on the 0-100 scale."""

    sem: dict[str, float]
    """Session-to-session SEM per instrument: σ_within (methods §3.3)."""
    pooled_sem: float
    between_sd: float
    """Between-client SD of member means (methods §4.4)."""
    estimated: bool
    """False when the clinic had too few series and the fallbacks were used."""

    def sem_for(self, instrument: str) -> float:
        return self.sem.get(instrument, self.pooled_sem)


def clinic_norms(members: pd.DataFrame, config: SignalConfig) -> Norms:
    """σ_within is the pooled within-series SD, Σ(n−1)s² / Σ(n−1): the residual SD
    of a random-intercept model of A (methods §3.3). The between-client SD is the
    SD of the member series means (methods §4.4). Series with fewer than three
    answers do not count; with fewer than `min_series_for_norms` series the
    configured fallbacks are used."""
    grouped = members.groupby(SERIES)["pomp"].agg(["count", "var", "mean"])
    grouped = grouped[grouped["count"] >= 3]
    if len(grouped) < config.min_series_for_norms:
        return Norms({}, config.fallback_sem_pomp, config.fallback_between_sd_pomp, False)
    df = grouped["count"] - 1
    weighted = (grouped["var"] * df).groupby(level="instrument").sum()
    per_instrument = np.sqrt(weighted / df.groupby(level="instrument").sum())
    pooled = float(np.sqrt((grouped["var"] * df).sum() / df.sum()))
    sem = {str(k): float(v) for k, v in per_instrument.items() if v > 0}
    return Norms(sem, pooled or config.fallback_sem_pomp, float(grouped["mean"].std()), True)


SUBSYSTEM_ROLES = {
    "caregivers": ("caregiver",),
    "children": ("child", "sibling"),
}


def subsystem_of(role: str, age_band: str, case_kind: str) -> str | None:
    """The subsystem a member belongs to by role (DESIGN §3; editable in the app)."""
    if case_kind == "couple" and role in ("identified-client", "partner"):
        return "couple"
    if case_kind != "family":
        return None
    if role in ("caregiver", "partner"):
        return "caregivers"
    if role in ("child", "sibling") or (role == "identified-client" and age_band == "youth"):
        return "children"
    return None


def alliance_levels(alliance: pd.DataFrame) -> pd.DataFrame:
    """One session's alliance at each level, on 0-100: each member with the
    therapist, each subsystem (mean and spread of its members), the whole family
    (mean and spread of all members), and the therapist's own ratings.

    Members who did not answer are simply absent, so an absent member changes
    nothing. Columns: case_id, session, level, subject, value, spread, n."""
    members = alliance[alliance["respondent"] == "member"]
    parts = [
        _level(members, "member", "member:" + members["member_id"]),
    ]
    subsystem = [
        subsystem_of(r, a, k)
        for r, a, k in zip(members["member_role"], members["age_band"], members["case_kind"], strict=True)
    ]
    with_subsystem = members.assign(subsystem=subsystem).dropna(subset=["subsystem"])
    parts.append(_level(with_subsystem, "subsystem", "subsystem:" + with_subsystem["subsystem"]))
    multi = members[members["case_kind"] != "individual"]
    parts.append(_level(multi, "family", pd.Series("family", index=multi.index)))
    therapist = alliance[alliance["respondent"] == "therapist"]
    subject = np.where(therapist["member_id"] == "family", "family", "member:" + therapist["member_id"])
    parts.append(_level(therapist, "therapist", pd.Series(subject, index=therapist.index)))
    return pd.concat(parts, ignore_index=True).sort_values(["case_id", "session", "level", "subject"], ignore_index=True)


def _level(rows: pd.DataFrame, level: str, subject: pd.Series) -> pd.DataFrame:
    grouped = rows.assign(subject=subject).groupby(["case_id", "session", "subject"])["pomp"]
    out = grouped.agg(value="mean", spread="std", n="count").reset_index()
    out["spread"] = out["spread"].where(out["n"] > 1)
    out.insert(2, "level", level)
    return out
