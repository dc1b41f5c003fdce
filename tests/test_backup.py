"""`tether backup` and `tether restore` round-trip a populated database
(issue #16 item 5; docs/operations.md §Backups)."""

import datetime as dt
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection

from tether import backup
from tether.care import services
from tether.care.models import Case
from tether.portal.services import submit_from_app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def populated(ames, maria, leo):
    """A case with two sessions, answers, a risk alert and an audit trail."""
    case = maria.case
    for week in range(2):
        session = services.start_session(
            ames, case.pk, dt.date(2026, 11, 2) + dt.timedelta(weeks=week), [maria.pk]
        )
        submit_from_app(
            ames,
            session.pk,
            "phq-9@1.0",
            maria.pk,
            "member",
            {str(n): week for n in range(1, 10)},
        )
    return case


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite's path"
)
def test_a_backup_restores_to_the_same_rows_and_refuses_a_database_in_use(
    populated, tmp_path
):
    file = tmp_path / "tether.backup"
    before = backup.backup(file)
    assert before["care_response"].rows == 2
    assert oct(file.stat().st_mode & 0o777) == "0o600"

    Case.objects.filter(pk=populated.pk).delete()
    assert backup.database_fingerprint() != before
    with pytest.raises(backup.BackupError, match=r"not empty .*--force"):
        backup.restore(file)
    assert not Case.objects.filter(pk=populated.pk).exists()

    assert backup.restore(file, force=True) == before
    assert Case.objects.get(pk=populated.pk).label == "Rivera family"


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    populated, tmp_path
):
    before = backup.database_fingerprint()
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database\n" * 100)
    with pytest.raises(backup.BackupError):
        backup.restore(junk, force=True)
    with pytest.raises(backup.BackupError, match="no such backup file"):
        backup.restore(tmp_path / "missing.backup", force=True)
    assert backup.database_fingerprint() == before


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL",
)
def test_a_postgresql_backup_restores_into_an_empty_database_with_the_same_rows(
    populated, tmp_path
):
    file = tmp_path / "tether.dump"
    expected = backup.fingerprint_lines(backup.backup(file))[0]
    scratch = f"tether_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {scratch}")
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{scratch}"
    )
    environment = {**os.environ, "DATABASE_URL": url, "TETHER_DEBUG": "True"}
    try:
        restored = subprocess.run(
            [sys.executable, "-m", "tether.cli", "restore", str(file)],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert restored.returncode == 0, restored.stderr
        assert expected in restored.stdout
        again = subprocess.run(
            [sys.executable, "-m", "tether.cli", "restore", str(file)],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert again.returncode == 2
        assert "not empty" in again.stderr
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
