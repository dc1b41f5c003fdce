"""A session as a FHIR Bundle, read with permission and audited: what the
API's `GET /api/v1/sessions/{id}/fhir` and `tether export fhir --session ID`
give."""

from __future__ import annotations

import json

import pytest
from django.http import Http404
from fhir.resources.R4B.bundle import Bundle

from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.fhir import NoSuchSession, session_bundle
from tether.care.models import Response
from tether.cli import main

PHQ9 = {str(i): 2 for i in range(1, 10)}


@pytest.fixture
def answered(ames, first_session, leo, maria):
    services.enter_paper_response(ames, first_session.pk, "phq-9", leo.pk, answers=PHQ9)
    services.enter_paper_response(
        ames, first_session.pk, "srs", maria.pk, totals={"total": 31}
    )
    return first_session


def resources(bundle, kind):
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind
    ]


def test_the_case_clinician_gets_a_bundle_that_validates(ames, answered, leo):
    bundle = session_bundle(ames, answered.pk)
    Bundle.model_validate(bundle)
    responses = resources(bundle, "QuestionnaireResponse")
    assert len(responses) == 2
    phq9 = responses[0]
    assert phq9["subject"]["identifier"]["value"] == f"member-{leo.pk}"
    assert len(phq9["item"]) == 9
    totals = {
        o["code"]["coding"][-1]["code"]: o["valueQuantity"]["value"]
        for o in resources(bundle, "Observation")
    }
    assert totals == {"phq-9/total": 18, "srs/total": 31}


def test_the_bundle_names_no_one(ames, answered):
    text = json.dumps(session_bundle(ames, answered.pk))
    for words in ("Maria", "Leo", "Rivera", "maria@example.org", "555 0100", "Ames"):
        assert words not in text


def test_people_are_in_the_configured_identifier_system(ames, answered, settings):
    settings.TETHER_FHIR_IDENTIFIER_SYSTEM = "https://northside.example/tether"
    bundle = session_bundle(ames, answered.pk)
    systems = {
        r["subject"]["identifier"]["system"]
        for r in resources(bundle, "QuestionnaireResponse")
    }
    assert systems == {"https://northside.example/tether"}


def test_the_export_is_audited(ames, answered):
    session_bundle(ames, answered.pk)
    event = AuditEvent.objects.get(action="export", object_type="session")
    assert event.user == ames
    assert event.object_id == str(answered.pk)
    assert event.case_id == answered.case_id
    assert event.detail["for"] == "FHIR"
    assert event.detail["responses"] == 2


def test_another_organization_s_session_is_a_404_and_the_refusal_is_audited(
    cole, answered
):
    with pytest.raises(Http404):
        session_bundle(cole, answered.pk)
    assert AuditEvent.objects.filter(
        action="denied", object_type="session", user=cole
    ).exists()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_answers_not_yet_sent_are_not_exported(ames, answered, leo):
    Response.objects.filter(instrument__startswith="phq-9").update(
        status=Response.Status.INCOMPLETE
    )
    bundle = session_bundle(ames, answered.pk)
    assert len(resources(bundle, "QuestionnaireResponse")) == 1


def test_the_command_writes_the_bundle_and_audits_it(answered, tmp_path, capsys):
    out = tmp_path / "session.json"
    assert (
        main(["export", "fhir", "--session", str(answered.pk), "--out", str(out)]) == 0
    )
    bundle = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(bundle)
    assert len(resources(bundle, "Observation")) == 2
    event = AuditEvent.objects.get(action="export", object_type="session")
    assert event.user is None


def test_the_command_says_when_there_is_no_such_session(db, capsys):
    assert main(["export", "fhir", "--session", "999"]) == 2
    assert "no session with id 999" in capsys.readouterr().err
    with pytest.raises(NoSuchSession):
        session_bundle(None, 999)
