"""A FHIR Questionnaire becomes a definition Tether scores: real LHC-Forms
files (tests/interop/data/README.md), a modified copy, and what is refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether.instruments import bundled_definitions, load_definition
from tether.interop.fhir_import import FhirImportError, import_questionnaire
from tether.scoring import score_many

DATA = Path(__file__).parent / "data"
PHQ9_LOINC = {
    "/44250-9": "q1",
    "/44255-8": "q2",
    "/44259-0": "q3",
    "/44254-1": "q4",
    "/44251-7": "q5",
    "/44258-2": "q6",
    "/44252-5": "q7",
    "/44253-3": "q8",
    "/44260-8": "q9",
}


def lhc_phq9() -> dict:
    return json.loads((DATA / "phq9.json").read_text(encoding="utf-8"))


def bundled(key: str):
    return next(d for d in bundled_definitions() if d.key == key or d.id == key)


def every_pattern(items: int = 9, answers: int = 4) -> np.ndarray:
    """Every way of answering: answers**items rows, one column per item."""
    grid = np.indices((answers,) * items).reshape(items, -1).T
    return grid.astype(np.float64)


def columns_by_loinc(imported, reference) -> list[int]:
    """For each imported item, the reference item carrying its LOINC code."""
    position = {item.loinc: i for i, item in enumerate(reference.items)}
    return [position[item.loinc] for item in imported.items]


def values_by_answer_code(imported, reference) -> dict[float, float]:
    """Each reference answer value → the imported answer with its LOINC code."""
    theirs = {o.loinc: o.value for o in imported.options}
    return {o.value: theirs[o.loinc] for o in reference.options}


def test_the_lhc_forms_phq9_scores_every_answer_pattern_as_the_bundled_phq9():
    imported = import_questionnaire(lhc_phq9(), bundled_definitions()).definition
    phq9 = bundled("phq-9")
    patterns = every_pattern()
    assert len(patterns) == 4**9 == 262_144
    recode = values_by_answer_code(imported, phq9)
    theirs = np.vectorize(recode.get)(patterns[:, columns_by_loinc(imported, phq9)])

    ours = score_many(phq9, patterns)
    its = score_many(imported, theirs)

    totals = ours.scales["total"].values != its.scales["total"].values
    bands = ours.scales["total"].bands != its.scales["total"].bands
    [risk_item] = its.risk
    risk = ours.risk["9"] != its.risk[risk_item]
    differences = int(totals.sum() + bands.sum() + risk.sum())
    assert differences == 0
    assert its.risk[risk_item].sum() == 262_144 - 4**8  # item 9 at 1 or more
    assert set(its.scales["total"].bands) == {
        "minimal",
        "mild",
        "moderate",
        "moderately severe",
        "severe",
    }


def test_the_lhc_forms_phq9_imports_with_a_warning_for_each_deviation():
    imported = import_questionnaire(lhc_phq9(), bundled_definitions())
    warnings = [str(w) for w in imported.warnings]
    assert imported.matched == "phq-9@1.0"
    assert imported.definition.item_ids == tuple(PHQ9_LOINC)
    assert any(
        w.startswith("linkId /44259-0: does not validate as FHIR R4B")
        and "answerOption[1].extension[0].valueString (1)" in w
        for w in warnings
    )
    assert any(
        w.startswith("linkId /44261-6: does not validate as FHIR R4B")
        and "'q1_value'" in w
        for w in warnings
    )
    assert any(w.startswith("linkId /69722-7: left out") for w in warnings)
    assert any(
        w.startswith("linkId /44261-6: calculated item read as the sum")
        for w in warnings
    )
    assert any(
        w.startswith("linkId /44261-6: carries LOINC 44261-6") and "they agree" in w
        for w in warnings
    )
    assert any(
        "risk item /44260-8 (at or above 1)" in w and "taken from phq-9@1.0" in w
        for w in warnings
    )


def test_the_unscored_how_difficult_item_is_not_a_tenth_item():
    definition = import_questionnaire(lhc_phq9(), bundled_definitions()).definition
    assert len(definition.items) == 9
    assert "/69722-7" not in definition.item_ids
    assert definition.scale("total").items == tuple(PHQ9_LOINC)
    assert definition.scale_bounds(definition.scale("total")) == (0, 27)


def test_the_imported_definition_passes_tether_instruments_validate(tmp_path):
    imported = import_questionnaire(lhc_phq9(), bundled_definitions())
    path = tmp_path / "phq9-lhc.yaml"
    path.write_text(imported.yaml_text("phq9.json"), encoding="utf-8")
    loaded = load_definition(path)
    assert loaded.item_ids == imported.definition.item_ids
    assert loaded.risk_items[0].id == "/44260-8"


def modified_phq9(scores=(0, 2, 4, 6)) -> dict:
    """The LHC-Forms PHQ-9 with every linkId renamed (q1…q9, the expressions
    too) and other ordinal values."""
    text = json.dumps(lhc_phq9())
    for link_id, renamed in PHQ9_LOINC.items():
        text = text.replace(f"'{link_id}'", f"'{renamed}'").replace(
            f'"{link_id}"', f'"{renamed}"'
        )
    document = json.loads(text)
    document["name"] = document["title"] = "PHQ-9 with doubled scores"
    for item in document["item"]:
        for position, option in enumerate(item.get("answerOption", [])):
            for extension in option.get("extension", []):
                if extension["url"].endswith("/ordinalValue"):
                    extension["valueDecimal"] = scores[position]
    return document


def test_a_modified_copy_imports_as_another_instrument_scoring_by_its_own_values():
    imported = import_questionnaire(modified_phq9(), bundled_definitions())
    definition = imported.definition
    assert imported.matched is None
    assert definition.id == "phq-9-with-doubled-scores"
    assert definition.item_ids == tuple(PHQ9_LOINC.values())
    assert [o.score for o in definition.options] == [0, 2, 4, 6]
    assert definition.risk_items == ()
    assert definition.scale("total").bands == ()
    assert any(
        "score 0, 2, 4, 6 where it scores 0, 1, 2, 3" in str(w)
        for w in imported.warnings
    )

    patterns = every_pattern()
    answers = np.array([o.value for o in definition.options])[patterns.astype(int)]
    totals = score_many(definition, answers).scales["total"].values
    expected = np.array([0, 2, 4, 6])[patterns.astype(int)].sum(axis=1)
    assert np.array_equal(totals, expected)
    phq9_totals = score_many(bundled("phq-9"), patterns).scales["total"].values
    assert np.array_equal(totals, 2 * phq9_totals)


def test_a_calculated_total_that_leaves_out_an_item_is_told_apart_from_the_phq9_total():
    document = lhc_phq9()
    total = next(i for i in document["item"] if i["linkId"] == "/44261-6")
    for extension in total["extension"]:
        if extension["url"].endswith("calculatedExpression"):
            expression = extension["valueExpression"]["expression"]
            expression = expression.replace(
                " + iif(%q9_value.exists(), %q9_value, 0)", ""
            )
            extension["valueExpression"]["expression"] = expression
        elif (
            extension.get("valueExpression", {}).get("name") == "any_questions_answered"
        ):
            condition = extension["valueExpression"]["expression"]
            condition = condition.replace(" or %q9_value.exists()", "")
            extension["valueExpression"]["expression"] = condition
    imported = import_questionnaire(document, bundled_definitions())
    assert len(imported.definition.scale("total").items) == 8
    assert any(
        str(w).startswith("linkId /44261-6: carries LOINC 44261-6")
        and "counts other items (8 where phq-9@1.0 counts 9" in str(w)
        for w in imported.warnings
    )


def test_the_hunger_vital_sign_is_refused_naming_each_unscored_item():
    document = json.loads((DATA / "hunger-vital-signs.json").read_text())
    with pytest.raises(FhirImportError) as refused:
        import_questionnaire(document, bundled_definitions())
    assert refused.value.problems == [
        "linkId /88122-7: type choice whose answers carry no score "
        "(ordinalValue or itemWeight) cannot be scored",
        "linkId /88123-5: type choice whose answers carry no score "
        "(ordinalValue or itemWeight) cannot be scored",
    ]
    assert [str(w) for w in refused.value.warnings] == [
        "linkId /88124-3: calculated item of type choice is not a score; left out"
    ]


def test_the_weight_and_height_panel_is_refused_naming_every_item():
    document = json.loads((DATA / "weight-height-questionnaire.json").read_text())
    with pytest.raises(FhirImportError) as refused:
        import_questionnaire(document, bundled_definitions())
    assert sorted(refused.value.problems) == [
        "linkId /29463-7: type decimal without minValue and maxValue cannot be scored",
        "linkId /8302-2: type decimal without minValue and maxValue cannot be scored",
        "linkId /8352-7: type choice whose answers carry no score "
        "(ordinalValue or itemWeight) cannot be scored",
        "linkId /8361-8: type choice whose answers carry no score "
        "(ordinalValue or itemWeight) cannot be scored",
    ]
    assert any(
        str(w).startswith("linkId /39156-5: calculated item left out")
        for w in refused.value.warnings
    )


def small_questionnaire(*items: dict) -> dict:
    return {
        "resourceType": "Questionnaire",
        "status": "active",
        "name": "Small",
        "title": "A small questionnaire",
        "version": "2",
        "item": list(items),
    }


def scored_item(link_id: str, scores=(0, 1, 2), url="ordinalValue") -> dict:
    return {
        "linkId": link_id,
        "type": "choice",
        "text": f"Question {link_id}",
        "answerOption": [
            {
                "valueCoding": {
                    "code": f"a{position}",
                    "display": f"answer {position}",
                },
                "extension": [
                    {
                        "url": f"http://hl7.org/fhir/StructureDefinition/{url}",
                        "valueDecimal": score,
                    }
                ],
            }
            for position, score in enumerate(scores)
        ],
    }


def test_a_free_text_item_is_refused_with_its_linkid_and_type():
    document = small_questionnaire(
        scored_item("1"), {"linkId": "why", "type": "string", "text": "Why?"}
    )
    with pytest.raises(FhirImportError) as refused:
        import_questionnaire(document)
    assert refused.value.problems == ["linkId why: type string cannot be scored"]


def test_itemweight_scores_are_read_like_ordinal_values():
    document = small_questionnaire(
        scored_item("1", url="itemWeight"), scored_item("2", url="itemWeight")
    )
    definition = import_questionnaire(document).definition
    assert [o.score for o in definition.options] == [0, 1, 2]
    assert definition.scale("total").items == ("1", "2")


def test_an_item_whose_scores_run_the_other_way_is_a_reversed_item():
    document = small_questionnaire(scored_item("1"), scored_item("2", (2, 1, 0)))
    imported = import_questionnaire(document)
    assert [item.reverse for item in imported.definition.items] == [False, True]
    assert any(
        str(w) == "linkId 2: its scores run the other way: a reversed item"
        for w in imported.warnings
    )


def test_items_scored_on_different_scales_are_refused():
    document = small_questionnaire(scored_item("1"), scored_item("2", (0, 5, 10)))
    with pytest.raises(FhirImportError) as refused:
        import_questionnaire(document)
    assert refused.value.problems == [
        "linkId 2: its answer scores (0, 5, 10) differ from linkId 1's (0, 1, 2) and "
        "are not their reverse; a Tether instrument has one set of answers"
    ]


def test_some_answers_without_a_score_are_refused():
    item = scored_item("1")
    del item["answerOption"][1]["extension"]
    with pytest.raises(FhirImportError) as refused:
        import_questionnaire(small_questionnaire(item))
    assert refused.value.problems == [
        "linkId 1: answerOption 1 carry no score (ordinalValue or itemWeight) while the others do"
    ]


def test_answers_from_a_contained_value_set_are_read():
    item = {"linkId": "1", "type": "choice", "text": "Q", "answerValueSet": "#answers"}
    document = small_questionnaire(item)
    document["contained"] = [
        {
            "resourceType": "ValueSet",
            "id": "answers",
            "status": "active",
            "compose": {
                "include": [
                    {
                        "system": "http://example.org/answers",
                        "concept": [
                            {
                                "code": c,
                                "display": c,
                                "extension": [
                                    {
                                        "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue",
                                        "valueDecimal": s,
                                    }
                                ],
                            }
                            for c, s in (("no", 0), ("yes", 1))
                        ],
                    }
                ]
            },
        }
    ]
    definition = import_questionnaire(document).definition
    assert [(o.value, o.label["en"]) for o in definition.options] == [
        (0, "no"),
        (1, "yes"),
    ]


def test_an_unknown_questionnaire_gets_safe_defaults_and_says_so():
    imported = import_questionnaire(
        small_questionnaire(scored_item("1"), scored_item("2"))
    )
    d = imported.definition
    assert (d.id, d.version) == ("small", "2")
    assert d.licence.klass == "permission_required"
    assert d.scale("total").min_answered == 2  # no proration without a source
    assert d.risk_items == ()
    warnings = [str(w) for w in imported.warnings]
    assert (
        "Questionnaire: has no calculated score: Tether's total is the sum of every scored item"
        in warnings
    )
    assert any(
        "no risk item (a Questionnaire has no notion of one)" in w for w in warnings
    )


def test_a_document_that_is_not_a_questionnaire_is_refused():
    with pytest.raises(FhirImportError) as refused:
        import_questionnaire({"resourceType": "Patient"}, file="p.json")
    assert refused.value.problems == [
        "p.json: resourceType is 'Patient', not 'Questionnaire'"
    ]


def test_the_original_is_not_changed_by_reading_it():
    document = lhc_phq9()
    before = copy.deepcopy(document)
    import_questionnaire(document, bundled_definitions())
    assert document == before


def places(node, path=()):
    """Every place in a JSON document, as a path of keys and indexes."""
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from places(value, (*path, index))


GARBAGE = st.sampled_from([None, 0, 1.5, True, "x", "", [], {}, [1], {"a": 1}, [{}]])


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_badly_shaped_file_is_refused_or_read_never_a_traceback(data):
    document = lhc_phq9()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(places(document))))
        node = document
        for key in path[:-1]:
            node = node[key]
        # A copy: the garbage itself is shared between examples, and a later
        # step may write into it (Hypothesis then sees its data change).
        node[path[-1]] = copy.deepcopy(data.draw(GARBAGE))
    outcome = read_or_refuse(document)
    if isinstance(outcome, FhirImportError):
        assert outcome.problems
        assert all(isinstance(p, str) and ": " in p for p in outcome.problems)
    else:
        assert outcome.definition.items


def read_or_refuse(document):
    """The import, or the refusal it raised (any other exception fails)."""
    try:
        return import_questionnaire(document, bundled_definitions())
    except FhirImportError as refused:
        return refused
