"""Data migrations fill what older rows lack."""

import importlib

from django.apps import apps

from tether.care import services
from tether.care.models import Response

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
