"""Synthetic cohorts with known events: `simulate_cohort` and `write_cohort`.

The scores are in the long format of docs/long-format.md; the truth table lists
every planted event (docs/simulation.md). Pure numpy + pandas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from tether.longformat import COLUMNS

from ._case import (
    AGE_BANDS,
    CASE_KINDS,
    FAMILY_MEMBER,
    RESPONDENTS,
    ROLES,
    SERIES,
    CaseOutput,
    simulate_case,
)
from .config import SimulationConfig

__all__ = [
    "SCORE_COLUMNS",
    "TRUTH_COLUMNS",
    "Cohort",
    "simulate_cohort",
    "write_cohort",
]

SCORE_COLUMNS = tuple(column for column in COLUMNS if column != "subsystem")
"""The long-format columns the simulator writes: its subsystems are the ones
derived from roles, so it leaves the optional `subsystem` column out."""
TRUTH_COLUMNS = ("case_id", "event", "member_id", "session", "end_session", "detail")
SCORE_DECIMALS = 4
"""Scores are stored rounded to this many decimals (1/7 grid: 2.8571)."""
CSV_FLOAT_FORMAT = "%.10g"
"""Writes 44 for 44.0 and 2.8571 for 2.8571: exact for 4-decimal scores < 10^6."""


@dataclass(frozen=True, slots=True)
class Cohort:
    """A simulated cohort: long-format `scores` and the planted events, `truth`."""

    scores: pd.DataFrame
    truth: pd.DataFrame


def simulate_cohort(
    cases: int,
    seed: int,
    config: SimulationConfig | None = None,
    on_case: Callable[[], None] | None = None,
) -> Cohort:
    """Simulate `cases` cases. The same seed (and config) gives identical frames.
    `on_case`, when given, is called after each case (a progress bar).

    Case k (C00001 is k = 1) is drawn from its own generator, the k-th child that
    `numpy.random.default_rng(seed).spawn` gives, so it does not depend on how
    many cases were asked for.
    """
    if isinstance(cases, bool) or not isinstance(cases, int | np.integer) or cases < 0:
        raise ValueError(f"cases must be a whole number >= 0, got {cases!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    cfg = config if config is not None else SimulationConfig()
    generators = np.random.default_rng(int(seed)).spawn(int(cases))
    outputs = []
    for generator in generators:
        outputs.append(simulate_case(generator, cfg))
        if on_case is not None:
            on_case()
    width = max(5, len(str(cases)))
    case_ids = [f"C{k:0{width}d}" for k in range(1, cases + 1)]
    return Cohort(
        scores=_scores_frame(outputs, case_ids), truth=_truth_frame(outputs, case_ids)
    )


def write_cohort(cohort: Cohort, out_dir: Path) -> tuple[Path, Path]:
    """Write `scores.csv` and `truth.csv` into `out_dir` (created if missing).

    No index column; a missing score is an empty field; whole numbers are written
    without a decimal point."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    scores_path = out_dir / "scores.csv"
    truth_path = out_dir / "truth.csv"
    cohort.scores.to_csv(
        scores_path, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n"
    )
    cohort.truth.to_csv(truth_path, index=False, lineterminator="\n")
    return scores_path, truth_path


def _labels(
    codes: npt.NDArray[np.int64], labels: tuple[str | None, ...] | list[str]
) -> pd.Series:
    table = np.asarray(labels, dtype=object)
    return pd.Series(table[codes], dtype="str")


def _scores_frame(outputs: list[CaseOutput], case_ids: list[str]) -> pd.DataFrame:
    if not outputs:
        return _empty_scores()
    rows_per_case = np.array([o.row_session.size for o in outputs], dtype=np.int64)
    series_per_case = np.array([o.series_code.size for o in outputs], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(series_per_case)[:-1]))
    row_series = np.concatenate(
        [o.row_series + offset for o, offset in zip(outputs, offsets, strict=True)]
    )
    member = np.concatenate([o.series_member for o in outputs])[row_series]
    role = np.concatenate([o.series_role for o in outputs])[row_series]
    respondent = np.concatenate([o.series_respondent for o in outputs])[row_series]
    code = np.concatenate([o.series_code for o in outputs])[row_series]
    band = np.concatenate([o.series_band for o in outputs])[row_series]
    case_index = np.repeat(np.arange(len(outputs), dtype=np.int64), rows_per_case)
    kinds = np.array([o.kind for o in outputs], dtype=np.int64)[case_index]
    score = np.round(np.concatenate([o.row_score for o in outputs]), SCORE_DECIMALS)
    session = np.concatenate([o.row_session for o in outputs]).astype(np.int64)

    max_member = int(member.max()) + 1
    member_labels = ["family", *(f"M{i}" for i in range(1, max_member + 1))]
    member_codes = np.where(member == FAMILY_MEMBER, 0, member + 1)
    return pd.DataFrame(
        {
            "case_id": _labels(case_index, case_ids),
            "member_id": _labels(member_codes, member_labels),
            "member_role": _labels(role, ROLES),
            "respondent": _labels(respondent, RESPONDENTS),
            "session": session,
            "instrument": _labels(code, tuple(instrument for instrument, _ in SERIES)),
            "scale": _labels(code, tuple(scale for _, scale in SERIES)),
            "score": score,
            "case_kind": _labels(kinds, CASE_KINDS),
            "age_band": _labels(band, AGE_BANDS),
        },
        columns=list(SCORE_COLUMNS),
    )


def _empty_scores() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype="str") for column in SCORE_COLUMNS})
    return frame.astype({"session": "int64", "score": "float64"})


def _truth_frame(outputs: list[CaseOutput], case_ids: list[str]) -> pd.DataFrame:
    records = [
        (case_id, e.event, e.member_id, e.session, e.end_session, e.detail)
        for case_id, output in zip(case_ids, outputs, strict=True)
        for e in output.truth
    ]
    columns = list(zip(*records, strict=True)) if records else [()] * len(TRUTH_COLUMNS)
    return pd.DataFrame(
        {
            "case_id": pd.Series(columns[0], dtype="str"),
            "event": pd.Series(columns[1], dtype="str"),
            "member_id": pd.Series(columns[2], dtype="str"),
            "session": pd.Series(columns[3], dtype="int64"),
            "end_session": pd.Series(columns[4], dtype="Int64"),
            "detail": pd.Series(columns[5], dtype="str"),
        },
        columns=list(TRUTH_COLUMNS),
    )
