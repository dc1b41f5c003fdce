"""REDCap calculations for scale totals: what Tether writes computes what
Tether's scoring computes, and what it reads it reads as the scale it is."""

import math

import numpy as np
import pytest
from tests.interop.redcap_eval import evaluate

from tether.instruments import bundled_definitions
from tether.interop.redcap import dictionary_rows
from tether.interop.redcap_calc import (
    CalcError,
    Term,
    item_term,
    read_total,
    total_expression,
)
from tether.interop.redcap_names import form_names
from tether.scoring import score_many

DEFINITIONS = bundled_definitions()


def answers_with_gaps(definition, rows, rng):
    """Random allowed answers, about one in six left blank."""
    if definition.value_range is not None:
        r = definition.value_range
        steps = round((r.maximum - r.minimum) / r.step)
        matrix = (
            r.minimum
            + rng.integers(0, steps + 1, (rows, len(definition.items))) * r.step
        )
        matrix = np.round(matrix, 6)
    else:
        values = np.array([o.value for o in definition.options])
        matrix = rng.choice(values, (rows, len(definition.items)))
    matrix = matrix.astype(float)
    matrix[rng.random(matrix.shape) < 1 / 6] = np.nan
    return matrix


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.key)
def test_each_written_total_computes_in_redcap_what_tether_scores(definition):
    rng = np.random.default_rng(14)
    matrix = answers_with_gaps(definition, 400, rng)
    table = score_many(definition, matrix)
    names = form_names(definition)
    calcs = {
        row["field_name"]: row["select_choices_or_calculations"]
        for row in dictionary_rows([definition])
        if row["field_type"] == "calc"
    }
    checked = 0
    for scale in definition.scales:
        expression = calcs[names.scales[scale.id]]
        for row, answers in enumerate(matrix):
            values = {
                names.items[item]: None if math.isnan(value) else float(value)
                for item, value in zip(definition.item_ids, answers, strict=True)
            }
            redcap = evaluate(expression, values)
            tether = table.scales[scale.id].values[row]
            if math.isnan(tether):
                assert redcap is None, (scale.id, row)
            else:
                assert redcap == pytest.approx(tether, abs=1e-9), (scale.id, row)
            checked += 1
    assert checked == 400 * len(definition.scales)


def test_tethers_own_form_reads_back_as_its_scale():
    terms = [
        item_term("a"),
        item_term("b", reverse_from=4),
        item_term("c", scores=[(2, 3), (3, 5)]),
    ]
    total = read_total(total_expression("sum", 2, ["a", "b", "c"], terms))
    assert (total.method, total.min_answered, total.warning) == ("sum", 2, "")
    assert total.terms == (
        Term("a"),
        Term("b", reverse_from=4),
        Term("c", scores=((2, 3), (3, 5))),
    )


def test_a_mean_scale_reads_back_with_its_minimum_of_answers():
    expression = total_expression(
        "mean", 3, ["a", "b", "c", "d"], ["[a]", "[b]", "[c]", "[d]"]
    )
    total = read_total(expression)
    assert (total.method, total.min_answered, total.fields) == (
        "mean",
        3,
        ("a", "b", "c", "d"),
    )


@pytest.mark.parametrize(
    ("expression", "method", "min_answered"),
    [
        ("[q1]+[q2]+[q3]", "sum", 3),
        ("([q1] + [q2] + [q3]) / 3", "mean", 3),
        ("mean([q1], [q2], [q3])", "mean", 1),
        ("[q1] + (4 - [q2]) + [q3]", "sum", 3),
    ],
)
def test_the_plain_forms_of_other_dictionaries_read_as_what_they_compute(
    expression, method, min_answered
):
    total = read_total(expression)
    assert (total.method, total.min_answered, total.warning) == (
        method,
        min_answered,
        "",
    )
    assert total.fields == ("q1", "q2", "q3")


def test_a_plain_sum_is_read_as_needing_every_item_and_says_redcap_differs():
    total = read_total("sum([q1],[q2])")
    assert (total.method, total.min_answered) == ("sum", 2)
    assert "adds whatever items were answered" in total.warning


def test_a_reversed_term_in_a_plain_sum_keeps_its_constant():
    total = read_total("[q1] + (6-[q2])")
    assert total.terms[1] == Term("q2", reverse_from=6)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("[q1]*2", "is not a sum or mean"),
        ("[event_1_arm_1][q1]+[q2]", "another event"),
        ('[q1]+"yes"', "not a number"),
        ("rounddown([q1])", "is not a sum or mean"),
        ("sum([q1], [q1])", "counts [q1] more than once"),
        ("([q1]+[q2])/3", "divides the sum of 2 items by 3"),
        ('if((if([a]<>"", 1, 0))>=1, sum([a], [b]), "")', "counts other items"),
        (
            'if((if([a]<>"", 1, 0)+if([b]<>"", 1, 0))>=1, sum([a], [b]), "")',
            "without prorating",
        ),
        (
            'if((if([a]<>"", 1, 0)+if([b]<>"", 1, 0))>=3, mean([a], [b]), "")',
            "needs 3 answers of 2",
        ),
        ("sum([q1], if([q2]=1, 2, [q3]))", "the end of [q2]'s score"),
        ("sum([q1], [q2]", "ends too soon"),
        ("sum([q1] 2)", "expected ',' or ')'"),
        ("sum([q1] [q2])", "another event"),
        ("", "empty"),
    ],
)
def test_what_is_no_scale_total_is_refused_with_the_reason(expression, reason):
    with pytest.raises(CalcError) as refused:
        read_total(expression)
    assert reason in str(refused.value)
