"""Acknowledging or resolving an alert offers one optional tap — useful, not
useful, wrong — kept with the alert and audited (issue #15 item 6;
docs/reports.md §Alert feedback)."""

import html

import pytest
from tests.visible import visible_text

from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.models import Signal


@pytest.fixture
def low_alliance(ames, leo, first_session, rivera):
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    return rivera.signals.get()


def test_the_case_page_offers_the_three_taps_with_each_open_alert(
    sign_in, ames, rivera, low_alliance
):
    page = sign_in(ames).get(f"/cases/{rivera.pk}/").content.decode()
    for value, words in (
        ("useful", "Useful"),
        ("not-useful", "Not useful"),
        ("wrong", "Wrong"),
    ):
        assert f'id="feedback-{low_alliance.pk}-{value}" name="feedback"' in page
        assert f'value="{value}"> {words}</label>' in page
    assert "Was this alert useful?" in page


def test_a_tap_with_the_acknowledgement_is_kept_audited_and_shown(
    sign_in, ames, rivera, low_alliance
):
    client = sign_in(ames)
    client.post(
        f"/alerts/{low_alliance.pk}/acknowledge/",
        {"note": "", "action": "acknowledge", "feedback": "useful"},
    )
    low_alliance.refresh_from_db()
    assert (low_alliance.status, low_alliance.feedback) == ("acknowledged", "useful")
    assert low_alliance.feedback_at == low_alliance.acknowledged_at
    event = AuditEvent.objects.get(action="acknowledge", object_id=low_alliance.pk)
    assert event.detail == {"feedback": "useful"}
    page = visible_text(client.get(f"/cases/{rivera.pk}/").content.decode())
    assert "acknowledged by Ames, " in page
    assert "· marked useful" in page


def test_without_a_tap_the_alert_is_acknowledged_and_no_feedback_kept(
    sign_in, ames, low_alliance
):
    sign_in(ames).post(
        f"/alerts/{low_alliance.pk}/acknowledge/", {"note": "", "action": "resolve"}
    )
    low_alliance.refresh_from_db()
    assert (low_alliance.status, low_alliance.feedback) == ("resolved", "")
    assert low_alliance.feedback_at is None
    event = AuditEvent.objects.get(action="resolve", object_id=low_alliance.pk)
    assert "feedback" not in event.detail


def test_a_tap_that_is_not_one_of_the_three_is_refused_and_nothing_changes(
    sign_in, ames, low_alliance
):
    response = sign_in(ames).post(
        f"/alerts/{low_alliance.pk}/acknowledge/",
        {"note": "", "action": "acknowledge", "feedback": "brilliant"},
    )
    assert response.status_code == 200
    assert (
        "Say whether the alert was useful, not useful or wrong, or leave it."
        in html.unescape(response.content.decode())
    )
    low_alliance.refresh_from_db()
    assert (low_alliance.status, low_alliance.feedback) == ("open", "")


def test_the_service_refuses_an_unknown_tap_naming_the_field(ames, low_alliance):
    with pytest.raises(services.InvalidEntry) as refused:
        services.acknowledge_signal(ames, low_alliance.pk, feedback="meh")
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("feedback", "not-a-choice")
    ]
    assert Signal.objects.get(pk=low_alliance.pk).status == "open"


def test_a_supervisor_cannot_give_feedback_on_an_alert(sign_in, sam, low_alliance):
    response = sign_in(sam).post(
        f"/alerts/{low_alliance.pk}/acknowledge/",
        {"note": "", "action": "acknowledge", "feedback": "wrong"},
    )
    assert response.status_code == 403
    assert Signal.objects.get(pk=low_alliance.pk).feedback == ""
