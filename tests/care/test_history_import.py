"""Importing a clinic's history (`tether import scores`): a dry run writes
nothing, a commit writes cases, members, sessions and responses and refits
the clinic, a second run creates nothing, and a file with a bad row (in
itself or against what is stored) writes nothing."""

import datetime as dt

import pytest

from tether.audit.models import AuditEvent
from tether.care.history_import import import_history
from tether.care.models import Case, Member, Response, Score, Session, Signal, Subsystem
from tether.cli import main
from tether.csvfiles import read_csv_file
from tether.instruments import Library, bundled_definitions
from tether.interop.history import HistoryError
from tether.scoring import score

HEADER = "case_id,member_id,member_role,respondent,session,instrument,scale,score"
HISTORY = f"""{HEADER},session_date,clinician
C1,M1,caregiver,member,1,tac@1.0,self,3.43,2026-10-05,ames
C1,M2,identified-client,member,1,tac@1.0,self,2.75,2026-10-05,ames
C1,M2,identified-client,member,1,phq-9,total,14,2026-10-05,ames
C1,M2,identified-client,member,1,phq-9,item:9,2,2026-10-05,ames
C1,family,family,therapist,1,tac-t@1.0,family,2.5,2026-10-05,ames
C1,M1,caregiver,member,2,tac@1.0,self,,2026-10-12,ames
C1,M2,identified-client,member,2,tac@1.0,self,3,2026-10-12,ames
C2,A,identified-client,member,1,phq-9,total,7,,
C2,A,identified-client,member,1,phq-9,item:9,0,,
"""
SESSION_3 = """C1,M2,identified-client,member,3,tac@1.0,self,3.14,2026-10-19,ames
"""
RECORDS = (Case, Member, Session, Response, Score, Subsystem, Signal, AuditEvent)


def counts():
    return {model.__name__: model.objects.count() for model in RECORDS}


@pytest.fixture
def write(tmp_path):
    def written(text, name="scores.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return written


def run(organization, path, **options):
    return import_history(organization, read_csv_file(path), path.name, **options)


def test_a_dry_run_reports_what_would_be_created_and_writes_nothing(
    northside, ames, write
):
    before = counts()
    done = run(northside, write(HISTORY))
    assert not done.committed
    report = done.report
    assert (report.cases.new, report.members.new, report.sessions.new) == (2, 3, 3)
    assert {k: t.new for k, t in report.responses.items()} == {
        "tac@1.0": 4,
        "phq-9@1.0": 2,
        "tac-t@1.0": 1,
    }
    assert (report.unanswered, report.undated_sessions) == (1, 1)
    assert report.cases_without_clinician == 1
    assert counts() == before


def test_a_commit_writes_the_history_and_refits_the_clinic(northside, ames, write):
    done = run(northside, write(HISTORY), commit=True)
    assert done.committed
    c1 = Case.objects.get(organization=northside, external_id="C1")
    assert (c1.label, c1.kind, list(c1.clinicians.all())) == ("C1", "family", [ames])
    c2 = Case.objects.get(external_id="C2")
    assert (c2.kind, c2.clinicians.count()) == ("individual", 0)
    leo = c1.members.get(external_id="M2")
    assert (leo.first_name, leo.role, leo.age_band) == (
        "M2",
        "identified-client",
        "18+",
    )
    assert {s.name for s in leo.subsystems.all()} == {"caregivers"}
    first, second = c1.sessions.order_by("number")
    assert (first.date, second.date) == (dt.date(2026, 10, 5), dt.date(2026, 10, 12))
    assert set(second.attended.values_list("external_id", flat=True)) == {"M2"}
    assert c2.sessions.get().date == dt.date.today()  # no date in the file
    phq9 = Response.objects.get(session=first, member=leo, instrument="phq-9@1.0")
    assert phq9.status == Response.Status.COMPLETE
    assert phq9.risk_endorsed
    assert phq9.answers == {"9": 2}
    assert dict(phq9.scores.values_list("scale", "value")) == {
        "total": 14.0,
        "item:9": 2.0,
    }
    unanswered = Response.objects.get(session=second, member__external_id="M1")
    assert unanswered.status == Response.Status.IN_PROGRESS
    assert list(unanswered.scores.values_list("scale", "value")) == [("self", None)]
    family = Response.objects.get(session=first, respondent="therapist")
    assert family.member is None
    # The risk answer raised its alert, and the refit stored the clinic's baseline.
    risk = Signal.objects.get(case=c1, kind="risk-item")
    assert (risk.subject, risk.status) == (f"member:{leo.pk}", Signal.Status.OPEN)
    assert done.open_alerts == Signal.objects.filter(status=Signal.Status.OPEN).count()
    northside.refresh_from_db()
    assert "norms" in northside.signal_norms


def test_the_import_is_audited_as_done_by_tether(northside, ames, write):
    run(northside, write(HISTORY), commit=True)
    events = AuditEvent.objects.filter(organization=northside, action="import")
    assert events.filter(user__isnull=False).count() == 0
    c1 = Case.objects.get(external_id="C1")
    created = events.get(object_type="case", case_id=c1.pk)
    assert created.detail["kind"] == "family"
    assert len(created.detail["members"]) == 2
    assert events.filter(object_type="response", case_id=c1.pk).count() == 1
    summary = events.get(object_type="score-history")
    assert summary.detail == {
        "source": "history-import",
        "rows": 9,
        "cases": 2,
        "responses": 7,
    }


def test_running_the_same_file_again_creates_nothing(northside, ames, write):
    path = write(HISTORY)
    run(northside, path, commit=True)
    before = counts()
    again = run(northside, path, commit=True)
    assert not again.committed
    assert not again.report.creates_anything
    assert (again.report.cases.existing, again.report.members.existing) == (2, 3)
    assert again.report.response_total.existing == 7
    assert counts() == before


def test_a_longer_history_adds_only_what_is_new(northside, ames, write):
    run(northside, write(HISTORY), commit=True)
    before = counts()
    done = run(northside, write(HISTORY + SESSION_3), commit=True)
    report = done.report
    assert (report.cases.new, report.members.new, report.sessions.new) == (0, 0, 1)
    assert report.response_total.new == 1
    assert report.response_total.existing == 7
    after = counts()
    assert (after["Session"], after["Response"]) == (
        before["Session"] + 1,
        before["Response"] + 1,
    )
    third = Session.objects.get(case__external_id="C1", number=3)
    assert third.responses.get().scores.get().value == 3.14


def test_nothing_is_written_from_a_file_with_a_bad_row(northside, ames, write):
    before = counts()
    bad = HISTORY + "C2,A,identified-client,member,2,phq-9,total,28,,\n"
    with pytest.raises(HistoryError) as refused:
        run(northside, write(bad), commit=True)
    assert refused.value.problems == [
        "row 11: score: 28 is outside 0–27 for phq-9@1.0 total"
    ]
    assert counts() == before


def test_what_tether_already_holds_against_the_file_is_a_bad_row(
    northside, ames, write
):
    run(northside, write(HISTORY), commit=True)
    before = counts()
    changed = (
        HISTORY.replace(
            "C1,M1,caregiver,member,1,tac@1.0,self,3.43",
            "C1,M1,partner,member,1,tac@1.0,self,3.43",
        )
        .replace("C1,M1,caregiver,member,2", "C1,M1,partner,member,2")
        .replace("phq-9,total,14,2026-10-05", "phq-9,total,15,2026-10-05")
        .replace("2026-10-12", "2026-10-13")
        + "C3,B,identified-client,member,1,phq-9,total,3,,nobody\n"
    )
    with pytest.raises(HistoryError) as refused:
        run(northside, write(changed), commit=True)
    assert refused.value.problems == [
        "row 2: member_role: M1 of case C1 is stored in Tether as caregiver",
        "row 4: score: phq-9@1.0 of M2 in session 1 of case C1 is already in Tether "
        "with total 14, not 15",
        "row 7: session_date: session 2 of case C1 is stored in Tether with the date "
        "2026-10-12",
        "row 11: clinician: no user 'nobody' in Northside Clinic",
    ]
    assert counts() == before


def test_a_member_taken_out_of_their_subsystem_stays_out(northside, ames, write):
    text = f"""{HEADER},subsystem
C1,M1,caregiver,member,1,tac,self,3,none
C1,M2,child,member,1,tac,self,3,
"""
    run(northside, write(text), commit=True)
    case = Case.objects.get(external_id="C1")
    caregivers = case.subsystems.get(name="caregivers")
    assert caregivers.members.count() == 0
    assert list(case.subsystems.get(name="children").members.all()) == [
        case.members.get(external_id="M2")
    ]


WIDE = """case_id,member_id,member_role,session,Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9
C7,M1,identified-client,1,1,2,0,1,1,0,2,0,1
C7,M1,identified-client,2,3,3,,2,1,2,2,1,0
C7,M1,identified-client,3,,,,,,,,,
"""


def test_a_wide_item_file_is_scored_by_its_instrument(northside, ames, write):
    done = run(
        northside, write(WIDE), instrument="phq-9", item_columns="Q*", commit=True
    )
    assert done.report.format == "wide"
    phq9 = Library(bundled_definitions()).get("phq-9")
    rows = [line.split(",")[4:] for line in WIDE.splitlines()[1:3]]
    for number, cells in enumerate(rows, start=1):
        answers = {str(i): (int(c) if c else None) for i, c in enumerate(cells, 1)}
        expected = score(phq9, answers)
        response = Response.objects.get(session__number=number)
        stored = {s.scale: (s.value, s.prorated) for s in response.scores.all()}
        total = expected.scales["total"]
        assert stored["total"] == (total.value, total.prorated)
        assert stored["item:9"] == (answers["9"], False)
        assert response.risk_endorsed == bool(expected.risk)
        assert response.answers == {k: v for k, v in answers.items() if v is not None}
        assert set(response.rule_results) == set(expected.extras)
    second = Response.objects.get(session__number=2)
    assert second.scores.get(scale="total").prorated  # item 3 unanswered
    empty = Response.objects.get(session__number=3)
    assert empty.status == Response.Status.IN_PROGRESS
    assert list(empty.scores.values_list("scale", "value")) == [("total", None)]
    # Answered again with another answer: refused, naming the item's column.
    with pytest.raises(HistoryError) as refused:
        run(
            northside,
            write(WIDE.replace("1,1,2,0,1,1,0,2,0,1", "1,1,2,0,1,1,0,2,0,0")),
            instrument="phq-9",
            item_columns="Q*",
        )
    assert refused.value.problems == [
        "row 2: Q9: phq-9@1.0 of M1 in session 1 of case C7 is already in Tether "
        "with the answer 1 to item 9, not the answer 0"
    ]


def test_the_command_line_runs_dry_then_commits(northside, ames, write, capsys):
    path = write(HISTORY)
    assert main(["import", "scores", str(path), "--organization", "northside"]) == 0
    out = capsys.readouterr().out
    assert "scores.csv: a long-format score file, 9 rows" in out
    assert "Dry run" in out
    assert Case.objects.count() == 0
    command = ["import", "scores", str(path), "--organization", "northside", "--commit"]
    assert main(command) == 0
    assert (
        "Imported into Northside Clinic in one transaction" in capsys.readouterr().out
    )
    assert Case.objects.count() == 2
    assert main(command) == 0
    assert "Nothing new" in capsys.readouterr().out


def test_the_command_line_lists_every_bad_row_and_exits_2(northside, write, capsys):
    path = write(HISTORY.replace("3.43", "x").replace(",14,", ",99,"))
    command = ["import", "scores", str(path), "--organization", "northside"]
    assert main(command) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"tether: {path}: nothing was imported:",
        "row 2: score: 'x' is not a number (leave it empty for a questionnaire not "
        "answered)",
        "row 4: score: 99 is outside 0–27 for phq-9@1.0 total",
    ]
    assert main([*command[:-1], "elsewhere"]) == 2
    assert (
        "no organization 'elsewhere' (there are: northside)" in capsys.readouterr().err
    )
