"""Reliable change and clinical significance against the vectors of
docs/clinical-rules.md §Reliable change and §Clinical significance."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.shared_data import data_file

from tether.scoring import (
    Z_CRIT,
    JTCutoffs,
    choose_cutoff,
    clinical_significance,
    clinical_significance_array,
    cronbach_alpha,
    jt_cutoffs,
    reliable_change,
    reliable_change_array,
    s_diff,
    sem,
)

PHQ9 = [f"PHQ{i}" for i in range(1, 10)]


def claus_hamd_1_to_4() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """HAMD at time 1 and 4 for complete cases of claus_2020."""
    long = pd.read_csv(data_file("claus2020_depression_4waves.csv"))
    wide = long.pivot(index="id", columns="time", values="hamd")[[1.0, 4.0]].dropna()
    return wide[1.0].to_numpy(float), wide[4.0].to_numpy(float)


def jacobson_das() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    long = pd.read_csv(data_file("jacobson1989_das_gds.csv"))
    wide = long.pivot(index="subject", columns="time", values="das")
    return wide["pre"].to_numpy(float), wide["post"].to_numpy(float)


def phq9_items(wave: int) -> pd.DataFrame:
    return pd.read_csv(data_file(f"phq9_gad7_items_wave{wave}.csv"))[PHQ9]


def phq9_totals() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    return (
        phq9_items(1).sum(axis=1).to_numpy(float),
        phq9_items(2).sum(axis=1).to_numpy(float),
    )


def counts(categories: npt.ArrayLike) -> dict[str, int]:
    return dict(Counter(str(c) for c in np.asarray(categories)))


# --- §1.1 reliable change ----------------------------------------------------


def test_z_crit_is_qnorm_975_as_clinicalsignificance_uses() -> None:
    from scipy.stats import norm

    assert norm.ppf(0.975) == pytest.approx(Z_CRIT, abs=1e-6)


def test_rci_1_jacobson_truax_single_case() -> None:
    """RCI-1: JT 1991, pre 47.5, post 32.5, SD 7.5, r .80 → S_diff 4.74, RC −3.16."""
    res = reliable_change(47.5, 32.5, sd=7.5, reliability=0.80, higher_is_better=False)
    assert res.sem == pytest.approx(3.354, abs=5e-4)
    assert res.s_diff == pytest.approx(4.74, abs=5e-3)
    assert res.rc == pytest.approx(-3.16, abs=5e-3)
    assert abs(res.rc) > Z_CRIT
    assert res.category == "improved"


def test_rci_2_suddengains_sd_10_5_r_961() -> None:
    """RCI-2: suddengains test-define_crit1_cutoff.R (tol 1e-3, z = 1.96)."""
    res = reliable_change(0.0, 0.0, sd=10.5, reliability=0.961, higher_is_better=False)
    assert res.sem == pytest.approx(2.073584, abs=1e-3)
    assert res.s_diff == pytest.approx(2.93249, abs=1e-3)
    assert 1.96 * res.s_diff == pytest.approx(5.747681, abs=1e-3)
    assert res.threshold == pytest.approx(Z_CRIT * 2.93249, abs=1e-3)


def test_rci_3_suddengains_sgdata_arithmetic_from_the_published_sd() -> None:
    """RCI-3: we do not have suddengains' ``sgdata``, so SD = sd(sgdata$bdi_s0)
    is taken as the published 6.396073 and only the arithmetic is checked."""
    se = sem(6.396073, 0.931)
    assert se == pytest.approx(1.680111, abs=1e-5)
    assert s_diff(se) == pytest.approx(2.376036, abs=1e-5)
    assert 1.96 * s_diff(se) == pytest.approx(4.65703, abs=1e-5)


def test_rci_4_claus_2020_hamd_time_1_to_4() -> None:
    """RCI-4: n 40 complete, M_pre 24.85, SD_pre 3.340121; 29/10/1."""
    pre, post = claus_hamd_1_to_4()
    assert len(pre) == 40
    assert pre.mean() == pytest.approx(24.85, abs=1e-9)
    sd_pre = float(np.std(pre, ddof=1))
    assert sd_pre == pytest.approx(3.340121, abs=1e-6)
    res = reliable_change_array(pre, post, sd_pre, 0.80, higher_is_better=False)
    assert res.sem == pytest.approx(1.493748, abs=1e-6)
    assert res.s_diff == pytest.approx(2.112478, abs=1e-6)
    assert counts(res.category) == {"improved": 29, "unchanged": 10, "deteriorated": 1}


def test_rci_5_jacobson_truax_table_2_das() -> None:
    """RCI-5: DAS, higher is better, r .80 (arbitrary input); 16/13/1."""
    pre, post = jacobson_das()
    assert len(pre) == 30
    assert pre.mean() == pytest.approx(81.5833, abs=5e-5)
    sd_pre = float(np.std(pre, ddof=1))
    assert sd_pre == pytest.approx(11.8257, abs=5e-5)
    res = reliable_change_array(pre, post, sd_pre, 0.80, higher_is_better=True)
    assert res.sem == pytest.approx(5.2886, abs=5e-5)
    assert res.s_diff == pytest.approx(7.4792, abs=5e-5)
    assert counts(res.category) == {"improved": 16, "unchanged": 13, "deteriorated": 1}


def test_rci_6_phq9_wave_1_to_2_with_alpha_of_wave_1() -> None:
    """RCI-6: n 403, r = α_T1 = .8998. The published SEM 1.8877 and S_diff
    2.6696 come from α rounded to .8998 (unrounded α .899767 gives 1.8880 /
    2.6701 / Δ_crit 5.233); the counts are the same either way."""
    t1, t2 = phq9_totals()
    assert len(t1) == 403
    alpha = cronbach_alpha(phq9_items(1)).alpha
    assert alpha == pytest.approx(0.8998, abs=1e-4)
    sd_t1 = float(np.std(t1, ddof=1))
    assert sd_t1 == pytest.approx(5.9635, abs=5e-5)
    published = reliable_change_array(t1, t2, sd_t1, 0.8998, higher_is_better=False)
    assert published.sem == pytest.approx(1.8877, abs=5e-5)
    assert published.s_diff == pytest.approx(2.6696, abs=5e-5)
    assert published.threshold == pytest.approx(5.232, abs=5e-4)
    expected = {"improved": 45, "unchanged": 336, "deteriorated": 22}
    assert counts(published.category) == expected
    own = reliable_change_array(t1, t2, sd_t1, alpha, higher_is_better=False)
    assert counts(own.category) == expected


def test_reliable_change_uses_strict_inequality_at_the_threshold() -> None:
    rc = reliable_change(0.0, 7.0, sd=5.0, reliability=0.8, higher_is_better=True).rc
    at = reliable_change_array([0.0, 0.0], [7.0, -7.0], 5.0, 0.8, True, z=rc)
    assert at.rc.tolist() == [rc, -rc]
    assert at.category.tolist() == ["unchanged", "unchanged"]
    above = reliable_change_array([0.0, 0.0], [7.0, -7.0], 5.0, 0.8, True, z=rc * 0.999)
    assert above.category.tolist() == ["improved", "deteriorated"]


# --- §1.3 cutoffs and clinical significance ----------------------------------


def test_cut_1_jacobson_1991_example_higher_is_better() -> None:
    """CUT-1: clinicalsignificance test-calc_cutoff.R, b with SD_func."""
    cut = jt_cutoffs(40, 7.5, higher_is_better=True, m_func=60, sd_func=7.5)
    assert cut == JTCutoffs(a=55.0, b=45.0, c=50.0)


def test_cut_2_bauer_2004_lower_is_better_with_functional_sd_for_b() -> None:
    """CUT-2: c 59.10670, a 23.69, b = 50 + 2·22 = 94 (not the package's 94.66)."""
    cut = jt_cutoffs(68.35, 22.33, higher_is_better=False, m_func=50, sd_func=22)
    assert cut.c == pytest.approx(59.10670, abs=5e-6)
    assert cut.a == pytest.approx(23.69, abs=1e-9)
    assert cut.b == pytest.approx(94.0, abs=1e-9)


def test_cutoffs_b_and_c_are_none_without_functional_norms() -> None:
    assert jt_cutoffs(24.85, 3.34, higher_is_better=False) == JTCutoffs(
        a=24.85 - 6.68, b=None, c=None
    )


def test_jt_cutoffs_need_both_functional_mean_and_sd() -> None:
    with pytest.raises(ValueError, match="m_func and sd_func must be given together"):
        jt_cutoffs(40, 7.5, higher_is_better=True, m_func=60)


def test_choose_cutoff_uses_a_without_functional_norms() -> None:
    assert choose_cutoff(40, 7.5, higher_is_better=True) == (55.0, "a")


def test_choose_cutoff_uses_c_when_distributions_overlap() -> None:
    choice = choose_cutoff(40, 7.5, higher_is_better=True, m_func=60, sd_func=7.5)
    assert choice.criterion == "c"
    assert choice.value == 50.0


def test_choose_cutoff_uses_b_when_distributions_do_not_overlap() -> None:
    # clinical 10 ± 3 → [1, 19]; functional 40 ± 6 → [22, 58]
    choice = choose_cutoff(10, 1, higher_is_better=True, m_func=40, sd_func=2)
    assert choice == (36.0, "b")


def test_choose_cutoff_overlap_boundary_is_inclusive_as_in_jtrci() -> None:
    # clinical upper end 10 + 3·4 = 22 equals functional lower end 40 − 3·6 = 22
    assert choose_cutoff(10, 4, True, m_func=40, sd_func=6).criterion == "c"
    assert choose_cutoff(10, 4, True, m_func=40.5, sd_func=6).criterion == "b"


def test_cs_1_claus_2020_hamd_with_cutoff_c() -> None:
    """CS-1: M_func 8, SD_func 8, clinical = baseline; c 19.88700; 26/3/10/1/0."""
    pre, post = claus_hamd_1_to_4()
    sd_pre = float(np.std(pre, ddof=1))
    choice = choose_cutoff(pre.mean(), sd_pre, False, m_func=8, sd_func=8)
    assert choice.criterion == "c"
    assert choice.value == pytest.approx(19.88700, abs=5e-6)
    cats = clinical_significance_array(pre, post, choice.value, sd_pre, 0.80, False)
    expected = {"recovered": 26, "improved": 3, "unchanged": 10, "deteriorated": 1}
    assert counts(cats) == expected  # harmed 0


def test_cs_2_phq9_clinical_count_120_needs_caseness_at_10_or_more() -> None:
    """CS-2: "clinical at T1 = 120; recovered 26" with cutoff 10.

    The strict rule of §1.3 with cutoff 10 (clinical_pre = pre > 10,
    functional_post = post < 10) gives 112 clinical and 24 recovered. The
    published 120 and 26 come out only with PHQ-9 caseness "≥ 10" (Kroenke
    2001): clinical_pre = pre ≥ 10, functional_post = post ≤ 9. On integer
    totals that is the strict rule with cutoff 9.5, which reproduces both
    numbers. (Reading post ≤ 10 as functional also gives 26 recovered, but
    112 clinical, so it does not match.) r = .8998 as in RCI-6.
    """
    t1, t2 = phq9_totals()
    sd_t1 = float(np.std(t1, ddof=1))

    def classify(cutoff: float) -> dict[str, int]:
        return counts(clinical_significance_array(t1, t2, cutoff, sd_t1, 0.8998, False))

    assert int((t1 > 10).sum()) == 112
    assert classify(10)["recovered"] == 24
    assert int((t1 > 9.5).sum()) == int((t1 >= 10).sum()) == 120
    at_9_5 = classify(9.5)
    assert at_9_5["recovered"] == 26
    assert at_9_5["recovered"] + at_9_5["improved"] == 45
    assert at_9_5["deteriorated"] + at_9_5["harmed"] == 22


def test_clinical_significance_scalar_follows_the_five_categories() -> None:
    # lower is better, cutoff 20, sd 5, r .8 → S_diff ≈ 3.162, threshold ≈ 6.20
    def cs(pre: float, post: float) -> str:
        return clinical_significance(pre, post, 20, 5.0, 0.8, higher_is_better=False)

    assert cs(30, 15) == "recovered"
    assert cs(30, 22) == "improved"  # reliable, but not below the cutoff
    assert cs(15, 5) == "improved"  # reliable, but not clinical at pre
    assert cs(30, 28) == "unchanged"
    assert cs(15, 25) == "harmed"
    assert cs(22, 30) == "deteriorated"  # clinical already at pre


def test_clinical_significance_inequalities_are_strict_at_the_cutoff() -> None:
    # pre exactly at the cutoff is not clinical; post at the cutoff not functional
    def cs(pre: float, post: float) -> str:
        return clinical_significance(pre, post, 20, 5.0, 0.8, higher_is_better=False)

    assert cs(20, 10) == "improved"
    assert cs(30, 20) == "improved"
    assert cs(20, 30) == "harmed"
    assert cs(10, 20) == "harmed"


def test_clinical_significance_array_matches_scalar_version() -> None:
    pre, post = claus_hamd_1_to_4()
    sd_pre = float(np.std(pre, ddof=1))
    cats = clinical_significance_array(pre, post, 19.887, sd_pre, 0.8, False)
    scalar = [
        clinical_significance(a, b, 19.887, sd_pre, 0.8, False)
        for a, b in zip(pre, post, strict=True)
    ]
    assert cats.tolist() == scalar


# --- input validation --------------------------------------------------------


@pytest.mark.parametrize("bad_sd", [0.0, -1.0, float("nan"), float("inf")])
def test_reliable_change_rejects_non_positive_sd_naming_it(bad_sd: float) -> None:
    with pytest.raises(ValueError, match=r"^sd must be a finite number > 0, got "):
        reliable_change(10, 5, sd=bad_sd, reliability=0.8, higher_is_better=False)


@pytest.mark.parametrize("bad_r", [1.0, 1.2, -0.1, float("nan")])
def test_reliable_change_rejects_reliability_outside_0_1_naming_it(
    bad_r: float,
) -> None:
    message = f"reliability must be in [0, 1), got {bad_r!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        reliable_change(10, 5, sd=5.0, reliability=bad_r, higher_is_better=False)


def test_sem_error_message_names_sd_and_value() -> None:
    message = "sd must be a finite number > 0, got -2.5"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sem(-2.5, 0.8)


def test_array_version_rejects_missing_scores_and_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="post must be finite"):
        reliable_change_array([1, 2], [1, np.nan], 5.0, 0.8, True)
    with pytest.raises(ValueError, match="shapes differ"):
        reliable_change_array([1, 2], [1, 2, 3], 5.0, 0.8, True)


def test_jt_cutoffs_reject_non_positive_sds_naming_them() -> None:
    with pytest.raises(ValueError, match=r"^sd_clin must be"):
        jt_cutoffs(40, 0, True)
    with pytest.raises(ValueError, match=r"^sd_func must be"):
        jt_cutoffs(40, 7.5, True, m_func=60, sd_func=-1)


# --- properties --------------------------------------------------------------

scores = st.floats(-1000, 1000, allow_nan=False)
sds = st.floats(0.01, 100, allow_nan=False)
rels = st.floats(0.0, 0.99, allow_nan=False)


@given(pre=scores, post=scores, sd=sds, r=rels, hib=st.booleans())
def test_rc_is_antisymmetric_in_pre_and_post(
    pre: float, post: float, sd: float, r: float, hib: bool
) -> None:
    forward = reliable_change(pre, post, sd, r, hib)
    backward = reliable_change(post, pre, sd, r, hib)
    assert forward.rc == -backward.rc


@given(pre=scores, post=scores, sd=sds, r=rels)
def test_swapping_higher_is_better_swaps_improved_and_deteriorated(
    pre: float, post: float, sd: float, r: float
) -> None:
    swap = {"improved": "deteriorated", "deteriorated": "improved"}
    up = reliable_change(pre, post, sd, r, higher_is_better=True).category
    down = reliable_change(pre, post, sd, r, higher_is_better=False).category
    assert down == swap.get(up, up)


@given(sd=sds, r=rels, z=st.floats(0.5, 4.0))
def test_threshold_equals_z_sqrt2_sd_sqrt_1_minus_r(
    sd: float, r: float, z: float
) -> None:
    res = reliable_change(0.0, 1.0, sd, r, higher_is_better=True, z=z)
    expected = z * math.sqrt(2) * sd * math.sqrt(1 - r)
    assert res.threshold == pytest.approx(expected, rel=1e-12)


@given(
    pairs=st.lists(st.tuples(scores, scores), min_size=1, max_size=30),
    sd=sds,
    r=rels,
    hib=st.booleans(),
)
def test_array_version_equals_scalar_version_elementwise(
    pairs: list[tuple[float, float]], sd: float, r: float, hib: bool
) -> None:
    pre, post = (np.array(v) for v in zip(*pairs, strict=True))
    arr = reliable_change_array(pre, post, sd, r, hib)
    for i, (a, b) in enumerate(pairs):
        one = reliable_change(a, b, sd, r, hib)
        assert arr.rc[i] == one.rc
        assert arr.category[i] == one.category
        assert (arr.sem, arr.s_diff, arr.threshold) == (
            one.sem,
            one.s_diff,
            one.threshold,
        )
