"""The portal's background work (django-tasks; `tether worker` runs it): the
risk email after a risk answer, and an expired link's unsent answers kept as
incomplete at the moment it expires. Each task is idempotent: run twice, or
late, it does what is still to do and nothing more."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from tether.care.models import Response

from .models import Invitation

log = logging.getLogger(__name__)

RETRIES = 3
"""Attempts at a risk email before it waits for the link's next risk answer."""
RETRY_AFTER = dt.timedelta(minutes=2)


@task()
def email_risk_alert(invitation_id: int | None, case_id: int, attempt: int = 1) -> int:
    """Tell the case's clinicians that a questionnaire needs them today; on
    failure try again later (where the backend can defer), and after the
    last attempt let the link's next risk answer try again (no link: a
    questionnaire sent whole through the API)."""
    from .services import alert_clinicians

    try:
        return alert_clinicians(case_id)
    except Exception:
        log.exception("Risk alert email for case %s could not be sent", case_id)
        if attempt < RETRIES and default_task_backend.supports_defer:
            email_risk_alert.using(run_after=timezone.now() + RETRY_AFTER).enqueue(
                invitation_id, case_id, attempt + 1
            )
        else:
            Invitation.objects.filter(pk=invitation_id).update(risk_notified_at=None)
        return 0


@task()
def settle_expired_link(invitation_id: int) -> int:
    """At a link's expiry, keep its unsent answers as incomplete responses
    (they feed the risk rule). Nothing to do if it has not expired yet or has
    nothing unsent; returns how many responses were kept."""
    from .services import keep_unsent

    invitation = (
        Invitation.objects.select_related("session").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_expired(timezone.now()):
        return 0
    unsent = Response.objects.filter(
        session_id=invitation.session_id,
        member=invitation.member,
        respondent=invitation.respondent,
        instrument__in=invitation.instruments,
        status=Response.Status.IN_PROGRESS,
    )
    with transaction.atomic():
        return keep_unsent(unsent, reason="link expired")


def settle_at_expiry(invitation: Invitation) -> None:
    """Queue `settle_expired_link` for the moment the link expires, where the
    backend can defer (the database worker); elsewhere the case page's
    catch-up settles it when the case is next opened."""
    if default_task_backend.supports_defer:
        settle_expired_link.using(run_after=invitation.expires_at).enqueue(
            invitation.pk
        )
