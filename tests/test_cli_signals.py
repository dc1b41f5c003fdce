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
