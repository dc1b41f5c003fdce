"""The case's signal recompute runs after commit, once per burst of answers
(care/recompute.py); the risk alert never waits for it."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tether.care import recompute, services
from tether.care.frames import library
from tether.care.models import Case, Signal
from tether.care.responses import store_response


@pytest.fixture
def queued(settings, monkeypatch):
    """The real after-commit path, with a backend that only records what is
    queued (the worker is not running)."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    monkeypatch.setattr(
        recompute, "after_commit", lambda work: transaction.on_commit(work)
    )
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend


def sessions_of_leo(ames, rivera, leo, values):
    for number, value in enumerate(values, start=1):
        session = services.start_session(
            ames, rivera.pk, dt.date(2026, 11, number), [leo.pk]
        )
        services.enter_paper_response(
            ames, session.pk, "tac", leo.pk, totals={"self": value}
        )
    return session


def test_ten_answers_arriving_together_queue_one_recompute_after_commit(
    ames, rivera, maria, leo, queued, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        sessions_of_leo(ames, rivera, leo, [3.5] * 10)
        assert queued.results == []  # nothing before commit
    assert len(callbacks) == 1
    assert [r.task.name for r in queued.results] == ["recompute_case"]
    assert queued.results[0].args == [rivera.pk]


def test_the_queued_recompute_stores_the_alerts_and_clears_the_mark(
    ames, rivera, maria, leo, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sessions_of_leo(ames, rivera, leo, [3.5, 3.5, 3.4, 1.0])
    assert not rivera.signals.filter(kind="rupture").exists()
    assert Case.objects.get(pk=rivera.pk).signals_stale_since is not None
    assert recompute.run_recompute(rivera.pk) is True
    assert rivera.signals.get(kind="rupture").session_number == 4
    assert Case.objects.get(pk=rivera.pk).signals_stale_since is None
    assert recompute.run_recompute(rivera.pk) is False  # idempotent


def test_a_risk_answer_alerts_in_the_same_transaction_without_the_recompute(
    ames, rivera, leo, first_session, queued, django_capture_on_commit_callbacks
):
    answers = {str(n): 0 for n in range(1, 10)} | {"9": 2}
    with django_capture_on_commit_callbacks(execute=False):
        stored = store_response(
            session=first_session,
            member=leo,
            respondent="member",
            definition=library().get("phq-9"),
            source="paper",
            answers=answers,
            actor=ames,
        )
        risk = rivera.signals.get(kind="risk-item")
    assert stored.risk
    assert stored.response.risk_endorsed
    assert (risk.severity, risk.status) == ("red", Signal.Status.OPEN)


def test_a_recompute_that_newer_answers_overtook_computes_again(
    ames, rivera, maria, leo, queued, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        sessions_of_leo(ames, rivera, leo, [3.5, 3.5, 3.4, 1.0])
    computed = []
    real = recompute.case_signals

    def overtaken(case):
        computed.append(case.pk)
        if len(computed) == 1:  # an answer arrives while the first run computes
            Case.objects.filter(pk=case.pk).update(signals_stale_since=timezone.now())
        return real(case)

    monkeypatch.setattr(recompute, "case_signals", overtaken)
    assert recompute.run_recompute(rivera.pk) is True
    assert computed == [rivera.pk, rivera.pk]
    assert rivera.signals.filter(kind="rupture").exists()


def test_opening_a_case_runs_an_overdue_recompute(
    ames, rivera, maria, leo, queued, django_capture_on_commit_callbacks, sign_in
):
    with django_capture_on_commit_callbacks(execute=True):
        sessions_of_leo(ames, rivera, leo, [3.5, 3.5, 3.4, 1.0])
    page = sign_in(ames).get(f"/cases/{rivera.pk}/")
    assert "Alerts are being updated" in page.content.decode()
    assert not rivera.signals.filter(kind="rupture").exists()  # not overdue yet
    overdue = timezone.now() - recompute.OVERDUE - dt.timedelta(seconds=1)
    Case.objects.filter(pk=rivera.pk).update(signals_stale_since=overdue)
    page = sign_in(ames).get(f"/cases/{rivera.pk}/")
    assert "Alerts are being updated" not in page.content.decode()
    assert rivera.signals.filter(kind="rupture").exists()


def test_a_worker_starting_queues_every_stale_case(
    ames, rivera, maria, leo, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        sessions_of_leo(ames, rivera, leo, [3.5])
    assert recompute.requeue_stale() == 1
    assert [r.args for r in queued.results] == [[rivera.pk]]
