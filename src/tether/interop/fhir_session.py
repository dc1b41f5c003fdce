"""One session's answers and scores as a FHIR R4 Bundle (docs/interop.md
§Sessions).

- One QuestionnaireResponse per response (a respondent's answers to one
  instrument), pointing at the instrument's Questionnaire as Tether exports it
  (`urn:tether:instrument:<id>|<version>`), its answers coded as in that
  Questionnaire.
- One Observation per scale score, coded with the instrument's LOINC code for
  that scale where it has one (PHQ-9 total 44261-6, GAD-7 total 70274-6) and
  always with Tether's own code, category `survey`, the score as a Quantity in
  UCUM's `{score}`, `derivedFrom` the QuestionnaireResponse.
- People are never named: the member answering or rated is a Patient, the
  whole family a Group, the therapist a Practitioner, the session an
  Encounter, each by a logical reference (an identifier in the deployment's
  identifier system, e.g. `member-12`), never by name, contact or note.

Plain values in, a JSON-ready dict out, validated against fhir.resources' R4B
models; the Django side (care/fhir.py) reads the records with permission.

Sources: HL7 FHIR R4 QuestionnaireResponse
(http://hl7.org/fhir/R4/questionnaireresponse.html), Observation
(http://hl7.org/fhir/R4/observation.html; category codes
http://terminology.hl7.org/CodeSystem/observation-category), Reference by
identifier (http://hl7.org/fhir/R4/references.html#logical).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tether.instruments import Definition, Library, Scale, text_in

from .fhir_base import (
    LOINC,
    OBSERVATION_CATEGORY,
    SCALE_SYSTEM,
    UCUM,
    check_r4b,
    number,
    questionnaire_url,
)
from .fhir_questionnaire import answer_coding, range_type

PersonKind = Literal["Patient", "Group", "Practitioner"]


@dataclass(frozen=True, slots=True)
class Person:
    """Whom a resource is about or by, as the deployment identifies them."""

    kind: PersonKind
    value: str
    """The identifier's value, e.g. `member-12`, `case-3`, `user-5`."""


@dataclass(frozen=True, slots=True)
class StoredScore:
    scale: str
    value: float
    prorated: bool = False


@dataclass(frozen=True, slots=True)
class SessionResponse:
    id: int
    instrument: str
    """id@version."""
    subject: Person | None
    """Whom it is about: the member who answered, or the one a therapist
    rated (the whole family: a Group)."""
    author: Person | None
    """Who answered: the member, or the therapist."""
    authored: str
    """When: an ISO 8601 date-time with its time zone, or the session's date."""
    answers: Mapping[str, float | None]
    scores: tuple[StoredScore, ...]


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: int
    date: str
    """ISO 8601 date."""
    responses: tuple[SessionResponse, ...]


def session_bundle(
    session: SessionRecord,
    library: Library,
    identifier_system: str,
    timestamp: str | None = None,
) -> dict[str, Any]:
    """The session as a FHIR R4 Bundle (type collection), as a JSON-ready
    dict. Resource ids are stable: the same session gives the same ids."""
    ids = _Ids(identifier_system)
    entries: list[dict[str, Any]] = []
    for response in session.responses:
        definition = library.get(response.instrument)
        answers = _response(session, response, definition, ids)
        entries.append(_entry(answers))
        for score in response.scores:
            scale = _scale(definition, score.scale)
            if scale is not None:
                entries.append(
                    _entry(
                        _observation(
                            session, response, definition, scale, score, answers, ids
                        )
                    )
                )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": ids.uuid("session", session.id),
        "identifier": ids.identifier(f"session-{session.id}"),
        "type": "collection",
    }
    if timestamp:
        bundle["timestamp"] = timestamp
    bundle["entry"] = entries
    for entry in entries:
        check_r4b(entry["resource"])
    check_r4b(bundle)
    return bundle


class _Ids:
    def __init__(self, system: str) -> None:
        self.system = system

    def identifier(self, value: str) -> dict[str, str]:
        return {"system": self.system, "value": value}

    def reference(self, person: Person) -> dict[str, Any]:
        return {"type": person.kind, "identifier": self.identifier(person.value)}

    def encounter(self, session: SessionRecord) -> dict[str, Any]:
        return {
            "type": "Encounter",
            "identifier": self.identifier(f"session-{session.id}"),
        }

    def uuid(self, *parts: object) -> str:
        """A stable UUID for a resource (version 5, from the system and ids)."""
        name = "|".join([self.system, *(str(p) for p in parts)])
        return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def _response(
    session: SessionRecord,
    response: SessionResponse,
    definition: Definition,
    ids: _Ids,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": ids.uuid("response", response.id),
        "identifier": ids.identifier(f"response-{response.id}"),
        "questionnaire": f"{questionnaire_url(definition.id)}|{definition.version}",
        "status": "completed",
        "encounter": ids.encounter(session),
        "authored": response.authored or session.date,
    }
    if response.subject is not None:
        resource["subject"] = ids.reference(response.subject)
    if response.author is not None:
        resource["author"] = ids.reference(response.author)
        resource["source"] = ids.reference(response.author)
    items = [
        {"linkId": item.id, "answer": [_answer(definition, value)]}
        for item in definition.items
        if (value := response.answers.get(item.id)) is not None
    ]
    if items:
        resource["item"] = items
    return resource


def _answer(definition: Definition, value: float) -> dict[str, Any]:
    if definition.value_range is not None:
        if range_type(definition) == "integer":
            return {"valueInteger": int(value)}
        return {"valueDecimal": number(value)}
    option = next((o for o in definition.options if o.value == value), None)
    if option is None:
        raise ValueError(
            f"{definition.key}: the stored answer {value:g} is not one of "
            f"{definition.describe_allowed()}"
        )
    coding = answer_coding(definition, option)
    if definition.text_source in ("bundled", ""):
        coding["display"] = text_in(option.label, "en")
    return {"valueCoding": coding}


def _scale(definition: Definition, scale_id: str) -> Scale | None:
    """The scale a stored score belongs to (None: a risk item's `item:<id>`
    row, which the QuestionnaireResponse carries as an answer)."""
    return next((s for s in definition.scales if s.id == scale_id), None)


def _observation(
    session: SessionRecord,
    response: SessionResponse,
    definition: Definition,
    scale: Scale,
    score: StoredScore,
    answers: Mapping[str, Any],
    ids: _Ids,
) -> dict[str, Any]:
    label = f"{definition.short_title} {text_in(scale.label, 'en')}"
    codings = [
        {
            "system": SCALE_SYSTEM,
            "code": f"{definition.id}/{scale.id}",
            "display": label,
        }
    ]
    loinc = definition.loinc.get(scale.id)
    if loinc:
        codings.insert(0, {"system": LOINC, "code": loinc})
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": ids.uuid("response", response.id, "scale", scale.id),
        "identifier": [ids.identifier(f"response-{response.id}-{scale.id}")],
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": OBSERVATION_CATEGORY,
                        "code": "survey",
                        "display": "Survey",
                    }
                ]
            }
        ],
        "code": {"coding": codings, "text": label},
        "encounter": ids.encounter(session),
        "effectiveDateTime": session.date,
        "valueQuantity": {
            "value": number(score.value),
            "unit": "{score}",
            "system": UCUM,
            "code": "{score}",
        },
        "derivedFrom": [{"reference": f"urn:uuid:{answers['id']}"}],
    }
    if response.subject is not None:
        resource["subject"] = ids.reference(response.subject)
    if response.author is not None:
        resource["performer"] = [ids.reference(response.author)]
    band = scale.band_for(score.value)
    if band is not None:
        resource["interpretation"] = [{"text": text_in(band.label, "en")}]
    if score.prorated:
        resource["note"] = [
            {
                "text": "Prorated: some items were not answered (Tether's missing-item rule)."
            }
        ]
    return resource
