"""A calculated item read without running FHIRPath: the items it names, and
whether it adds up (or averages) their scores."""

from __future__ import annotations

from tether.instruments import bundled_definitions
from tether.interop.fhir_expressions import expand, read_calculation
from tether.interop.fhir_questionnaire import scale_expression

SCORE = "%questionnaire.item.where(linkId = '{0}').answerOption.extension.where(url='http://hl7.org/fhir/StructureDefinition/ordinalValue').valueDecimal"


def test_variables_are_expanded_through_each_other():
    text, unknown = expand("%a + %b", {"a": "%c", "b": "2", "c": "1"})
    assert text == "((1)) + (2)"
    assert unknown == ()


def test_a_variable_no_one_defines_is_named_and_nothing_is_read():
    calculation = read_calculation("%q1 + %q2", {"q1": SCORE.format("1")})
    assert calculation.method is None
    assert calculation.unknown_variables == ("q2",)
    assert "q2" in calculation.reason


def test_environment_variables_are_not_the_document_s_own():
    text, unknown = expand("%resource.item.where(linkId='1')", {})
    assert unknown == ()
    assert text == "%resource.item.where(linkId='1')"


def test_a_loop_of_variables_ends():
    text, unknown = expand("%a", {"a": "%b", "b": "%a"})
    assert text == "((%a))"
    assert unknown == ()


def test_a_sum_of_ordinal_values_is_a_sum_of_the_items_it_names():
    variables = {f"q{i}": SCORE.format(f"/{i}") for i in (1, 2, 3)}
    expression = "iif(%q1.exists(), %q1, 0) + iif(%q2.exists(), %q2, 0) + %q3"
    calculation = read_calculation(expression, variables)
    assert calculation.method == "sum"
    assert calculation.link_ids == ("/1", "/2", "/3")
    assert calculation.missing_as_zero


def test_a_computation_with_other_arithmetic_is_not_read_as_a_score():
    variables = {"w": "%resource.item.where(linkId='w').answer.value"}
    calculation = read_calculation("(%w / 2).round(1)", variables)
    assert calculation.method is None
    assert "does not add up answer scores" in calculation.reason
    scored = read_calculation(
        "%resource.item.where(linkId='1').answer.weight() * 2", {}
    )
    assert scored.method is None
    assert "more than a sum or mean" in scored.reason


def test_a_minus_sign_inside_a_linkid_is_not_arithmetic():
    calculation = read_calculation(
        "%resource.item.where(linkId='/44250-9').answer.weight().sum()", {}
    )
    assert calculation.method == "sum"
    assert calculation.link_ids == ("/44250-9",)


def test_tether_s_own_scale_expressions_read_back_as_their_scales():
    for definition in bundled_definitions():
        for scale in definition.scales:
            calculation = read_calculation(scale_expression(scale), {})
            assert calculation.method == scale.method
            assert calculation.link_ids == scale.items
