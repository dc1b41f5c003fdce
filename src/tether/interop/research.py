"""The de-identified research export: the tidy long table and its codebook
(docs/research-export.md).

One row per value: a scale score, or one item's answer (`item:<id>`), of one
person in one session, in the columns of the long-format score table
(docs/long-format.md), so `tether signals` reads the file as it is, and a few
more. Ids are pseudonyms (pseudonyms.py), dates days since the case's first
session, ages bands; the rows carry no name, contact, note or other text a
person typed. The caller gathers the rows from its records; this module only
shapes, writes and describes them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedcsv.csv as safe_csv
import pyarrow as pa
import pyarrow.parquet as pq

from tether.instruments import Definition

from .definition_data import definition_data, number
from .pseudonyms import Pseudonyms

CSV_FILE = "scores.csv"
PARQUET_FILE = "scores.parquet"
CODEBOOK_FILE = "codebook.json"
FORMAT_VERSION = 1
FAMILY = "family"


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One value as the records hold it, with their internal ids."""

    organization: int
    case: int
    member: int | None
    """None: a therapist's rating of the family as a whole."""
    member_role: str
    respondent: str
    session_id: int
    session: int
    date: dt.date
    intake: dt.date
    """The date of the case's first session."""
    instrument: str
    scale: str
    score: float | None
    case_kind: str
    age_group: str
    """The member's age band as recorded (8-12, 13-17, 18+); "" for the family."""
    subsystem: str
    status: str
    prorated: bool | None = None


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    description: str
    codes: Mapping[str, str] = field(default_factory=dict)


ROLES = {
    "identified-client": "the person the case is about",
    "partner": "a partner",
    "caregiver": "a parent or other caregiver",
    "child": "a child",
    "sibling": "a sibling",
    "other": "another member",
    FAMILY: "the family as a whole (a therapist's rating of the family)",
}
AGE_GROUPS = {
    "8-12": "8 to 12 years",
    "13-17": "13 to 17 years",
    "18+": "18 years or older",
    "": "the family as a whole",
}
COLUMNS = (
    Column("case_id", "string", "the case, pseudonymous (c-…)"),
    Column(
        "member_id",
        "string",
        "who answered, pseudonymous (m-…); for a therapist's rating the member "
        "rated, or `family` for a rating of the family as a whole",
    ),
    Column("member_role", "string", "the member's role in the case", ROLES),
    Column(
        "respondent",
        "string",
        "who gave the answers",
        {"member": "the member", "therapist": "the therapist"},
    ),
    Column("session", "int64", "the session's number in the case: 1, 2, …"),
    Column("instrument", "string", "the instrument as id@version (see `instruments`)"),
    Column(
        "scale",
        "string",
        "a scale id of the instrument, or `item:<id>` for the answer to one item",
    ),
    Column(
        "score",
        "float64",
        "the scale's score or the item's answer; empty: not answered (an item "
        "declined, or a questionnaire sent and never answered)",
    ),
    Column(
        "case_kind",
        "string",
        "the kind of case",
        {"individual": "one client", "couple": "a couple", "family": "a family"},
    ),
    Column(
        "age_band",
        "string",
        "the member's age band as the signals use it",
        {"adult": "18 or older", "youth": "under 18", "": "the family as a whole"},
    ),
    Column(
        "subsystem",
        "string",
        "the member's subsystem as the case's clinicians set it; empty: as the "
        "role places them (docs/long-format.md)",
        {
            "caregivers": "the caregivers",
            "children": "the children",
            "couple": "the couple",
            "none": "in no subsystem",
            "": "as the role places them",
        },
    ),
    Column("organization_id", "string", "the clinic, pseudonymous (o-…)"),
    Column("session_id", "string", "the session, pseudonymous (s-…)"),
    Column(
        "day",
        "int64",
        "days from the case's first session (intake, day 0) to this session",
    ),
    Column("age_group", "string", "the member's age band as recorded", AGE_GROUPS),
    Column(
        "status",
        "string",
        "how the answers came",
        {
            "complete": "sent by the person (a link or the kiosk)",
            "entered-from-paper": "entered by a clinician from a paper form",
            "unanswered": "a questionnaire link that expired unanswered",
        },
    ),
    Column(
        "prorated",
        "bool",
        "the scale score was prorated over missing answers; empty for items",
    ),
)
_ARROW = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
}
SCHEMA = pa.schema([pa.field(c.name, _ARROW[c.type]) for c in COLUMNS])


def research_table(rows: Iterable[ScoreRow], pseudonyms: Pseudonyms) -> pa.Table:
    """The tidy table, pseudonymised, in case, session, member and scale order."""
    records = []
    for row in rows:
        member = FAMILY if row.member is None else pseudonyms("member", row.member)
        adult = row.age_group == "18+"
        records.append(
            {
                "case_id": pseudonyms("case", row.case),
                "member_id": member,
                "member_role": row.member_role,
                "respondent": row.respondent,
                "session": row.session,
                "instrument": row.instrument,
                "scale": row.scale,
                "score": row.score,
                "case_kind": row.case_kind,
                "age_band": ""
                if row.member is None
                else ("adult" if adult else "youth"),
                "subsystem": row.subsystem,
                "organization_id": pseudonyms("organization", row.organization),
                "session_id": pseudonyms("session", row.session_id),
                "day": (row.date - row.intake).days,
                "age_group": "" if row.member is None else row.age_group,
                "status": row.status,
                "prorated": row.prorated,
            }
        )
    records.sort(
        key=lambda r: (
            r["case_id"],
            r["session"],
            r["member_id"],
            r["respondent"],
            r["instrument"],
            r["scale"],
        )
    )
    return pa.Table.from_pylist(records, schema=SCHEMA)


def csv_text(table: pa.Table) -> str:
    """The table as CSV, every cell safe to open in a spreadsheet: defusedcsv
    puts a `'` before text that begins like a formula (`=cmd|…` stays text)."""
    buffer = io.StringIO()
    writer = safe_csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow([_cell(row[name]) for name in table.column_names])
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(number(value))
    return str(value)


def codebook(
    table: pa.Table,
    definitions: Mapping[str, Definition | None],
    key_id: str,
) -> dict[str, Any]:
    """What every column, instrument, version, scale, item and answer code of
    the export means, with each instrument's licence. `definitions` maps each
    instrument key in the table to its definition (None where the site no
    longer has it). Item wording only where the licence bundles it."""
    columns = [
        {
            "name": c.name,
            "type": c.type,
            "description": c.description,
            **({"codes": dict(c.codes)} if c.codes else {}),
        }
        for c in COLUMNS
    ]
    counts = {
        name: len(set(table.column(column).to_pylist()) - {FAMILY})
        for name, column in (
            ("organizations", "organization_id"),
            ("cases", "case_id"),
            ("members", "member_id"),
            ("sessions", "session_id"),
        )
    }
    return {
        "title": "Tether research export",
        "format_version": FORMAT_VERSION,
        "files": {
            CSV_FILE: "the table as CSV (UTF-8, comma-separated, a header row)",
            PARQUET_FILE: "the same table as Apache Parquet, with column types",
            CODEBOOK_FILE: "this codebook",
        },
        "rows": table.num_rows,
        **counts,
        "de_identification": {
            "ids": "pseudonyms: HMAC-SHA-256 of the record's kind and id, keyed with "
            "this deployment's research secret; the same secret gives the same "
            "pseudonyms in every export",
            "pseudonym_key": key_id,
            "dates": "none: `day` counts days from the case's first session",
            "ages": "bands only (`age_group`, `age_band`)",
            "left_out": [
                "names",
                "email addresses and phone numbers",
                "case labels and trauma focus",
                "alert notes and any other text typed by a person",
                "dates and times",
                "clinicians and organization names",
                "answers not sent (links left unfinished)",
            ],
        },
        "columns": columns,
        "instruments": [
            _instrument(key, definitions.get(key))
            for key in sorted(set(table.column("instrument").to_pylist()))
        ],
    }


def _instrument(key: str, definition: Definition | None) -> dict[str, Any]:
    if definition is None:
        return {"instrument": key, "definition": None}
    data = definition_data(definition)
    items = [{"variable": f"item:{item['id']}", **item} for item in data.pop("items")]
    scales = [{"variable": scale["id"], **scale} for scale in data.pop("scales")]
    response = data.pop("response")
    answers = (
        {"codes": response["options"]}
        if "options" in response
        else {"range": response["range"]}
    )
    low, high = definition.score_bounds
    return {
        "instrument": key,
        **data,
        "answers": answers,
        "items": items,
        "scales": [
            {**scale, "range": _range(definition, scale["id"])} for scale in scales
        ],
        "item_score_range": [number(low), number(high)],
    }


def _range(definition: Definition, scale_id: str) -> list[int | float]:
    low, high = definition.scale_bounds(definition.scale(scale_id))
    return [number(low), number(high)]


def write_export(
    folder: Path,
    table: pa.Table,
    book: Mapping[str, Any],
) -> list[Path]:
    """Write the CSV, the Parquet file and the codebook into `folder`, each
    first to a temporary name and then renamed, so a failure leaves no
    half-written file under the final names."""
    folder.mkdir(parents=True, exist_ok=True)
    parts: Sequence[tuple[str, bytes | None]] = (
        (CSV_FILE, csv_text(table).encode("utf-8")),
        (PARQUET_FILE, None),
        (CODEBOOK_FILE, json.dumps(book, ensure_ascii=False, indent=2).encode()),
    )
    written = []
    for name, content in parts:
        temporary = folder / f".{name}.partial"
        if content is None:
            pq.write_table(table, temporary)
        else:
            temporary.write_bytes(content)
        written.append((temporary, folder / name))
    for temporary, final in written:
        os.replace(temporary, final)
    return [final for _, final in written]
