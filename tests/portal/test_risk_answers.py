"""A risk answer is never missed on any path (issue "Safety first", items 1,
3, 4): it alerts the moment it is saved, one email per link, the alert stays
when the answer changes, and unsent answers are kept as incomplete responses
that feed the risk rule and nothing else."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from tests.visible import visible_text

from tether.audit.models import AuditEvent
from tether.care import services as care
from tether.care.frames import score_frame
from tether.care.models import Response, Score, Signal
from tether.portal import services

PHQ9_ZEROS = {str(i): 0 for i in range(1, 10)}


@pytest.fixture
def leo_phq9(ames, first_session, leo):
    return services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])


def risk_alerts(case):
    return list(case.signals.filter(kind="risk-item"))


# ---- 1. at the moment it is saved --------------------------------------------------


def test_an_autosaved_item_9_is_a_red_alert_at_once_without_sending(
    leo_phq9, rivera, leo, django_capture_on_commit_callbacks
):
    invitation, _ = leo_phq9
    with django_capture_on_commit_callbacks(execute=True):
        services.save_answer(invitation, "phq-9", "9", 3)
    [alert] = risk_alerts(rivera)
    assert (alert.severity, alert.status, alert.subject) == (
        "red",
        "open",
        f"member:{leo.pk}",
    )
    assert alert.evidence["value"] == 3
    response = Response.objects.get(member=leo)
    assert response.status == Response.Status.IN_PROGRESS
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ames@northside.example",
        "baker@northside.example",
    ]


def test_saving_the_risk_answer_again_sends_no_more_email(
    leo_phq9, django_capture_on_commit_callbacks
):
    invitation, _ = leo_phq9
    with django_capture_on_commit_callbacks(execute=True):
        for value in (3, 2, 3, 1):
            services.save_answer(invitation, "phq-9", "9", value)
        for item, value in PHQ9_ZEROS.items():
            if item != "9":
                services.save_answer(invitation, "phq-9", item, value)
        services.submit(invitation, "phq-9")
    assert len(mail.outbox) == 2  # one each for Dr. Ames and Dr. Baker
    assert AuditEvent.objects.filter(action="alert-email").count() == 1


def test_a_risk_answer_changed_to_0_leaves_the_alert_open(
    leo_phq9, rivera, django_capture_on_commit_callbacks
):
    invitation, _ = leo_phq9
    services.save_answer(invitation, "phq-9", "9", 2)
    for item, value in PHQ9_ZEROS.items():
        services.save_answer(invitation, "phq-9", item, value)
    result = services.submit(invitation, "phq-9")
    assert not result.risk
    assert Score.objects.get(scale="item:9").value == 0
    [alert] = risk_alerts(rivera)
    assert alert.status == Signal.Status.OPEN
    care.recompute_case_signals(rivera)
    alert.refresh_from_db()
    assert alert.status == Signal.Status.OPEN
    assert "Resolved automatically" not in alert.note


def test_an_answer_below_the_trigger_raises_nothing(leo_phq9, rivera):
    invitation, _ = leo_phq9
    services.save_answer(invitation, "phq-9", "9", 0)
    assert risk_alerts(rivera) == []
    assert mail.outbox == []


def test_the_next_screen_after_a_risk_answer_is_the_support_page(
    ames, first_session, leo
):
    _, token = services.issue_invitation(ames, first_session.pk, leo.pk, ["pcl-5"])
    browser = Client()
    browser.post(reverse("portal-start", args=[token]), {"mode": "one"})
    item_16 = reverse("portal-item", args=[token, "pcl-5", 16])
    onwards = browser.post(item_16, {"item-16": "2"})
    assert onwards["Location"] == reverse("portal-support", args=[token])
    support = browser.get(onwards["Location"]).content.decode()
    assert "988" in support
    assert reverse("portal-item", args=[token, "pcl-5", 1]) in support
    # Once shown, the support page does not come back for the same answer.
    again = browser.post(item_16, {"item-16": "2"})
    assert again["Location"] == reverse("portal-item", args=[token, "pcl-5", 17])


# ---- 1. unsent answers are kept as incomplete ---------------------------------------


def test_an_expired_link_with_a_saved_risk_answer_keeps_it_as_incomplete(
    leo_phq9, rivera, leo, sign_in, ames
):
    invitation, _ = leo_phq9
    services.save_answer(invitation, "phq-9", "1", 2)
    services.save_answer(invitation, "phq-9", "9", 3)
    with time_machine.travel(dt.timedelta(days=4)):
        assert sign_in(ames).get(f"/cases/{rivera.pk}/").status_code == 200
        response = Response.objects.get(member=leo)
        assert response.status == Response.Status.INCOMPLETE
        assert response.answers == {"1": 2, "9": 3}
        [alert] = risk_alerts(rivera)
        assert alert.status == Signal.Status.OPEN
        assert AuditEvent.objects.filter(
            action="incomplete", object_id=str(response.pk)
        ).exists()


def test_a_revoked_link_keeps_its_unsent_answers_as_incomplete(leo_phq9, ames, leo):
    invitation, _ = leo_phq9
    services.save_answer(invitation, "phq-9", "3", 1)
    services.revoke_invitation(ames, invitation.pk)
    response = Response.objects.get(member=leo)
    assert (response.status, response.answers) == (
        Response.Status.INCOMPLETE,
        {"3": 1},
    )


def test_a_new_link_starts_afresh_and_never_shows_the_earlier_answers(
    leo_phq9, ames, first_session, leo
):
    invitation, _ = leo_phq9
    services.save_answer(invitation, "phq-9", "1", 3)
    services.revoke_invitation(ames, invitation.pk)
    _, token = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    browser = Client()
    welcome = browser.get(reverse("portal-start", args=[token])).content.decode()
    assert "Welcome back" not in welcome
    browser.post(reverse("portal-start", args=[token]), {"mode": "all"})
    page = browser.get(reverse("portal-page", args=[token, "phq-9"])).content
    assert b"checked" not in page


def test_incomplete_answers_feed_the_risk_rule_and_no_other(
    leo_phq9, ames, rivera, leo
):
    invitation, _ = leo_phq9
    for item, value in {"1": 3, "2": 3, "3": 3, "9": 1}.items():
        services.save_answer(invitation, "phq-9", item, value)
    services.revoke_invitation(ames, invitation.pk)
    frame = score_frame([rivera.pk])
    # Only the risk item reaches the score table: no total, so no outcome rule.
    assert sorted(frame["scale"]) == ["item:9"]
    care.recompute_case_signals(rivera)
    assert set(rivera.signals.values_list("kind", flat=True)) == {"risk-item"}


def test_an_unreached_risk_item_of_an_incomplete_response_asks_in_session(
    leo_phq9, ames, rivera, leo
):
    invitation, _ = leo_phq9
    services.save_answer(invitation, "phq-9", "1", 1)
    services.revoke_invitation(ames, invitation.pk)
    [skipped] = rivera.signals.filter(kind="risk-item-skipped")
    assert (skipped.severity, skipped.subject) == ("info", f"member:{leo.pk}")


# ---- 3. a skipped risk item ---------------------------------------------------------


def test_prefer_not_to_answer_on_a_risk_item_asks_in_session(
    ames, first_session, leo, rivera
):
    invitation, _ = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    for item, value in PHQ9_ZEROS.items():
        services.save_answer(invitation, "phq-9", item, None if item == "9" else value)
    services.submit(invitation, "phq-9")
    [skipped] = rivera.signals.filter(kind="risk-item-skipped")
    assert skipped.severity == "info"
    assert skipped.evidence["item"] == "9"
    assert risk_alerts(rivera) == []


# ---- found in review: progress, reopening, retries ----------------------------------


def test_opening_the_case_leaves_a_new_links_progress_alone_after_an_old_one_expired(
    leo_phq9, ames, first_session, leo, rivera
):
    old, _ = leo_phq9
    services.save_answer(old, "phq-9", "1", 2)
    with time_machine.travel(dt.timedelta(days=4)):
        new, _ = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
        services.save_answer(new, "phq-9", "1", 1)
        services.save_answer(new, "phq-9", "2", 1)
        for _ in range(2):
            care.catch_up(rivera)
        current = Response.objects.get(member=leo, status=Response.Status.IN_PROGRESS)
        assert current.answers == {"1": 1, "2": 1}
        earlier = Response.objects.get(member=leo, status=Response.Status.INCOMPLETE)
        assert earlier.answers == {"1": 2}
        assert rivera.signals.filter(kind="risk-item-skipped").count() == 1


def test_a_closed_risk_alert_reopens_when_the_answer_rises(leo_phq9, ames, rivera):
    invitation, _ = leo_phq9
    services.save_answer(invitation, "phq-9", "9", 1)
    [alert] = risk_alerts(rivera)
    care.acknowledge_signal(ames, alert.pk, "Called; safety plan made.", resolve=True)
    services.save_answer(invitation, "phq-9", "9", 3)
    alert.refresh_from_db()
    assert alert.status == Signal.Status.OPEN
    assert alert.evidence["value"] == 3
    assert "Raised again: the answer is now 3." in alert.note
    assert "Called; safety plan made." in alert.note


def test_a_new_link_endorsing_again_in_the_same_session_reopens_the_alert(
    leo_phq9, ames, first_session, leo, rivera, django_capture_on_commit_callbacks
):
    invitation, _ = leo_phq9
    with django_capture_on_commit_callbacks(execute=True):
        services.save_answer(invitation, "phq-9", "9", 2)
    [alert] = risk_alerts(rivera)
    care.acknowledge_signal(ames, alert.pk, "Seen.", resolve=True)
    services.revoke_invitation(ames, invitation.pk)
    again, _ = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    with django_capture_on_commit_callbacks(execute=True):
        services.save_answer(again, "phq-9", "9", 2)
    alert.refresh_from_db()
    assert alert.status == Signal.Status.OPEN
    assert "Raised again" in alert.note
    assert len(mail.outbox) == 4  # two clinicians, once per link


def test_a_failed_risk_email_is_sent_at_the_links_next_risk_answer(
    leo_phq9, settings, django_capture_on_commit_callbacks
):
    invitation, _ = leo_phq9
    settings.EMAIL_BACKEND = "tests.portal.failing_mail.Backend"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_answer(invitation, "phq-9", "9", 2)
    invitation.refresh_from_db()
    assert invitation.risk_notified_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_answer(invitation, "phq-9", "9", 3)
    assert len(mail.outbox) == 2
    invitation.refresh_from_db()
    assert invitation.risk_notified_at is not None


def test_a_skip_note_is_resolved_once_the_item_is_answered(
    ames, first_session, leo, rivera
):
    answers = {str(i): 1 for i in range(1, 9)}
    care.enter_paper_response(ames, first_session.pk, "phq-9", leo.pk, answers=answers)
    [skipped] = rivera.signals.filter(kind="risk-item-skipped")
    care.enter_paper_response(
        ames, first_session.pk, "phq-9", leo.pk, answers=answers | {"9": 0}
    )
    skipped.refresh_from_db()
    assert skipped.status == Signal.Status.RESOLVED


def test_paper_entry_keeps_an_open_links_unsent_answers_and_the_link_ends_calmly(
    leo_phq9, ames, first_session, leo
):
    invitation, token = leo_phq9
    services.save_answer(invitation, "phq-9", "1", 3)
    care.enter_paper_response(
        ames, first_session.pk, "phq-9", leo.pk, totals={"total": 7}, answers={"9": 0}
    )
    kept = Response.objects.get(member=leo, status=Response.Status.INCOMPLETE)
    assert kept.answers == {"1": 3}
    browser = Client()
    end = browser.get(reverse("portal-done", args=[token]))
    assert end.status_code == 200
    assert "Thank you" in end.content.decode()


def test_the_session_page_lists_an_incomplete_response_by_its_name(
    leo_phq9, ames, first_session, sign_in
):
    invitation, _ = leo_phq9
    services.save_answer(invitation, "phq-9", "1", 1)
    services.revoke_invitation(ames, invitation.pk)
    page = sign_in(ames).get(f"/sessions/{first_session.pk}/").content.decode()
    assert '<th scope="row">PHQ-9</th>' in page
    listed = page.split("Questionnaires this session")[1].split("</table>")[0]
    assert "phq-9@1.0" not in visible_text(listed)
    assert (
        "Incomplete <small>(never sent; its risk answers still count)</small>" in page
    )


def test_the_highest_risk_answer_of_a_person_session_and_questionnaire_counts(
    leo_phq9, ames, first_session, leo, rivera
):
    """An incomplete response with item 9 = 3 beside a sent one with item 9 = 0:
    one `item:9` row reaches the risk rule, the 3."""
    invitation, _ = leo_phq9
    services.save_answer(invitation, "phq-9", "9", 3)
    services.revoke_invitation(ames, invitation.pk)
    again, _ = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    for item, value in PHQ9_ZEROS.items():
        services.save_answer(again, "phq-9", item, value)
    services.submit(again, "phq-9")
    rows = score_frame([rivera.pk])
    item_9 = rows[rows["scale"] == "item:9"]
    assert item_9["score"].tolist() == [3.0]
    assert rows[rows["scale"] == "total"]["score"].tolist() == [0.0]
