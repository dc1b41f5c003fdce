"""`tether audit verify` exits 0 on an intact trail and 1 naming each broken
row; `tether audit prune` deletes the expired events and verify still
passes."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tether.audit.models import AuditEvent
from tether.audit.services import record
from tether.cli import main


def tether(*args):
    """Run the `tether` command; its exit status. Django closes the database
    connection after a command run this way: call it last in a test."""
    try:
        return main(list(args))
    except SystemExit as exit:
        return exit.code


@pytest.fixture
def trail(ames, cole):
    for number in range(4):
        record(ames, "read", "caseload", detail={"n": number})
    record(cole, "read", "caseload")
    return list(AuditEvent.objects.filter(user=ames).order_by("sequence"))


def test_verify_passes_an_intact_trail(trail, capsys):
    assert tether("audit", "verify") == 0
    out = capsys.readouterr().out
    assert "The chain of Northside Clinic: intact through sequence 4" in out
    assert "The audit trail is intact (2 chains)." in out


def test_verify_fails_naming_the_edited_and_the_deleted_row(trail, capsys):
    edited, deleted = trail[0], trail[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE care_auditevent SET user_agent = 'forged' WHERE id = %s",
            [edited.pk],
        )
        cursor.execute("DELETE FROM care_auditevent WHERE id = %s", [deleted.pk])
    assert tether("audit", "verify") == 1
    err = capsys.readouterr().err
    assert f"row {edited.pk}: changed" in err
    assert f"row {deleted.pk}: deleted" in err
    assert "broken in 2 places" in err


def test_prune_keeps_the_trail_verifiable(ames, monkeypatch, capsys):
    long_ago = timezone.now() - dt.timedelta(days=7 * 366)
    monkeypatch.setattr(timezone, "now", lambda: long_ago)
    record(ames, "read", "caseload")
    monkeypatch.undo()
    record(ames, "sign-out", "user", ames.pk)
    call_command("audit", "prune")
    assert "Northside Clinic: deleted 1 events, through sequence 1" in (
        capsys.readouterr().out
    )
    assert not AuditEvent.objects.filter(action="read").exists()
    assert tether("audit", "verify") == 0
