"""`tether analyze`: the clinic analytics on the command line, as a summary on
stdout and, with --out, CSV and JSON files per organization; aggregates only,
each run audited, a clear message for an unknown organization."""

from __future__ import annotations

import csv
import json

import pytest
from tests.reports.clinic_data import clinic_with_tac_answers

from tether.audit.models import AuditEvent
from tether.cli import main


@pytest.fixture
def clinic(ames, db):
    clinic_with_tac_answers(ames, 32)
    return ames.organization


def test_analyze_writes_the_figures_and_a_summary(clinic, tmp_path, capsys):
    assert main(["analyze", "--organization", "northside", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Northside Clinic (northside)" in out
    assert "tac@1.1 self (identified-client): n 32, α 0." in out
    assert (
        "Coverage: 64 of 64 sessions measured; 64 of 64 questionnaires completed" in out
    )
    folder = tmp_path / "northside"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "analytics.json",
        "coverage.csv",
        "expected_curves.csv",
        "expected_fit.csv",
        "item_total.csv",
        "reliability.csv",
        "within_between.csv",
    ]
    rows = list(csv.DictReader((folder / "reliability.csv").open()))
    self_row = next(
        r for r in rows if r["instrument"] == "tac@1.1" and r["scale"] == "self"
    )
    assert self_row["n"] == "32"
    assert 0 < float(self_row["alpha"]) < 1
    assert (self_row["first_date"], self_row["last_date"]) == (
        "2026-03-01",
        "2026-03-20",
    )
    everything = json.loads((folder / "analytics.json").read_text())
    assert everything["organization"] == "northside"
    assert everything["reliability"] == json.loads(
        json.dumps(everything["reliability"])
    )
    assert "Client" not in (folder / "analytics.json").read_text()  # no names
    assert AuditEvent.objects.filter(
        action="analyze", object_type="clinic-analytics", organization=clinic
    ).exists()


def test_too_little_data_is_a_row_saying_how_much_more_is_needed(
    ames, tmp_path, capsys
):
    clinic_with_tac_answers(ames, 5)
    assert main(["analyze", "--out", str(tmp_path), "--quiet"]) == 0
    rows = list(csv.DictReader((tmp_path / "northside" / "reliability.csv").open()))
    row = next(r for r in rows if r["scale"] == "self")
    assert row["status"] == "not enough data"
    assert (row["minimum"], row["current"], row["more_needed"]) == ("30", "5", "25")
    assert "alpha" not in row or row["alpha"] == ""


def test_an_unknown_organization_is_named_with_the_known_ones(northside, capsys):
    assert main(["analyze", "--organization", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert "no organization 'nowhere'; known: northside" in err
