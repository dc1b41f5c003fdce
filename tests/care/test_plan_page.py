"""The measure plan page: who answers which questionnaire and how often, and
the writes that change it (care/plan.py decides; care/services.py writes)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from tests.visible import visible_text

from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.models import MeasurePlan
from tether.care.plan import plan_by_person


def answers(people, who):
    return next(p for p in people if p.who == who).answers


def test_without_a_plan_each_person_gets_the_default_for_their_age(rivera, ames):
    services.add_member(ames, rivera.pk, "Ana", "child", "8-12")
    people = plan_by_person(rivera)
    assert answers(people, "Maria") == [("TAC", "every session")]
    assert answers(people, "Ana") == [("TAC-C", "every session")]
    leo = next(p for p in people if p.who == "Leo")
    assert ("TAC-C", "every session") not in leo.answers  # not for 13-17
    assert not any("TAC-C" in reason for reason in leo.not_sent)


def test_adding_a_monthly_gad7_keeps_the_default_rows_and_lists_it(
    sign_in, ames, rivera
):
    client = sign_in(ames)
    url = reverse("case-plan", args=[rivera.pk])
    response = client.post(
        url, {"instrument": "gad-7", "roles": ["caregiver"], "cadence": "monthly"}
    )
    assert response.status_code == 302
    instruments = set(rivera.measure_plans.values_list("instrument", flat=True))
    assert instruments == {"tac", "tac-child", "pcl-5", "gad-7"}
    page = visible_text(client.get(url).content.decode())
    assert "GAD-7" in page
    assert "monthly (the first session at least four weeks after the last)" in page
    assert "gad-7" not in page  # names, never ids


def test_every_few_sessions_needs_a_number_from_2_to_12(sign_in, ames, rivera):
    client = sign_in(ames)
    url = reverse("case-plan", args=[rivera.pk])
    response = client.post(
        url, {"instrument": "phq-9", "roles": ["caregiver"], "cadence": "every_n"}
    )
    assert response.status_code == 200
    assert "Say every how many sessions" in visible_text(response.content.decode())
    assert not rivera.measure_plans.exists()
    client.post(
        url,
        {
            "instrument": "phq-9",
            "roles": ["caregiver"],
            "cadence": "every_n",
            "every_n": "4",
        },
    )
    plan = rivera.measure_plans.get(instrument="phq-9")
    assert (plan.cadence, plan.every_n) == ("every_n", 4)
    page = visible_text(client.get(url).content.decode())
    assert "every 4 sessions (sessions 1, 5, …)" in page


def test_the_same_questionnaire_twice_is_refused_with_a_reason(ames, rivera):
    services.add_to_plan(ames, rivera.pk, "gad-7", ["caregiver"])
    with pytest.raises(services.InvalidEntry, match="already in the plan"):
        services.add_to_plan(ames, rivera.pk, "gad-7@1.0", ["partner"])
    with pytest.raises(services.InvalidEntry, match="Choose who answers it"):
        services.add_to_plan(ames, rivera.pk, "phq-9", [])


def test_removing_a_row_and_adopting_the_default_are_audited(ames, rivera):
    rows = services.adopt_default_plan(ames, rivera.pk)
    assert len(rows) == 3
    services.remove_from_plan(ames, rivera.pk, rows[0].pk)
    assert rivera.measure_plans.count() == 2
    kinds = list(
        AuditEvent.objects.filter(object_type="measure-plan").values_list(
            "action", flat=True
        )
    )
    assert kinds.count("create") == 3
    assert kinds.count("delete") == 1


def test_a_supervisor_reads_the_plan_but_cannot_change_it(sign_in, sam, ames, rivera):
    page = sign_in(sam).get(reverse("case-plan", args=[rivera.pk]))
    assert page.status_code == 200
    assert "Add to the plan" not in page.content.decode()
    with pytest.raises(PermissionDenied):
        services.add_to_plan(sam, rivera.pk, "gad-7", ["caregiver"])
    assert not MeasurePlan.objects.exists()


def test_the_therapists_own_rating_is_listed_for_the_therapist(ames, rivera):
    services.add_to_plan(ames, rivera.pk, "tac-t", ["therapist"])
    people = plan_by_person(rivera)
    assert answers(people, "The therapist") == [("TAC-T", "every session")]
    assert ("TAC-T", "every session") not in answers(people, "Maria")
