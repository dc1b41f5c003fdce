"""Symptom and support outcomes: reliable change, recovery and not-on-track.

Reliable change (Jacobson & Truax 1991; methods §1.1) compares each session with
the member's first (intake) score. The raw-point threshold is the instrument's
published reliable-change value where its definition gives one (PCL-5: 15,
Marx et al. 2022), else z·√2·SD_0·√(1 − r) with SD_0 the clinic's intake SD
(the definition's SD when fewer than 30 intakes) and r the definition's
reliability. Recovery adds the instrument's validated cutoff: clinical at intake,
not clinical now, and reliably improved (methods §1.3).

Not on track (methods §2.2): against the expected-response model fitted on the
clinic's own data, yellow above μ + 0.8416·sd_pred and red above μ + 1.2816·sd_pred
or on reliable deterioration; scores below the clinical cutoff are not flagged.
With fewer than `etr_min_cases` cases the model is not fitted and only the
reliable-change rule applies (red on reliable deterioration): fewer cases give
unstable variance components, and methods §2.2 asks for at least 100.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tether.instruments import Library
from tether.instruments.model import Scale

from .config import SignalConfig
from .expected import ExpectedResponse, fit_expected_response
from .model import empty, episodes, rows

MIN_INTAKES_FOR_SD = 30
SERIES = ["case_id", "member_id", "instrument"]


@dataclass(frozen=True, slots=True)
class OutcomeScale:
    instrument: str
    scale: Scale
    threshold: float
    source: str


def outcome_scales(
    frame: pd.DataFrame, library: Library, config: SignalConfig
) -> list[OutcomeScale]:
    """Each symptom or outcome scale in the data with a change rule. Support
    (MSPSS) has its own rule, low support, rather than a red deterioration."""
    found = []
    present = frame[frame["role"].isin(("symptom", "outcome"))]
    for key in present["instrument"].unique():
        definition = library.get(key)
        for scale in definition.scales:
            if scale.change is None:
                continue
            rows_ = present[
                (present["instrument"] == key) & (present["scale"] == scale.id)
            ]
            if rows_.empty:
                continue
            threshold, source = _threshold(rows_, scale, config)
            if threshold is not None:
                found.append(OutcomeScale(key, scale, threshold, source))
    return found


def _threshold(
    rows_: pd.DataFrame, scale: Scale, config: SignalConfig
) -> tuple[float | None, str]:
    change = scale.change
    assert change is not None
    if change.reliable_change_points is not None:
        return (
            change.reliable_change_points,
            "published reliable-change value (instrument definition)",
        )
    if change.reliability is None:
        return None, ""
    intakes = (
        rows_.dropna(subset=["score"])
        .sort_values("session")
        .drop_duplicates(SERIES)["score"]
    )
    sd = float(intakes.std()) if len(intakes) >= MIN_INTAKES_FOR_SD else change.sd
    if sd is None or not sd > 0:
        return None, ""
    threshold = config.z_crit * np.sqrt(2.0) * sd * np.sqrt(1 - change.reliability)
    return float(threshold), f"z·√2·SD·√(1−r), SD {sd:.2f}, r {change.reliability:g}"


def series_with_intake(
    frame: pd.DataFrame, instrument: str, scale: str
) -> pd.DataFrame:
    rows_ = frame[
        (frame["instrument"] == instrument)
        & (frame["scale"] == scale)
        & frame["score"].notna()
    ]
    rows_ = rows_.sort_values([*SERIES, "session"])
    first = rows_.groupby(SERIES, sort=False)
    return rows_.assign(
        intake=first["score"].transform("first"),
        intake_session=first["session"].transform("first"),
    )


def change_signals(frame: pd.DataFrame, spec: OutcomeScale) -> pd.DataFrame:
    data = series_with_intake(frame, spec.instrument, spec.scale.id)
    data = data[data["session"] > data["intake_session"]]
    direction = 1.0 if spec.scale.higher_is_better else -1.0
    change = data["score"] - data["intake"]
    improved = direction * change >= spec.threshold
    worse = -direction * change >= spec.threshold
    cutoff = spec.scale.cutoff
    recovered = pd.Series(False, index=data.index)
    if cutoff is not None:
        clinical_pre = data["intake"].map(cutoff.is_met).astype(bool)
        clinical_now = data["score"].map(cutoff.is_met).astype(bool)
        recovered = improved & clinical_pre & ~clinical_now
    parts = []
    for kind, mask, severity in (
        ("reliable-deterioration", worse, "red"),
        ("recovery", recovered, "green"),
        ("reliable-improvement", improved & ~recovered, "green"),
    ):
        hits = data[mask].assign(severity=severity, change=change[mask])
        runs = episodes(hits, SERIES)
        if severity == "green":
            # Good news is reported once, when first reached; a worsening may recur.
            runs = runs.drop_duplicates(SERIES)
        evidence = [
            {
                "member": r.member_id,
                "instrument": r.instrument,
                "baseline": round(r.intake, 1),
                "current": round(r.score, 1),
                "change": round(r.change, 1),
                "threshold": round(spec.threshold, 1),
                "threshold_source": spec.source,
                "cutoff": None if cutoff is None else cutoff.value,
                "sessions": int(r.sessions),
                "last_session": int(r.last_session),
            }
            for r in runs.itertuples(index=False)
        ]
        parts.append(
            rows(kind, runs, severity, "member:" + runs["member_id"], evidence)
        )
    return pd.concat(parts, ignore_index=True)


FIT = "fit"
"""Fit the expected-response model on the data given (rather than pass one in)."""


def not_on_track_signals(
    frame: pd.DataFrame,
    spec: OutcomeScale,
    config: SignalConfig,
    model: ExpectedResponse | str | None = FIT,
) -> tuple[pd.DataFrame, ExpectedResponse | None]:
    """Not-on-track signals for a lower-is-better symptom scale, and the model
    (fitted here unless one, or None for none, is passed in)."""
    if spec.scale.higher_is_better:
        return empty(), None
    data = series_with_intake(frame, spec.instrument, spec.scale.id)
    data = data.assign(patient=data["case_id"] + "/" + data["member_id"])
    if model == FIT:
        model = _fit(data, config)
    assert model is None or isinstance(model, ExpectedResponse)
    later = data[data["session"] > data["intake_session"]]
    deteriorated = later["score"] - later["intake"] >= spec.threshold
    if model is None:
        hits = later[deteriorated].assign(
            severity="red", expected=np.nan, upper80=np.nan, upper90=np.nan
        )
        method = "reliable-change rule"
    else:
        session = later["session"].to_numpy(dtype=float)
        mu = model.mean(session, later["intake"].to_numpy())
        sd = model.sd(session)
        upper80 = mu + config.not_on_track_yellow_z * sd
        upper90 = mu + config.not_on_track_red_z * sd
        score = later["score"].to_numpy()
        clinical = (
            later["score"].map(spec.scale.cutoff.is_met).astype(bool)
            if spec.scale.cutoff
            else True
        )
        red = ((score > upper90) | deteriorated) & clinical
        yellow = (score > upper80) & clinical & ~red
        later = later.assign(expected=mu, upper80=upper80, upper90=upper90)
        hits = later[red | yellow].assign(
            severity=np.where(red[red | yellow], "red", "yellow")
        )
        method = "expected-response model"
    runs = episodes(hits, SERIES)
    evidence = [
        {
            "member": r.member_id,
            "instrument": r.instrument,
            "score": round(r.score, 1),
            "intake": round(r.intake, 1),
            "expected": None if np.isnan(r.expected) else round(r.expected, 1),
            "upper80": None if np.isnan(r.upper80) else round(r.upper80, 1),
            "upper90": None if np.isnan(r.upper90) else round(r.upper90, 1),
            "method": method,
            "change": round(r.score - r.intake, 1),
            "threshold": round(spec.threshold, 1),
            "sessions": int(r.sessions),
            "last_session": int(r.last_session),
            "first_red_session": None
            if np.isnan(r.first_red_session)
            else int(r.first_red_session),
        }
        for r in runs.itertuples(index=False)
    ]
    state = "" if model is not None else "reliable-change"
    table = rows(
        "not-on-track",
        runs,
        runs["severity"] if not runs.empty else "red",
        "member:" + runs["member_id"],
        evidence,
        state,
    )
    return table, model


def _fit(data: pd.DataFrame, config: SignalConfig) -> ExpectedResponse | None:
    counts = data.groupby("patient")["session"].count()
    eligible = counts[counts >= config.etr_min_sessions].index
    if len(eligible) < config.etr_min_cases:
        return None
    rng = np.random.default_rng(0)
    chosen = sorted(eligible)
    if len(chosen) > config.etr_max_fit_cases:
        chosen = sorted(
            rng.choice(chosen, size=config.etr_max_fit_cases, replace=False)
        )
    model = fit_expected_response(data[data["patient"].isin(chosen)])
    # A fit that did not converge gives no trustworthy bands: fall back.
    return model if model.converged else None
