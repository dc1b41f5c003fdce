"""Expected treatment response: docs/clinical-rules.md §Expected response and vector ETR-1."""

import numpy as np
import pandas as pd
import pytest

from tether.signals.expected import ExpectedResponse, fit_expected_response

# ETR-1: the published fit on suddengains sgdata (BDI, 41 patients, REML).
ETR_1 = ExpectedResponse(
    beta=(37.694, -9.576, 0.990, -0.448),
    g=((20.891, -9.673), (-9.673, 10.869)),
    sigma2=16.747,
    intake_mean=34.878,
    cases=41,
    observations=438,
)


@pytest.mark.parametrize(
    ("session", "mu", "sd", "upper80", "upper90"),
    [
        (1, 32.87, 6.13, 38.03, 40.73),
        (2, 27.74, 5.43, 32.31, 34.70),
        (4, 22.62, 5.63, 27.36, 29.84),
        (8, 17.50, 6.66, 23.11, 26.04),
        (12, 14.50, 7.53, 20.84, 24.15),
    ],
)
def test_etr_1_predictions_for_intake_30(session, mu, sd, upper80, upper90):
    s = np.array([float(session)])
    intake = np.array([30.0])
    assert ETR_1.mean(s, intake)[0] == pytest.approx(mu, abs=0.05)
    assert ETR_1.sd(s)[0] == pytest.approx(sd, abs=0.05)
    assert (ETR_1.mean(s, intake) + 0.8416 * ETR_1.sd(s))[0] == pytest.approx(
        upper80, abs=0.05
    )
    assert (ETR_1.mean(s, intake) + 1.2816 * ETR_1.sd(s))[0] == pytest.approx(
        upper90, abs=0.05
    )


def test_etr_1_an_intake_30_patient_at_session_4_is_green_yellow_or_red():
    s, intake = np.array([4.0]), np.array([30.0])
    upper80 = ETR_1.mean(s, intake) + 0.8416 * ETR_1.sd(s)
    upper90 = ETR_1.mean(s, intake) + 1.2816 * ETR_1.sd(s)
    assert upper80[0] >= 20
    assert upper80[0] < 28 <= upper90[0]
    assert upper90[0] < 31


def test_the_fit_recovers_the_parameters_of_simulated_data():
    rng = np.random.default_rng(7)
    rows = []
    for patient in range(300):
        intake = rng.normal(50, 10)
        u0, u1 = rng.multivariate_normal([0, 0], [[16, -4], [-4, 9]])
        for session in range(1, 11):
            lt = np.log(session)
            y = (
                48
                - 8 * lt
                + 0.9 * (intake - 50)
                - 0.2 * (intake - 50) * lt
                + u0
                + u1 * lt
                + rng.normal(0, 4)
            )
            rows.append(
                {"patient": patient, "session": session, "score": y, "intake": intake}
            )
    model = fit_expected_response(pd.DataFrame(rows))
    _, b1, b2, b3 = model.beta
    assert b1 == pytest.approx(-8, abs=0.6)
    assert b2 == pytest.approx(0.9, abs=0.1)
    assert b3 == pytest.approx(-0.2, abs=0.1)
    assert model.sigma2 == pytest.approx(16, rel=0.15)
    assert model.g[1][1] == pytest.approx(9, rel=0.35)
    assert model.cases == 300
