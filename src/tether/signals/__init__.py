"""The clinical signals: pure functions of score histories (docs/signals.md)."""

from .config import SignalConfig
from .data import ScoreTableError, check_scores, read_scores
from .engine import SignalRun, compute_signals
from .model import (
    NO_ACTION_KINDS,
    SEVERITIES,
    Signal,
    needs_action,
    severity_rank,
    to_signals,
)

__all__ = [
    "NO_ACTION_KINDS",
    "SEVERITIES",
    "ScoreTableError",
    "Signal",
    "SignalConfig",
    "SignalRun",
    "check_scores",
    "compute_signals",
    "needs_action",
    "read_scores",
    "severity_rank",
    "to_signals",
]
