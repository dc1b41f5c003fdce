"""Symptom and outcome signals: change since intake, recovery and not-on-track.

Each session is compared with the member's first (intake) score, with the
thresholds of thresholds.py. One outcome trend raises one alert
(docs/signals.md, "Outcomes"):

- where the clinic's expected-response model is fitted for the instrument
  (docs/clinical-rules.md §Expected response; at least `etr_min_cases` cases),
  `not-on-track` alone judges a worsening, on its own bands: yellow above μ +
  0.8416·sd_pred, red above μ + 1.2816·sd_pred, never below the clinical cutoff;
- otherwise the change rule does: a worsening of at least the alert threshold
  is red, named for what the threshold is — `meaningful-worsening` (a
  clinically meaningful change: PCL-5 10 points) or `reliable-deterioration`
  (a reliable change: PHQ-9 6, GAD-7 4, ORS 5, or a Jacobson–Truax value).

Improvement of at least the alert threshold (`meaningful-improvement` or
`reliable-improvement`) and recovery are green either way; a possible change
(PCL-5 5–9 points) is information only, and its worsening side is left to
not-on-track where the model is fitted.

Recovery (Jacobson & Truax 1991; docs/clinical-rules.md §Recovery): a case at intake, an
improvement of at least the reliable change, and now at the recovery end: the
definition's own (PCL-5 ≤ 28, Marx et al. 2022) or else the healthy side of the
cutoff. With a paired measure (NHS Talking Therapies: PHQ-9 with GAD-7) a case
at intake on either measure counts, and the member must be at the end on both:
PHQ-9 < 10 and GAD-7 < 8, the partner judged on its latest score at or before
the session (where the member has answered it by then).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .config import SignalConfig
from .expected import ExpectedResponse, fit_expected_response
from .model import empty, ended_runs, episodes, rows
from .thresholds import MEANINGFUL, RELIABLE, SERIES, OutcomeScale, Partner

KINDS = {
    MEANINGFUL: ("meaningful-worsening", "meaningful-improvement"),
    RELIABLE: ("reliable-deterioration", "reliable-improvement"),
}
"""(worsening, improvement) signal kinds by what the alert threshold is."""
RECOVERY = "recovery"
POSSIBLE_CHANGE = "possible-change"


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


def change_signals(
    frame: pd.DataFrame, spec: OutcomeScale, worsening: bool = True
) -> pd.DataFrame:
    """The change rule's signals for one scale; with `worsening` False (the
    expected-response model judges worsening) only improvement, recovery and a
    possible improvement."""
    data = series_with_intake(frame, spec.instrument, spec.scale.id)
    data = data[data["session"] > data["intake_session"]]
    direction = 1.0 if spec.scale.higher_is_better else -1.0
    data = data.assign(change=data["score"] - data["intake"])
    better = direction * data["change"]
    improved = better >= spec.threshold
    worse = -better >= spec.threshold
    at_end, end = recovery_end(frame, data, spec)
    recovered = (better >= spec.reliable) & at_end
    possible = pd.Series(False, index=data.index)
    if spec.possible is not None:
        possible = (better.abs() >= spec.possible) & ~improved & ~worse
    worse_kind, better_kind = KINDS[spec.basis]
    plan = [
        (RECOVERY, recovered, "green", "better"),
        (better_kind, improved & ~recovered, "green", "better"),
        (POSSIBLE_CHANGE, possible & (better > 0), "info", "better"),
    ]
    if worsening:
        plan += [
            (worse_kind, worse, "red", "worse"),
            (POSSIBLE_CHANGE, possible & (better < 0), "info", "worse"),
        ]
    data = data.assign(end=end)
    parts = []
    for kind, mask, severity, side in plan:
        runs = episodes(data[mask].assign(severity=severity), SERIES)
        if side == "better":
            # Good news is reported once, when first reached; a worsening may recur.
            runs = runs.drop_duplicates(SERIES)
        evidence = [_evidence(r, spec, kind, side) for r in runs.itertuples()]
        ended = (
            ended_runs(
                runs, data[[*SERIES, "session"]], data[mask], SERIES, "such worsening"
            )
            if side == "worse"
            else ""
        )
        parts.append(
            rows(
                kind,
                runs,
                severity,
                "member:" + runs["member_id"],
                evidence,
                ended=ended,
            )
        )
    return pd.concat(parts, ignore_index=True)


def _evidence(r: Any, spec: OutcomeScale, kind: str, side: str) -> dict[str, Any]:
    """The numbers behind one change signal (`r`: a row of episodes())."""
    cutoff = spec.scale.cutoff
    out: dict[str, Any] = {
        "member": r.member_id,
        "instrument": r.instrument,
        "baseline": round(float(r.intake), 1),
        "current": round(float(r.score), 1),
        "change": round(float(r.change), 1),
        "threshold": round(spec.threshold, 1),
        "threshold_source": spec.source,
        "cutoff": None if cutoff is None else cutoff.value,
        "sessions": int(r.sessions),
        "last_session": int(r.last_session),
    }
    if kind == POSSIBLE_CHANGE:
        out["direction"] = side
        out["possible"] = spec.possible
        out["possible_source"] = spec.possible_source
    if kind == RECOVERY:
        out["reliable"] = round(spec.reliable, 1)
        out["reliable_source"] = spec.reliable_source
        out["end"] = r.end
    return out


def recovery_end(
    frame: pd.DataFrame, data: pd.DataFrame, spec: OutcomeScale
) -> tuple[pd.Series, pd.Series]:
    """For each later session of `data`: was the member a case at intake and is
    the score now at the recovery end (on both measures of a pair), and that
    end in words. Reliable improvement is checked by the caller."""
    scale = spec.scale
    rule = scale.change.recovery if scale.change is not None else None
    cutoff = scale.cutoff
    caseness = rule.caseness if rule is not None else None
    if caseness is None and rule is not None and cutoff is not None:
        caseness = cutoff.value
    if rule is not None and caseness is not None:
        case_at_intake = data["intake"] >= caseness
        at_end = data["score"].map(rule.is_met).astype(bool)
        words = f"{'at or below' if rule.inclusive else 'below'} {rule.value:g}"
    elif cutoff is not None:
        case_at_intake = data["intake"].map(cutoff.is_met).astype(bool)
        at_end = ~data["score"].map(cutoff.is_met).astype(bool)
        side = "below" if cutoff.direction == "at_or_above" else "at or above"
        words = f"{side} the cutoff of {cutoff.value:g}"
    else:
        none = pd.Series(False, index=data.index)
        return none, pd.Series("", index=data.index)
    end = pd.Series(words, index=data.index)
    if spec.partner is not None and not data.empty:
        partner = _partner_scores(frame, data, spec.partner)
        known = partner["now"].notna()
        case_at_intake = case_at_intake | (partner["intake"] >= spec.partner.caseness)
        theirs = spec.partner.recovery
        partner_end = partner["now"].map(theirs.is_met).astype(bool)
        at_end = at_end & (~known | partner_end)
        both = (
            f"{words}, with {spec.partner.short_title} "
            f"{'at or below' if theirs.inclusive else 'below'} {theirs.value:g} (now "
            + partner["now"].map(lambda v: f"{v:g}")
            + ")"
        )
        end = end.where(~known, both)
    return case_at_intake & at_end, end


def _partner_scores(
    frame: pd.DataFrame, data: pd.DataFrame, partner: Partner
) -> pd.DataFrame:
    """The partner measure's first score and latest score at or before each
    session of `data` (NaN where the member had not answered it by then)."""
    keys = ["case_id", "member_id"]
    theirs = frame[
        (frame["instrument_id"] == partner.instrument_id)
        & (frame["scale"] == partner.scale)
        & frame["score"].notna()
    ][[*keys, "session", "score"]].sort_values("session")
    theirs = theirs.assign(intake=theirs.groupby(keys)["score"].transform("first"))
    left = data[[*keys, "session"]].assign(_row=data.index).sort_values("session")
    merged = pd.merge_asof(
        left,
        theirs.rename(columns={"score": "now"}).astype(
            {"session": left["session"].dtype}
        ),
        on="session",
        by=keys,
        direction="backward",
    )
    return merged.set_index("_row").reindex(data.index)[["now", "intake"]]


FIT = "fit"
"""Fit the expected-response model on the data given (rather than pass one in)."""


def not_on_track_signals(
    frame: pd.DataFrame,
    spec: OutcomeScale,
    config: SignalConfig,
    model: ExpectedResponse | str | None = FIT,
) -> tuple[pd.DataFrame, ExpectedResponse | None]:
    """Not-on-track signals for a lower-is-better symptom scale, on the
    expected-response model's own bands, and the model (fitted here unless one,
    or None for none, is passed in). No model: no signals here — the change
    rule judges worsening instead."""
    if spec.scale.higher_is_better:
        return empty(), None
    data = series_with_intake(frame, spec.instrument, spec.scale.id)
    data = data.assign(patient=data["case_id"] + "/" + data["member_id"])
    if model == FIT:
        model = _fit(data, config)
    assert model is None or isinstance(model, ExpectedResponse)
    if model is None:
        return empty(), None
    later = data[data["session"] > data["intake_session"]]
    session = later["session"].to_numpy(dtype=float)
    mu = model.mean(session, later["intake"].to_numpy())
    sd = model.sd(session)
    upper80 = mu + config.not_on_track_yellow_z * sd
    upper90 = mu + config.not_on_track_red_z * sd
    score = later["score"].to_numpy()
    clinical = (
        later["score"].map(spec.scale.cutoff.is_met).astype(bool).to_numpy()
        if spec.scale.cutoff
        else np.ones(len(later), dtype=bool)
    )
    red = (score > upper90) & clinical
    yellow = (score > upper80) & clinical & ~red
    later = later.assign(expected=mu, upper80=upper80, upper90=upper90)
    flagged = red | yellow
    hits = later[flagged].assign(severity=np.where(red[flagged], "red", "yellow"))
    runs = episodes(hits, SERIES)
    evidence = [
        {
            "member": r.member_id,
            "instrument": r.instrument,
            "score": round(r.score, 1),
            "intake": round(r.intake, 1),
            "expected": round(r.expected, 1),
            "upper80": round(r.upper80, 1),
            "upper90": round(r.upper90, 1),
            "method": "expected-response model",
            "change": round(r.score - r.intake, 1),
            "sessions": int(r.sessions),
            "last_session": int(r.last_session),
            "first_red_session": None
            if np.isnan(r.first_red_session)
            else int(r.first_red_session),
        }
        for r in runs.itertuples(index=False)
    ]
    table = rows(
        "not-on-track",
        runs,
        runs["severity"] if not runs.empty else "red",
        "member:" + runs["member_id"],
        evidence,
        ended=ended_runs(
            runs,
            later[[*SERIES, "session"]],
            hits,
            SERIES,
            "score above the expected range",
        ),
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
    # A fit that did not converge gives no trustworthy bands: the change rule
    # judges worsening instead.
    return model if model.converged else None
