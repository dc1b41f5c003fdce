"""Every instrument as a FHIR R4 Questionnaire that validates, with its LOINC
codes, its licence, its scores as ordinal values, and text only where the
licence lets Tether bundle it; and back again."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from tether.instruments import bundled_definitions
from tether.interop.fhir_base import ORDINAL_VALUE
from tether.interop.fhir_import import import_questionnaire
from tether.interop.fhir_questionnaire import NotExportable, questionnaire

DEFINITIONS = bundled_definitions()
KEYS = [d.key for d in DEFINITIONS]


def bundled(key: str):
    return next(d for d in DEFINITIONS if d.key == key or d.id == key)


def items(document: dict) -> dict[str, dict]:
    return {item["linkId"]: item for item in document["item"]}


def ordinal(option: dict) -> float:
    [score] = [
        e["valueDecimal"] for e in option["extension"] if e["url"] == ORDINAL_VALUE
    ]
    return score


@pytest.mark.parametrize("key", KEYS)
def test_every_bundled_instrument_exports_a_questionnaire_that_validates_as_r4b(key):
    document = questionnaire(bundled(key))
    parsed = Questionnaire.model_validate(document)
    assert parsed.url == f"urn:tether:instrument:{bundled(key).id}"
    assert parsed.version == bundled(key).version
    assert parsed.copyright == bundled(key).licence.note


def test_the_phq9_carries_its_loinc_codes_panel_items_answers_and_total():
    document = questionnaire(bundled("phq-9"))
    assert document["code"] == [{"system": "http://loinc.org", "code": "44249-1"}]
    by_link = items(document)
    assert by_link["1"]["code"][0]["code"] == "44250-9"
    assert by_link["9"]["code"][0]["code"] == "44260-8"
    assert [o["valueCoding"]["code"] for o in by_link["1"]["answerOption"]] == [
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
        "LA6571-9",
    ]
    assert [ordinal(o) for o in by_link["1"]["answerOption"]] == [0, 1, 2, 3]
    assert by_link["scale-total"]["code"][0]["code"] == "44261-6"
    assert by_link["scale-total"]["readOnly"] is True


def test_gad7_and_pcl5_carry_their_panel_codes():
    assert questionnaire(bundled("gad-7"))["code"][0]["code"] == "69737-5"
    pcl5 = questionnaire(bundled("pcl-5@past-month"))
    assert pcl5["code"][0]["code"] == "101697-1"


def test_spanish_text_goes_into_translation_extensions():
    by_link = items(questionnaire(bundled("phq-9")))
    [translation] = by_link["1"]["_text"]["extension"]
    parts = {p["url"]: p for p in translation["extension"]}
    assert parts["lang"]["valueCode"] == "es"
    assert parts["content"]["valueString"] == "Poco interés o placer en hacer cosas"


def test_an_instrument_whose_text_may_not_be_bundled_exports_no_item_text():
    document = questionnaire(bundled("wai-sr"))
    questions = [i for i in document["item"] if not i.get("readOnly")]
    assert questions
    assert all("text" not in item for item in questions)
    assert all(
        item["extension"][0]["url"] == "urn:tether:fhir:item-content"
        for item in questions
    )


def test_a_site_text_pack_is_never_exported():
    licensed = dataclasses.replace(
        bundled("wai-sr"), text_source="Licensed from SPR, agreement 2026-114"
    )
    with pytest.raises(NotExportable, match="licensed text"):
        questionnaire(licensed)


def test_a_reversed_item_carries_its_reversed_scores():
    tac = bundled("tac@1.1")
    reversed_item = next(item for item in tac.items if item.reverse)
    plain_item = next(item for item in tac.items if not item.reverse)
    by_link = items(questionnaire(tac))
    plain = [ordinal(o) for o in by_link[plain_item.id]["answerOption"]]
    flipped = [ordinal(o) for o in by_link[reversed_item.id]["answerOption"]]
    assert flipped == plain[::-1]


def test_a_range_instrument_has_number_items_with_their_range():
    by_link = items(questionnaire(bundled("srs")))
    first = by_link["1"]
    assert first["type"] == "decimal"
    urls = {e["url"].rsplit("/", 1)[-1]: e for e in first["extension"]}
    assert urls["urn:tether:fhir:item-content"]["valueString"].startswith(
        "Relationship"
    )
    assert urls["minValue"]["valueDecimal"] == 0
    assert urls["maxValue"]["valueDecimal"] == 10
    assert urls["maxDecimalPlaces"]["valueInteger"] == 1


def essentials(definition):
    """What a round trip must keep: items, answers and their values, scales."""
    return {
        "items": [
            (
                item.id,
                dict(item.text),
                item.content if not item.text else None,
                item.reverse,
                item.loinc,
            )
            for item in definition.items
        ],
        "options": [
            (o.value, dict(o.label), o.score, o.loinc) for o in definition.options
        ],
        "range": definition.value_range,
        "scales": [(s.id, s.items, s.method) for s in definition.scales],
        "loinc": dict(definition.loinc),
        "title": dict(definition.title),
        "stem": dict(definition.stem) if definition.licence.text_bundled else {},
    }


@pytest.mark.parametrize("key", KEYS)
def test_export_then_import_keeps_items_answers_values_and_scales(key):
    original = bundled(key)
    document = questionnaire(original)
    alone = import_questionnaire(document).definition
    assert essentials(alone) == essentials(original)
    assert alone.key == original.key


@pytest.mark.parametrize("key", KEYS)
def test_export_then_import_with_the_library_takes_back_risk_items_and_bands(key):
    original = bundled(key)
    imported = import_questionnaire(questionnaire(original), DEFINITIONS)
    assert imported.matched == original.key
    again = imported.definition
    assert essentials(again) == essentials(original)
    assert [(i.id, i.risk) for i in again.items] == [
        (i.id, i.risk) for i in original.items
    ]
    assert [(s.bands, s.cutoff, s.min_answered) for s in again.scales] == [
        (s.bands, s.cutoff, s.min_answered) for s in original.scales
    ]
    assert (again.role, again.respondents, again.licence) == (
        original.role,
        original.respondents,
        original.licence,
    )


def test_labels_in_one_language_only_are_kept_in_that_language():
    original = bundled("gad-7")
    english = dataclasses.replace(
        original,
        options=tuple(
            dataclasses.replace(o, label=MappingProxyType({"en": o.label["en"]}))
            for o in original.options
        ),
    )
    imported = import_questionnaire(questionnaire(english)).definition
    assert imported.languages == ("en",)
