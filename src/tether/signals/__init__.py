"""The clinical signals: pure functions of score histories (docs/signals.md)."""

from .config import SignalConfig
from .data import ScoreTableError, check_scores, read_scores
from .engine import SignalRun, compute_signals
from .model import Signal, to_signals

__all__ = [
    "ScoreTableError",
    "Signal",
    "SignalConfig",
    "SignalRun",
    "check_scores",
    "compute_signals",
    "read_scores",
    "to_signals",
]
