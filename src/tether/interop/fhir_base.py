"""What every FHIR conversion shares: the code systems, identifiers and
extensions Tether uses, text in several languages, and validation against
fhir.resources' R4B models.

FHIR release: fhir.resources 8 defaults to R5 and has no plain R4 (4.0.1)
package; its R4B models are the closest, and Questionnaire,
QuestionnaireResponse, Observation and Bundle barely differ between R4 and R4B
(docs/interop.md §Release). Every document Tether writes is checked here, in
one place, so that choice lives in one module.

Sources: HL7 FHIR R4 Questionnaire (http://hl7.org/fhir/R4/questionnaire.html);
the ordinalValue extension (http://hl7.org/fhir/R4/extension-ordinalvalue.html),
renamed itemWeight in the FHIR extensions pack
(http://hl7.org/fhir/extensions/StructureDefinition-itemWeight.html); the
translation extension (http://hl7.org/fhir/R4/extension-translation.html);
SDC's calculatedExpression and variable
(http://hl7.org/fhir/uv/sdc/expressions.html).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
"""R4's extension for an answer's score (on answerOption or its Coding)."""
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
"""The same extension under its newer name (FHIR extensions pack, R5)."""
CO_VALUE = "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value"
"""STU3's name for it, still found in older files."""
SCORE_EXTENSIONS = (ORDINAL_VALUE, ITEM_WEIGHT, CO_VALUE)

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
CALCULATED = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
VARIABLE = "http://hl7.org/fhir/StructureDefinition/variable"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MAX_DECIMAL_PLACES = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces"
SLIDER_STEP = "http://hl7.org/fhir/StructureDefinition/questionnaire-sliderStepValue"
HIDDEN = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"

ITEM_CONTENT = "urn:tether:fhir:item-content"
"""Tether's own extension: the paraphrase of an item whose licensed wording is
not bundled (the definition's `content`), never shown as the question."""
INSTRUMENT_SYSTEM = "urn:tether:instrument"
"""The identifier system of Tether's instrument ids (phq-9, pcl-5, …)."""
SCALE_SYSTEM = "urn:tether:scale"
"""The code system of Tether's scale scores: code `<instrument id>/<scale id>`."""
SCALE_LINK_PREFIX = "scale-"
"""An exported scale is a calculated item with linkId `scale-<scale id>`."""


def questionnaire_url(instrument_id: str) -> str:
    """The canonical URL of the Questionnaire Tether writes for an instrument."""
    return f"{INSTRUMENT_SYSTEM}:{instrument_id}"


def answer_system(instrument_id: str) -> str:
    """The code system of an instrument's answers where they have no LOINC
    code: the stored answer value as the code (e.g. "2")."""
    return f"{INSTRUMENT_SYSTEM}:{instrument_id}:answer"


def number(value: float) -> int | float:
    """A JSON number as FHIR documents write it: 2, not 2.0."""
    return int(value) if float(value).is_integer() else float(value)


def code_text(value: float) -> str:
    """A stored answer as a code: "2", "0.5"."""
    return f"{value:g}"


def base_language(languages: Sequence[str]) -> str:
    """The language of a document's plain text: English where there is
    English, else the first; the others go into translation extensions."""
    return "en" if "en" in languages or not languages else languages[0]


def listed(node: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The objects in `node[key]`, where that is a list: what a reader
    iterates over in a document that may not have the shape FHIR asks (the
    wrong shapes are reported by the strict validation, not here)."""
    value = node.get(key) if isinstance(node, Mapping) else None
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def member(node: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The object in `node[key]`, or an empty one."""
    value = node.get(key) if isinstance(node, Mapping) else None
    return value if isinstance(value, dict) else {}


def text_element(name: str, text: Mapping[str, str], language: str) -> dict[str, Any]:
    """`{name: text, _name: {translations}}` for one text element: the text in
    `language` (else the first there is) and every other language as a
    translation extension."""
    if not text:
        return {}
    main = language if language in text else next(iter(text))
    element: dict[str, Any] = {name: text[main]}
    others = [
        {
            "url": TRANSLATION,
            "extension": [
                {"url": "lang", "valueCode": other},
                {"url": "content", "valueString": words},
            ],
        }
        for other, words in text.items()
        if other != main
    ]
    if others:
        element[f"_{name}"] = {"extension": others}
    return element


def read_text(
    node: Mapping[str, Any], name: str, language: str
) -> MappingProxyType[str, str]:
    """A text element and its translations, by language (the inverse of
    `text_element`); empty where the element is absent or not text."""
    out: dict[str, str] = {}
    value = node.get(name)
    if isinstance(value, str) and value.strip():
        out[language] = value.strip()
    for extension in listed(member(node, f"_{name}"), "extension"):
        if extension.get("url") != TRANSLATION:
            continue
        parts = {str(part.get("url")): part for part in listed(extension, "extension")}
        lang = member(parts, "lang").get("valueCode")
        words = member(parts, "content").get("valueString")
        if isinstance(lang, str) and isinstance(words, str) and words.strip():
            out[lang] = words.strip()
    return MappingProxyType(out)


LOINC_CODE = re.compile(r"^\d{1,7}-\d$")


def loinc_code(node: Mapping[str, Any]) -> str | None:
    """The LOINC code among a Questionnaire's or an item's codes: one with
    LOINC's system, or a LOINC-shaped code with no system (LHC-Forms writes
    some so)."""
    for coding in listed(node, "code"):
        code = str(coding.get("code", ""))
        system = coding.get("system")
        if system == LOINC or (system is None and LOINC_CODE.match(code)):
            return code
    return None


def extensions(node: Mapping[str, Any], url: str) -> list[Mapping[str, Any]]:
    """The extensions of `node` with this url (none where the node has no
    list of extensions)."""
    return [e for e in listed(node, "extension") if e.get("url") == url]


@dataclass(frozen=True, slots=True)
class Deviation:
    """One place where a document breaks the R4B models' rules."""

    location: tuple[str | int, ...]
    message: str
    value: object


class FhirValidationError(ValueError):
    """A document Tether wrote does not validate: a bug, with every problem."""

    def __init__(self, resource_type: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"{resource_type} does not validate as FHIR R4B: " + "; ".join(problems)
        )


def r4b_deviations(resource: Mapping[str, Any]) -> list[Deviation]:
    """Where `resource` breaks fhir.resources' R4B model of its type: every
    place, none for a valid one."""
    model = get_fhir_model_class(str(resource.get("resourceType")))
    try:
        model.model_validate(dict(resource))
    except ValidationError as error:
        return [
            Deviation(tuple(e["loc"]), str(e["msg"]), e.get("input"))
            for e in error.errors()
        ]
    except (AttributeError, TypeError, KeyError, ValueError) as error:
        # fhir.resources' own validators can fail on a badly shaped value
        # (an integer where an element's extensions belong) before pydantic
        # reports it: that is a deviation too, without a place.
        return [
            Deviation(
                (), f"its validator failed ({type(error).__name__}: {error})", None
            )
        ]
    return []


def check_r4b(resource: Mapping[str, Any]) -> None:
    """Raise FhirValidationError unless `resource` validates as FHIR R4B."""
    deviations = r4b_deviations(resource)
    if deviations:
        raise FhirValidationError(
            str(resource.get("resourceType")),
            [
                f"{'.'.join(str(p) for p in d.location)}: {d.message}"
                for d in deviations
            ],
        )
