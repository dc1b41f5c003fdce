"""Recording an event keeps where the request came from and which case it
concerns; pruning deletes the events past the retention period and leaves a
checkpoint, so the trail still verifies."""

import datetime as dt

import pytest
from django.utils import timezone

from tether.audit import chain
from tether.audit.models import AuditChain, AuditEvent
from tether.audit.services import ChainBroken, prune, record, retention_cutoff
from tether.care import services as care

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def test_an_event_keeps_the_address_and_browser_of_its_request(
    sign_in, ames, rivera, settings
):
    settings.TETHER_TRUSTED_PROXY_HEADER = ""
    before = AuditEvent.objects.count()
    sign_in(ames).get(
        f"/cases/{rivera.pk}/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER
    )
    reads = AuditEvent.objects.order_by("pk")[before:]
    origins = set(reads.values_list("ip_address", "user_agent"))
    assert origins == {("203.0.113.7", BROWSER)}


def test_behind_a_proxy_the_event_keeps_the_address_the_proxy_passed_on(
    client, ames, settings
):
    settings.TETHER_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    client.post(
        "/accounts/login/",
        {"username": "ames", "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    failed = AuditEvent.objects.get(action="sign-in-failed")
    assert failed.ip_address == "203.0.113.8"


def test_an_event_outside_a_request_has_no_address(ames):
    record(ames, "read", "caseload")
    event = AuditEvent.objects.get()
    assert (event.ip_address, event.user_agent) == (None, "")


def test_a_very_long_browser_name_is_cut_to_fit(sign_in, ames):
    sign_in(ames).get("/cases/", HTTP_USER_AGENT="x" * 1000)
    assert len(AuditEvent.objects.get(object_type="caseload").user_agent) == 300


def test_the_case_an_event_concerns_is_kept(ames, rivera, first_session, leo):
    care.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    cases = dict(AuditEvent.objects.values_list("object_type", "case_id").distinct())
    assert cases["case"] == rivera.pk  # the case itself
    assert cases["member"] == rivera.pk  # from the event's detail
    assert cases["response"] == rivera.pk  # given by the service
    assert AuditEvent.objects.filter(case_id__isnull=True).count() == 0


# ---- retention -------------------------------------------------------------------

NOW = dt.datetime(2032, 6, 1, 12, tzinfo=dt.UTC)


def test_the_default_retention_is_six_years_by_the_calendar(settings):
    settings.TETHER_AUDIT_RETENTION_YEARS = 6
    assert retention_cutoff(NOW) == dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    leap_day = dt.datetime(2032, 2, 29, tzinfo=dt.UTC)
    assert retention_cutoff(leap_day) == dt.datetime(2026, 2, 28, tzinfo=dt.UTC)


@pytest.fixture
def old_and_new(ames, cole, monkeypatch):
    """Three events of Northside and one of Lakeside written seven years ago,
    then two of Northside today."""
    long_ago = NOW - dt.timedelta(days=7 * 366)
    monkeypatch.setattr(timezone, "now", lambda: long_ago)
    for number in range(3):
        record(ames, "read", "caseload", detail={"n": number})
    record(cole, "read", "caseload")
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    record(ames, "read", "caseload", detail={"n": 3})
    record(ames, "sign-out", "user", ames.pk)


def test_prune_deletes_the_expired_events_and_the_trail_still_verifies(
    old_and_new, northside, lakeside
):
    done = prune(NOW)
    assert {(p.organization, p.events, p.through_sequence) for p in done} == {
        (northside, 3, 3),
        (lakeside, 1, 1),
    }
    left = (
        AuditEvent.objects.filter(organization=northside)
        .exclude(action="prune")
        .order_by("sequence")
    )
    assert list(left.values_list("sequence", flat=True)) == [4, 5]
    head = AuditChain.objects.get(organization=northside)
    assert (head.pruned_through, head.pruned_hash) == (3, left[0].previous_hash)
    assert all(not found for found in chain.verify().values())


def test_each_pruning_is_itself_an_audit_event(old_and_new, northside, lakeside):
    prune(NOW)
    pruned = AuditEvent.objects.filter(action="prune")
    assert {(e.organization, e.detail["events"]) for e in pruned} == {
        (northside, 3),
        (lakeside, 1),
    }


def test_pruning_again_deletes_nothing_more(old_and_new):
    prune(NOW)
    assert prune(NOW) == []


def test_a_chain_that_does_not_verify_is_not_pruned(old_and_new, northside):
    from django.db import connection

    first = AuditEvent.objects.filter(organization=northside).order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE care_auditevent SET action = 'sign-in' WHERE id = %s", [first.pk]
        )
    with pytest.raises(ChainBroken, match=f"row {first.pk}: changed"):
        prune(NOW)
    assert AuditEvent.objects.filter(pk=first.pk).exists()
