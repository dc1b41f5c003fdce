"""Read and check the long-format score table (docs/long-format.md).

Every problem names its row as a spreadsheet shows it (the header is row 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tether.csvfiles import CsvFileError, read_csv_file
from tether.instruments import Library, UnknownInstrument
from tether.longformat import OPTIONAL, REQUIRED

from .alliance import SUBSYSTEMS, subsystems_of

ROLES = (
    "identified-client",
    "partner",
    "caregiver",
    "child",
    "sibling",
    "other",
    "family",
)
RESPONDENTS = ("member", "therapist")
CASE_KINDS = ("individual", "couple", "family")
AGE_BANDS = ("adult", "youth")
YOUTH_ROLES = ("child", "sibling")
NO_SUBSYSTEM = "none"
KEY = ("case_id", "member_id", "respondent", "session", "instrument", "scale")
MAX_LISTED = 50


class ScoreTableError(ValueError):
    """The score table cannot be used; `problems` lists each reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def read_scores(path: Path, library: Library) -> pd.DataFrame:
    """Read a long-format CSV file (tether.csvfiles: the command line's one
    reader) and check it (see check_scores)."""
    try:
        table = read_csv_file(path)
    except CsvFileError as error:
        raise ScoreTableError(error.problems) from error
    return check_scores(table.frame, library, table.row_numbers)


def check_scores(
    raw: pd.DataFrame, library: Library, row_numbers: Sequence[int] | None = None
) -> pd.DataFrame:
    """The typed score table, or ScoreTableError listing every bad row by its
    number in `row_numbers` (by default 2, 3, …: the header is row 1).

    Adds: `instrument` as id@version, `instrument_id`, `role` (the instrument's
    role), `low` and `high` (the scale's range), and fills `case_kind`,
    `age_band` and `subsystem` where they are absent (`subsystem` is then one
    of SUBSYSTEMS, or "" for no subsystem)."""
    missing = [column for column in REQUIRED if column not in raw.columns]
    if missing:
        raise ScoreTableError([f"missing column: {column}" for column in missing])
    if raw.empty:
        raise ScoreTableError(["there are no score rows, only the column names"])
    frame = raw[[c for c in (*REQUIRED, *OPTIONAL) if c in raw.columns]].copy()
    for column in frame.columns:
        frame[column] = frame[column].astype(str).str.strip()
    numbers = np.arange(len(frame)) + 2 if row_numbers is None else row_numbers
    rows = pd.Series(numbers, index=frame.index)
    problems: list[tuple[int, str]] = []

    def flag(mask: pd.Series, message: str, column: str | None = None) -> None:
        cells = (
            frame.loc[mask, column] if column else pd.Series("", index=rows[mask].index)
        )
        for row, value in zip(rows[mask], cells, strict=True):
            problems.append((int(row), message.format(value=value)))

    flag(
        ~frame["respondent"].isin(RESPONDENTS),
        "respondent {value!r} is not member or therapist",
        "respondent",
    )
    flag(
        ~frame["member_role"].isin(ROLES),
        "member_role {value!r} is not one of " + ", ".join(ROLES),
        "member_role",
    )
    for column in ("case_id", "member_id"):
        flag(frame[column] == "", f"{column} is empty")
    session = pd.to_numeric(frame["session"], errors="coerce")
    bad_session = session.isna() | (session < 1) | (session % 1 != 0)
    flag(bad_session, "session {value!r} is not a whole number from 1", "session")
    score = pd.to_numeric(frame["score"].replace("", np.nan), errors="coerce")
    flag(
        score.isna() & (frame["score"] != ""),
        "score {value!r} is not a number",
        "score",
    )
    if "case_kind" in frame:
        flag(
            ~frame["case_kind"].isin((*CASE_KINDS, "")),
            "case_kind {value!r} is not individual, couple or family",
            "case_kind",
        )
    if "age_band" in frame:
        flag(
            ~frame["age_band"].isin((*AGE_BANDS, "")),
            "age_band {value!r} is not adult or youth",
            "age_band",
        )
    if "subsystem" in frame:
        flag(
            ~frame["subsystem"].isin((*SUBSYSTEMS, NO_SUBSYSTEM, "")),
            "subsystem {value!r} is not " + ", ".join(SUBSYSTEMS) + " or none",
            "subsystem",
        )

    scales = _scale_table(frame, library)
    frame = frame.join(scales, on=["instrument", "scale"])
    flag(frame["unknown"].fillna("") != "", "{value}", "unknown")
    frame["score"] = score
    frame["session"] = session
    out_of_range = (
        score.notna()
        & frame["low"].notna()
        & ((score < frame["low"]) | (score > frame["high"]))
    )
    for row, item in zip(
        rows[out_of_range], frame[out_of_range].itertuples(), strict=True
    ):
        problems.append(
            (
                int(row),
                f"score {item.score:g} is outside {item.low:g}–{item.high:g} for {item.key} {item.scale}",
            )
        )

    duplicate = frame.duplicated(list(KEY), keep="first") & ~bad_session
    flag(
        duplicate,
        "duplicate row: the same case, member, respondent, session, instrument and scale as an earlier row",
    )
    if problems:
        problems.sort()
        listed = [f"row {row}: {message}" for row, message in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            listed.append(f"… and {len(problems) - MAX_LISTED} more problems")
        raise ScoreTableError(listed)
    frame["session"] = frame["session"].astype(np.int64)
    frame["instrument"] = frame["key"]
    frame = frame.drop(columns=["key", "unknown"])
    return _derive(frame)


def _scale_table(frame: pd.DataFrame, library: Library) -> pd.DataFrame:
    """Per distinct (instrument, scale): its key, role, range, or why it is unknown."""
    records = []
    for instrument, scale in (
        frame[["instrument", "scale"]].drop_duplicates().itertuples(index=False)
    ):
        record = {
            "instrument": instrument,
            "scale": scale,
            "key": instrument,
            "unknown": "",
            "role": "",
            "low": np.nan,
            "high": np.nan,
            "instrument_id": instrument,
        }
        try:
            definition = library.get(instrument)
        except UnknownInstrument:
            record["unknown"] = f"instrument {instrument!r} is not known"
            records.append(record)
            continue
        record.update(
            key=definition.key, role=definition.role, instrument_id=definition.id
        )
        if scale.startswith("item:"):
            item_id = scale.removeprefix("item:")
            if item_id not in definition.item_ids:
                record["unknown"] = (
                    f"scale {scale!r}: {definition.key} has no item {item_id!r}"
                )
            else:
                record["low"], record["high"] = definition.answer_bounds
        elif scale in {s.id for s in definition.scales}:
            record["low"], record["high"] = definition.scale_bounds(
                definition.scale(scale)
            )
        else:
            names = ", ".join(s.id for s in definition.scales)
            record["unknown"] = (
                f"scale {scale!r} is not a scale of {definition.key} ({names})"
            )
        records.append(record)
    return pd.DataFrame.from_records(records).set_index(["instrument", "scale"])


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill absent case kinds, age bands and subsystems (docs/long-format.md)."""
    if "age_band" not in frame:
        frame["age_band"] = ""
    derived_band = np.where(frame["member_role"].isin(YOUTH_ROLES), "youth", "adult")
    frame["age_band"] = frame["age_band"].where(frame["age_band"] != "", derived_band)
    frame.loc[frame["member_role"] == "family", "age_band"] = ""
    if "case_kind" not in frame:
        frame["case_kind"] = ""
    people = frame[frame["member_role"] != "family"].drop_duplicates(
        ["case_id", "member_id"]
    )
    counts = people.groupby("case_id").agg(
        members=("member_id", "size"),
        youth=("age_band", lambda s: (s == "youth").sum()),
        partners=(
            "member_role",
            lambda s: s.isin(("identified-client", "partner")).sum(),
        ),
    )
    kind = np.where(
        counts["members"] == 1,
        "individual",
        np.where(
            (counts["members"] == 2)
            & (counts["partners"] == 2)
            & (counts["youth"] == 0),
            "couple",
            "family",
        ),
    )
    derived_kind = (
        frame["case_id"].map(pd.Series(kind, index=counts.index)).fillna("individual")
    )
    frame["case_kind"] = frame["case_kind"].where(
        frame["case_kind"] != "", derived_kind
    )
    if "subsystem" not in frame:
        frame["subsystem"] = ""
    given = frame["subsystem"]
    frame["subsystem"] = given.where(given != "", subsystems_of(frame))
    frame.loc[
        (frame["subsystem"] == NO_SUBSYSTEM) | (frame["member_role"] == "family"),
        "subsystem",
    ] = ""
    return frame.reset_index(drop=True)
