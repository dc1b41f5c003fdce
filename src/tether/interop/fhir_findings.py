"""What an import finds: warnings (with the linkId they concern) and
problems, gathered while the whole document is read, so a person fixing a file
sees every problem at once (docs/interop.md §Import)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

QUESTIONNAIRE = "Questionnaire"
"""Where a finding about the document as a whole is."""


def at(link_id: str) -> str:
    """Where a finding about one item is: `linkId X`."""
    return f"linkId {link_id}"


@dataclass(frozen=True, slots=True)
class Note:
    """One warning, with where it applies: `linkId X`, or the Questionnaire."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class FhirImportError(ValueError):
    """The Questionnaire cannot be turned into a definition: every problem
    (`linkId X: reason`), and the warnings found on the way."""

    def __init__(self, problems: list[str], warnings: Sequence[Note] = ()) -> None:
        self.problems = problems
        self.warnings = tuple(warnings)
        super().__init__("\n".join(problems))


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(Note(where, message))

    def refuse(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def refused(self, where: str) -> bool:
        """Whether a problem was found at `where` already."""
        return any(p.startswith(f"{where}: ") for p in self.problems)

    def error(self, problems: list[str] | None = None) -> FhirImportError:
        return FhirImportError(
            self.problems if problems is None else problems, self.merged()
        )

    def merged(self) -> tuple[Note, ...]:
        """The warnings, those with the same message at several linkIds as one
        (`linkIds a, b: message`)."""
        by_message: dict[str, list[str]] = {}
        for note in self.warnings:
            places = by_message.setdefault(note.message, [])
            if note.where not in places:
                places.append(note.where)
        merged = []
        for message, places in by_message.items():
            if len(places) > 1 and all(p.startswith("linkId ") for p in places):
                where = "linkIds " + ", ".join(p[len("linkId ") :] for p in places)
            else:
                where = ", ".join(places)
            merged.append(Note(where, message))
        return tuple(merged)
