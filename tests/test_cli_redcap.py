"""The commands: `tether instruments export-redcap / import-redcap` and
`tether export redcap / research`."""

import csv
import datetime as dt
import io

import pytest
import yaml

from tether.care import services
from tether.cli import main
from tether.instruments import load_definition


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("TETHER_DATA_DIR", str(folder))
    return folder


def run(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_exported_dictionary_imports_as_a_definition_that_validates(
    tmp_path, capsys
):
    dictionary = tmp_path / "tac.csv"
    code, _, err = run(
        capsys, "instruments", "export-redcap", "tac", "phq-9", "--out", dictionary
    )
    assert (code, err) == (0, "")
    out = tmp_path / "tac@1.1.yaml"
    code, _, err = run(
        capsys,
        "instruments",
        "import-redcap",
        dictionary,
        "--form",
        "tac_1_1",
        "--out",
        out,
    )
    assert code == 0
    assert "wrote tac@1.1 (13 items, 5 scales)" in err
    code, printed, _ = run(capsys, "instruments", "validate", out)
    assert (code, printed) == (0, "tac@1.1.yaml: ok (tac@1.1, 13 items, 5 scales)\n")
    assert load_definition(out).item("9").reverse


def test_without_out_the_dictionary_and_the_definition_go_to_stdout(tmp_path, capsys):
    code, printed, _ = run(capsys, "instruments", "export-redcap", "gad-7")
    assert code == 0
    assert printed.startswith("Variable / Field Name,Form Name,")
    dictionary = tmp_path / "gad.csv"
    dictionary.write_text(printed)
    code, printed, _ = run(capsys, "instruments", "import-redcap", dictionary)
    assert code == 0
    assert yaml.safe_load(printed)["id"] == "gad-7"


def test_a_site_text_pack_is_not_exported(tmp_path, capsys):
    pack = tmp_path / "wai.yaml"
    pack.write_text(
        yaml.safe_dump(
            {
                "instrument": "wai-sr",
                "source": "Licensed from SPR (test)",
                "items": {
                    str(i): {"en": f"Licensed WAI-SR item {i}"} for i in range(1, 13)
                },
            }
        )
    )
    assert main(["instruments", "add-text", "wai-sr", str(pack)]) == 0
    code, printed, err = run(capsys, "instruments", "export-redcap", "wai-sr")
    assert code == 0
    assert "Licensed WAI-SR" not in printed
    assert "wai-sr@1.0: its wording is licensed, not bundled" in err


def test_a_dictionary_that_cannot_be_read_writes_nothing_and_says_why(tmp_path, capsys):
    dictionary = tmp_path / "notes.csv"
    dictionary.write_text(
        "Variable / Field Name,Form Name,Field Type,Field Label,"
        '"Choices, Calculations, OR Slider Labels"\n'
        "record_id,notes,text,ID,\n"
        'notes_q1,notes,radio,Felt low,"0, No | 1, Yes"\n'
        "notes_why,notes,notes,Why?,\n"
        "notes_total,notes,calc,Total,[notes_q1]\n"
    )
    out = tmp_path / "notes.yaml"
    code, _, err = run(capsys, "instruments", "import-redcap", dictionary, "--out", out)
    assert code == 2
    assert (
        "tether: row 4: notes_why: field type 'notes' cannot be read as an item" in err
    )
    assert not out.exists()


def test_an_unknown_instrument_is_refused(capsys):
    code, printed, err = run(capsys, "instruments", "export-redcap", "nope")
    assert (code, printed) == (2, "")
    assert "unknown instrument 'nope'" in err


@pytest.mark.django_db
def test_export_research_and_redcap_write_their_files(
    ames, rivera, leo, tmp_path, capsys
):
    session = services.start_session(ames, rivera.pk, dt.date(2026, 11, 2), [leo.pk])
    services.enter_paper_response(
        ames, session.pk, "phq-9", leo.pk, answers={str(i): 1 for i in range(1, 10)}
    )
    code, _, err = run(capsys, "export", "research", "--out", tmp_path / "research")
    assert code == 0
    assert "wrote 10 rows (1 case)" in err
    assert sorted(p.name for p in (tmp_path / "research").iterdir()) == [
        "codebook.json",
        "scores.csv",
        "scores.parquet",
    ]
    records = tmp_path / "records.csv"
    code, _, err = run(
        capsys, "export", "redcap", "--organization", "northside", "--out", records
    )
    assert code == 0
    assert "wrote 1 record-event rows (1 case)" in err
    [row] = csv.DictReader(io.StringIO(records.read_text()))
    assert row["phq_9_1_0_9"] == "1"


@pytest.mark.django_db
def test_an_unknown_organization_is_refused_and_nothing_written(
    northside, tmp_path, capsys
):
    code, _, err = run(
        capsys,
        "export",
        "research",
        "--out",
        tmp_path / "out",
        "--organization",
        "nowhere",
    )
    assert code == 2
    assert "tether: no organization 'nowhere'; known: northside" in err
    assert not (tmp_path / "out").exists()
