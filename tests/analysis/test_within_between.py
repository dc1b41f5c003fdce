"""The within- and between-person model of methods §5.3 recovers known
effects: on 20 simulated cohorts drawn from the model itself, its 95%
confidence intervals hold the true within- and between-person effects in at
least 17 of 20, and the estimates average within 10% of the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tether.analysis.needs import NotEnoughData
from tether.analysis.within_between import (
    CAVEAT,
    MIN_PEOPLE,
    PAIR_COLUMNS,
    WithinBetween,
    lagged_pairs,
    within_between,
)

WITHIN = -0.30
"""PCL-5 points at the next session per alliance point (0-100) above the person's own mean."""
BETWEEN = -0.40
"""PCL-5 points per alliance point of a person's mean above the clinic's."""
COHORTS = range(20)
"""Fixed seeds: 20 cohorts of 60 people with 8 sessions each (about 1.5 s)."""


def simulated_cohort(
    people: int, sessions: int, within: float, between: float, seed: int
) -> pd.DataFrame:
    """Lagged pairs drawn from methods §5.3's model with γ1 = `within`,
    γ2 = `between`, γ3 = 0 and γ4 = −0.5: alliance A_it = μ_i + w_it
    (μ_i ~ N(70, 12²), w ~ N(0, 6²), on 0-100), outcome
    Y_it = 45 + γ1·A_w_i,t−1 + γ2·(A_pm_i − Ā_pm) − 0.5·(t − 1) + u_i + e_it
    (u ~ N(0, 2²), e ~ N(0, 4²); the first outcome has no earlier alliance),
    centred on the person means of the sessions the model uses, as the fit
    centres them."""
    rng = np.random.default_rng(seed)
    t = np.arange(1, sessions + 1, dtype=float)
    a = rng.normal(70.0, 12.0, (people, 1)) + rng.normal(0.0, 6.0, (people, sessions))
    a_pm = a[:, :-1].mean(axis=1, keepdims=True)
    person = 45.0 + between * (a_pm - a_pm.mean()) + rng.normal(0.0, 2.0, (people, 1))
    a_w = np.hstack([np.zeros((people, 1)), a[:, :-1] - a_pm])
    y = person + within * a_w - 0.5 * (t - 1) + rng.normal(0.0, 4.0, (people, sessions))
    rows = [
        (f"p{i}", int(t[s]), float(a[i, s]), float(y[i, s]), float(y[i, s + 1]))
        for i in range(people)
        for s in range(sessions - 1)
    ]
    return pd.DataFrame(rows, columns=list(PAIR_COLUMNS))


@pytest.fixture(scope="module")
def fits() -> list[WithinBetween]:
    found = [
        within_between(
            simulated_cohort(60, 8, WITHIN, BETWEEN, seed), "pcl-5@past-month"
        )
        for seed in COHORTS
    ]
    assert all(isinstance(f, WithinBetween) and f.converged for f in found)
    return found  # type: ignore[return-value]


def test_the_95_percent_intervals_hold_the_true_within_person_effect_in_17_of_20(fits):
    held = sum(f.within.low <= WITHIN <= f.within.high for f in fits)
    assert held >= 17


def test_the_95_percent_intervals_hold_the_true_between_person_effect_in_17_of_20(fits):
    held = sum(f.between.low <= BETWEEN <= f.between.high for f in fits)
    assert held >= 17


def test_the_estimates_are_unbiased_within_ten_percent(fits):
    within = np.mean([f.within.estimate for f in fits])
    between = np.mean([f.between.estimate for f in fits])
    assert within == pytest.approx(WITHIN, rel=0.10)
    assert between == pytest.approx(BETWEEN, rel=0.10)


def test_within_and_between_are_told_apart_when_they_differ_in_sign():
    fit = within_between(simulated_cohort(80, 8, 0.3, -0.4, seed=7))
    assert isinstance(fit, WithinBetween)
    assert fit.within.low > 0
    assert fit.between.high < 0


def test_every_result_carries_the_caveat_that_it_is_not_causal(fits):
    assert {f.caveat for f in fits} == {CAVEAT}
    assert "not effects" in CAVEAT
    assert "Falkenström" in CAVEAT


def test_too_few_people_says_how_many_more_are_needed_instead_of_a_number():
    pairs = simulated_cohort(MIN_PEOPLE - 5, 8, WITHIN, BETWEEN, seed=1)
    result = within_between(pairs, "pcl-5@past-month")
    assert isinstance(result, NotEnoughData)
    assert (result.minimum, result.current, result.more_needed) == (MIN_PEOPLE, 25, 5)


def test_people_with_fewer_than_three_sessions_do_not_count():
    pairs = simulated_cohort(MIN_PEOPLE, 2, WITHIN, BETWEEN, seed=1)
    result = within_between(pairs)
    assert isinstance(result, NotEnoughData)
    assert result.current == 0


def test_lagged_pairs_pair_each_session_with_the_next_measured_outcome():
    alliance = pd.DataFrame(
        {"person": ["a"] * 3, "session": [1, 2, 4], "value": [60.0, 70.0, 80.0]}
    )
    outcome = pd.DataFrame(
        {
            "person": ["a"] * 4,
            "session": [1, 2, 3, 4],
            "value": [50.0, 45.0, 44.0, 40.0],
        }
    )
    pairs = lagged_pairs(alliance, outcome)
    assert pairs.to_dict("list") == {
        "person": ["a", "a"],
        "session": [1, 2],
        "alliance": [60.0, 70.0],
        "outcome": [50.0, 45.0],
        "next_outcome": [45.0, 44.0],
    }
