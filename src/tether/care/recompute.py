"""The case's full signal recompute, after commit and coalesced per case.

A stored response marks its case stale (`Case.signals_stale_since`, in the
same transaction) and, when the case was not stale yet, queues one
`recompute_case` task to run after commit: ten answers arriving together queue
one recompute, which reads them all. The risk alert of a response does not wait
for it: `responses.store_response` raises it in the transaction itself.

The task is idempotent: it does nothing when the case is no longer stale, and
stores what it computed only if no newer answer arrived meanwhile (else it
computes again), so a slower run never overwrites a newer one. A case page
opened while a recompute is overdue runs it there (`catch_up_overdue`): with
no worker running, alerts are still never older than the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from tether.accounts.models import Organization

from .alerts import case_signals, refit_organization, store_signals
from .models import Case

OVERDUE = dt.timedelta(minutes=1)
"""A recompute still pending this long after the answers arrived is run when
the case is next opened (the worker is down or far behind)."""


def request_recompute(case_id: int) -> None:
    """Mark the case stale and queue its recompute after commit, unless one is
    already queued. Call inside the transaction that stored the answers, with
    the case row locked."""
    now = timezone.now()
    cases = Case.objects.filter(pk=case_id)
    if cases.filter(signals_stale_since__isnull=True).update(signals_stale_since=now):
        after_commit(partial(queue_recompute, case_id))
    else:
        cases.update(signals_stale_since=now)


def after_commit(work: Callable[[], object]) -> None:
    """Run `work` once the current transaction commits (the test suite runs it
    at once instead: its tests never commit)."""
    transaction.on_commit(work, robust=True)


def queue_recompute(case_id: int) -> None:
    recompute_case.enqueue(case_id)


@task()
def recompute_case(case_id: int) -> bool:
    """The queued task: see `run_recompute`."""
    return run_recompute(case_id)


def run_recompute(case_id: int) -> bool:
    """Recompute and store the case's signals while it is stale; True if this
    call stored them. Computing happens outside the case lock, so members
    sending meanwhile are not held up; if one did, compute again."""
    while True:
        stale = (
            Case.objects.filter(pk=case_id)
            .values_list("signals_stale_since", flat=True)
            .first()
        )
        if stale is None:
            return False
        case = Case.objects.select_related("organization").get(pk=case_id)
        fresh = case_signals(case)
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case_id)
            if locked.signals_stale_since != stale:
                continue
            store_signals(locked, fresh)
            Case.objects.filter(pk=case_id).update(signals_stale_since=None)
            return True


def catch_up_overdue(case: Case) -> None:
    """Run an overdue recompute now (a case page is being opened)."""
    stale = case.signals_stale_since
    if stale is not None and timezone.now() - stale >= OVERDUE:
        run_recompute(case.pk)
        case.refresh_from_db(fields=["signals_stale_since"])


def requeue_stale() -> int:
    """Queue a recompute for every stale case (a worker starting up: their
    tasks may have been lost with a crash). Returns how many."""
    ids = list(
        Case.objects.filter(signals_stale_since__isnull=False).values_list(
            "pk", flat=True
        )
    )
    for case_id in ids:
        queue_recompute(case_id)
    return len(ids)


# ---- the clinic-wide refit ------------------------------------------------------


def request_refit(organization_id: int) -> None:
    """Queue the clinic-wide refit to run after commit (the clinic's alert
    thresholds changed): its noise, expected-response models and every case's
    alerts, against the new thresholds."""
    after_commit(partial(queue_refit, organization_id))


def queue_refit(organization_id: int) -> None:
    refit_clinic.enqueue(organization_id)


@task()
def refit_clinic(organization_id: int) -> bool:
    """The queued task: `alerts.refit_organization` with the settings stored
    when it runs (a second change meanwhile is read, not lost). False when the
    organization is gone."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return False
    refit_organization(organization)
    return True
