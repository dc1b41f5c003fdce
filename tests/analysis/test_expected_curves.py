"""The expected-response curves by intake level (methods §2.2) are the
not-on-track alert's own model, drawn for each third of the clinic's
intakes, with how well their bounds fit the clinic's later scores."""

from __future__ import annotations

import numpy as np
import pytest

from tether.analysis.expected_curves import ExpectedCurves, expected_curves
from tether.analysis.needs import NotEnoughData
from tether.instruments import load_library
from tether.signals import SignalConfig
from tether.signals.data import check_scores
from tether.signals.engine import compute_signals
from tether.simulate import simulate_cohort

LIBRARY = load_library(None)
PCL5 = "pcl-5@past-week"


def cohort_frame(cases: int, seed: int):
    scores = simulate_cohort(cases, seed).scores
    raw = scores.astype(object).where(scores.notna(), "").astype(str)
    return check_scores(raw, LIBRARY)


@pytest.fixture(scope="module")
def frame():
    return cohort_frame(130, 11)


@pytest.fixture(scope="module")
def curves(frame) -> dict[str, ExpectedCurves]:
    found = expected_curves(frame, LIBRARY)
    assert all(isinstance(c, ExpectedCurves) for c in found)
    return {c.instrument: c for c in found}  # type: ignore[union-attr]


def test_the_curves_are_the_model_the_alerts_fit(frame, curves):
    alerts = compute_signals(frame, LIBRARY).models
    assert set(curves) == {k for k, v in alerts.items() if v is not None}
    assert curves[PCL5].model == alerts[PCL5]
    assert not curves[PCL5].stored


def test_a_stored_model_is_used_as_it_is(frame, curves):
    stored = curves[PCL5].model
    found = expected_curves(frame, LIBRARY, models={PCL5: stored})
    pcl5 = next(c for c in found if c.instrument == PCL5)
    assert isinstance(pcl5, ExpectedCurves)
    assert pcl5.stored
    assert pcl5.model is stored


def test_each_third_of_the_intakes_has_its_curve_at_its_mean_intake(curves):
    pcl5 = curves[PCL5]
    assert [g.label for g in pcl5.groups] == [
        "lowest third",
        "middle third",
        "highest third",
    ]
    assert sum(g.people for g in pcl5.groups) == pcl5.model.cases
    assert pcl5.groups[0].intake_high <= pcl5.groups[1].intake_low
    config = SignalConfig()
    for g in pcl5.groups:
        sessions = [p.session for p in g.curve]
        assert sessions[0] == 1
        mu = pcl5.model.mean(sessions, [g.intake_mean] * len(sessions))
        sd = pcl5.model.sd(sessions)
        assert [p.expected for p in g.curve] == pytest.approx(mu)
        assert [p.upper90 for p in g.curve] == pytest.approx(
            mu + config.not_on_track_red_z * sd
        )
        assert all(o.n >= 3 for o in g.observed)


def test_the_bounds_hold_about_20_and_10_percent_of_later_scores_on_data_like_the_model(
    curves,
):
    pcl5 = curves[PCL5]
    assert pcl5.later_scores > 500
    assert pcl5.above80 == pytest.approx(0.20, abs=0.05)
    assert pcl5.above90 == pytest.approx(0.10, abs=0.04)
    assert abs(pcl5.mean_residual) < 1.0
    assert np.isfinite(pcl5.rmse)


def test_too_few_clients_say_how_many_more_the_model_needs():
    small = cohort_frame(30, 2)
    found = expected_curves(small, LIBRARY)
    pcl5 = next(r for r in found if r.instrument == PCL5)
    assert isinstance(pcl5, NotEnoughData)
    assert pcl5.minimum == SignalConfig().etr_min_cases
    assert 0 < pcl5.current <= 30
    assert pcl5.unit == "clients with 3 or more sessions"


def test_a_clinic_whose_last_refit_had_too_few_clients_says_so_too(frame):
    found = expected_curves(frame, LIBRARY, models={PCL5: None})
    pcl5 = next(r for r in found if r.instrument == PCL5)
    assert isinstance(pcl5, NotEnoughData)
