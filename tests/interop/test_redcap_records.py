"""Responses as a REDCap record file: one row per record and session, item
fields named as in the dictionary, each form's status."""

import csv
import io

import pytest

from tether.instruments import Library, bundled_definitions
from tether.interop.redcap import dictionary_rows
from tether.interop.redcap_records import (
    RecordEntry,
    RecordsError,
    record_table,
    records_csv,
)

LIBRARY = Library(bundled_definitions())
PHQ9, SRS, TAC = LIBRARY.get("phq-9"), LIBRARY.get("srs"), LIBRARY.get("tac")


def phq9(*values):
    return {str(i): v for i, v in enumerate(values, start=1)}


def test_one_row_per_record_and_session_with_each_forms_answers_and_status():
    header, rows = record_table(
        [
            RecordEntry("m-b", 1, PHQ9, phq9(1, 2, 0, 0, 1, 3, 0, 1, 0)),
            RecordEntry("m-a", 2, PHQ9, phq9(0, 0, 0, 0, 0, 0, 0, 0, None)),
            RecordEntry("m-a", 1, PHQ9, phq9(3, 3, 3, 3, 3, 3, 3, 3, 2)),
            RecordEntry("m-a", 1, SRS, {"1": 7.5, "2": 8, "3": 9.1, "4": 10}),
        ]
    )
    table = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(r["record_id"], r["redcap_event_name"]) for r in table] == [
        ("m-a", "session_1_arm_1"),
        ("m-a", "session_2_arm_1"),
        ("m-b", "session_1_arm_1"),
    ]
    assert table[0]["phq_9_1_0_9"] == "2"
    assert table[1]["phq_9_1_0_9"] == ""  # declined
    assert [table[0][f"srs_3_0_{i}"] for i in range(1, 5)] == [
        "7.5",
        "8.0",
        "9.1",
        "10.0",
    ]
    assert [r["phq_9_1_0_complete"] for r in table] == ["2", "2", "2"]
    assert [r["srs_3_0_complete"] for r in table] == ["2", "", ""]
    assert table[1]["srs_3_0_1"] == ""


def test_every_column_but_the_record_and_event_is_a_field_of_the_dictionary():
    header, _ = record_table([RecordEntry("m-a", 1, d, {}) for d in (PHQ9, SRS, TAC)])
    fields = {row["field_name"] for row in dictionary_rows([PHQ9, SRS, TAC])}
    forms = {row["form_name"] for row in dictionary_rows([PHQ9, SRS, TAC])}
    assert header[:2] == ["record_id", "redcap_event_name"]
    for column in header[2:]:
        assert column in fields or column.removesuffix("_complete") in forms


def test_only_numbers_leave_as_answers():
    header, rows = record_table(
        [
            RecordEntry(
                "m-a",
                1,
                PHQ9,
                {"1": "2", "2": "Maria said so", "3": True, "notes": "x"},
            )
        ]
    )
    row = dict(zip(header, rows[0], strict=True))
    assert (row["phq_9_1_0_1"], row["phq_9_1_0_2"], row["phq_9_1_0_3"]) == ("2", "", "")
    assert "Maria" not in records_csv(header, rows)
    assert "notes" not in header


def test_one_form_twice_in_one_record_and_session_is_refused():
    with pytest.raises(RecordsError) as refused:
        record_table([RecordEntry("m-a", 1, PHQ9, {}), RecordEntry("m-a", 1, PHQ9, {})])
    assert refused.value.problems == ["record m-a, session 1: phq-9@1.0 twice"]


def test_the_file_is_csv_with_the_header_first():
    header, rows = record_table([RecordEntry("m-a", 3, PHQ9, phq9(*[1] * 9))])
    read = list(csv.reader(io.StringIO(records_csv(header, rows))))
    assert read[0] == header
    assert read[1][:3] == ["m-a", "session_3_arm_1", "1"]
