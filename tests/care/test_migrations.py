"""Data migrations fill what older rows lack."""

import importlib

from django.apps import apps

from tether.care import services
from tether.care.models import Response, Signal

risk_results = importlib.import_module(
    "tether.care.migrations.0005_recompute_queue_and_risk_result"
)


def test_responses_stored_before_the_risk_result_get_it_from_their_rows(
    ames, first_session, leo, maria
):
    answers = {str(n): 0 for n in range(1, 10)}
    endorsed = services.enter_paper_response(
        ames, first_session.pk, "phq-9", leo.pk, answers=answers | {"9": 1}
    )
    below = services.enter_paper_response(
        ames, first_session.pk, "phq-9", maria.pk, answers=answers
    )
    Response.objects.update(risk_endorsed=False)  # as stored before 0005
    risk_results.store_risk_results(apps, None)
    assert Response.objects.get(pk=endorsed.pk).risk_endorsed
    assert not Response.objects.get(pk=below.pk).risk_endorsed


noted_alerts = importlib.import_module("tether.care.migrations.0007_alerts_noted")


def test_open_good_news_stored_before_noted_alerts_becomes_noted(rivera, leo):
    def alert(kind, severity, status="open"):
        return Signal.objects.create(
            organization=rivera.organization,
            case=rivera,
            kind=kind,
            severity=severity,
            subject=f"member:{leo.pk}",
            session_number=Signal.objects.count() + 1,
            status=status,
        )

    recovery = alert("recovery", "green")
    possible = alert("possible-change", "info")
    closed = alert("reliable-improvement", "green", status="acknowledged")
    rupture = alert("rupture", "red")
    discrepancy = alert("therapist-discrepancy", "info")
    noted_alerts.note_no_action_alerts(apps, None)
    status = dict(Signal.objects.values_list("pk", "status"))
    assert status[recovery.pk] == status[possible.pk] == "noted"
    assert status[closed.pk] == "acknowledged"
    assert status[rupture.pk] == status[discrepancy.pk] == "open"
