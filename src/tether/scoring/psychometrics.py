"""Internal-consistency statistics the system reports on its own data.

Formulas: ``docs/clinical-rules.md`` §Psychometrics. pingouin
(``pingouin/reliability.py``) and psych (``R/alpha.R``) are cited as formula
sources and test oracles only; no code was copied. Pure numpy/scipy.

Inputs are 2-D array-likes, n persons × k items, with NaN for a missing answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

__all__ = ["Alpha", "Omega", "corrected_item_total", "cronbach_alpha", "mcdonald_omega"]

FloatArray = npt.NDArray[np.float64]
Missing = Literal["listwise", "pairwise"]


@dataclass(frozen=True, slots=True)
class Alpha:
    """Cronbach's α with its Feldt CI; ``n`` is the n used in the CI."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int


@dataclass(frozen=True, slots=True)
class Omega:
    """McDonald's ω_total (covariance and correlation metric), std. loadings."""

    omega_total: float
    omega_standardized: float
    loadings: FloatArray


def _as_items(items: npt.ArrayLike) -> FloatArray:
    x = np.asarray(items, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"items must be 2-D (persons × items), got {x.ndim}-D")
    n, k = x.shape
    if k < 2 or n < 2:
        raise ValueError(f"items needs at least 2 persons and 2 items, got {n}×{k}")
    return x


def _complete_rows(x: FloatArray) -> FloatArray:
    complete = x[np.all(np.isfinite(x), axis=1)]
    if complete.shape[0] < 2:
        raise ValueError("fewer than 2 complete rows after listwise deletion")
    return complete


def _pairwise_cov(x: FloatArray) -> FloatArray:
    """Covariance from pairwise-complete observations (as pandas.DataFrame.cov)."""
    present = np.isfinite(x).astype(np.float64)
    xc = np.where(present > 0, x - np.nanmean(x, axis=0), 0.0)
    count = present.T @ present
    sums = xc.T @ present  # [i, j] = Σ x_i over rows where i and j are present
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = (xc.T @ xc - sums * sums.T / count) / (count - 1)
    if not np.all(np.isfinite(cov)):
        raise ValueError("each pair of items needs at least 2 joint observations")
    return np.asarray(cov, dtype=np.float64)


def _covariance(x: FloatArray, missing: Missing) -> FloatArray:
    if missing == "listwise":
        return np.asarray(np.cov(_complete_rows(x), rowvar=False), dtype=np.float64)
    if missing == "pairwise":
        return _pairwise_cov(x)
    raise ValueError(f"missing must be 'listwise' or 'pairwise', got {missing!r}")


def cronbach_alpha(
    items: npt.ArrayLike, ci: float = 0.95, missing: Missing = "listwise"
) -> Alpha:
    """Cronbach's α ``= k/(k−1)·(1 − tr(C)/ΣC)`` with Feldt's CI.

    CI: ``1 − (1−α)·F_{1−p/2}`` and ``1 − (1−α)·F_{p/2}`` with
    ``F(n−1, (n−1)(k−1))``, p = 1 − ci (Feldt, Woodruff & Salih 1987;
    docs/clinical-rules.md §Psychometrics; pingouin ``reliability.py``; psych
    ``R/alpha.R``).
    ``missing="pairwise"`` builds C from pairwise-complete observations.
    As pingouin does, ``n`` is the number of rows passed in, also under
    listwise deletion; the CI is not rounded.
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1), got {ci!r}")
    x = _as_items(items)
    n, k = x.shape
    cov = _covariance(x, missing)
    alpha = k / (k - 1) * (1.0 - np.trace(cov) / cov.sum())
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1.0 - ci) / 2.0
    low = 1.0 - (1.0 - alpha) * stats.f.isf(tail, df1, df2)
    high = 1.0 - (1.0 - alpha) * stats.f.isf(1.0 - tail, df1, df2)
    return Alpha(float(alpha), float(low), float(high), n, k)


def corrected_item_total(
    items: npt.ArrayLike, missing: Missing = "listwise"
) -> FloatArray:
    """Corrected item–total r: each item against the sum of the *other* items.

    ``r_i = (Σ_j C_ij − C_ii) / √(C_ii · Σ_{j,l≠i} C_jl)`` (psych ``R/alpha.R``,
    ``r.drop``; docs/clinical-rules.md §Psychometrics).
    """
    cov = _covariance(_as_items(items), missing)
    diag = np.diag(cov)
    rest_cov = cov.sum(axis=1) - diag
    rest_var = cov.sum() - 2.0 * cov.sum(axis=1) + diag
    return np.asarray(rest_cov / np.sqrt(diag * rest_var), dtype=np.float64)


def _ml_discrepancy(
    params: FloatArray, s: FloatArray, logdet_s: float
) -> tuple[float, FloatArray]:
    """F = log|Σ| + tr(SΣ⁻¹) − log|S| − p and its gradient, Σ = λλᵀ + diag(e^η)."""
    p = s.shape[0]
    lam, theta = params[:p], np.exp(params[p:])
    sigma = np.outer(lam, lam) + np.diag(theta)
    inv = np.linalg.inv(sigma)
    _, logdet = np.linalg.slogdet(sigma)
    value = logdet + np.trace(s @ inv) - logdet_s - p
    delta = inv @ (sigma - s) @ inv
    grad = np.concatenate([2.0 * delta @ lam, np.diag(delta) * theta])
    return float(value), grad


def _one_factor_ml(s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """One-factor ML factor analysis of S; returns loadings λ and uniquenesses θ."""
    p = s.shape[0]
    sd = np.sqrt(np.diag(s))
    values, vectors = np.linalg.eigh(s / np.outer(sd, sd))
    lam0 = vectors[:, -1] * np.sqrt(values[-1]) * sd
    theta0 = np.maximum(np.diag(s) - lam0**2, 0.1 * np.diag(s))
    start = np.concatenate([lam0, np.log(theta0)])
    bounds = [(None, None)] * p + [(float(np.log(1e-8 * v)), None) for v in np.diag(s)]
    _, logdet_s = np.linalg.slogdet(s)
    fit = optimize.minimize(
        _ml_discrepancy,
        start,
        args=(s, logdet_s),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 10_000, "ftol": 1e-15, "gtol": 1e-10},
    )
    # L-BFGS-B may stop "ABNORMAL" in the line search at the optimum under these
    # tight tolerances: judge convergence by the projected gradient instead.
    lower = np.array([-np.inf if b[0] is None else b[0] for b in bounds])
    free = (fit.x > lower + 1e-9) | (fit.jac < 0)
    if not (fit.success or np.max(np.abs(fit.jac[free])) < 1e-6):
        raise RuntimeError(f"one-factor ML fit did not converge: {fit.message}")
    lam = np.asarray(fit.x[:p], dtype=np.float64)
    lam = lam if lam.sum() >= 0 else -lam
    return lam, np.exp(np.asarray(fit.x[p:], dtype=np.float64))


def _omega(lam: FloatArray, theta: FloatArray) -> float:
    common = float(lam.sum()) ** 2
    return common / (common + float(theta.sum()))


def mcdonald_omega(items: npt.ArrayLike) -> Omega:
    """McDonald's ω_total from a one-factor ML factor analysis (factor variance 1).

    ``ω = (Σλ)² / ((Σλ)² + Σθ)`` (McDonald 1999; docs/clinical-rules.md §Psychometrics),
    fitted by minimising ``F = log|Σ| + tr(SΣ⁻¹) − log|S| − p``, ``Σ = λλᵀ + diag(θ)``,
    θ > 0. ``omega_total`` uses the covariance matrix, ``omega_standardized`` the
    correlation matrix; ``loadings`` are the standardized loadings. Listwise deletion.
    """
    x = _complete_rows(_as_items(items))
    cov = np.asarray(np.cov(x, rowvar=False), dtype=np.float64)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    lam_u, theta_u = _one_factor_ml(cov)
    lam_s, theta_s = _one_factor_ml(corr)
    return Omega(_omega(lam_u, theta_u), _omega(lam_s, theta_s), lam_s)
