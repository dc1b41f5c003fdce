"""Expected treatment response fitted on the clinic's own data (docs/clinical-rules.md
§Expected response).

  y_it = β0 + β1·L_t + β2·I_i + β3·I_i·L_t + u0i + u1i·L_t + e_it
  L_t = ln(t), t = session number; I_i = intake_i − mean(intake) (intake = session 1)
  μ(t|x) = β0 + β1 L_t + β2 (x − c) + β3 (x − c) L_t
  sd_pred(t) = sqrt(z_tᵀ G z_t + σ²), z_t = (1, L_t)
After Finch, Lambert & Schaalje 2001 (log session, intake-conditioned curves);
fitted with statsmodels MixedLM (REML), random intercept and slope on L_t.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.formula.api as smf

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ExpectedResponse:
    """A fitted expected-response model for one instrument scale."""

    beta: tuple[float, float, float, float]
    """β0 (intercept), β1 (ln t), β2 (intake), β3 (intake × ln t)."""
    g: tuple[tuple[float, float], tuple[float, float]]
    """Covariance of the random intercept and slope."""
    sigma2: float
    intake_mean: float
    cases: int
    observations: int
    converged: bool = True

    def to_dict(self) -> dict[str, object]:
        return {
            "beta": list(self.beta),
            "g": [list(row) for row in self.g],
            "sigma2": self.sigma2,
            "intake_mean": self.intake_mean,
            "cases": self.cases,
            "observations": self.observations,
            "converged": self.converged,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ExpectedResponse:
        beta = [float(b) for b in data["beta"]]  # type: ignore[attr-defined]
        g = [[float(v) for v in row] for row in data["g"]]  # type: ignore[attr-defined]
        return cls(
            beta=(beta[0], beta[1], beta[2], beta[3]),
            g=((g[0][0], g[0][1]), (g[1][0], g[1][1])),
            sigma2=float(data["sigma2"]),  # type: ignore[arg-type]
            intake_mean=float(data["intake_mean"]),  # type: ignore[arg-type]
            cases=int(data["cases"]),  # type: ignore[call-overload]
            observations=int(data["observations"]),  # type: ignore[call-overload]
            converged=bool(data.get("converged", True)),
        )

    def mean(self, session: npt.ArrayLike, intake: npt.ArrayLike) -> FloatArray:
        """μ(t | intake) for each session number and intake score."""
        lt = np.log(np.asarray(session, dtype=np.float64))
        centred = np.asarray(intake, dtype=np.float64) - self.intake_mean
        b0, b1, b2, b3 = self.beta
        out: FloatArray = b0 + b1 * lt + b2 * centred + b3 * centred * lt
        return out

    def sd(self, session: npt.ArrayLike) -> FloatArray:
        """sd_pred(t) = sqrt(z_tᵀ G z_t + σ²) for a new patient."""
        lt = np.log(np.asarray(session, dtype=np.float64))
        (g00, g01), (_, g11) = self.g
        out: FloatArray = np.sqrt(g00 + 2 * g01 * lt + g11 * lt * lt + self.sigma2)
        return out


def fit_expected_response(data: pd.DataFrame) -> ExpectedResponse:
    """Fit on columns `patient`, `session` (1, 2, …), `score`, `intake`.

    Rows with a missing value are dropped first: MixedLM does not handle them
    (statsmodels' MixedLM documentation)."""
    frame = data.dropna(subset=["patient", "session", "score", "intake"]).copy()
    intake_mean = float(frame.drop_duplicates("patient")["intake"].mean())
    frame["lt"] = np.log(frame["session"].astype(float))
    frame["ic"] = frame["intake"] - intake_mean
    model = smf.mixedlm(
        "score ~ lt * ic", frame, groups=frame["patient"], re_formula="~lt"
    )
    with warnings.catch_warnings():
        # Non-convergence is recorded on the result and reported, not printed.
        warnings.simplefilter("ignore")
        result = model.fit(reml=True, method=["lbfgs", "powell"])
    params = result.fe_params
    cov = np.asarray(result.cov_re)
    return ExpectedResponse(
        beta=(
            float(params["Intercept"]),
            float(params["lt"]),
            float(params["ic"]),
            float(params["lt:ic"]),
        ),
        g=((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
        sigma2=float(result.scale),
        intake_mean=intake_mean,
        cases=int(frame["patient"].nunique()),
        observations=len(frame),
        converged=bool(result.converged),
    )
