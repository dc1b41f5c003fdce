"""Responses as a REDCap record file: the flat CSV that REDCap's Data Import
Tool takes for a longitudinal project (docs/interop.md §REDCap records).

One row per record and event: `record_id` (whose answers: a pseudonymous
member id), `redcap_event_name` (the session, `session_N_arm_1`), then each
form's item fields named as in the data dictionary (redcap_names.py) and its
`<form>_complete` status, 2 (complete) where the row holds that form's
answers. Calc fields are left out: REDCap computes them itself.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import defusedcsv.csv as safe_csv

from tether.instruments import Definition

from .answers import answer_values
from .definition_data import number
from .redcap_names import (
    COMPLETE,
    DECIMALS,
    EVENT,
    RECORD_ID,
    clashing_forms,
    event_name,
    form_names,
    validation_for,
)


class RecordsError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """One sent questionnaire: whose record, which session, its answers."""

    record: str
    session: int
    definition: Definition
    answers: Mapping[str, object]


def record_table(
    entries: Iterable[RecordEntry],
) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the record file, rows in record and session
    order. RecordsError where one record holds one form twice in an event."""
    entries = list(entries)
    definitions = sorted(
        {e.definition.key: e.definition for e in entries}.values(),
        key=lambda d: d.key,
    )
    problems = clashing_forms(definitions)
    if problems:
        raise RecordsError(problems)
    header = [RECORD_ID, EVENT]
    for definition in definitions:
        names = form_names(definition)
        header += [names.items[item] for item in definition.item_ids]
        header.append(names.complete)
    position = {name: index for index, name in enumerate(header)}
    rows: dict[tuple[str, int], list[str]] = {}
    seen: set[tuple[str, int, str]] = set()
    for entry in entries:
        d = entry.definition
        where = (entry.record, entry.session, d.key)
        if where in seen:
            problems.append(
                f"record {entry.record}, session {entry.session}: {d.key} twice"
            )
            continue
        seen.add(where)
        row = rows.setdefault(
            (entry.record, entry.session),
            [entry.record, event_name(entry.session), *[""] * (len(header) - 2)],
        )
        names = form_names(d)
        for item, value in answer_values(d, entry.answers).items():
            row[position[names.items[item]]] = _cell(d, value)
        row[position[names.complete]] = COMPLETE
    if problems:
        raise RecordsError(problems)
    return header, [rows[key] for key in sorted(rows)]


def _cell(definition: Definition, value: float | None) -> str:
    """An answer as REDCap's field takes it: a choice's code, or a number with
    as many decimals as its validation asks (number_1dp: `7.0`)."""
    if value is None:
        return ""
    r = definition.value_range
    decimals = DECIMALS.get(validation_for(r.step), 0) if r is not None else 0
    if decimals:
        return f"{value:.{decimals}f}"
    return f"{number(value)}"


def records_csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = safe_csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
