"""A session's answers and scores as a FHIR R4 Bundle: one
QuestionnaireResponse per response, one Observation per scale score with its
LOINC code and `derivedFrom` the response, people by identifier only."""

from __future__ import annotations

import json

from fhir.resources.R4B.bundle import Bundle

from tether.instruments import Library, bundled_definitions
from tether.interop.fhir_session import (
    Person,
    SessionRecord,
    SessionResponse,
    StoredScore,
    session_bundle,
)
from tether.scoring import score

LIBRARY = Library(bundled_definitions())
SYSTEM = "https://clinic.example.org/tether"


def scored_response(
    response_id, instrument, answers, subject, author=None, prorated=False
):
    definition = LIBRARY.get(instrument)
    result = score(definition, answers)
    return SessionResponse(
        id=response_id,
        instrument=definition.key,
        subject=subject,
        author=author or subject,
        authored="2026-11-02T10:30:00+00:00",
        answers={k: float(v) for k, v in answers.items()},
        scores=tuple(
            StoredScore(s.scale, s.value, prorated or s.prorated)
            for s in result.scales.values()
            if s.value is not None
        ),
    )


def a_session() -> SessionRecord:
    leo = Person("Patient", "member-7")
    phq9 = scored_response(11, "phq-9", {str(i): 2 for i in range(1, 10)}, leo)
    pcl5 = scored_response(12, "pcl-5", {str(i): 1 for i in range(1, 21)}, leo)
    family = scored_response(
        13,
        "srs",
        {"1": 7.5, "2": 8, "3": 9.1, "4": 10},
        Person("Group", "case-3"),
        author=Person("Practitioner", "user-5"),
    )
    return SessionRecord(id=21, date="2026-11-02", responses=(phq9, pcl5, family))


def resources(bundle, kind):
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind
    ]


def test_the_bundle_validates_as_r4b_and_has_a_response_per_respondent_instrument():
    bundle = session_bundle(a_session(), LIBRARY, SYSTEM)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    responses = resources(bundle, "QuestionnaireResponse")
    assert [r["questionnaire"] for r in responses] == [
        "urn:tether:instrument:phq-9|1.0",
        "urn:tether:instrument:pcl-5|past-week",
        "urn:tether:instrument:srs|3.0",
    ]


def test_each_scale_score_is_an_observation_derived_from_its_response():
    bundle = session_bundle(a_session(), LIBRARY, SYSTEM)
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    observations = resources(bundle, "Observation")
    pcl5 = LIBRARY.get("pcl-5")
    assert len(observations) == 1 + len(pcl5.scales) + 1
    for observation in observations:
        [source] = observation["derivedFrom"]
        assert by_url[source["reference"]]["resourceType"] == "QuestionnaireResponse"
    phq9_total = observations[0]
    assert phq9_total["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "44261-6",
    }
    assert phq9_total["valueQuantity"]["value"] == 18
    assert phq9_total["interpretation"] == [{"text": "moderately severe"}]
    assert phq9_total["category"][0]["coding"][0]["code"] == "survey"


def test_an_instrument_without_a_loinc_code_for_a_scale_keeps_tether_s_code():
    bundle = session_bundle(a_session(), LIBRARY, SYSTEM)
    srs = [
        o
        for o in resources(bundle, "Observation")
        if o["code"]["coding"][0]["code"].startswith("srs/")
    ]
    [total] = srs
    assert total["code"]["coding"] == [
        {"system": "urn:tether:scale", "code": "srs/total", "display": "SRS Total"}
    ]
    assert total["valueQuantity"]["value"] == 34.6


def test_people_are_identifiers_in_the_configured_system_never_names():
    bundle = session_bundle(a_session(), LIBRARY, SYSTEM)
    phq9, _, srs = resources(bundle, "QuestionnaireResponse")
    assert phq9["subject"] == {
        "type": "Patient",
        "identifier": {"system": SYSTEM, "value": "member-7"},
    }
    assert srs["subject"]["type"] == "Group"
    assert srs["author"] == {
        "type": "Practitioner",
        "identifier": {"system": SYSTEM, "value": "user-5"},
    }
    assert phq9["encounter"]["identifier"] == {"system": SYSTEM, "value": "session-21"}


def test_answers_are_coded_as_in_the_exported_questionnaire():
    bundle = session_bundle(a_session(), LIBRARY, SYSTEM)
    phq9, pcl5, srs = resources(bundle, "QuestionnaireResponse")
    assert phq9["item"][0] == {
        "linkId": "1",
        "answer": [
            {
                "valueCoding": {
                    "system": "http://loinc.org",
                    "code": "LA6570-1",
                    "display": "More than half the days",
                }
            }
        ],
    }
    assert pcl5["item"][0]["answer"][0]["valueCoding"]["system"] == (
        "urn:tether:instrument:pcl-5:answer"
    )
    assert srs["item"][0] == {"linkId": "1", "answer": [{"valueDecimal": 7.5}]}


def test_a_prorated_score_says_so():
    leo = Person("Patient", "member-7")
    answers = {str(i): 1 for i in range(1, 9)}  # item 9 skipped
    response = scored_response(11, "phq-9", answers, leo)
    bundle = session_bundle(
        SessionRecord(21, "2026-11-02", (response,)), LIBRARY, SYSTEM
    )
    [total] = resources(bundle, "Observation")
    assert total["valueQuantity"]["value"] == 9
    assert "Prorated" in total["note"][0]["text"]


def test_the_same_session_gives_the_same_resource_ids():
    first = session_bundle(a_session(), LIBRARY, SYSTEM)
    again = session_bundle(a_session(), LIBRARY, SYSTEM)
    assert json.dumps(first) == json.dumps(again)
    other = session_bundle(a_session(), LIBRARY, "urn:tether:elsewhere")
    assert first["entry"][0]["fullUrl"] != other["entry"][0]["fullUrl"]
