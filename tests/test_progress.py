"""The command line's progress bar (tether/progress.py): drawn on stderr only
when it is a terminal and the command was not given --quiet, so a pipe or a
log file sees nothing of it; and the long commands draw it."""

from __future__ import annotations

import io

import pytest

from tether import progress
from tether.cli import main
from tether.progress import ProgressBar, progress_bar, track


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def draw_every_step(monkeypatch):
    monkeypatch.setattr(progress, "EVERY", 0.0)


def test_nothing_is_written_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    with progress_bar("simulating cases", 10, stream=stream) as bar:
        for _ in range(10):
            bar.advance()
    assert stream.getvalue() == ""


def test_nothing_is_written_on_a_terminal_with_quiet():
    stream = Terminal()
    assert list(track(range(3), "cases", 3, quiet=True, stream=stream)) == [0, 1, 2]
    assert stream.getvalue() == ""


def test_on_a_terminal_the_bar_is_redrawn_in_place_and_ends_its_line():
    stream = Terminal()
    with progress_bar("cases", 4, stream=stream) as bar:
        bar.advance(note="first")
        bar.update(4, note="done")
    text = stream.getvalue()
    assert text.count("\r") >= 3
    assert "cases [------------------------] 0/4" in text
    assert "cases [######------------------] 1/4 first" in text
    assert text.endswith("cases [########################] 4/4 done\n")


def test_a_total_learnt_later_is_taken():
    bar = ProgressBar("signals", 1, stream=Terminal())
    bar.update(3, 12, "rupture")
    assert bar.line() == "signals [######------------------] 3/12 rupture"


def test_a_stream_that_is_closed_counts_as_no_terminal(tmp_path):
    stream = (tmp_path / "log").open("w")
    stream.close()  # isatty() now raises ValueError
    assert not ProgressBar("x", 1, stream=stream).active


def test_simulate_draws_no_bar_into_a_captured_stderr(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "data"))
    assert main(["simulate", "--cases", "3", "--out", str(tmp_path / "c")]) == 0
    captured = capsys.readouterr()
    assert "[" not in captured.err
    assert "\r" not in captured.err


def test_simulate_on_a_terminal_shows_one_step_per_case(tmp_path, monkeypatch):
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "data"))
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["simulate", "--cases", "3", "--out", str(tmp_path / "c")]) == 0
    assert "simulating cases [########################] 3/3" in terminal.getvalue()
    terminal.truncate(0)
    main(["simulate", "--cases", "3", "--out", str(tmp_path / "c"), "--quiet"])
    assert "simulating" not in terminal.getvalue()


def test_signals_on_a_terminal_names_the_rules_as_they_run(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "data"))
    main(["simulate", "--cases", "4", "--out", str(tmp_path / "c")])
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["signals", str(tmp_path / "c" / "scores.csv")]) == 0
    drawn = terminal.getvalue()
    assert "reading the scores" in drawn
    assert "rupture" in drawn
    assert "] 0/1 reading the scores" in drawn
