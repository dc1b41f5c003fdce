"""Golden values: the simulator's output for fixed seeds does not change.

The digests were recorded from `simulate_cohort` before `simulate_case` was
split into named steps (issue #10). Any change in what is drawn, or in the
order of the draws, changes every later case's numbers and so these digests.
A deliberate change to the simulator must record new values here and say why
in its commit (the benchmarks and docs/signals.md quote numbers from it).
"""

import hashlib

import pandas as pd
import pytest

from tether.simulate import SimulationConfig, simulate_cohort

CASES = 200

GOLDEN = {
    ("default", 1): (
        "78c33669ff6866d5b478ccae6b63b27613f62b3acbf8ee07fe521d342834b78d",
        "4805666c358965c6b3a51c60061ba2aa9cc782ecc63a371d389c18c2cb516a68",
    ),
    ("default", 2): (
        "0ac17c7a6a3ee366aa298358f9fe51760c3ab3db548ece1ffd229f1cd783e330",
        "841387cc697e9b3864d8a79bd472e3aa8d95a73df704e3b740e0aa598315a5e0",
    ),
    ("default", 3): (
        "20415c6d6115976ea421258c7c3d761130e00203e438c578d25f07596ec29072",
        "408c957194c87bfbeef27b11057b261815eda547281854b85c782fb3d4275500",
    ),
    ("realistic", 1): (
        "d0f0be516426cc88315c0d5e44a0c0dd753ee9efc9132ea185c42f6851664c27",
        "d7d113844c8dff0779a45c2c38c1deec9d206efe204c812a6e75f1abffb0f8c8",
    ),
    ("realistic", 2): (
        "c6a6e90486ca7e6a61f181f2ab52c7117f6c1448baf648ad5c16d4f0f64107ca",
        "12191e38ac7ffa3bdcc005b10c470f7338d80593df26c6eb67ceb21345e59d6e",
    ),
    ("realistic", 3): (
        "3701c0cf4055f6cd247e8a0e38a3e2d04af715ccca0d5c7df2c3866d5fe3233f",
        "534eb6c1ba27ea25f8fd03a6dab9966d28435846cfcc39c760889c5e5f5de66c",
    ),
}

CONFIGS = {"default": SimulationConfig(), "realistic": SimulationConfig.realistic()}


def digest(frame: pd.DataFrame) -> str:
    """SHA-256 of the frame's every value at full float precision (17
    significant digits, so no difference in the last bit hides)."""
    text = frame.to_csv(index=False, float_format="%.17g", lineterminator="\n")
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(("mode", "seed"), sorted(GOLDEN))
def test_a_seed_gives_the_recorded_cohort(mode, seed):
    cohort = simulate_cohort(CASES, seed, CONFIGS[mode])
    assert (digest(cohort.scores), digest(cohort.truth)) == GOLDEN[(mode, seed)]


def test_the_digest_sees_a_change_in_the_last_digit():
    cohort = simulate_cohort(5, 1)
    changed = cohort.scores.copy()
    changed.loc[0, "score"] += 1e-4
    assert digest(changed) != digest(cohort.scores)
