"""The expected-response curves of the not-on-track alert, by intake level,
and how well they fit the clinic's own data (methods §2.2; docs/analytics.md
§Expected response).

The model is the one the alerts use, never a second one: signals.expected's
log-session mixed model after Finch, Lambert & Schaalje (2001),

  μ(t | x) = β0 + β1·ln t + β2·(x − c) + β3·(x − c)·ln t,
  sd_pred(t) = √(z_tᵀ G z_t + σ²),  z_t = (1, ln t),

with its 80% and 90% upper bounds μ + 0.8416·sd_pred and μ + 1.2816·sd_pred
(the yellow and red lines of SignalConfig). Pass the models the clinic's last
refit stored (what its alerts were judged against); an instrument without one
is fitted here exactly as the alerts fit it (signals.outcome.not_on_track_signals,
the same eligibility: `etr_min_cases` clients with `etr_min_sessions` sessions).

Fit, on the clinic's later sessions (after each client's intake):
- the share of scores above the 80% and 90% upper bounds, which should be about
  20% and 10% if the predictive distribution is right;
- the mean residual (observed − μ) and its root mean square, in scale points;
- beside each curve, the observed mean per session of the clients whose intake
  fell in the same third of the clinic's intakes (the curve is drawn at their
  mean intake)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tether.instruments import Library
from tether.signals.config import SignalConfig
from tether.signals.expected import ExpectedResponse
from tether.signals.outcome import FIT, not_on_track_signals, series_with_intake
from tether.signals.thresholds import outcome_scales

from .needs import NotEnoughData

MAX_SESSION = 20
"""The curves are drawn up to this session (Finch et al. 2001 estimated
sessions 1–20), or the clinic's last session if earlier."""
MIN_OBSERVED = 3
"""An observed mean is shown only for a session with at least this many
clients of the intake group (fewer would show one person's score)."""
GROUPS = ("lowest third", "middle third", "highest third")


@dataclass(frozen=True, slots=True)
class CurvePoint:
    session: int
    expected: float
    upper80: float
    upper90: float


@dataclass(frozen=True, slots=True)
class ObservedPoint:
    session: int
    mean: float
    n: int


@dataclass(frozen=True, slots=True)
class IntakeGroup:
    label: str
    """Which third of the clinic's intakes ("lowest third", …)."""
    intake_low: float
    intake_high: float
    intake_mean: float
    people: int
    curve: tuple[CurvePoint, ...]
    """The expected curve at `intake_mean`."""
    observed: tuple[ObservedPoint, ...]


@dataclass(frozen=True, slots=True)
class ExpectedCurves:
    instrument: str
    scale: str
    model: ExpectedResponse
    stored: bool
    """True: the model of the clinic's last refit; False: fitted here."""
    groups: tuple[IntakeGroup, ...]
    later_scores: int
    """Scores after intake the fit is judged on."""
    above80: float
    above90: float
    """Shares of those scores above the 80% and 90% upper bounds."""
    mean_residual: float
    rmse: float


def expected_curves(
    frame: pd.DataFrame,
    library: Library,
    config: SignalConfig | None = None,
    models: Mapping[str, ExpectedResponse | None] | None = None,
) -> list[ExpectedCurves | NotEnoughData]:
    """For each outcome scale the not-on-track rule judges (a total where lower
    is better), its curves and fit; or how much more data the model needs.
    `frame` is a checked long-format score table (signals.data.check_scores)."""
    config = config or SignalConfig()
    found: list[ExpectedCurves | NotEnoughData] = []
    if frame.empty:
        return found
    for spec in outcome_scales(frame, library, config):
        if spec.scale.id != "total" or spec.scale.higher_is_better:
            continue
        stored = models is not None and spec.instrument in models
        model = models.get(spec.instrument) if models is not None and stored else None
        if not stored:
            _, model = not_on_track_signals(frame, spec, config, FIT)
        data = series_with_intake(frame, spec.instrument, spec.scale.id)
        data = data.assign(patient=data["case_id"] + "/" + data["member_id"])
        if model is None:
            counts = data.groupby("patient")["session"].count()
            found.append(
                NotEnoughData(
                    f"expected-response curves of {spec.instrument}",
                    f"clients with {config.etr_min_sessions} or more sessions",
                    config.etr_min_cases,
                    int((counts >= config.etr_min_sessions).sum()),
                    instrument=spec.instrument,
                    scale=spec.scale.id,
                )
            )
            continue
        found.append(
            _curves(data, spec.instrument, spec.scale.id, model, stored, config)
        )
    return found


def _curves(
    data: pd.DataFrame,
    instrument: str,
    scale: str,
    model: ExpectedResponse,
    stored: bool,
    config: SignalConfig,
) -> ExpectedCurves:
    session = data["session"].astype(float)
    later = data[session > data["intake_session"].astype(float)]
    t = later["session"].to_numpy(dtype=float)
    mu = model.mean(t, later["intake"].to_numpy(dtype=float))
    sd = model.sd(t)
    score = later["score"].to_numpy(dtype=float)
    residual = score - mu
    last = int(min(MAX_SESSION, max(2, int(session.max()))))
    return ExpectedCurves(
        instrument=instrument,
        scale=scale,
        model=model,
        stored=stored,
        groups=_groups(data, model, config, last),
        later_scores=len(later),
        above80=_share(score > mu + config.not_on_track_yellow_z * sd),
        above90=_share(score > mu + config.not_on_track_red_z * sd),
        mean_residual=float(residual.mean()) if len(residual) else float("nan"),
        rmse=float(np.sqrt(np.mean(residual**2))) if len(residual) else float("nan"),
    )


def _share(flags: np.ndarray) -> float:
    return float(flags.mean()) if flags.size else float("nan")


def _groups(
    data: pd.DataFrame, model: ExpectedResponse, config: SignalConfig, last: int
) -> tuple[IntakeGroup, ...]:
    intakes = data.drop_duplicates("patient").set_index("patient")["intake"]
    ranks = intakes.rank(method="first")
    thirds = pd.qcut(ranks, len(GROUPS), labels=False) if len(intakes) >= 3 else None
    sessions = np.arange(1, last + 1, dtype=float)
    groups = []
    for index, label in enumerate(GROUPS):
        if thirds is None:
            break
        members = intakes[thirds == index]
        level = float(members.mean())
        mu = model.mean(sessions, np.full_like(sessions, level))
        sd = model.sd(sessions)
        curve = tuple(
            CurvePoint(
                int(s),
                float(m),
                float(m + config.not_on_track_yellow_z * d),
                float(m + config.not_on_track_red_z * d),
            )
            for s, m, d in zip(sessions, mu, sd, strict=True)
        )
        rows = data[data["patient"].isin(members.index)]
        observed = rows.groupby("session")["score"].agg(["mean", "count"])
        groups.append(
            IntakeGroup(
                label=label,
                intake_low=float(members.min()),
                intake_high=float(members.max()),
                intake_mean=level,
                people=len(members),
                curve=curve,
                observed=tuple(
                    ObservedPoint(int(s), float(r["mean"]), int(r["count"]))
                    for s, r in observed.iterrows()
                    if r["count"] >= MIN_OBSERVED and int(s) <= last
                ),
            )
        )
    return tuple(groups)
