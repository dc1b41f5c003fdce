"""`tether instruments export-fhir` and `import-fhir`: a Questionnaire out, a
definition file in, warnings on stderr, every problem listed on refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from tether.cli import main

DATA = Path(__file__).parent / "interop" / "data"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "data"))


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_fhir_writes_a_questionnaire_that_validates(capsys):
    code, out, _ = run(capsys, "instruments", "export-fhir", "phq-9")
    assert code == 0
    questionnaire = Questionnaire.model_validate(json.loads(out))
    assert questionnaire.code[0].code == "44249-1"


def test_export_fhir_to_a_file(tmp_path, capsys):
    out = tmp_path / "gad7.json"
    code, _, err = run(capsys, "instruments", "export-fhir", "gad-7", "--out", str(out))
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["url"] == (
        "urn:tether:instrument:gad-7"
    )
    assert f"wrote {out}" in err


def test_import_fhir_writes_a_definition_that_validate_accepts(tmp_path, capsys):
    out = tmp_path / "phq9-lhc.yaml"
    code, _, err = run(
        capsys,
        "instruments",
        "import-fhir",
        str(DATA / "phq9.json"),
        "--out",
        str(out),
        "--id",
        "phq-9-lhc",
    )
    assert code == 0
    assert "warning: linkId /69722-7: left out" in err
    assert "taken from phq-9@1.0" in err
    code, out_text, _ = run(capsys, "instruments", "validate", str(out))
    assert code == 0
    assert out_text == "phq9-lhc.yaml: ok (phq-9-lhc@1.0, 9 items, 1 scales)\n"


def test_import_fhir_refuses_with_every_problem_and_exit_2(tmp_path, capsys):
    out = tmp_path / "weight.yaml"
    code, stdout, err = run(
        capsys,
        "instruments",
        "import-fhir",
        str(DATA / "weight-height-questionnaire.json"),
        "--out",
        str(out),
    )
    assert code == 2
    assert stdout == ""
    assert not out.exists()
    assert "tether: weight-height-questionnaire.json cannot be imported:" in err
    for link_id in ("/29463-7", "/8302-2", "/8352-7", "/8361-8"):
        assert f"  linkId {link_id}: type " in err


def test_import_fhir_says_when_the_file_is_not_json(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "instruments", "import-fhir", str(bad))
    assert code == 2
    assert "bad.json: is not JSON" in err


def test_a_file_that_cannot_be_written_is_named(tmp_path, capsys):
    out = tmp_path / "no-such-folder" / "phq9.json"
    code, _, err = run(capsys, "instruments", "export-fhir", "phq-9", "--out", str(out))
    assert code == 2
    assert err == f"tether: cannot write {out}: No such file or directory\n"
