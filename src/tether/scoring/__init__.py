"""Scoring (pure): score one response or many from the instrument's definition,
the risk test, reliable change and clinical significance, psychometrics, and
scoring a CSV of answers."""

from .change import (
    Z_CRIT,
    CutoffChoice,
    JTCutoffs,
    ReliableChange,
    ReliableChangeArray,
    choose_cutoff,
    clinical_significance,
    clinical_significance_array,
    jt_cutoffs,
    reliable_change,
    reliable_change_array,
    s_diff,
    sem,
)
from .engine import (
    AnswerError,
    AnswerProblem,
    RiskFlag,
    ScaleScore,
    ScoreResult,
    ScoreTable,
    item_scores,
    score,
    score_many,
)
from .psychometrics import (
    Alpha,
    Omega,
    corrected_item_total,
    cronbach_alpha,
    mcdonald_omega,
)
from .risk import meets_risk_trigger
from .tabular import TableError, score_rows

__all__ = [
    "Z_CRIT",
    "Alpha",
    "AnswerError",
    "AnswerProblem",
    "CutoffChoice",
    "JTCutoffs",
    "Omega",
    "ReliableChange",
    "ReliableChangeArray",
    "RiskFlag",
    "ScaleScore",
    "ScoreResult",
    "ScoreTable",
    "TableError",
    "choose_cutoff",
    "clinical_significance",
    "clinical_significance_array",
    "corrected_item_total",
    "cronbach_alpha",
    "item_scores",
    "jt_cutoffs",
    "mcdonald_omega",
    "meets_risk_trigger",
    "reliable_change",
    "reliable_change_array",
    "s_diff",
    "score",
    "score_many",
    "score_rows",
    "sem",
]
