"""What an analysis says when there is too little data: how much there is and
how much it needs, never a number computed on too little (issue #15 item 4;
docs/analytics.md §Minimum data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NotEnoughData:
    """An analysis left undone: it needs `minimum` `unit` and has `current`."""

    analysis: str
    """What was not computed, in words ("Cronbach's α of TAC self, caregiver")."""
    unit: str
    """What is counted: "people", "clients with 3 or more sessions", …"""
    minimum: int
    current: int
    instrument: str = ""
    """The instrument (id@version) it concerns, where one."""
    scale: str = ""
    respondent: str = ""

    @property
    def more_needed(self) -> int:
        return max(self.minimum - self.current, 0)

    def sentence(self) -> str:
        """The plain-text sentence the command line and exports use."""
        return (
            f"needs {self.minimum} {self.unit}, has {self.current} "
            f"({self.more_needed} more needed)"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "status": "not enough data",
            "analysis": self.analysis,
            "instrument": self.instrument,
            "scale": self.scale,
            "respondent": self.respondent,
            "unit": self.unit,
            "minimum": self.minimum,
            "current": self.current,
            "more_needed": self.more_needed,
        }


@dataclass(frozen=True, slots=True)
class CouldNotFit:
    """An analysis with enough data whose model could not be fitted."""

    analysis: str
    reason: str
    instrument: str = ""

    def sentence(self) -> str:
        return self.reason

    def to_dict(self) -> dict[str, object]:
        return {
            "status": "could not fit",
            "analysis": self.analysis,
            "reason": self.reason,
        }
