"""What an import of a clinic's history creates and finds already there
(`tether import scores`, docs/importing.md): counts, and the report in words.

Pure: the counts come in as numbers; the words go out as lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from .history import LONG


@dataclass(frozen=True, slots=True)
class Tally:
    new: int = 0
    existing: int = 0
    """Already in Tether: matched by its ids, and left as it is."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    file: str
    format: str
    rows: int
    cases: Tally
    members: Tally
    sessions: Tally
    responses: Mapping[str, Tally]
    """By instrument (id@version)."""
    unanswered: int = 0
    """New responses that are questionnaires not answered (empty scores)."""
    undated_sessions: int = 0
    """New sessions without a `session_date`: dated `today`."""
    today: dt.date = dt.date.min
    cases_without_clinician: int = 0
    """New cases whose rows name no clinician."""
    unread_columns: tuple[str, ...] = field(default_factory=tuple)

    @property
    def response_total(self) -> Tally:
        return Tally(
            sum(t.new for t in self.responses.values()),
            sum(t.existing for t in self.responses.values()),
        )

    @property
    def creates_anything(self) -> bool:
        return any(
            t.new
            for t in (self.cases, self.members, self.sessions, self.response_total)
        )


def report_lines(report: ImportReport) -> list[str]:
    """The report: what is new and what is already in Tether, then what the
    import fills in by itself (dates, clinicians) and which columns it left."""
    kind = "long-format score file" if report.format == LONG else "wide item file"
    lines = [f"{report.file}: a {kind}, {counted(report.rows, 'row')}", ""]
    table = [
        ("", "new", "already in Tether"),
        *(
            (name, f"{tally.new:,}", f"{tally.existing:,}")
            for name, tally in (
                ("cases", report.cases),
                ("members", report.members),
                ("sessions", report.sessions),
                ("responses", report.response_total),
            )
        ),
        *(
            (f"  {instrument}", f"{tally.new:,}", f"{tally.existing:,}")
            for instrument, tally in sorted(report.responses.items())
        ),
    ]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for name, new, existing in table:
        lines.append(
            f"{name.ljust(widths[0])}  {new.rjust(widths[1])}  {existing.rjust(widths[2])}"
        )
    notes = []
    if report.unanswered:
        notes.append(
            f"{counted(report.unanswered, 'new response')} not answered (empty "
            "scores): kept as invitations left unanswered, which the "
            "disengagement rule counts."
        )
    if report.undated_sessions:
        notes.append(
            f"{counted(report.undated_sessions, 'new session')} without a "
            f"session_date: dated {report.today.isoformat()}, the day of the import."
        )
    if report.cases_without_clinician:
        notes.append(
            f"{counted(report.cases_without_clinician, 'new case')} without a "
            "clinician: until an administrator chooses their clinicians, only "
            "supervisors see them."
        )
    if report.unread_columns:
        notes.append("Columns not read: " + ", ".join(report.unread_columns) + ".")
    if notes:
        lines += ["", *notes]
    return lines


def counted(count: int, noun: str) -> str:
    """ "1 row", "1,234 rows"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
