"""The research export from the database: de-identified (no name, contact,
note or typed text in any byte written), pseudonyms that link across exports
made with one secret and differ with another, days since intake, audited."""

import csv
import datetime as dt
import io
import json
import stat

import pyarrow.parquet as pq
import pytest

from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.models import Response, Signal
from tether.care.research import ExportError, export_research

PLANTED = {
    "case label": "Rivera family",
    "trauma focus": "Crash on Elmwood Avenue",
    "first name": "Maria",
    "other first name": "Leo",
    "email": "maria@example.org",
    "phone": "555 0100",
    "alert note": "Maria says Leo hides the pills behind the boiler",
    "typed answer": "Leo wrote: leave me alone",
    "clinician": "ames@northside.example",
    "clinic": "Northside Clinic",
    "crisis contacts": "Duty line 0161 496 0000",
    "intake date": "2026-11-02",
}


def phq9(*values):
    return {str(i): v for i, v in enumerate(values, start=1)}


@pytest.fixture
def history(ames, rivera, maria, leo, first_session, northside):
    """The Rivera family over two sessions, with everything a person typed
    planted where the app keeps it."""
    northside.crisis_contacts = PLANTED["crisis contacts"]
    northside.save()
    rivera.trauma_focus = PLANTED["trauma focus"]
    rivera.save()
    services.enter_paper_response(
        ames, first_session.pk, "phq-9", leo.pk, answers=phq9(2, 2, 1, 1, 0, 1, 2, 1, 1)
    )
    services.enter_paper_response(
        ames,
        first_session.pk,
        "tac@1.1",
        maria.pk,
        answers={str(i): 3 for i in range(1, 14)},
    )
    second = services.start_session(ames, rivera.pk, dt.date(2026, 11, 16), [leo.pk])
    services.enter_paper_response(
        ames, second.pk, "phq-9", leo.pk, answers=phq9(1, 1, 1, 1, 0, 0, 1, 0, None)
    )
    risk = Signal.objects.get(case=rivera, kind="risk-item")
    services.acknowledge_signal(ames, risk.pk, note=PLANTED["alert note"])
    # Paper entry keeps the text as typed; a stray word in an item must not leave.
    response = Response.objects.get(session=second, instrument="phq-9@1.0")
    response.answers = {**response.answers, "5": PLANTED["typed answer"]}
    response.save()
    return rivera


def export(tmp_path, name="out", slug=None):
    summary = export_research(tmp_path / name, slug)
    table = list(
        csv.DictReader(io.StringIO((tmp_path / name / "scores.csv").read_text()))
    )
    return summary, table


def test_nothing_a_person_typed_and_no_name_contact_or_date_is_in_any_byte(
    history, tmp_path
):
    summary, _ = export(tmp_path)
    assert [f.name for f in summary.files] == [
        "scores.csv",
        "scores.parquet",
        "codebook.json",
    ]
    for path in summary.files:
        content = path.read_bytes()
        for what, planted in PLANTED.items():
            assert planted.encode() not in content, f"{what} found in {path.name}"
            assert planted.lower().encode() not in content.lower(), (
                f"{what} in {path.name}"
            )


def test_scores_and_item_answers_are_exported_with_days_since_intake(
    history, leo, tmp_path
):
    summary, table = export(tmp_path)
    leo_rows = [r for r in table if r["member_role"] == "identified-client"]
    totals = [
        (r["session"], r["day"], r["score"], r["prorated"])
        for r in leo_rows
        if r["scale"] == "total"
    ]
    # Session 2: item 9 declined, so 5 of 8 answered prorated over 9 items.
    assert totals == [("1", "0", "11", "false"), ("2", "14", "5.625", "true")]
    items = {r["scale"]: r["score"] for r in leo_rows if r["session"] == "2"}
    assert items["item:1"] == "1"
    assert items["item:5"] == ""  # the typed text left as no answer
    assert items["item:9"] == ""  # declined
    assert {r["age_group"] for r in leo_rows} == {"13-17"}
    assert {r["age_band"] for r in leo_rows} == {"youth"}
    assert {r["status"] for r in leo_rows} == {"entered-from-paper"}
    assert summary.cases == 1
    assert len({r["case_id"] for r in table}) == 1
    parquet = pq.read_table(summary.files[1])
    assert parquet.num_rows == len(table) == summary.rows


def test_a_re_export_gives_the_same_pseudonyms(history, tmp_path):
    _, first = export(tmp_path, "first")
    _, again = export(tmp_path, "again")
    assert [(r["case_id"], r["member_id"], r["session_id"]) for r in first] == [
        (r["case_id"], r["member_id"], r["session_id"]) for r in again
    ]


def test_another_secret_gives_other_pseudonyms(history, tmp_path, settings):
    _, first = export(tmp_path, "first")
    settings.DATA_DIR = tmp_path / "another-deployment"
    _, other = export(tmp_path, "other")
    assert len(first) == len(other)
    ids = ("organization_id", "case_id", "member_id", "session_id")
    for column in ids:
        assert {r[column] for r in first}.isdisjoint({r[column] for r in other}), column


def test_the_secret_is_made_once_600_in_the_data_directory(history, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    export(tmp_path)
    secret = settings.DATA_DIR / "research-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    kept = secret.read_text()
    export(tmp_path, "again")
    assert secret.read_text() == kept
    assert len(bytes.fromhex(kept)) == 32


def test_a_damaged_secret_is_refused_rather_than_replaced(history, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    (settings.DATA_DIR / "research-secret").write_text("not hex")
    with pytest.raises(ExportError, match="not a research secret"):
        export_research(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_export_is_in_each_organizations_audit_trail_as_done_by_tether(
    history, northside, lakeside, tmp_path
):
    _summary, table = export(tmp_path)
    events = AuditEvent.objects.filter(action="export", object_type="research-export")
    assert {e.organization for e in events} == {northside, lakeside}
    ours = events.get(organization=northside)
    assert ours.user is None
    assert ours.detail == {"rows": len(table), "cases": 1}


def test_one_organization_exports_only_its_own_cases(history, cole, tmp_path):
    other = services.create_case(cole, "Lakeside case", "individual")
    member = services.add_member(cole, other.pk, "Ana", "identified-client")
    session = services.start_session(cole, other.pk, dt.date(2026, 11, 3), [member.pk])
    services.enter_paper_response(
        cole, session.pk, "phq-9", member.pk, answers=phq9(*[1] * 9)
    )
    _, everyone = export(tmp_path, "all")
    _, northside_only = export(tmp_path, "northside", "northside")
    assert len({r["case_id"] for r in everyone}) == 2
    assert len({r["case_id"] for r in northside_only}) == 1
    assert len({r["organization_id"] for r in northside_only}) == 1


def test_an_unknown_organization_is_refused_naming_the_known_ones(northside, tmp_path):
    with pytest.raises(
        ExportError, match="no organization 'nowhere'; known: northside"
    ):
        export_research(tmp_path / "out", "nowhere")


def test_the_codebook_describes_the_exported_instruments(history, tmp_path):
    summary, _ = export(tmp_path)
    book = json.loads(summary.files[2].read_text())
    keys = [i["instrument"] for i in book["instruments"]]
    assert keys == ["phq-9@1.0", "tac@1.1"]
    assert book["instruments"][0]["licence"]["class"] == "blanket_permission"
    assert book["cases"] == 1
    assert book["members"] == 2
