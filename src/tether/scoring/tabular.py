"""Score a table of item answers (the `tether score` command's core).

Pure: takes the header and rows as strings, returns rows as strings or raises
TableError listing every bad cell as `row N, column C: value V not in {…}`.
Row numbers count the header as row 1, as a spreadsheet shows them; a reader
that skips blank lines passes each row's own number.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tether.instruments import Definition

from .engine import ScoreTable, invalid_cells, score_many

MAX_REPORTED = 50


class TableError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class ItemColumns:
    names: tuple[str, ...]
    indices: tuple[int, ...]


def select_item_columns(
    definition: Definition, header: Sequence[str], spec: str | None
) -> ItemColumns:
    """The columns holding items 1..k in order: a comma list, a glob such as
    `Q28_*` (in file order), or by default the columns named like the item ids."""
    if spec is None:
        names = [item for item in definition.item_ids if item in header]
        if len(names) != len(definition.items):
            raise TableError(
                [
                    f"no --item-columns given and the header does not name every item of "
                    f"{definition.key} ({', '.join(definition.item_ids)}); "
                    "give the columns, e.g. --item-columns 'Q28_*'"
                ]
            )
    elif any(ch in spec for ch in "*?["):
        names = [column for column in header if fnmatch.fnmatchcase(column, spec)]
    else:
        names = [name.strip() for name in spec.split(",") if name.strip()]
        missing = [name for name in names if name not in header]
        if missing:
            raise TableError(
                [f"column {name!r} is not in the file" for name in missing]
            )
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise TableError(
                [f"--item-columns gives column {name!r} twice" for name in twice]
            )
    # One answer must come from one column: a name used twice is ambiguous.
    ambiguous = sorted({name for name in names if header.count(name) > 1})
    if ambiguous:
        raise TableError(
            [
                f"column {name!r} is named more than once in the file"
                for name in ambiguous
            ]
        )
    if len(names) != len(definition.items):
        raise TableError(
            [
                f"--item-columns {spec!r} selects {len(names)} columns, but "
                f"{definition.key} has {len(definition.items)} items"
            ]
        )
    return ItemColumns(tuple(names), tuple(header.index(name) for name in names))


def parse_answers(
    definition: Definition,
    rows: Sequence[Sequence[str]],
    columns: ItemColumns,
    row_numbers: Sequence[int] | None = None,
) -> np.ndarray:
    """The N×k answer matrix; raises TableError listing every bad cell by its
    row number (by default the header's row 1 is followed by rows 2, 3, …)."""
    numbers = _row_numbers(rows, row_numbers)
    matrix = np.full((len(rows), len(columns.indices)), np.nan)
    bad: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        for c, index in enumerate(columns.indices):
            cell = _cell(row, index)
            if not cell or cell.upper() in {"NA", "NAN"}:
                continue
            try:
                value = float(cell)
            except ValueError:
                bad.add((r, c))
                continue
            if math.isfinite(value):
                matrix[r, c] = value
            else:
                bad.add((r, c))
    bad.update(invalid_cells(definition, matrix))
    if bad:
        allowed = definition.describe_allowed()
        problems = [
            f"row {numbers[r]}, column {columns.names[c]}: "
            f"value {_cell(rows[r], columns.indices[c])!r} not in {allowed}"
            for r, c in sorted(bad)[:MAX_REPORTED]
        ]
        if len(bad) > MAX_REPORTED:
            problems.append(f"… and {len(bad) - MAX_REPORTED} more bad cells")
        raise TableError([f"{len(bad)} bad cells; nothing was scored:", *problems])
    return matrix


def _row_numbers(
    rows: Sequence[Sequence[str]], row_numbers: Sequence[int] | None
) -> Sequence[int]:
    if row_numbers is None:
        return range(2, len(rows) + 2)
    if len(row_numbers) != len(rows):
        raise ValueError(f"{len(rows)} rows but {len(row_numbers)} row numbers")
    return row_numbers


def _cell(row: Sequence[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def output_header(definition: Definition, table: ScoreTable) -> list[str]:
    header = ["id"]
    for scale in definition.scales:
        header += [scale.id, f"{scale.id}_band", f"{scale.id}_prorated"]
        if scale.cutoff is not None:
            header.append(f"{scale.id}_cutoff_met")
    header += [f"risk_item_{item}" for item in table.risk]
    header += list(table.extras)
    return header


def output_rows(
    definition: Definition, table: ScoreTable, ids: Sequence[str]
) -> list[list[str]]:
    rows = []
    for r, ident in enumerate(ids):
        row = [ident]
        for scale in definition.scales:
            column = table.scales[scale.id]
            row += [
                _number(column.values[r]),
                column.bands[r] or "",
                _flag(column.prorated[r]) if not np.isnan(column.values[r]) else "",
            ]
            if scale.cutoff is not None:
                value = column.values[r]
                row.append("" if np.isnan(value) else _flag(scale.cutoff.is_met(value)))
        row += [_flag(flags[r]) for flags in table.risk.values()]
        row += [_extra(values[r]) for values in table.extras.values()]
        rows.append(row)
    return rows


def score_rows(
    definition: Definition,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    item_columns: str | None = None,
    id_column: str | None = None,
    row_numbers: Sequence[int] | None = None,
) -> list[list[str]]:
    """Header plus one output row per input row, or TableError. Without an id
    column a row is named by its row number."""
    columns = select_item_columns(definition, header, item_columns)
    numbers = _row_numbers(rows, row_numbers)
    ids = _ids(header, rows, id_column, numbers)
    matrix = parse_answers(definition, rows, columns, numbers)
    table = score_many(definition, matrix)
    return [output_header(definition, table), *output_rows(definition, table, ids)]


def _ids(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    id_column: str | None,
    numbers: Sequence[int],
) -> list[str]:
    if id_column is not None:
        if id_column not in header:
            raise TableError([f"--id-column {id_column!r} is not in the file"])
        index = header.index(id_column)
        return [row[index] if index < len(row) else "" for row in rows]
    if header and header[0] == "":
        # An unnamed first column is the row-name column R and pandas write.
        return [row[0] for row in rows]
    return [str(number) for number in numbers]


def _number(value: float) -> str:
    if np.isnan(value):
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _flag(value: object) -> str:
    return "1" if value else "0"


def _extra(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return _flag(value)
    return str(value)
