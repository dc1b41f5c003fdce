"""The portal's background work: an expired link's unsent answers are kept at
the moment it expires, and the risk email goes out after the member's page
has returned (portal/tasks.py)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from tether.care.models import Response
from tether.portal import services, tasks
from tether.portal.models import Invitation


@pytest.fixture
def dummy_backend(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend


def test_issuing_a_link_queues_its_settling_for_the_moment_it_expires(
    ames, first_session, leo, dummy_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = services.issue_invitation(
            ames, first_session.pk, leo.pk, ["phq-9"]
        )
    (queued,) = dummy_backend.results
    assert queued.task.name == "settle_expired_link"
    assert queued.task.run_after == invitation.expires_at
    assert queued.args == [invitation.pk]


def test_an_expired_links_unsent_answers_are_kept_as_incomplete_on_time(
    ames, first_session, leo, rivera
):
    invitation, _ = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    services.save_answer(invitation, "phq-9", "9", 2)
    assert tasks.settle_expired_link.call(invitation.pk) == 0  # not expired yet
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert tasks.settle_expired_link.call(invitation.pk) == 1
    response = Response.objects.get(session=first_session, member=leo)
    assert response.status == Response.Status.INCOMPLETE
    assert response.risk_endorsed
    assert rivera.signals.get(kind="risk-item").severity == "red"
    assert tasks.settle_expired_link.call(invitation.pk) == 0  # idempotent


def test_the_risk_email_is_queued_for_after_the_answer_is_stored(
    ames, first_session, leo, dummy_backend, django_capture_on_commit_callbacks
):
    invitation, _ = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    dummy_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_answer(invitation, "phq-9", "9", 3)
    assert mail.outbox == []
    (queued,) = dummy_backend.results
    assert queued.task.name == "email_risk_alert"
    # One email to each of the case's two clinicians, naming nothing.
    assert tasks.email_risk_alert.call(*queued.args) == 2
    assert len(mail.outbox) == 2


def test_a_risk_email_that_cannot_be_sent_lets_the_next_risk_answer_try_again(
    ames, first_session, leo, settings
):
    settings.EMAIL_BACKEND = "tests.portal.failing_mail.Backend"
    invitation, _ = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    invitation.risk_notified_at = timezone.now()
    invitation.save(update_fields=["risk_notified_at"])
    # The immediate backend cannot defer a retry: the last attempt gives up.
    assert tasks.email_risk_alert.call(invitation.pk, first_session.case_id, 3) == 0
    invitation.refresh_from_db()
    assert invitation.risk_notified_at is None
