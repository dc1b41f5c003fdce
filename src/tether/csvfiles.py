"""Reading a CSV file handed to the command line (`tether score`, `tether
signals`): one reader, so every command takes and refuses the same files with
the same words, before any of their cells is read as a number.

Rows are numbered as a spreadsheet shows them: the header is row 1 and a
blank line is a row too. Taken as they come: a byte-order mark (spreadsheets
write one in "CSV UTF-8"), Windows line ends, line breaks inside quoted cells,
and blank lines or rows of empty cells (skipped). Refused, naming the row and
column: an empty file, a first row without column names, a header without rows,
a column name used twice, a row with more or fewer values than the header has
columns, text that is not UTF-8, and a file separated by semicolons or tabs.

Arrow's CSV reader does the reading (as fast as pandas', and it reports a row
of the wrong width with its number instead of padding or shifting it)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

MAX_LISTED = 50
BLOCK_BYTES = 1 << 24
"""Arrow reads in blocks; one row must fit in one (16 MB)."""


class CsvFileError(ValueError):
    """The file cannot be used as a table; `problems` lists each reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class CsvFile:
    header: tuple[str, ...]
    """The column names, without surrounding spaces."""
    frame: pd.DataFrame
    """The rows with a value in them, every cell as text, one column per name."""
    row_numbers: tuple[int, ...]
    """Each row's number as a spreadsheet shows it."""

    def rows(self) -> list[tuple[str, ...]]:
        return list(self.frame.itertuples(index=False, name=None))


@dataclass(frozen=True, slots=True)
class _WrongWidth:
    row: int
    values: int
    text: str


def read_csv_file(path: Path) -> CsvFile:
    """The header and rows of a comma-separated UTF-8 file, or CsvFileError."""
    wrong: list[_WrongWidth] = []
    try:
        raw_header = _header_row(path)
        with path.open("rb") as handle:
            table = _read(handle, len(raw_header), wrong)
    except OSError as error:
        raise CsvFileError([f"{path}: cannot be read: {error.strerror}"]) from error
    except UnicodeDecodeError as error:
        raise CsvFileError([_NOT_UTF8.format(path=path)]) from error
    except pa.ArrowInvalid as error:
        raise CsvFileError([_arrow_problem(path, error)]) from error
    header = tuple(name.strip() for name in raw_header)
    body = table.slice(1)
    filled = _filled(body)
    numbers = np.flatnonzero(filled) + 2
    problems = _header_problems(path, header)
    problems += [_width_problem(w, header) for w in wrong]
    if not len(numbers) and not problems:
        problems.append(f"{path}: has a header but no rows below it")
    if problems:
        listed = problems[:MAX_LISTED]
        if len(problems) > MAX_LISTED:
            listed.append(f"… and {len(problems) - MAX_LISTED} more problems")
        raise CsvFileError(listed)
    frame = body.filter(pa.array(filled)).to_pandas()
    frame.columns = pd.Index(header)
    return CsvFile(header, frame, tuple(int(n) for n in numbers))


_NOT_UTF8 = "{path}: is not UTF-8 text; save it as CSV UTF-8"


def _header_row(path: Path) -> list[str]:
    """The first row's cells, when it names any column; else CsvFileError."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = csv.reader(handle)
        number = 0
        try:
            for number, cells in enumerate(rows, start=1):
                if number == 1 and any(cell.strip() for cell in cells):
                    return cells
                if any(cell.strip() for cell in cells):
                    raise CsvFileError(
                        [f"{path}: row 1 is empty: the first row must name the columns"]
                    )
        except csv.Error as error:
            raise CsvFileError([f"{path}: row {number + 1}: {error}"]) from error
    raise CsvFileError([f"{path}: is empty"])


def _read(handle: BinaryIO, width: int, wrong: list[_WrongWidth]) -> pa.Table:
    """Every row, the header first, as text; rows of another width than the
    header's go to `wrong` (kept out of the table). Single-threaded, so each
    row knows its number."""

    def wrong_width(row: pa_csv.InvalidRow) -> str:
        wrong.append(_WrongWidth(int(row.number), row.actual_columns, row.text))
        return "skip"

    names = [f"column_{n}" for n in range(width)]
    return pa_csv.read_csv(
        handle,
        read_options=pa_csv.ReadOptions(
            column_names=names, use_threads=False, block_size=BLOCK_BYTES
        ),
        parse_options=pa_csv.ParseOptions(
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=wrong_width,
        ),
        convert_options=pa_csv.ConvertOptions(
            # Every cell is text: the commands read numbers themselves.
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _filled(body: pa.Table) -> np.ndarray:
    """Which rows have a value in at least one cell."""
    filled = np.zeros(body.num_rows, dtype=bool)
    for column in body.columns:
        stripped = pc.utf8_trim_whitespace(column)
        filled |= pc.not_equal(stripped, "").to_numpy(zero_copy_only=False)
    return filled


def _arrow_problem(path: Path, error: pa.ArrowInvalid) -> str:
    if "invalid UTF8" in str(error):
        return _NOT_UTF8.format(path=path)
    if "Empty CSV file" in str(error):
        return f"{path}: is empty, or a quote is never closed"
    return f"{path}: cannot be read as CSV: {error}"


def _header_problems(path: Path, header: Sequence[str]) -> list[str]:
    if len(header) == 1:
        for separator, name in ((";", "semicolons"), ("\t", "tabs")):
            if separator in header[0]:
                return [
                    f"{path}: row 1: the columns are separated by {name}; "
                    "save the file with commas (CSV UTF-8)"
                ]
    seen: dict[str, list[int]] = {}
    for column, name in enumerate(header, start=1):
        if name:
            seen.setdefault(name, []).append(column)
    return [
        f"row 1: the column name {name!r} is used more than once "
        f"(columns {', '.join(column_letter(c) for c in columns)})"
        for name, columns in seen.items()
        if len(columns) > 1
    ]


def _width_problem(wrong: _WrongWidth, header: Sequence[str]) -> str:
    """Which column of the row does not fit the header's columns."""
    width = len(header)
    if wrong.values > width:
        cells = next(csv.reader([wrong.text]), [])
        beyond = [c for c in range(width, len(cells)) if cells[c].strip()]
        too_many = (
            f"row {wrong.row}: {wrong.values} values, but the header names only "
            f"{width} columns (A to {column_letter(width)})"
        )
        if beyond:
            return f"{too_many}: column {column_letter(beyond[0] + 1)} has a value but no name"
        return f"{too_many}: delete its empty cells from column {column_letter(width + 1)} on"
    first = wrong.values + 1
    named = f" ({header[first - 1]!r})" if header[first - 1] else ""
    return (
        f"row {wrong.row}: {wrong.values} values for the header's {width} columns: "
        f"column {column_letter(first)}{named} and any after it are missing"
    )


def column_letter(column: int) -> str:
    """A column's letters as a spreadsheet shows them: 1 is A, 27 is AA."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
