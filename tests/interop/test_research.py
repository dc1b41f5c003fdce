"""The research table and its codebook, from plain rows: pseudonymous ids,
days since intake, bands, spreadsheet-safe cells, and the long format that
`tether signals` reads."""

import csv
import datetime as dt
import io
import json

import pandas as pd
import pyarrow.parquet as pq

from tether.instruments import Library, bundled_definitions
from tether.interop.pseudonyms import Pseudonyms
from tether.interop.research import (
    COLUMNS,
    ScoreRow,
    codebook,
    csv_text,
    research_table,
    write_export,
)
from tether.longformat import COLUMNS as LONG_FORMAT
from tether.signals import check_scores

LIBRARY = Library(bundled_definitions())
NAMES = Pseudonyms(bytes(range(32)))
INTAKE = dt.date(2026, 3, 2)


def row(**change):
    values = {
        "organization": 1,
        "case": 7,
        "member": 21,
        "member_role": "identified-client",
        "respondent": "member",
        "session_id": 70,
        "session": 1,
        "date": INTAKE,
        "intake": INTAKE,
        "instrument": "phq-9@1.0",
        "scale": "total",
        "score": 12.0,
        "case_kind": "family",
        "age_group": "13-17",
        "subsystem": "",
        "status": "complete",
        "prorated": False,
    }
    return ScoreRow(**(values | change))


ROWS = [
    row(),
    row(scale="item:9", score=1.0, prorated=None),
    row(
        session=3,
        session_id=72,
        date=dt.date(2026, 3, 30),
        score=None,
        status="unanswered",
        prorated=None,
    ),
    row(
        member=None,
        member_role="family",
        respondent="therapist",
        instrument="tac-t@1.1",
        scale="family",
        score=3.0,
        age_group="",
    ),
]


def test_ids_are_pseudonyms_dates_days_since_intake_and_ages_bands():
    table = research_table(ROWS, NAMES).to_pylist()
    first = next(r for r in table if r["scale"] == "total")
    assert first["case_id"] == NAMES("case", 7)
    assert first["member_id"] == NAMES("member", 21)
    assert first["organization_id"] == NAMES("organization", 1)
    assert first["session_id"] == NAMES("session", 70)
    assert (first["day"], first["age_group"], first["age_band"]) == (
        0,
        "13-17",
        "youth",
    )
    later = next(r for r in table if r["session"] == 3)
    assert (later["day"], later["score"], later["status"]) == (28, None, "unanswered")
    family = next(r for r in table if r["member_id"] == "family")
    assert (family["age_band"], family["age_group"]) == ("", "")


def test_the_table_has_every_long_format_column_and_tether_signals_reads_it():
    table = research_table(ROWS, NAMES)
    assert set(LONG_FORMAT) <= set(table.column_names)
    frame = csv.DictReader(io.StringIO(csv_text(table)))
    checked = check_scores(pd.DataFrame(list(frame)), LIBRARY)
    assert len(checked) == len(ROWS)


def test_a_cell_that_looks_like_a_formula_stays_text_in_a_spreadsheet():
    table = research_table([row(scale="=cmd|' /C calc'!A0")], NAMES)
    text = csv_text(table)
    assert ",'=cmd\\|' /C calc'!A0," in text
    assert ",=cmd" not in text


def test_the_codebook_names_every_column_and_instrument_with_its_licence():
    table = research_table(ROWS, NAMES)
    book = codebook(table, {d.key: d for d in LIBRARY}, NAMES.key_id)
    assert [c["name"] for c in book["columns"]] == [c.name for c in COLUMNS]
    assert all(c["description"] for c in book["columns"])
    assert book["columns"][2]["codes"]["family"]
    instruments = {i["instrument"]: i for i in book["instruments"]}
    assert set(instruments) == {"phq-9@1.0", "tac-t@1.1"}
    phq = instruments["phq-9@1.0"]
    assert phq["licence"]["class"] == "blanket_permission"
    assert phq["version"] == "1.0"
    assert [c["value"] for c in phq["answers"]["codes"]] == [0, 1, 2, 3]
    assert phq["items"][8]["variable"] == "item:9"
    assert phq["items"][8]["risk"]["at_or_above"] == 1
    assert phq["scales"][0]["variable"] == "total"
    assert phq["scales"][0]["range"] == [0, 27]
    assert (book["rows"], book["cases"], book["members"]) == (4, 1, 1)
    assert book["de_identification"]["pseudonym_key"] == NAMES.key_id


def test_the_codebook_carries_item_wording_only_where_the_licence_bundles_it():
    table = research_table([row(instrument="wai-sr@1.0")], NAMES)
    wai = LIBRARY.get("wai-sr")
    book = codebook(table, {wai.key: wai}, NAMES.key_id)
    items = book["instruments"][0]["items"]
    assert all("text" not in item for item in items)
    assert items[0]["content"] == "Task: clearer how I might be able to change"


def test_the_three_files_are_written_and_read_back(tmp_path):
    table = research_table(ROWS, NAMES)
    book = codebook(table, {d.key: d for d in LIBRARY}, NAMES.key_id)
    files = write_export(tmp_path / "out", table, book)
    assert [f.name for f in files] == ["scores.csv", "scores.parquet", "codebook.json"]
    assert pq.read_table(files[1]).equals(table)
    assert json.loads(files[2].read_text())["rows"] == 4
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "codebook.json",
        "scores.csv",
        "scores.parquet",
    ]
