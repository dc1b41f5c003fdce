"""Alliance series on a common 0-100 scale, the clinic's own noise norms, and the
three alliance levels (docs/clinical-rules.md §POMP, §Clinic noise, §TAC dimensions)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tether.instruments import Definition, Library

from .config import SignalConfig

SERIES = ["case_id", "member_id", "instrument"]


def pomp(score: pd.Series, low: pd.Series, high: pd.Series) -> pd.Series:
    """Percent of maximum possible: 100·(x − min)/(max − min), so instruments
    with different ranges share one 0-100 scale (Cohen et al. 1999;
    docs/clinical-rules.md §POMP)."""
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


def answer_step_pomp(definition: Definition, scale_id: str) -> float:
    """How far one answer moving one step moves the scale, on 0-100: the
    smallest change a person can make (issue "Alerts that are right", item 9)."""
    items = len(definition.scale(scale_id).items)
    low, high = definition.score_bounds
    return 100.0 * definition.score_step / (items * (high - low))


def with_verified_keys(alliance: pd.DataFrame, library: Library) -> pd.DataFrame:
    """The alliance rows whose instrument's scoring key is verified: a score
    from an unverified key (an unreversed SOFTA-s total, an assumed WAI-SR-T
    key) is shown but must not raise a rupture, split or discrepancy alert."""
    verified = {d.key for d in library if d.role == "alliance" and d.key_verified}
    return alliance[alliance["instrument"].isin(verified)]


def alliance_frame(frame: pd.DataFrame, library: Library) -> pd.DataFrame:
    """Every answered primary alliance score with its POMP value.

    Therapist rows keep the member they rate; a therapist's rating of the whole
    family uses the instrument's `family` scale."""
    primary = primary_scales(library)
    alliance = frame[frame["role"] == "alliance"]
    wanted = alliance["scale"] == alliance["instrument"].map(primary)
    family_rating = (alliance["member_id"] == "family") & (
        alliance["scale"] == "family"
    )
    out = alliance[(wanted | family_rating) & alliance["score"].notna()].copy()
    out["pomp"] = pomp(out["score"], out["low"], out["high"])
    return out.sort_values([*SERIES, "respondent", "session"]).reset_index(drop=True)


FAMILY_SCALE = "family"
"""The scale on which members (TAC) and the therapist (TAC-T) rate the alliance
of the family as a whole with the therapist: the same three questions (team,
shared purpose, safety to speak) on both forms."""


def family_view_frame(frame: pd.DataFrame, library: Library) -> pd.DataFrame:
    """The members' answered `family` scale scores of verified alliance
    instruments, with their POMP value: their view of what the therapist rates
    on TAC-T's `family` scale, so the two can be compared (docs/clinical-rules.md
    §Splits)."""
    rows = frame[
        (frame["role"] == "alliance")
        & (frame["respondent"] == "member")
        & (frame["scale"] == FAMILY_SCALE)
        & frame["score"].notna()
    ].copy()
    rows["pomp"] = pomp(rows["score"], rows["low"], rows["high"])
    return with_verified_keys(rows, library)


@dataclass(frozen=True, slots=True)
class Norms:
    """Noise of the alliance measures in this clinic, on the 0-100 scale."""

    sem: dict[str, float]
    """Session-to-session SEM per instrument: σ_within (docs/clinical-rules.md §Clinic
    noise)."""
    pooled_sem: float
    between_sd: float
    """Between-client SD of member means (docs/clinical-rules.md §Clinic noise)."""
    estimated: bool
    """False when the clinic had too few series and the fallbacks were used."""

    def sem_for(self, instrument: str) -> float:
        return self.sem.get(instrument, self.pooled_sem)

    def to_dict(self) -> dict[str, object]:
        return {
            "sem": self.sem,
            "pooled_sem": self.pooled_sem,
            "between_sd": self.between_sd,
            "estimated": self.estimated,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Norms:
        sem = data["sem"]
        assert isinstance(sem, dict)
        return cls(
            {str(k): float(v) for k, v in sem.items()},
            float(data["pooled_sem"]),  # type: ignore[arg-type]
            float(data["between_sd"]),  # type: ignore[arg-type]
            bool(data["estimated"]),
        )


def clinic_norms(members: pd.DataFrame, config: SignalConfig) -> Norms:
    """σ_within is the residual SD of a random-intercept model of A on session
    (docs/clinical-rules.md §Clinic noise), estimated within persons: each series is
    centred on its own mean, one common session slope is removed, and the residual sum
    of squares is divided by its degrees of freedom, N − series − 1 — except that the
    spread of the residuals is taken robustly (1.4826 · median absolute residual),
    because the ruptures and splits Tether looks for would otherwise inflate the very
    noise they are judged against (600 simulated cases: plain SD 7.8, robust 4.7,
    planted noise 3.0 plus rounding, on 0-100). The between-client SD is the SD of the
    member series means. Series with fewer than three answers do not count; with fewer
    than `min_series_for_norms` series the configured fallbacks are used."""
    counts = members.groupby(SERIES)["pomp"].transform("count")
    data = members[counts >= 3]
    series = data.groupby(SERIES)
    if series.ngroups < config.min_series_for_norms:
        return Norms(
            {}, config.fallback_sem_pomp, config.fallback_between_sd_pomp, False
        )
    a = data["pomp"] - series["pomp"].transform("mean")
    t = data["session"] - series["session"].transform("mean")
    sem = {}
    for instrument, rows in data.groupby("instrument").groups.items():
        sem[str(instrument)] = _residual_sd(
            a[rows], t[rows], data.loc[rows, SERIES].drop_duplicates().shape[0]
        )
    pooled = _residual_sd(a, t, series.ngroups)
    between = float(series["pomp"].mean().std())
    return Norms(
        {k: v for k, v in sem.items() if v > 0},
        pooled or config.fallback_sem_pomp,
        between,
        True,
    )


def _residual_sd(a: pd.Series, t: pd.Series, groups: int) -> float:
    slope = float((a * t).sum() / (t * t).sum()) if (t * t).sum() > 0 else 0.0
    residual = a - slope * t
    df = len(a) - groups - 1
    if df <= 0:
        return 0.0
    robust_sd = 1.4826 * float(np.median(np.abs(residual)))
    return robust_sd * float(np.sqrt(len(a) / df))


SUBSYSTEMS = ("caregivers", "children", "couple")
"""The subsystems the signals know (docs/architecture.md §Records): a member belongs to
one or none."""


def subsystem_of(role: str, age_band: str, case_kind: str) -> str | None:
    """The subsystem a member belongs to by default, from the role (docs/long-format.md;
    a clinician may edit it in the app, which then fills the table's
    `subsystem` column): in a couple case the two partners are the `couple`;
    in a family case caregivers, partners and an adult identified client (a
    parent who is the veteran, say) are the `caregivers`, children, siblings
    and a young identified client the `children`."""
    if case_kind == "couple" and role in ("identified-client", "partner"):
        return "couple"
    if case_kind != "family":
        return None
    if role in ("caregiver", "partner") or (
        role == "identified-client" and age_band == "adult"
    ):
        return "caregivers"
    if role in ("child", "sibling") or (
        role == "identified-client" and age_band == "youth"
    ):
        return "children"
    return None


def subsystems_of(frame: pd.DataFrame) -> pd.Series:
    """`subsystem_of` for every row of a table with `member_role`, `age_band`
    and `case_kind` ("" where a member belongs to none), computed once per
    distinct combination."""
    keys = ["member_role", "age_band", "case_kind"]
    combos = frame[keys].drop_duplicates()
    combos["subsystem"] = [
        subsystem_of(r, a, k) or ""
        for r, a, k in combos.itertuples(index=False, name=None)
    ]
    merged = frame[keys].merge(combos, on=keys, how="left")
    return pd.Series(merged["subsystem"].to_numpy(), index=frame.index, dtype=object)


def alliance_levels(alliance: pd.DataFrame) -> pd.DataFrame:
    """One session's alliance at each level, on 0-100: each member with the
    therapist, each subsystem (mean and spread of its members, by the table's
    `subsystem` column: as the clinician edited it, else derived), the whole family
    (mean and spread of all members), and the therapist's own ratings.

    Members who did not answer are simply absent, so an absent member changes
    nothing. Columns: case_id, session, level, subject, value, spread, n."""
    members = alliance[alliance["respondent"] == "member"]
    parts = [
        _level(members, "member", "member:" + members["member_id"].astype(str)),
    ]
    subsystem = (
        members["subsystem"] if "subsystem" in members else subsystems_of(members)
    )
    with_subsystem = members.assign(subsystem=subsystem)
    with_subsystem = with_subsystem[with_subsystem["subsystem"].fillna("") != ""]
    parts.append(
        _level(
            with_subsystem,
            "subsystem",
            "subsystem:" + with_subsystem["subsystem"].astype(str),
        )
    )
    multi = members[members["case_kind"] != "individual"]
    parts.append(_level(multi, "family", pd.Series("family", index=multi.index)))
    therapist = alliance[alliance["respondent"] == "therapist"]
    subject = np.where(
        therapist["member_id"] == "family",
        "family",
        "member:" + therapist["member_id"].astype(str),
    )
    parts.append(
        _level(therapist, "therapist", pd.Series(subject, index=therapist.index))
    )
    return pd.concat(parts, ignore_index=True).sort_values(
        ["case_id", "session", "level", "subject"], ignore_index=True
    )


def _level(rows: pd.DataFrame, level: str, subject: pd.Series) -> pd.DataFrame:
    grouped = rows.assign(subject=subject).groupby(["case_id", "session", "subject"])[
        "pomp"
    ]
    out = grouped.agg(value="mean", spread="std", n="count").reset_index()
    out["spread"] = out["spread"].where(out["n"] > 1)
    out.insert(2, "level", level)
    return out
