"""The clinic's default measure plan (issue #11 item 17): every case without a
plan of its own follows it; administrators choose it, starting from Tether's
default; a case that makes the plan its own copies it and keeps its copy."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from tests.conftest import make_user
from tests.visible import visible_text

from tether.accounts.models import Role
from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.models import MeasurePlan
from tether.care.plan import clinic_plan, plan_by_person, session_plan, therapist_plan


@pytest.fixture
def chen(northside):
    return make_user(northside, "chen", Role.CLINICIAN, Role.ADMIN)


def instruments(plans):
    return [plan.instrument for plan in plans]


def test_a_clinic_without_a_plan_of_its_own_follows_tethers_default(northside):
    rows = clinic_plan(northside.pk)
    assert instruments(rows) == ["tac", "tac-child", "pcl-5"]
    assert all(row.pk is None for row in rows)  # nothing saved


def test_the_clinics_first_row_starts_from_tethers_default(ada, northside):
    services.add_to_clinic_plan(ada, "gad-7", ["caregiver"], "monthly")
    saved = MeasurePlan.objects.filter(organization=northside, case__isnull=True)
    assert sorted(saved.values_list("instrument", flat=True)) == [
        "gad-7",
        "pcl-5",
        "tac",
        "tac-child",
    ]
    northside.refresh_from_db()
    assert northside.measure_plan_reviewed_at is not None


def test_a_case_without_its_own_plan_asks_what_the_clinic_chose(
    ada, rivera, first_session, maria, leo
):
    services.add_to_clinic_plan(ada, "gad-7", ["caregiver"])
    services.add_to_clinic_plan(ada, "tac-t", ["therapist"])
    asked = session_plan(first_session)
    assert "gad-7@1.0" in asked[str(maria.pk)]
    assert not any(key.startswith("gad-7") for key in asked[str(leo.pk)])
    assert [k.split("@")[0] for k in therapist_plan(first_session)] == ["tac-t"]
    maria_row = next(p for p in plan_by_person(rivera) if p.who == "Maria")
    assert ("GAD-7", "every session") in maria_row.answers


def test_removing_the_clinics_last_row_brings_back_tethers_default(ada, northside):
    services.add_to_clinic_plan(ada, "gad-7", ["caregiver"])
    for plan in MeasurePlan.objects.filter(organization=northside, case__isnull=True):
        services.remove_from_clinic_plan(ada, plan.pk)
    assert instruments(clinic_plan(northside.pk)) == ["tac", "tac-child", "pcl-5"]
    removed = AuditEvent.objects.filter(action="delete", object_type="measure-plan")
    assert removed.count() == 4


def test_a_case_that_makes_the_plan_its_own_keeps_its_copy(ada, ames, rivera):
    services.add_to_clinic_plan(ada, "gad-7", ["caregiver"])
    services.adopt_default_plan(ames, rivera.pk)
    gad = MeasurePlan.objects.get(
        organization=rivera.organization_id, case=None, instrument="gad-7"
    )
    services.remove_from_clinic_plan(ada, gad.pk)
    own = instruments(rivera.measure_plans.order_by("pk"))
    assert own == ["tac", "tac-child", "pcl-5", "gad-7"]


def test_a_case_with_its_own_plan_ignores_the_clinics(
    ada, ames, rivera, first_session, maria
):
    services.add_to_plan(ames, rivera.pk, "phq-9", ["caregiver"])
    services.add_to_clinic_plan(ada, "gad-7", ["caregiver"])
    asked = session_plan(first_session)[str(maria.pk)]
    assert "phq-9@1.0" in asked
    assert not any(key.startswith("gad-7") for key in asked)


def test_only_an_administrator_changes_the_clinics_plan(ames, sam):
    for person in (ames, sam):
        with pytest.raises(PermissionDenied):
            services.add_to_clinic_plan(person, "gad-7", ["caregiver"])
        with pytest.raises(PermissionDenied):
            services.confirm_clinic_plan(person)
    assert not MeasurePlan.objects.filter(case__isnull=True).exists()


def test_another_clinics_row_cannot_be_removed(ada, cole, lakeside):
    plan = services.add_to_clinic_plan(ada, "gad-7", ["caregiver"])
    lakeside_admin = make_user(lakeside, "lee", Role.ADMIN)
    with pytest.raises(services.InvalidEntry, match="no longer in the plan"):
        services.remove_from_clinic_plan(lakeside_admin, plan.pk)
    assert MeasurePlan.objects.filter(pk=plan.pk).exists()


def test_the_plan_page_lists_names_and_adds_a_row(sign_in, ada):
    client = sign_in(ada)
    url = reverse("clinic-plan")
    page = visible_text(client.get(url))
    assert "This is Tether's default." in page
    assert "TAC-C" in page
    assert "tac-child" not in page  # names, never ids
    response = client.post(
        url, {"instrument": "phq-9", "roles": ["caregiver"], "cadence": "every_n"}
    )
    assert "Say every how many sessions" in visible_text(response)
    client.post(
        url,
        {
            "instrument": "phq-9",
            "roles": ["caregiver"],
            "cadence": "every_n",
            "every_n": "4",
        },
    )
    page = visible_text(client.get(url))
    assert "PHQ-9" in page
    assert "every 4 sessions (sessions 1, 5, …)" in page
    assert "This is Tether's default." not in page


def test_confirming_the_plan_ticks_the_checklist(sign_in, chen, northside):
    client = sign_in(chen)
    assert "Choose the default measure plan" in visible_text(
        client.get("/clinic/plan/")
    )
    client.post(reverse("clinic-plan-confirm"))
    northside.refresh_from_db()
    assert northside.measure_plan_reviewed_at is not None
    assert AuditEvent.objects.filter(
        action="confirm", object_type="measure-plan"
    ).exists()


def test_the_case_plan_page_lists_the_plan_the_case_follows(sign_in, ada, ames, rivera):
    services.add_to_clinic_plan(ada, "gad-7", ["caregiver"])
    page = visible_text(sign_in(ames).get(reverse("case-plan", args=[rivera.pk])))
    assert "This case follows the clinic's default plan:" in page
    assert "GAD-7" in page
    services.adopt_default_plan(ames, rivera.pk)
    page = visible_text(sign_in(ames).get(reverse("case-plan", args=[rivera.pk])))
    assert "Remove GAD-7" in page  # the case's own rows, each removable


def test_a_questionnaire_without_its_licensed_text_is_said_not_to_be_sent(sign_in, ada):
    services.add_to_clinic_plan(ada, "wai-sr", ["caregiver"])
    page = visible_text(sign_in(ada).get(reverse("clinic-plan")))
    assert "WAI-SR" in page
    assert "Not sent until its licensed text is loaded." in page
