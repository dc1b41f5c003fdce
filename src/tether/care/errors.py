"""The error every care write raises for input it cannot save."""

from __future__ import annotations


class InvalidEntry(ValueError):
    """Input that cannot be saved; `problems` name each field and why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))
