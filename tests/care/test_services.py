"""Writes through the services: validation, scoring, signals, audit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.models import Response, Score, Signal


def tac(**values):
    return {str(i): v for i, v in values.items()}


def test_creating_a_family_case_derives_its_subsystems(rivera):
    names = {
        s.name: [m.first_name for m in s.members.all()] for s in rivera.subsystems.all()
    }
    assert names == {"caregivers": ["Maria"], "children": ["Leo"]}


def test_a_paper_pcl5_is_scored_and_stored_with_its_clusters(ames, first_session, leo):
    answers = {str(i): 2 for i in range(1, 21)}
    response = services.enter_paper_response(
        ames, first_session.pk, "pcl-5", leo.pk, answers=answers
    )
    assert response.status == Response.Status.PAPER
    scores = dict(Score.objects.filter(response=response).values_list("scale", "value"))
    assert scores["total"] == 40
    assert scores["cluster-b"] == 10
    assert scores["item:16"] == 2


def test_a_bad_answer_names_the_item_and_saves_nothing(ames, first_session, leo):
    answers = {str(i): 2 for i in range(1, 21)} | {"4": 7}
    with pytest.raises(services.InvalidEntry) as caught:
        services.enter_paper_response(
            ames, first_session.pk, "pcl-5", leo.pk, answers=answers
        )
    [problem] = caught.value.problems
    assert (problem.field, problem.code) == ("item_4", "not-allowed")
    assert problem.message == "Please choose an answer from 0 to 4."
    assert not Response.objects.exists()


def test_totals_from_paper_are_checked_against_the_scale_range(
    ames, first_session, leo
):
    with pytest.raises(services.InvalidEntry) as caught:
        services.enter_paper_response(
            ames, first_session.pk, "srs", leo.pk, totals={"total": 41}
        )
    [problem] = caught.value.problems
    assert (problem.field, problem.code) == ("total_total", "out-of-range")
    assert problem.message == "Please enter a total from 0 to 40."
    response = services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    assert Score.objects.get(response=response).value == 30


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "nan", "-Infinity"])
def test_nan_or_infinity_given_to_the_service_is_refused_and_nothing_is_stored(
    ames, first_session, leo, value
):
    answers = {str(i): 2 for i in range(1, 21)} | {"4": value}
    with pytest.raises(services.InvalidEntry) as caught:
        services.enter_paper_response(
            ames, first_session.pk, "pcl-5", leo.pk, answers=answers
        )
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("item_4", "not-a-number")
    ]
    with pytest.raises(services.InvalidEntry) as caught:
        services.enter_paper_response(
            ames, first_session.pk, "srs", leo.pk, totals={"total": value}
        )
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("total_total", "not-a-number")
    ]
    assert str(caught.value) == "Please enter a total from 0 to 40."
    assert not Response.objects.exists()
    assert not Score.objects.exists()


def test_a_paper_srs_below_36_raises_a_low_alliance_signal_at_once(
    ames, first_session, leo, rivera
):
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    assert list(rivera.signals.values_list("kind", "severity")) == [
        ("low-alliance", "yellow")
    ]


def test_entering_the_same_questionnaire_again_replaces_it(ames, first_session, leo):
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 38}
    )
    assert Response.objects.count() == 1
    assert Score.objects.get().value == 38


def test_a_phq9_item_9_answer_is_a_red_risk_signal(ames, first_session, leo, rivera):
    answers = {str(i): 0 for i in range(1, 10)} | {"9": 1}
    services.enter_paper_response(
        ames, first_session.pk, "phq-9", leo.pk, answers=answers
    )
    signal = rivera.signals.get(kind="risk-item")
    assert (signal.severity, signal.subject) == ("red", f"member:{leo.pk}")


def test_a_rupture_appears_when_the_next_session_drops(ames, rivera, maria, leo):
    for number, value in enumerate([3.5, 3.5, 3.4, 1.0], start=1):
        session = services.start_session(
            ames, rivera.pk, dt.date(2026, 11, number), [leo.pk]
        )
        services.enter_paper_response(
            ames, session.pk, "tac", leo.pk, totals={"self": value}
        )
    rupture = rivera.signals.get(kind="rupture")
    assert rupture.session_number == 4
    assert rupture.state == "pending"


def test_a_repaired_rupture_is_resolved_with_its_repair_recorded(
    ames, rivera, maria, leo
):
    """Repair is good news (issue "Alerts that are right", item 6): the
    rupture is no longer an open red alert once the member is back."""
    for number, value in enumerate([3.5, 3.5, 3.4, 1.0, 3.4], start=1):
        session = services.start_session(
            ames, rivera.pk, dt.date(2026, 11, number), [leo.pk]
        )
        services.enter_paper_response(
            ames, session.pk, "tac", leo.pk, totals={"self": value}
        )
    rupture = rivera.signals.get(kind="rupture")
    assert (rupture.state, rupture.status) == ("repaired", Signal.Status.RESOLVED)
    assert rupture.ended == "repaired at session 5"
    assert "Resolved automatically: repaired at session 5." in rupture.note


def test_an_alert_resolved_as_ended_reopens_when_newer_data_undo_the_end(
    ames, rivera, maria, leo
):
    sessions = []
    for number, value in enumerate([3.5, 3.5, 3.4, 1.0, 3.4], start=1):
        sessions.append(
            services.start_session(ames, rivera.pk, dt.date(2026, 11, number), [leo.pk])
        )
        services.enter_paper_response(
            ames, sessions[-1].pk, "tac", leo.pk, totals={"self": value}
        )
    # The session-5 answer is corrected on paper: Leo was not back after all.
    services.enter_paper_response(
        ames, sessions[-1].pk, "tac", leo.pk, totals={"self": 1.0}
    )
    rupture = rivera.signals.get(kind="rupture")
    assert (rupture.state, rupture.ended) == ("pending", "")
    assert rupture.status == Signal.Status.OPEN
    assert "Reopened: newer data show it has not ended." in rupture.note


def test_acknowledging_keeps_the_note_and_survives_recomputation(
    ames, first_session, leo, rivera
):
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    signal = rivera.signals.get()
    services.acknowledge_signal(ames, signal.pk, "Talked with Leo after the session.")
    services.recompute_case_signals(rivera)
    signal.refresh_from_db()
    assert signal.status == Signal.Status.ACKNOWLEDGED
    assert signal.note == "Talked with Leo after the session."


def test_a_signal_no_longer_triggered_is_resolved_not_deleted(
    ames, first_session, leo, rivera
):
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 39}
    )
    signal = rivera.signals.get()
    assert signal.status == Signal.Status.RESOLVED
    assert "no longer triggered" in signal.note


def test_a_supervisor_cannot_write(sam, rivera):
    with pytest.raises(PermissionDenied):
        services.start_session(sam, rivera.pk)


def test_another_organization_cannot_reach_the_case_and_the_attempt_is_audited(
    cole, rivera
):
    with pytest.raises(Http404):
        services.start_session(cole, rivera.pk)
    event = AuditEvent.objects.filter(user=cole).get()
    assert (event.action, event.object_type, event.object_id) == (
        "denied",
        "case",
        str(rivera.pk),
    )


def test_every_write_is_audited(ames, first_session, leo):
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    actions = list(
        AuditEvent.objects.filter(user=ames).values_list("action", "object_type")
    )
    assert ("create", "case") in actions
    assert ("create", "member") in actions
    assert ("create", "session") in actions
    assert ("create", "response") in actions


def test_refit_stores_the_clinic_baseline(ames, first_session, leo, northside):
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    stored = services.refit_organization(northside)
    assert set(stored) == {"norms", "models", "intake_sds", "fitted_at"}
    assert stored["norms"]["estimated"] is False


def test_an_acknowledged_stopped_attending_alert_stays_acknowledged_next_session(
    ames, rivera, maria, leo
):
    def session_with(number, answered):
        session = services.start_session(
            ames, rivera.pk, dt.date(2026, 11, number), [m.pk for m in answered]
        )
        for member in answered:
            services.enter_paper_response(
                ames, session.pk, "tac", member.pk, totals={"self": 3}
            )

    session_with(1, [maria, leo])
    for number in (2, 3, 4):
        session_with(number, [leo])
    [alert] = rivera.signals.filter(kind="disengagement")
    assert (alert.subject, alert.session_number) == (f"member:{maria.pk}", 2)
    services.acknowledge_signal(ames, alert.pk, "Maria is travelling; back in May.")
    session_with(5, [leo])
    [again] = rivera.signals.filter(kind="disengagement")
    assert again.pk == alert.pk
    assert again.status == Signal.Status.ACKNOWLEDGED
    assert again.evidence["missed"] == 4


def test_adding_a_member_keeps_an_edited_subsystem(ames, rivera, maria, leo):
    services.set_subsystem(ames, rivera.pk, "children", [])
    services.set_subsystem(ames, rivera.pk, "caregivers", [maria.pk, leo.pk])
    services.add_member(ames, rivera.pk, "Ana", "child", "8-12")
    names = {
        s.name: sorted(m.first_name for m in s.members.all())
        for s in rivera.subsystems.all()
    }
    assert names == {"caregivers": ["Leo", "Maria"], "children": ["Ana"]}


def test_a_member_is_in_one_of_caregivers_children_and_couple(ames, rivera, leo):
    with pytest.raises(services.InvalidEntry) as caught:
        services.set_subsystem(ames, rivera.pk, "caregivers", [leo.pk])
    [problem] = caught.value.problems
    assert (problem.field, problem.code) == ("members", "other-subsystem")
    assert problem.message == (
        "Leo is in the children subsystem; take them out of it first"
        " (a member belongs to only one of caregivers, children and couple)."
    )


def test_a_member_who_says_the_session_did_not_sit_right_raises_a_rupture_alert(
    ames, first_session, leo, rivera
):
    """TAC 1.1 item 9 answered 'Agree' (R4, docs/clinical-rules.md §Rupture), through paper entry."""
    answers = {str(i): 3 for i in range(1, 14)} | {"9": 3}
    services.enter_paper_response(
        ames, first_session.pk, "tac", leo.pk, answers=answers
    )
    rupture = rivera.signals.get(kind="rupture")
    assert (rupture.state, rupture.severity, rupture.subject) == (
        "reported",
        "red",
        f"member:{leo.pk}",
    )
    assert rupture.evidence["answer"] == "Agree"
