"""Reliable change and clinical significance (Jacobson & Truax 1991).

Formulas: ``docs/clinical-rules.md`` §Reliable change and §Clinical significance. The R
packages named there (pedscience/clinicalsignificance, AWKruijt/JT-RCI,
milanwiedemann/suddengains) are cited as the source of each formula only; no
code was copied from them. Pure numpy; no Django.

Conventions:

* ``higher_is_better`` gives the direction ``d`` (+1 for alliance, MSPSS; -1 for
  PCL-5, PHQ-9). Reliable improvement is ``d·RC > z``; deterioration ``d·RC < -z``.
* ``sd`` is the baseline (pre) sample SD (n - 1) of complete cases, or a
  published norm; ``reliability`` is r_xx (Cronbach's α by default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = [
    "Z_CRIT",
    "CutoffChoice",
    "JTCutoffs",
    "ReliableChange",
    "ReliableChangeArray",
    "choose_cutoff",
    "clinical_significance",
    "clinical_significance_array",
    "jt_cutoffs",
    "reliable_change",
    "reliable_change_array",
    "s_diff",
    "sem",
]

Z_CRIT = 1.959964
"""qnorm(0.975), as pedscience/clinicalsignificance uses (docs/clinical-rules.md
§Reliable change)."""

RCCategory = Literal["improved", "unchanged", "deteriorated"]
CSCategory = Literal["recovered", "improved", "unchanged", "deteriorated", "harmed"]
Criterion = Literal["a", "b", "c"]
FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True, slots=True)
class ReliableChange:
    """JT reliable change for one respondent; ``threshold`` is z·S_diff in points."""

    rc: float
    sem: float
    s_diff: float
    threshold: float
    category: RCCategory


@dataclass(frozen=True, slots=True)
class ReliableChangeArray:
    """JT reliable change for a vector of respondents (shared SEM and S_diff)."""

    rc: FloatArray
    sem: float
    s_diff: float
    threshold: float
    category: StrArray


@dataclass(frozen=True, slots=True)
class JTCutoffs:
    """JT cutoffs a, b, c; ``b`` and ``c`` are None without functional norms."""

    a: float
    b: float | None
    c: float | None


class CutoffChoice(NamedTuple):
    """The cutoff to use and which JT criterion it is ("a", "b" or "c")."""

    value: float
    criterion: Criterion


def _check_positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def _check_reliability(reliability: float) -> None:
    if not (math.isfinite(reliability) and 0 <= reliability < 1):
        raise ValueError(f"reliability must be in [0, 1), got {reliability!r}")


def _check_finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")


def _direction(higher_is_better: bool) -> float:
    return 1.0 if higher_is_better else -1.0


def _as_scores(name: str, values: npt.ArrayLike) -> FloatArray:
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; drop incomplete cases first")
    return arr


def sem(sd: float, reliability: float) -> float:
    """Standard error of measurement ``SEM = SD·√(1 − r_xx)``.

    Jacobson & Truax (1991); docs/clinical-rules.md §Reliable change. Formula as in
    pedscience/clinicalsignificance ``R/package-utils.R``
    (``.calc_se_measurement``) and AWKruijt/JT-RCI ``R/JT-RCI.R``.
    """
    _check_positive("sd", sd)
    _check_reliability(reliability)
    return float(sd) * math.sqrt(1.0 - reliability)


def s_diff(sem: float) -> float:
    """Standard error of the difference ``S_diff = √(2·SEM²) = √2·SEM``.

    Jacobson & Truax (1991); docs/clinical-rules.md §Reliable change;
    pedscience/clinicalsignificance
    ``R/package-utils.R`` (``.calc_s_diff``).
    """
    _check_positive("sem", sem)
    return math.sqrt(2.0 * float(sem) ** 2)


def _rc_flags(
    rc: FloatArray, higher_is_better: bool, z: float
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    signed = _direction(higher_is_better) * rc
    return signed > z, signed < -z


def reliable_change_array(
    pre: npt.ArrayLike,
    post: npt.ArrayLike,
    sd: float,
    reliability: float,
    higher_is_better: bool,
    z: float = Z_CRIT,
) -> ReliableChangeArray:
    """Vectorised JT RCI: ``RC = (post − pre)/S_diff`` with ``S_diff = √2·SD·√(1−r)``.

    Improved if ``d·RC > z``, deteriorated if ``d·RC < −z``, else unchanged
    (strict inequalities), d = +1 when higher is better. The raw-point threshold
    is ``z·S_diff`` (suddengains ``R/define_crit1_cutoff.R``). Sources: Jacobson &
    Truax (1991); docs/clinical-rules.md §Reliable change;
    pedscience/clinicalsignificance
    ``R/calc_rci.R`` (``calc_rci.cs_jt``); AWKruijt/JT-RCI ``R/JT-RCI.R``.

    ``pre`` and ``post`` must have the same shape and be finite.
    """
    _check_positive("z", z)
    pre_a, post_a = _as_scores("pre", pre), _as_scores("post", post)
    if pre_a.shape != post_a.shape:
        raise ValueError(f"pre and post shapes differ: {pre_a.shape} vs {post_a.shape}")
    se = sem(sd, reliability)
    sdiff = s_diff(se)
    rc = (post_a - pre_a) / sdiff
    improved, deteriorated = _rc_flags(rc, higher_is_better, z)
    category = np.full(rc.shape, "unchanged", dtype="<U12")
    category[improved] = "improved"
    category[deteriorated] = "deteriorated"
    return ReliableChangeArray(rc, se, sdiff, z * sdiff, category)


def reliable_change(
    pre: float,
    post: float,
    sd: float,
    reliability: float,
    higher_is_better: bool,
    z: float = Z_CRIT,
) -> ReliableChange:
    """JT reliable change for one respondent (see :func:`reliable_change_array`).

    Jacobson & Truax (1991); docs/clinical-rules.md §Reliable change;
    pedscience/clinicalsignificance
    ``R/calc_rci.R``; AWKruijt/JT-RCI ``R/JT-RCI.R``.
    """
    res = reliable_change_array([pre], [post], sd, reliability, higher_is_better, z)
    category: RCCategory = res.category[0].item()
    return ReliableChange(
        float(res.rc[0]), res.sem, res.s_diff, res.threshold, category
    )


def jt_cutoffs(
    m_clin: float,
    sd_clin: float,
    higher_is_better: bool,
    m_func: float | None = None,
    sd_func: float | None = None,
) -> JTCutoffs:
    """JT clinical-significance cutoffs a, b and c.

    ``a = M_clin + d·2·SD_clin``; ``b = M_func − d·2·SD_func`` (the functional SD,
    as in Jacobson & Truax 1991 and AWKruijt/JT-RCI ``R/JT-RCI.R``;
    docs/clinical-rules.md §Clinical significance
    [P] — *not* pedscience/clinicalsignificance's ``R/calc_cutoff.R`` variant,
    which uses SD_clin); ``c = (SD_clin·M_func + SD_func·M_clin)/(SD_clin +
    SD_func)``. Without functional norms ``b`` and ``c`` are None.
    """
    _check_positive("sd_clin", sd_clin)
    d = _direction(higher_is_better)
    a = float(m_clin + d * 2.0 * sd_clin)
    if m_func is None and sd_func is None:
        return JTCutoffs(a, None, None)
    if m_func is None or sd_func is None:
        raise ValueError("m_func and sd_func must be given together")
    _check_positive("sd_func", sd_func)
    b = float(m_func - d * 2.0 * sd_func)
    c = float((sd_clin * m_func + sd_func * m_clin) / (sd_clin + sd_func))
    return JTCutoffs(a, b, c)


def _distributions_overlap(
    m_clin: float, sd_clin: float, m_func: float, sd_func: float
) -> bool:
    low, high = m_func - 3.0 * sd_func, m_func + 3.0 * sd_func
    ends = (m_clin - 3.0 * sd_clin, m_clin + 3.0 * sd_clin)
    return any(low <= end <= high for end in ends)


def choose_cutoff(
    m_clin: float,
    sd_clin: float,
    higher_is_better: bool,
    m_func: float | None = None,
    sd_func: float | None = None,
) -> CutoffChoice:
    """Pick the JT cutoff as JTRCI's ``JTcrit = "auto"`` does (docs/clinical-rules.md
    §Clinical significance).

    No functional norms → a (``m_clin``/``sd_clin`` may be the baseline sample).
    Otherwise the distributions overlap when either end of ``M_clin ± 3·SD_clin``
    lies inside ``[M_func − 3·SD_func, M_func + 3·SD_func]`` (inclusive), as in
    AWKruijt/JT-RCI ``R/JT-RCI.R``; overlap → c, no overlap → b (Jacobson & Truax
    1991). Note this rule, like JTRCI's, reports "no overlap" when the clinical
    interval strictly contains the functional one.
    """
    cut = jt_cutoffs(m_clin, sd_clin, higher_is_better, m_func, sd_func)
    if m_func is None or sd_func is None or cut.b is None or cut.c is None:
        return CutoffChoice(cut.a, "a")
    if _distributions_overlap(m_clin, sd_clin, m_func, sd_func):
        return CutoffChoice(cut.c, "c")
    return CutoffChoice(cut.b, "b")


def clinical_significance_array(
    pre: npt.ArrayLike,
    post: npt.ArrayLike,
    cutoff: float,
    sd: float,
    reliability: float,
    higher_is_better: bool,
    z: float = Z_CRIT,
) -> StrArray:
    """Five JT categories per respondent (docs/clinical-rules.md §Clinical
    significance).

    With d = +1 when higher is better: ``clinical_pre = d·pre < d·cutoff``,
    ``functional_post = d·post > d·cutoff`` (both strict); recovered =
    clinical_pre & functional_post & reliably improved; improved = reliably
    improved & not recovered; harmed = !clinical_pre & !functional_post &
    reliably deteriorated; deteriorated = reliably deteriorated & not harmed;
    otherwise unchanged. Reliable change as in :func:`reliable_change_array`.
    Sources: Jacobson & Truax (1991); pedscience/clinicalsignificance
    ``R/calc_recovered.R``.
    """
    _check_finite("cutoff", cutoff)
    rc = reliable_change_array(pre, post, sd, reliability, higher_is_better, z)
    d = _direction(higher_is_better)
    pre_a, post_a = _as_scores("pre", pre), _as_scores("post", post)
    clinical_pre = d * pre_a < d * cutoff
    functional_post = d * post_a > d * cutoff
    improved, deteriorated = _rc_flags(rc.rc, higher_is_better, z)
    category = np.full(rc.rc.shape, "unchanged", dtype="<U12")
    category[improved] = "improved"
    category[improved & clinical_pre & functional_post] = "recovered"
    category[deteriorated] = "deteriorated"
    category[deteriorated & ~clinical_pre & ~functional_post] = "harmed"
    return category


def clinical_significance(
    pre: float,
    post: float,
    cutoff: float,
    sd: float,
    reliability: float,
    higher_is_better: bool,
    z: float = Z_CRIT,
) -> CSCategory:
    """JT category for one respondent (see :func:`clinical_significance_array`).

    Jacobson & Truax (1991); docs/clinical-rules.md §Clinical significance;
    pedscience/clinicalsignificance
    ``R/calc_recovered.R``.
    """
    cats = clinical_significance_array(
        [pre], [post], cutoff, sd, reliability, higher_is_better, z
    )
    category: CSCategory = cats[0].item()
    return category
