"""`tether simulate` and `tether signals` end to end."""

import csv
import io
import json

import pytest

from tether.cli import main


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "data"))


def test_simulate_then_signals_writes_one_row_per_signal(tmp_path, capsys):
    assert (
        main(
            [
                "simulate",
                "--cases",
                "40",
                "--seed",
                "5",
                "--out",
                str(tmp_path / "cohort"),
            ]
        )
        == 0
    )
    assert "planted events" in capsys.readouterr().out
    assert main(["signals", str(tmp_path / "cohort" / "scores.csv")]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert rows
    assert list(rows[0]) == [
        "case_id",
        "subject",
        "session",
        "signal",
        "severity",
        "evidence",
    ]
    assert all(isinstance(json.loads(row["evidence"]), dict) for row in rows)
    assert "signals" in captured.err
    assert (
        "the change rule judges worsening" in captured.err
    )  # 40 cases is too few for the model


def test_simulate_is_deterministic_for_a_seed(tmp_path, capsys):
    main(["simulate", "--cases", "5", "--seed", "9", "--out", str(tmp_path / "a")])
    main(["simulate", "--cases", "5", "--seed", "9", "--out", str(tmp_path / "b")])
    assert (tmp_path / "a/scores.csv").read_bytes() == (
        tmp_path / "b/scores.csv"
    ).read_bytes()
    assert (tmp_path / "a/truth.csv").read_bytes() == (
        tmp_path / "b/truth.csv"
    ).read_bytes()


def test_simulate_realistic_writes_the_clinic_like_cohort(tmp_path, capsys):
    from tether.simulate import SimulationConfig, simulate_cohort

    main(
        [
            "simulate",
            "--cases",
            "20",
            "--seed",
            "3",
            "--realistic",
            "--out",
            str(tmp_path),
        ]
    )
    written = list(csv.DictReader((tmp_path / "scores.csv").open()))
    expected = simulate_cohort(20, 3, SimulationConfig.realistic()).scores
    assert len(written) == len(expected)
    main(["simulate", "--cases", "20", "--seed", "3", "--out", str(tmp_path / "d")])
    default = list(csv.DictReader((tmp_path / "d/scores.csv").open()))
    assert len(default) > len(written)  # the realistic mode leaves member-sessions out


def test_malformed_scores_are_reported_with_row_numbers_and_a_non_zero_exit(
    tmp_path, capsys
):
    path = tmp_path / "scores.csv"
    path.write_text(
        "case_id,member_id,member_role,respondent,session,instrument,scale,score\n"
        "C1,M1,caregiver,member,1,tac,self,3\n"
        "C1,M1,caregiver,member,1,tac,self,3\n"
        "C1,M1,caregiver,member,2,tac,self,lots\n"
        "C1,M1,caregiver,member,3,pcl-9,total,3\n",
        encoding="utf-8",
    )
    assert main(["signals", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "tether: row 3: duplicate row: the same case, member, respondent, session, instrument and scale as an earlier row",
        "row 4: score 'lots' is not a number",
        "row 5: instrument 'pcl-9' is not known",
    ]


def test_a_missing_column_is_named(tmp_path, capsys):
    path = tmp_path / "scores.csv"
    path.write_text("case_id,member_id\nC1,M1\n", encoding="utf-8")
    assert main(["signals", str(path)]) == 2
    assert "missing column: member_role" in capsys.readouterr().err


HEADER = "case_id,member_id,member_role,respondent,session,instrument,scale,score"
ROW = "C1,M1,caregiver,member,1,tac,self,3"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "scores.csv: is empty"),
        (f"{HEADER}\n", "scores.csv: has a header but no rows below it"),
        (f"{HEADER}\n\n\n", "scores.csv: has a header but no rows below it"),
        (
            f"{HEADER}\n{ROW}\n{ROW},4\n",
            "row 3: 9 values, but the header names only 8 columns (A to H): "
            "column I has a value but no name",
        ),
        (
            f"{HEADER}\n{ROW}\nC1,M1,caregiver\n",
            "row 3: 3 values for the header's 8 columns: "
            "column D ('respondent') and any after it are missing",
        ),
        (
            f"{HEADER},score\n{ROW},4\n",
            "row 1: the column name 'score' is used more than once (columns H, I)",
        ),
        ("case_id,member_id\nC1,M1\n", "missing column: member_role"),
    ],
    ids=[
        "empty",
        "header only",
        "header and blank lines",
        "more values than the header",
        "fewer values than the header",
        "a column named twice",
        "a required column missing",
    ],
)
def test_an_awkward_score_file_is_refused_with_exit_2_and_no_traceback(
    tmp_path, capsys, text, message
):
    path = tmp_path / "scores.csv"
    path.write_text(text, encoding="utf-8")
    assert main(["signals", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("tether: ")
    assert message in captured.err.replace(str(tmp_path) + "/", "")


def test_a_byte_order_mark_and_blank_lines_keep_the_rows_spreadsheet_numbers(
    tmp_path, capsys
):
    path = tmp_path / "scores.csv"
    path.write_text(
        f"\ufeff{HEADER}\r\n{ROW}\r\n\r\n,,,,,,,\r\n"
        "C1,M1,caregiver,member,2,tac,self,9\r\n",
        encoding="utf-8",
    )
    assert main(["signals", str(path)]) == 2
    assert capsys.readouterr().err == (
        "tether: row 5: score 9 is outside 0–4 for tac@1.1 self\n"
    )
    path.write_text(
        f"\ufeff{HEADER}\r\n{ROW}\r\n\r\nC1,M1,caregiver,member,2,tac,self,2\r\n",
        encoding="utf-8",
    )
    assert main(["signals", str(path), "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("case_id,subject,session,")
