"""α, ω and corrected item–total r against the vectors of docs/clinical-rules.md §Psychometrics."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from tests.shared_data import data_file

from tether.scoring import (
    corrected_item_total,
    cronbach_alpha,
    mcdonald_omega,
    reliable_change,
)

PHQ9 = [f"PHQ{i}" for i in range(1, 10)]


@pytest.fixture
def pg() -> ModuleType:
    return pytest.importorskip("pingouin")


def pcl5_items() -> pd.DataFrame:
    data = pd.read_csv(data_file("pcl5_items_veterans.csv"), index_col=0)
    return data[[c for c in data.columns if c.startswith("Q28_")]]


def phq9_items(wave: int) -> pd.DataFrame:
    return pd.read_csv(data_file(f"phq9_gad7_items_wave{wave}.csv"))[PHQ9]


def one_factor_sample(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.4, 0.3])
    factor = rng.standard_normal((n, 1))
    noise = rng.standard_normal((n, 6)) * np.sqrt(1 - loadings**2)
    return factor * loadings + noise, loadings


# --- PCL-5 veterans (BGGM ptsd), §6.2 table ----------------------------------


def test_pcl5_alpha_is_8991_with_feldt_ci_879_917() -> None:
    res = cronbach_alpha(pcl5_items())
    assert (res.n, res.k) == (221, 20)
    assert res.alpha == pytest.approx(0.8991, abs=1e-3)
    assert res.ci_low == pytest.approx(0.879, abs=5e-4)
    assert res.ci_high == pytest.approx(0.917, abs=5e-4)


def test_pcl5_alpha_and_ci_agree_with_pingouin(pg: ModuleType) -> None:
    ours = cronbach_alpha(pcl5_items())
    alpha, ci = pg.cronbach_alpha(pcl5_items())
    assert ours.alpha == pytest.approx(alpha, abs=1e-12)
    assert [round(ours.ci_low, 3), round(ours.ci_high, 3)] == list(ci)


def test_pcl5_omega_is_8997_unstandardized_and_9007_standardized() -> None:
    res = mcdonald_omega(pcl5_items())
    assert res.omega_total == pytest.approx(0.8997, abs=5e-3)
    assert res.omega_standardized == pytest.approx(0.9007, abs=5e-3)
    assert res.loadings.shape == (20,)
    assert np.all(res.loadings > 0)


def test_pcl5_corrected_item_total_range_is_313_to_651() -> None:
    r = corrected_item_total(pcl5_items())
    assert r.shape == (20,)
    assert r.min() == pytest.approx(0.313, abs=1e-3)
    assert r.max() == pytest.approx(0.651, abs=1e-3)


def test_pcl5_sem_4574_and_rc_threshold_1268_from_sample_sd_of_totals() -> None:
    items = pcl5_items()
    totals = items.sum(axis=1)
    assert totals.mean() == pytest.approx(30.53, abs=5e-3)
    sd = float(totals.std(ddof=1))
    assert sd == pytest.approx(14.40, abs=5e-3)
    res = reliable_change(0, 0, sd, cronbach_alpha(items).alpha, False)
    assert res.sem == pytest.approx(4.574, abs=5e-4)
    assert res.threshold == pytest.approx(12.68, abs=5e-3)


# --- PHQ-9 waves (BGGM depression_anxiety), §6.2 table -----------------------


@pytest.mark.parametrize(
    ("wave", "alpha", "ci", "omega", "item_total"),
    [
        (1, 0.8998, (0.884, 0.914), (0.9034, 0.9018), (0.565, 0.776)),
        (2, 0.9012, (0.886, 0.915), (0.9048, 0.9042), (0.530, 0.781)),
    ],
)
def test_phq9_reliabilities_per_wave_match_the_published_table(
    wave: int,
    alpha: float,
    ci: tuple[float, float],
    omega: tuple[float, float],
    item_total: tuple[float, float],
) -> None:
    items = phq9_items(wave)
    a = cronbach_alpha(items)
    assert a.n == 403
    assert a.alpha == pytest.approx(alpha, abs=1e-3)
    assert (a.ci_low, a.ci_high) == pytest.approx(ci, abs=5e-4)
    o = mcdonald_omega(items)
    assert (o.omega_total, o.omega_standardized) == pytest.approx(omega, abs=5e-3)
    r = corrected_item_total(items)
    assert (r.min(), r.max()) == pytest.approx(item_total, abs=1e-3)


# --- pingouin docstring vectors (§6.2) ---------------------------------------


def test_pingouin_wide_missing_pairwise_alpha_is_7327(pg: ModuleType) -> None:
    res = cronbach_alpha(pg.read_dataset("cronbach_wide_missing"), missing="pairwise")
    assert res.alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx((0.435, 0.909), abs=5e-4)


def test_pingouin_wide_missing_listwise_alpha_is_8017_with_n_of_all_rows(
    pg: ModuleType,
) -> None:
    """pingouin's Feldt CI uses n = all 12 rows even after listwise deletion
    leaves 9; [0.581, 0.933] is only reproduced that way (n = 9 would give
    [0.533, 0.947])."""
    res = cronbach_alpha(pg.read_dataset("cronbach_wide_missing"), missing="listwise")
    assert res.alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx((0.581, 0.933), abs=5e-4)
    assert res.n == 12


def test_pingouin_long_format_alpha_is_5917_after_pivot_to_wide(
    pg: ModuleType,
) -> None:
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    res = cronbach_alpha(wide)
    assert res.alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx((0.195, 0.840), abs=5e-4)


def test_pairwise_alpha_matches_pingouin_on_random_data_with_holes(
    pg: ModuleType,
) -> None:
    x, _ = one_factor_sample(60, seed=7)
    rng = np.random.default_rng(3)
    x[rng.random(x.shape) < 0.15] = np.nan
    for missing in ("pairwise", "listwise"):
        ours = cronbach_alpha(x, missing=missing)
        alpha, ci = pg.cronbach_alpha(pd.DataFrame(x), nan_policy=missing)
        assert ours.alpha == pytest.approx(alpha, abs=1e-12)
        assert [round(ours.ci_low, 3), round(ours.ci_high, 3)] == list(ci)


def test_pairwise_and_listwise_agree_without_missing_data() -> None:
    items = phq9_items(1)
    assert cronbach_alpha(items, missing="pairwise") == cronbach_alpha(items)
    np.testing.assert_allclose(
        corrected_item_total(items, missing="pairwise"), corrected_item_total(items)
    )


# --- ω fitting ----------------------------------------------------------------


def test_omega_recovers_loadings_of_a_simulated_one_factor_model() -> None:
    x, loadings = one_factor_sample(20_000)
    res = mcdonald_omega(x)
    np.testing.assert_allclose(res.loadings, loadings, atol=0.03)
    true = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - loadings**2).sum())
    assert res.omega_standardized == pytest.approx(true, abs=0.01)


def test_standardized_omega_is_invariant_to_rescaling_items() -> None:
    items = phq9_items(2).to_numpy(float)
    scaled = items * np.arange(1, 10)
    assert mcdonald_omega(scaled).omega_standardized == pytest.approx(
        mcdonald_omega(items).omega_standardized, abs=1e-6
    )


def test_omega_uses_listwise_deletion() -> None:
    items = phq9_items(1).to_numpy(float)
    holed = np.vstack([items, np.full((1, 9), np.nan), [[np.nan] + [3.0] * 8]])
    assert mcdonald_omega(holed).omega_total == pytest.approx(
        mcdonald_omega(items).omega_total, abs=1e-9
    )


# --- input validation --------------------------------------------------------


def test_alpha_rejects_unknown_missing_policy() -> None:
    with pytest.raises(ValueError, match="missing must be 'listwise' or 'pairwise'"):
        cronbach_alpha(phq9_items(1), missing="mean")  # type: ignore[arg-type]


def test_alpha_rejects_one_dimensional_input_and_a_single_item() -> None:
    with pytest.raises(ValueError, match="items must be 2-D"):
        cronbach_alpha([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="at least 2 persons and 2 items"):
        cronbach_alpha([[1.0], [2.0], [3.0]])


def test_alpha_rejects_ci_outside_0_1() -> None:
    with pytest.raises(ValueError, match=r"ci must be in \(0, 1\), got 95"):
        cronbach_alpha(phq9_items(1), ci=95)
