"""Synthetic cohorts with known, planted events (pure: numpy and pandas only).

For demos, benchmarks and tests of the signal rules: `simulate_cohort` draws a
cohort in the long format (docs/long-format.md) together with the ground truth
of what was planted; `write_cohort` writes both as CSV. The noise model is the
docstring of `SimulationConfig` and docs/simulation.md.
"""

from ._case import EVENTS, TAC, TAC_CHILD, TAC_T
from .cohort import SCORE_COLUMNS, TRUTH_COLUMNS, Cohort, simulate_cohort, write_cohort
from .config import SimulationConfig

__all__ = [
    "EVENTS",
    "SCORE_COLUMNS",
    "TAC",
    "TAC_CHILD",
    "TAC_T",
    "TRUTH_COLUMNS",
    "Cohort",
    "SimulationConfig",
    "simulate_cohort",
    "write_cohort",
]
