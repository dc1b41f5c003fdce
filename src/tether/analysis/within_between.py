"""Alliance → next-session outcome, split into a within-person and a
between-person part (methods §5.3; docs/analytics.md §Within and between).

The person-mean-centred, lagged mixed model of methods §5.3:

  A_pm_i = mean_t(A_it),  A_w_it = A_it − A_pm_i,  Y_w_it = Y_it − Y_pm_i
  Y_i,t+1 = γ0 + γ1·A_w_it + γ2·(A_pm_i − Ā_pm) + γ3·Y_w_it + γ4·t + u0i + e

fitted by REML with statsmodels MixedLM (a random intercept per person):
γ1 is the within-person (state-like) association, γ2 the between-person
(trait-like) one (Falkenström, Granström & Holmqvist 2013; Zilcha-Mano & Fisher
2022). Means are over the rows the model uses, one row per session t that has
the person's alliance and outcome and a later outcome (Y_i,t+1 is the person's
next measured outcome); Ā_pm is the mean of the person means.

This is a quick descriptive model, not a causal one: with autoregression or
effects running both ways such multilevel models can be badly biased,
sometimes in the wrong direction (Falkenström, Solomonov & Rubel 2022, JCCP
90(5):446–458), who recommend a random-intercept cross-lagged panel model
instead. CAVEAT is shown with every result."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from tether.instruments import Library
from tether.signals.alliance import alliance_frame, with_verified_keys
from tether.signals.config import SignalConfig
from tether.signals.thresholds import outcome_scales

from .needs import CouldNotFit, NotEnoughData

CAVEAT = (
    "These are associations, not effects of the alliance. The within-person "
    "figure says whether sessions with a better alliance than a person's own "
    "usual are followed by a better outcome at the next session; the between-"
    "person figure whether people with a better alliance on the whole do better. "
    "With effects running both ways this kind of model can be biased, even in "
    "the wrong direction (Falkenström, Solomonov & Rubel 2022); a research "
    "analysis (a random-intercept cross-lagged panel model) is the test."
)
MIN_PEOPLE = 30
"""People with at least MIN_PAIRS lagged pairs the model needs (a project
default, docs/analytics.md §Minimum data)."""
MIN_PAIRS = 2
"""Lagged pairs a person needs to contribute (three sessions with both
measures): with one, the person has no within-person variation."""
PAIR_COLUMNS = ("person", "session", "alliance", "outcome", "next_outcome")


@dataclass(frozen=True, slots=True)
class Estimate:
    estimate: float
    se: float
    low: float
    high: float
    """The Wald 95% confidence interval."""


@dataclass(frozen=True, slots=True)
class WithinBetween:
    outcome: str
    """The outcome instrument (id@version); its scale is `scale`."""
    scale: str
    within: Estimate
    """γ1: outcome points at the next session per alliance point above the
    person's own mean (alliance on 0–100, POMP)."""
    between: Estimate
    """γ2: outcome points per alliance point of a person's mean above the others'."""
    outcome_within: Estimate
    session: Estimate
    people: int
    observations: int
    converged: bool
    caveat: str = CAVEAT


def lagged_pairs(alliance: pd.DataFrame, outcome: pd.DataFrame) -> pd.DataFrame:
    """The model's rows (PAIR_COLUMNS) from `alliance` and `outcome`, each with
    columns person, session, value: every session with both, paired with the
    person's next measured outcome."""
    both = alliance.rename(columns={"value": "alliance"}).merge(
        outcome.rename(columns={"value": "outcome"}), on=["person", "session"]
    )
    later = outcome.rename(columns={"value": "next_outcome"}).sort_values(
        ["person", "session"]
    )
    later = later.assign(
        next_outcome=later.groupby("person")["next_outcome"].shift(-1)
    )[["person", "session", "next_outcome"]]
    pairs = both.merge(later, on=["person", "session"]).dropna()
    return (
        pairs[list(PAIR_COLUMNS)]
        .sort_values(["person", "session"])
        .reset_index(drop=True)
    )


def within_between(
    pairs: pd.DataFrame, outcome: str = "", scale: str = "total"
) -> WithinBetween | NotEnoughData | CouldNotFit:
    """Fit methods §5.3's model on `pairs` (PAIR_COLUMNS); people with fewer
    than MIN_PAIRS pairs are left out."""
    counts = pairs.groupby("person")["session"].transform("count")
    data = pairs[counts >= MIN_PAIRS].copy()
    people = int(data["person"].nunique())
    if people < MIN_PEOPLE:
        return NotEnoughData(
            f"within- and between-person model of {outcome or 'the outcome'}",
            "people with 3 or more sessions measuring alliance and outcome",
            MIN_PEOPLE,
            people,
            instrument=outcome,
            scale=scale,
        )
    by_person = data.groupby("person")
    a_pm = by_person["alliance"].transform("mean")
    y_pm = by_person["outcome"].transform("mean")
    grand = float(by_person["alliance"].mean().mean())
    data = data.assign(
        a_w=data["alliance"] - a_pm,
        a_pm_c=a_pm - grand,
        y_w=data["outcome"] - y_pm,
        session=data["session"].astype(float),
    )
    model = smf.mixedlm(
        "next_outcome ~ a_w + a_pm_c + y_w + session", data, groups=data["person"]
    )
    with warnings.catch_warnings():
        # Non-convergence is kept on the result and shown, not printed.
        warnings.simplefilter("ignore")
        try:
            result = model.fit(reml=True)
        except (np.linalg.LinAlgError, ValueError) as error:
            return CouldNotFit(
                f"within- and between-person model of {outcome or 'the outcome'}",
                f"the mixed model could not be fitted ({error})",
                instrument=outcome,
            )
    interval = result.conf_int(alpha=0.05)

    def estimate(name: str) -> Estimate:
        return Estimate(
            float(result.fe_params[name]),
            float(result.bse_fe[name]),
            float(interval.loc[name, 0]),
            float(interval.loc[name, 1]),
        )

    within = estimate("a_w")
    return WithinBetween(
        outcome=outcome,
        scale=scale,
        within=within,
        between=estimate("a_pm_c"),
        outcome_within=estimate("y_w"),
        session=estimate("session"),
        people=people,
        observations=len(data),
        converged=bool(result.converged) and math.isfinite(within.se),
    )


def clinic_within_between(
    frame: pd.DataFrame, library: Library, config: SignalConfig | None = None
) -> list[WithinBetween | NotEnoughData | CouldNotFit]:
    """For each outcome scale with a change rule (a `total`: PCL-5, PHQ-9,
    GAD-7, …), the model of a member's own alliance (the mean, on 0–100, of
    their verified alliance questionnaires in the session) and their outcome
    at the next session. `frame`: a checked long-format score table."""
    found: list[WithinBetween | NotEnoughData | CouldNotFit] = []
    if frame.empty:
        return found
    rated = with_verified_keys(alliance_frame(frame, library), library)
    own = rated[(rated["respondent"] == "member") & (rated["member_id"] != "family")]
    alliance = _per_session(own, "pomp")
    for spec in outcome_scales(frame, library, config or SignalConfig()):
        if spec.scale.id != "total":
            continue
        rows = frame[
            (frame["instrument"] == spec.instrument)
            & (frame["scale"] == spec.scale.id)
            & (frame["respondent"] == "member")
            & frame["score"].notna()
        ]
        pairs = lagged_pairs(alliance, _per_session(rows, "score"))
        found.append(within_between(pairs, spec.instrument, spec.scale.id))
    return found


def _per_session(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """One value per person (case/member) and session: the mean of `column`."""
    person = rows["case_id"].astype(str) + "/" + rows["member_id"].astype(str)
    table = (
        rows.assign(person=person, value=rows[column].astype(float))
        .groupby(["person", "session"], as_index=False)["value"]
        .mean()
    )
    return table.assign(session=table["session"].astype(int))
