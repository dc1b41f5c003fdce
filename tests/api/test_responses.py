"""A questionnaire answered in another app, sent whole through the API: the
same scoring, risk handling and recompute as a link's (issue #13)."""

import pytest
from django.core import mail

from tether.care.models import Response, Signal

PHQ9 = {str(n): 1 for n in range(1, 10)}


def send(caller, session, member, answers=None, key=None, instrument="phq-9@1.0"):
    body = {
        "instrument": instrument,
        "respondent": "member",
        "member": member.pk,
        "answers": answers or PHQ9,
    }
    headers = {"Idempotency-Key": key} if key else None
    return caller.post(f"/sessions/{session.pk}/responses", body, headers=headers)


def test_a_sent_questionnaire_is_scored_and_stored_as_a_links_is(
    as_ames, first_session, maria
):
    answer = send(as_ames, first_session, maria, {**PHQ9, "9": 0})
    assert answer.status_code == 201, answer.json()
    shown = answer.json()
    assert (shown["status"], shown["scores"]["total"], shown["risk"]) == (
        "complete",
        8.0,
        False,
    )
    stored = Response.objects.get(pk=shown["id"])
    assert (stored.status, stored.member, stored.instrument) == (
        Response.Status.COMPLETE,
        maria,
        "phq-9@1.0",
    )


def test_a_risk_answer_raises_the_red_alert_at_once_and_tells_the_clinicians(
    as_ames, first_session, maria, ames, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(as_ames, first_session, maria)
    assert answer.json()["risk"] is True
    alert = Signal.objects.get(case=first_session.case, kind="risk-item")
    assert alert.severity == "red"
    assert [m.to for m in mail.outbox] == [[ames.email]]


def test_a_person_answers_once_per_session_a_second_sending_is_409(
    as_ames, first_session, maria
):
    assert send(as_ames, first_session, maria).status_code == 201
    again = send(as_ames, first_session, maria, {**PHQ9, "1": 3})
    assert again.status_code == 409
    assert again.json()["problems"][0]["code"] == "already-answered"
    assert Response.objects.get().answers["1"] == 1


def test_the_same_idempotency_key_gets_the_first_answer_and_writes_nothing(
    as_ames, first_session, maria
):
    first = send(as_ames, first_session, maria, key="retry-1")
    again = send(as_ames, first_session, maria, key="retry-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Response.objects.count() == 1
    assert Signal.objects.filter(kind="risk-item").count() == 1


def test_an_idempotency_key_sent_with_another_request_is_409(
    as_ames, first_session, maria, leo
):
    send(as_ames, first_session, maria, key="k")
    other = send(as_ames, first_session, leo, key="k")
    assert other.status_code == 409
    assert "different request" in other.json()["detail"]


def test_a_refused_request_leaves_its_key_free_to_use_again(
    as_ames, first_session, maria
):
    bad = send(as_ames, first_session, maria, {**PHQ9, "1": 7}, key="k")
    assert bad.status_code == 422
    assert send(as_ames, first_session, maria, key="k").status_code == 201


@pytest.mark.parametrize(
    ("answer", "code"),
    [(False, "value_error"), ("1", "literal_error"), (7, "literal_error")],
)
def test_an_answer_that_is_not_one_of_the_items_values_is_named(
    as_ames, first_session, maria, answer, code
):
    refused = send(as_ames, first_session, maria, {**PHQ9, "4": answer})
    assert refused.status_code == 422
    fields = {p["field"]: p["code"] for p in refused.json()["problems"]}
    assert fields == {"body.phq-9@1.0.answers.4": code}
    assert not Response.objects.exists()


def test_an_item_the_instrument_does_not_have_is_refused(as_ames, first_session, maria):
    refused = send(as_ames, first_session, maria, {**PHQ9, "10": 1})
    assert refused.status_code == 422
    assert [p["code"] for p in refused.json()["problems"]] == ["extra_forbidden"]


def test_a_member_of_another_case_is_refused(as_ames, ames, first_session):
    from tether.care import services

    other = services.create_case(ames, "Lee", "individual")
    stranger = services.add_member(ames, other.pk, "Kim", "identified-client")
    refused = send(as_ames, first_session, stranger)
    assert refused.status_code == 404
    assert not Response.objects.exists()


def test_scores_are_listed_one_row_per_scale(as_ames, first_session, maria, rivera):
    send(as_ames, first_session, maria, {**PHQ9, "9": 0})
    rows = as_ames.get(f"/cases/{rivera.pk}/scores").json()["results"]
    totals = [r for r in rows if r["scale"] == "total"]
    assert [(r["member"], r["session_number"], r["value"]) for r in totals] == [
        (maria.pk, 1, 8.0)
    ]


def test_a_response_is_read_by_id_within_the_organization_only(
    as_ames, api_as, cole, first_session, maria
):
    made = send(as_ames, first_session, maria).json()
    assert as_ames.get(f"/responses/{made['id']}").json()["answers"]["9"] == 1
    assert api_as(cole).get(f"/responses/{made['id']}").status_code == 404
    listed = as_ames.get(f"/sessions/{first_session.pk}/responses").json()["results"]
    assert [r["id"] for r in listed] == [made["id"]]


def test_a_session_comes_as_a_fhir_bundle_without_names(
    as_ames, api_as, cole, first_session, maria
):
    send(as_ames, first_session, maria, {**PHQ9, "9": 0})
    answer = as_ames.get(f"/sessions/{first_session.pk}/fhir")
    assert answer.status_code == 200
    bundle = answer.json()
    kinds = sorted(entry["resource"]["resourceType"] for entry in bundle["entry"])
    assert bundle["resourceType"] == "Bundle"
    assert kinds[0] == "Observation"
    assert "QuestionnaireResponse" in kinds
    assert "Maria" not in answer.content.decode()
    assert api_as(cole).get(f"/sessions/{first_session.pk}/fhir").status_code == 404
