"""The `tether` command: instruments and score."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from tests.shared_data import data_file

from tether.cli import _parser, default_workers, main, serve_command

VETERANS = "pcl5_items_veterans.csv"
"""PCL-5 items of 221 veterans (Armour et al. 2017): published data, not in the
repository (tests/shared_data.py)."""


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "data"))


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rows_of(out):
    return list(csv.DictReader(io.StringIO(out)))


def test_score_pcl5_gives_each_veteran_total_clusters_and_provisional_diagnosis(capsys):
    code, out, err = run(
        capsys,
        "score",
        "pcl-5@past-month",
        str(data_file(VETERANS)),
        "--item-columns",
        "Q28_*",
    )
    assert (code, err) == (0, "")
    rows = rows_of(out)
    assert len(rows) == 221
    first = rows[0]
    # Row "1" of the file: 1,0,1,2,1 | 2,2 | 0,1,1,2,1,2,1 | 1,1,0,0,2,1
    assert first["id"] == "1"
    assert (
        first["cluster-b"],
        first["cluster-c"],
        first["cluster-d"],
        first["cluster-e"],
    ) == ("5", "4", "8", "5")
    assert first["total"] == "22"
    assert first["provisional_diagnosis"] == "0"
    assert first["total_cutoff_met"] == "0"
    assert rows[1]["provisional_diagnosis"] == "1"


def test_score_output_agrees_with_an_independent_count(capsys):
    _, out, _ = run(
        capsys,
        "score",
        "pcl-5@past-month",
        str(data_file(VETERANS)),
        "--item-columns",
        "Q28_*",
    )
    with data_file(VETERANS).open() as handle:
        source = list(csv.DictReader(handle))
    expected_totals = [
        sum(int(row[f"Q28_{i:02d}_MONTH"]) for i in range(1, 21)) for row in source
    ]
    rows = rows_of(out)
    assert [int(row["total"]) for row in rows] == expected_totals
    diagnosed = sum(row["provisional_diagnosis"] == "1" for row in rows)
    at_cutoff = sum(row["total_cutoff_met"] == "1" for row in rows)
    assert at_cutoff == sum(total >= 33 for total in expected_totals)
    assert 0 < diagnosed < len(rows)


def write_csv(path, header, rows):
    path.write_text(
        "\n".join([",".join(header), *(",".join(r) for r in rows)]) + "\n",
        encoding="utf-8",
    )
    return path


PHQ_HEADER = ["person", *[str(i) for i in range(1, 10)]]


def test_bad_cells_are_all_listed_by_row_and_column_and_nothing_is_written(
    tmp_path, capsys
):
    path = write_csv(
        tmp_path / "phq.csv",
        PHQ_HEADER,
        [
            ["a", *"012301230"],
            ["b", "4", *"0123", "x", "0", "1", "2"],
            ["c", *"00000000", "-1"],
        ],
    )
    code, out, err = run(capsys, "score", "phq-9", str(path), "--id-column", "person")
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        "tether: 3 bad cells; nothing was scored:",
        "row 3, column 1: value '4' not in {0, 1, 2, 3}",
        "row 3, column 6: value 'x' not in {0, 1, 2, 3}",
        "row 4, column 9: value '-1' not in {0, 1, 2, 3}",
    ]


def test_infinity_in_any_spelling_is_a_bad_cell_while_na_and_nan_are_not_answered(
    tmp_path, capsys
):
    path = write_csv(
        tmp_path / "phq.csv",
        PHQ_HEADER,
        [
            ["a", "inf", "-inf", "Infinity", "1e999", "-1E999", *"0000"],
            ["b", "NA", "NaN", "nan", "", *"00000"],
        ],
    )
    code, out, err = run(capsys, "score", "phq-9", str(path), "--id-column", "person")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "tether: 5 bad cells; nothing was scored:",
        "row 2, column 1: value 'inf' not in {0, 1, 2, 3}",
        "row 2, column 2: value '-inf' not in {0, 1, 2, 3}",
        "row 2, column 3: value 'Infinity' not in {0, 1, 2, 3}",
        "row 2, column 4: value '1e999' not in {0, 1, 2, 3}",
        "row 2, column 5: value '-1E999' not in {0, 1, 2, 3}",
    ]


def test_a_long_list_of_bad_cells_is_cut_with_a_count(tmp_path, capsys):
    path = write_csv(
        tmp_path / "phq.csv", PHQ_HEADER, [[str(n), *"999999999"] for n in range(10)]
    )
    code, _, err = run(capsys, "score", "phq-9", str(path))
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == "tether: 90 bad cells; nothing was scored:"
    assert lines[-1] == "… and 40 more bad cells"
    assert len(lines) == 52


def test_columns_named_like_item_ids_are_found_without_options(tmp_path, capsys):
    path = write_csv(
        tmp_path / "phq.csv", PHQ_HEADER, [["a", *"012301230"], ["b", *"33333333", ""]]
    )
    code, out, _ = run(capsys, "score", "phq-9", str(path), "--id-column", "person")
    assert code == 0
    rows = rows_of(out)
    assert (rows[0]["id"], rows[0]["total"], rows[0]["total_band"]) == (
        "a",
        "12",
        "moderate",
    )
    assert (rows[1]["total"], rows[1]["total_prorated"]) == ("27", "1")
    assert rows[1]["risk_item_9"] == "0"


def pcl5_file(path, rows):
    """A PCL-5 answer file with the veterans file's column names."""
    header = ["", *(f"Q28_{i:02d}_MONTH" for i in range(1, 21))]
    return write_csv(path, header, [[str(n), *row] for n, row in enumerate(rows, 1)])


def test_a_glob_that_selects_the_wrong_number_of_columns_is_explained(tmp_path, capsys):
    path = pcl5_file(tmp_path / "pcl5.csv", [["1"] * 20])
    code, _, err = run(capsys, "score", "pcl-5", str(path), "--item-columns", "Q28_0*")
    assert code == 2
    assert (
        "--item-columns 'Q28_0*' selects 9 columns, but pcl-5@past-week has 20 items"
        in err
    )


def test_missing_item_columns_are_named(tmp_path, capsys):
    path = write_csv(tmp_path / "x.csv", ["a", "b"], [["1", "2"]])
    code, _, err = run(capsys, "score", "phq-9", str(path), "--item-columns", "a,b,c")
    assert code == 2
    assert "column 'c' is not in the file" in err


def test_an_unknown_instrument_lists_the_known_ones(tmp_path, capsys):
    path = pcl5_file(tmp_path / "pcl5.csv", [["1"] * 20])
    code, _, err = run(capsys, "score", "pcl-6", str(path))
    assert code == 2
    assert "unknown instrument 'pcl-6'; known instruments:" in err
    assert "pcl-5@past-week" in err


PHQ_LINE = "person," + ",".join(PHQ_HEADER[1:])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "phq.csv: is empty"),
        (f"{PHQ_LINE}\n", "phq.csv: has a header but no rows below it"),
        (
            f"{PHQ_LINE}\na,0,1,2,3,0,1,2,3,0,3\n",
            "row 2: 11 values, but the header names only 10 columns (A to J): "
            "column K has a value but no name",
        ),
        (
            f"{PHQ_LINE}\na,0,1,2,3,0,1,2,3,0\nb,0,1,2,3,0,1,2\n",
            "row 3: 8 values for the header's 10 columns: "
            "column I ('8') and any after it are missing",
        ),
        (
            f"{PHQ_LINE},9\na,0,1,2,3,0,1,2,3,0,3\n",
            "row 1: the column name '9' is used more than once (columns J, K)",
        ),
        (
            "person;1;2;3;4;5;6;7;8;9\na;0;1;2;3;0;1;2;3;0\n",
            "phq.csv: row 1: the columns are separated by semicolons; "
            "save the file with commas (CSV UTF-8)",
        ),
        (
            "person,1,2,3\na,0,1,2\n",
            "no --item-columns given and the header does not name every item",
        ),
    ],
    ids=[
        "empty",
        "header only",
        "more values than the header",
        "fewer values than the header",
        "an item column named twice",
        "semicolons",
        "item columns missing",
    ],
)
def test_an_awkward_file_is_refused_with_its_row_and_column_and_exit_2(
    tmp_path, capsys, text, message
):
    path = tmp_path / "phq.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "score", "phq-9", str(path))
    assert (code, out) == (2, "")
    assert err.startswith("tether: ")
    assert message in err.replace(str(tmp_path) + "/", "")
    assert "Traceback" not in err


def test_a_file_in_another_encoding_asks_for_csv_utf8(tmp_path, capsys):
    path = tmp_path / "phq.csv"
    path.write_bytes(f"{PHQ_LINE}\nJosé,0,1,2,3,0,1,2,3,0\n".encode("latin-1"))
    code, out, err = run(capsys, "score", "phq-9", str(path), "--id-column", "person")
    assert (code, out) == (2, "")
    assert err == f"tether: {path}: is not UTF-8 text; save it as CSV UTF-8\n"


def test_a_byte_order_mark_and_blank_lines_are_taken_and_rows_keep_their_numbers(
    tmp_path, capsys
):
    path = tmp_path / "phq.csv"
    path.write_text(
        f"\ufeff{PHQ_LINE}\r\n\r\na,0,1,2,3,0,1,2,3,0\r\n,,,,,,,,,\r\nb,3,3,3,3,3,3,3,3,3\r\n\r\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "score", "phq-9", str(path))
    assert (code, err) == (0, "")
    assert [(row["id"], row["total"]) for row in rows_of(out)] == [
        ("3", "12"),
        ("5", "27"),
    ]
    path.write_text(
        f"{PHQ_LINE}\n\na,0,1,2,3,0,1,2,3,0\n\nb,3,3,3,3,3,3,3,3,7\n", encoding="utf-8"
    )
    code, _, err = run(capsys, "score", "phq-9", str(path))
    assert code == 2
    assert "row 5, column 9: value '7' not in {0, 1, 2, 3}" in err


def test_an_item_column_given_twice_is_refused(tmp_path, capsys):
    path = write_csv(tmp_path / "phq.csv", PHQ_HEADER, [["a", *"012301230"]])
    code, out, err = run(
        capsys, "score", "phq-9", str(path), "--item-columns", "1,2,3,4,5,6,7,8,8"
    )
    assert (code, out) == (2, "")
    assert err == "tether: --item-columns gives column '8' twice\n"


def test_instruments_list_names_every_instrument_and_its_text_status(capsys):
    code, out, _ = run(capsys, "instruments", "list")
    assert code == 0
    assert "pcl-5@past-month" in out
    wai_line = next(line for line in out.splitlines() if line.startswith("wai-sr@"))
    assert "not loaded" in wai_line


def test_instruments_show_prints_items_scales_and_licence(capsys):
    code, out, _ = run(capsys, "instruments", "show", "phq-9")
    assert code == 0
    assert "9. Thoughts that you would be better off dead" in out
    assert "(risk item: >= 1)" in out
    assert "cutoff >= 10" in out
    code, out, _ = run(capsys, "instruments", "show", "srs")
    assert "[licensed text not loaded]" in out


def test_instruments_validate_passes_good_files_and_lists_problems_of_bad_ones(
    tmp_path, capsys
):
    good = (
        Path(__file__).resolve().parents[1]
        / "src/tether/instruments/definitions/phq-9@1.0.yaml"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text(encoding="utf-8").replace("method: sum", "method: median"),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "instruments", "validate", str(good), str(bad))
    assert code == 2
    assert "phq-9@1.0.yaml: ok (phq-9@1.0, 9 items, 1 scales)" in out
    assert "bad.yaml: scales[0].method: 'median' is not one of sum, mean" in err


def test_the_installed_console_script_runs(tmp_path):
    script = Path(sys.executable).parent / "tether"
    path = pcl5_file(tmp_path / "pcl5.csv", [["1"] * 20, ["2"] * 20, ["0"] * 20])
    result = subprocess.run(
        [
            str(script),
            "score",
            "pcl-5@past-month",
            str(path),
            "--item-columns",
            "Q28_*",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [row["total"] for row in rows_of(result.stdout)] == ["20", "40", "0"]


# --- tether serve ----------------------------------------------------------------


def serve_options(*args):
    return _parser().parse_args(["serve", *args])


def test_serve_defaults_to_one_worker_per_cpu_and_one_more_with_two_threads():
    assert [default_workers(cpus) for cpus in (1, 2, 4, 7, 16)] == [2, 3, 5, 8, 8]
    options = serve_options()
    assert (options.bind, options.workers, options.threads) == (
        "127.0.0.1:8000",
        default_workers(),
        2,
    )


def test_serve_builds_the_gunicorn_command_with_workers_and_threads():
    options = serve_options(
        "--bind", "0.0.0.0:9000", "--workers", "3", "--threads", "4"
    )
    assert serve_command(options) == [
        sys.executable,
        "-m",
        "gunicorn",
        "tether.wsgi",
        "--bind",
        "0.0.0.0:9000",
        "--workers",
        "3",
        "--threads",
        "4",
    ]


def test_serve_checks_then_runs_that_command(monkeypatch, capsys):
    ran = []
    monkeypatch.setattr("tether.cli._django", lambda args: ran.append(args) or 0)
    monkeypatch.setattr("os.execvp", lambda program, args: ran.append(args))
    assert main(["serve", "--workers", "2", "--threads", "1"]) == 0
    checked, command = ran
    assert checked == ["check", "--fail-level", "ERROR"]
    assert command[command.index("--workers") + 1] == "2"
    assert command[command.index("--threads") + 1] == "1"
    assert "with 2 workers of 1 thread" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--workers", "0", "argument --workers: must be at least 1, not 0"),
        ("--threads", "two", "argument --threads: must be a whole number, not 'two'"),
    ],
)
def test_serve_refuses_a_worker_or_thread_count_that_is_not_a_positive_number(
    capsys, option, value, message
):
    with pytest.raises(SystemExit) as stopped:
        main(["serve", option, value])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
