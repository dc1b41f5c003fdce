"""The data directory and the SQLite database are the Tether user's alone:
created 700 and 600 whatever the umask of the process that creates them."""

import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from tether import config


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@contextmanager
def umask(value):
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_missing_data_dir_is_created_700_with_its_parents(tmp_path):
    with umask(0o022):
        data = config.private_dir(tmp_path / "srv" / "tether")
    assert mode(data) == 0o700


def test_an_existing_data_dir_keeps_its_mode_for_the_check_to_report(tmp_path):
    data = tmp_path / "tether"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    config.private_dir(data)
    assert mode(data) == 0o755
    assert config.open_to_others([data]) == [(data, 0o755)]


def test_a_new_database_file_is_600_and_so_are_its_wal_and_shm(tmp_path):
    with umask(0o022):
        database = config.private_file(tmp_path / "tether.sqlite3")
        connection = sqlite3.connect(database)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE answer (value INTEGER)")
            connection.execute("INSERT INTO answer VALUES (3)")
            connection.commit()
            wal = Path(f"{database}-wal")
            shm = Path(f"{database}-shm")
            assert (mode(database), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
        finally:
            connection.close()


def test_an_existing_database_is_left_as_it_is(tmp_path):
    database = tmp_path / "tether.sqlite3"
    database.write_text("not empty")
    database.chmod(0o640)
    config.private_file(database)
    assert (database.read_text(), mode(database)) == ("not empty", 0o640)


def test_only_paths_others_may_use_are_reported(tmp_path):
    private, shared, missing = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    private.write_text("")
    shared.write_text("")
    private.chmod(0o600)
    shared.chmod(0o604)
    assert config.open_to_others([private, shared, missing]) == [(shared, 0o604)]


def test_the_tether_command_creates_a_fresh_data_dir_private_under_a_lax_umask(
    tmp_path,
):
    data = tmp_path / "data"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TETHER_DATA_DIR": str(data),
        "TETHER_DEBUG": "True",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tether.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        umask=0o022,
    )
    assert done.returncode == 0, done.stderr
    assert mode(data) == 0o700
    assert mode(data / "secret-key") == 0o600
    assert mode(data / "tether.sqlite3") == 0o600
    assert "tether.W002" not in done.stderr
