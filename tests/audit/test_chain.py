"""Each organization's events form one hash chain, the events with no
organization one more; `verify` finds every changed, deleted, inserted or
rewritten row and names it, and concurrent writers never fork a chain."""

import threading

import pytest
from django.db import connection

from tether.audit import chain
from tether.audit.models import AuditChain, AuditEvent
from tether.audit.services import record


def events_of(organization):
    return AuditEvent.objects.filter(organization=organization).order_by("sequence")


def breaks():
    return [str(b) for found in chain.verify().values() for b in found]


def run_sql(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def written(ames, cole, rivera):
    """Events in Northside (Dr. Ames's case, among others), in Lakeside (Dr.
    Cole) and with no organization (a failed sign-in by an unknown name)."""
    for number in range(5):
        record(ames, "read", "case", rivera.pk, detail={"n": number})
    record(cole, "read", "caseload")
    record(None, "sign-in-failed", "user", detail={"username": "nobody"})
    return list(events_of(ames.organization))


def test_each_organization_has_its_own_chain_numbered_from_one(
    written, northside, lakeside
):
    northside_numbers = list(events_of(northside).values_list("sequence", flat=True))
    assert northside_numbers == list(range(1, len(northside_numbers) + 1))
    assert list(events_of(lakeside).values_list("sequence", flat=True)) == [1]
    orphan = AuditEvent.objects.get(action="sign-in-failed")
    assert orphan.chain.organization is None
    assert orphan.sequence == 1
    assert AuditChain.objects.count() == 3


def test_each_event_holds_the_hash_of_the_one_before(written):
    first, second = written[0], written[1]
    assert first.previous_hash == ""
    assert first.previous_event_id is None
    assert (second.previous_event_id, second.previous_hash) == (first.pk, first.hash)
    assert first.hash == chain.event_hash(first)
    assert len(first.hash) == 64


def test_an_untouched_trail_verifies(written):
    assert breaks() == []


def test_an_edited_row_and_a_deleted_row_are_both_named(written):
    edited, deleted = written[1], written[3]
    run_sql("UPDATE care_auditevent SET action = 'create' WHERE id = %s", edited.pk)
    run_sql("DELETE FROM care_auditevent WHERE id = %s", deleted.pk)
    found = breaks()
    assert len(found) == 2
    assert found[0].startswith(f"row {edited.pk}: changed")
    assert found[1].startswith(f"row {deleted.pk}: deleted")
    assert f"between row {written[2].pk} and row {written[4].pk}" in found[1]


def test_a_row_rewritten_with_a_fresh_hash_is_named_by_the_next_one(written):
    rewritten = written[1]
    rewritten.detail = {"n": 99}
    fresh = chain.event_hash(rewritten)
    run_sql(
        "UPDATE care_auditevent SET detail = %s, hash = %s WHERE id = %s",
        '{"n": 99}',
        fresh,
        rewritten.pk,
    )
    assert breaks() == [
        f"row {rewritten.pk}: rewritten: its hash is not the one row "
        f"{written[2].pk} recorded for it"
    ]


def test_the_newest_rows_deleted_are_named_from_the_chains_head(written):
    newest = written[-1]
    run_sql("DELETE FROM care_auditevent WHERE id = %s", newest.pk)
    found = breaks()
    assert len(found) == 1
    assert found[0].startswith(f"row {newest.pk}: deleted, the newest")


def test_a_row_moved_to_another_organization_is_named(written, lakeside):
    moved = written[2]
    run_sql(
        "UPDATE care_auditevent SET organization_id = %s WHERE id = %s",
        lakeside.pk,
        moved.pk,
    )
    assert breaks() == [
        f"row {moved.pk}: changed: its content no longer matches its hash"
    ]


def test_events_still_waiting_are_chained_in_the_order_written(ames, monkeypatch):
    from tether.audit import services

    waiting = []
    monkeypatch.setattr(services, "after_commit", waiting.append)
    record(ames, "read", "caseload")
    record(ames, "sign-out", "user", ames.pk)
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == [None, None]
    assert chain.seal_all() == 2
    in_order = AuditEvent.objects.order_by("pk").values_list("action", "sequence")
    assert list(in_order) == [("read", 1), ("sign-out", 2)]
    assert breaks() == []


# ---- two writers at once --------------------------------------------------------

WRITERS = 8
EACH = 10


def write_at_once(people):
    """Each person's thread records EACH events, all threads released together."""
    barrier = threading.Barrier(len(people))
    errors = []

    def write(person):
        try:
            barrier.wait()
            for number in range(EACH):
                record(person, "read", "caseload", detail={"n": number})
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_writers_at_once_never_fork_a_chain(ames, baker, cole):
    """On PostgreSQL (DATABASE_URL set) each chaining locks its chain's head
    row; on SQLite the write lock serializes. Either way each organization's
    events are numbered once each, without a gap, and the chains verify."""
    people = [ames, baker, cole, ames, baker, cole, ames, baker][:WRITERS]
    write_at_once(people)
    for organization, writers in ((ames.organization, 6), (cole.organization, 2)):
        numbers = list(events_of(organization).values_list("sequence", flat=True))
        assert numbers == list(range(1, writers * EACH + 1))
    assert breaks() == []


@pytest.mark.parametrize("address", ["203.0.113.7", "2001:db8::7"])
def test_events_with_an_address_and_browser_verify(sign_in, ames, address, settings):
    """The hash covers the address as the database gives it back (PostgreSQL
    keeps it as inet)."""
    settings.TETHER_TRUSTED_PROXY_HEADER = ""
    sign_in(ames).get("/cases/", REMOTE_ADDR=address, HTTP_USER_AGENT="Firefox ü")
    assert AuditEvent.objects.filter(ip_address=address).exists()
    assert breaks() == []
