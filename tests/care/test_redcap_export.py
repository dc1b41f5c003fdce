"""Sent questionnaires as a REDCap record file: one row per member and
session under the research export's pseudonyms, item answers only, audited."""

import csv
import datetime as dt
import io

import pytest

from tether import config
from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.redcap_export import export_redcap
from tether.care.research import ExportError
from tether.interop.pseudonyms import Pseudonyms


def phq9(*values):
    return {str(i): v for i, v in enumerate(values, start=1)}


@pytest.fixture
def answered(ames, rivera, maria, leo, first_session):
    services.enter_paper_response(
        ames, first_session.pk, "phq-9", leo.pk, answers=phq9(2, 2, 1, 1, 0, 1, 2, 1, 0)
    )
    services.enter_paper_response(
        ames,
        first_session.pk,
        "srs",
        maria.pk,
        answers={"1": 8.5, "2": 9, "3": 7.2, "4": 10},
    )
    second = services.start_session(ames, rivera.pk, dt.date(2026, 11, 9), [leo.pk])
    services.enter_paper_response(
        ames, second.pk, "phq-9", leo.pk, answers=phq9(1, 1, 0, 0, 0, 0, 1, 0, 0)
    )
    services.enter_paper_response(ames, second.pk, "gad-7", leo.pk, totals={"total": 9})
    return second


def rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_one_row_per_member_and_session_under_the_research_pseudonyms(
    answered, maria, leo, tmp_path, settings
):
    out = tmp_path / "records.csv"
    summary = export_redcap(out, "northside")
    names = Pseudonyms(config.research_secret(settings.DATA_DIR))
    table = rows(out)
    assert sorted((r["record_id"], r["redcap_event_name"]) for r in table) == sorted(
        [
            (names("member", leo.pk), "session_1_arm_1"),
            (names("member", leo.pk), "session_2_arm_1"),
            (names("member", maria.pk), "session_1_arm_1"),
        ]
    )
    maria_row = next(r for r in table if r["record_id"] == names("member", maria.pk))
    assert [maria_row[f"srs_3_0_{i}"] for i in range(1, 5)] == [
        "8.5",
        "9.0",
        "7.2",
        "10.0",
    ]
    assert (maria_row["srs_3_0_complete"], maria_row["phq_9_1_0_complete"]) == ("2", "")
    leo_first = next(
        r
        for r in table
        if r["record_id"] == names("member", leo.pk)
        and r["redcap_event_name"] == "session_1_arm_1"
    )
    assert [leo_first[f"phq_9_1_0_{i}"] for i in range(1, 10)] == list("221101210")
    assert summary.skipped == 1  # the GAD-7 total entered from paper has no items
    assert not any(column.startswith("gad_7") for column in table[0])
    assert "Maria" not in out.read_text()
    assert "Leo" not in out.read_text()


def test_instruments_can_be_chosen_by_id_or_id_and_version(answered, tmp_path):
    out = tmp_path / "records.csv"
    export_redcap(out, None, ["phq-9"])
    assert {c.split("_1_0_")[0] for c in rows(out)[0] if "_1_0_" in c} == {"phq_9"}
    export_redcap(out, None, ["srs@3.0"])
    assert len(rows(out)) == 1
    with pytest.raises(ExportError, match="unknown instrument 'nope'"):
        export_redcap(out, None, ["nope"])


def test_the_export_is_audited_as_done_by_tether(answered, northside, tmp_path):
    export_redcap(tmp_path / "records.csv", "northside")
    event = AuditEvent.objects.get(action="export", object_type="redcap-export")
    assert (event.organization, event.user) == (northside, None)
    assert event.detail == {"responses": 3, "instruments": ["phq-9@1.0", "srs@3.0"]}
