"""The generic scoring engine, on hand-computed cases."""

from types import MappingProxyType

import numpy as np
import pytest

from tether.instruments import Library, bundled_definitions, parse_definition
from tether.scoring import AnswerError, score, score_many

LIBRARY = Library(bundled_definitions())
PHQ9 = LIBRARY.get("phq-9")


def phq9(*values):
    return {str(i): v for i, v in enumerate(values, start=1)}


def test_phq9_total_is_the_sum_with_its_kroenke_band():
    result = score(PHQ9, phq9(1, 2, 1, 1, 0, 0, 1, 0, 0))
    total = result.scales["total"]
    assert total.value == 6
    assert total.band == "mild"
    assert total.prorated is False
    assert total.answered == 9


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_edges_follow_kroenke_2001(total, band):
    values = [3] * (total // 3) + [total % 3] + [0] * 9
    result = score(PHQ9, phq9(*values[:9]))
    assert result.value("total") == total
    assert result.scales["total"].band == band


def test_one_missing_phq9_item_is_prorated_and_flagged():
    answers = phq9(2, 2, 2, 2, 2, 2, 2, 2, None)
    total = score(PHQ9, answers).scales["total"]
    assert total.value == pytest.approx(2 * 9)
    assert total.prorated is True
    assert total.answered == 8


def test_too_many_missing_answers_give_no_value_and_say_why():
    answers = phq9(2, 2, 2, 2, 2, 2, 2, None, None)
    total = score(PHQ9, answers).scales["total"]
    assert total.value is None
    assert total.reason == "7 of 9 items answered; at least 8 needed"
    assert total.band is None


def test_an_answer_outside_the_options_names_the_item_and_the_allowed_values():
    with pytest.raises(AnswerError) as caught:
        score(PHQ9, phq9(1, 2, 7, 1, 0, 0, 1, 0, 0))
    assert str(caught.value) == "phq-9@1.0: item 3: value 7 not in {0, 1, 2, 3}"
    assert caught.value.problems[0].item == "3"


def test_every_bad_answer_is_reported_at_once():
    with pytest.raises(AnswerError) as caught:
        score(PHQ9, {**phq9(1, 2, 1, 1, 0, 0, 1, 0, 0), "1": -1, "5": 1.5, "x": 1})
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        "item x: is not an item of this instrument",
        "item 1: value -1 not in {0, 1, 2, 3}",
        "item 5: value 1.5 not in {0, 1, 2, 3}",
    ]


def test_each_bad_answer_carries_a_code_and_its_value_for_the_caller_to_word():
    with pytest.raises(AnswerError) as caught:
        score(PHQ9, {**phq9(1, 2, 1, 1, 0, 0, 1, 0, 0), "1": 5, "2": "lots", "x": 1})
    found = [(p.item, p.code, p.value) for p in caught.value.problems]
    assert found == [
        ("x", "not-an-item", 1),
        ("2", "not-a-number", "lots"),
        ("1", "not-allowed", 5.0),
    ]


@pytest.mark.parametrize("value", [True, False, "2", [2]])
def test_values_that_are_not_numbers_are_refused_even_when_they_look_like_one(value):
    # pydantic's lax mode once scored `false` as 0 (docs/architecture.md
    # §Dependencies).
    with pytest.raises(
        AnswerError, match=r"item 1: .* is not a number; allowed: \{0, 1, 2, 3\}"
    ):
        score(PHQ9, {**phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), "1": value})


NON_FINITE = [float("nan"), float("inf"), float("-inf"), np.float64("nan")]


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("instrument", ["phq-9", "srs"])
def test_nan_and_infinity_are_not_numbers_whatever_the_answers_allowed(
    instrument, value
):
    definition = LIBRARY.get(instrument)
    answers = dict.fromkeys(definition.item_ids, 1) | {"1": value}
    with pytest.raises(AnswerError) as caught:
        score(definition, answers)
    [problem] = caught.value.problems
    assert (problem.item, problem.code) == ("1", "not-a-number")
    assert "is not a number" in str(problem)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
@pytest.mark.parametrize("instrument", ["phq-9", "srs"])
def test_score_many_refuses_infinity_where_nan_means_not_answered(instrument, value):
    definition = LIBRARY.get(instrument)
    matrix = np.ones((2, len(definition.items)))
    matrix[0, 1] = np.nan
    k = len(definition.items)
    assert score_many(definition, matrix).scales["total"].answered.tolist() == [
        k - 1,
        k,
    ]
    matrix[1, 0] = value
    with pytest.raises(AnswerError) as caught:
        score_many(definition, matrix)
    [problem] = caught.value.problems
    assert (problem.item, problem.code) == ("1", "not-allowed")
    assert "row 1:" in problem.reason


def test_phq9_item_9_at_one_or_more_triggers_the_risk_flag():
    assert score(PHQ9, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0)).risk == ()
    flags = score(PHQ9, phq9(0, 0, 0, 0, 0, 0, 0, 0, 1)).risk
    assert [(f.item, f.value) for f in flags] == [("9", 1.0)]


def test_phq9_syndrome_algorithm_counts_item_9_at_one():
    # Core item 1 plus items 3, 4, 5 at >= 2 and item 9 at 1: five counted items.
    result = score(PHQ9, phq9(2, 0, 2, 2, 2, 0, 0, 0, 1))
    assert result.extras["syndrome"] == "major depressive syndrome"
    assert score(PHQ9, phq9(2, 0, 2, 0, 0, 0, 0, 0, 0)).extras["syndrome"] == (
        "other depressive syndrome"
    )
    assert score(PHQ9, phq9(0, 0, 3, 3, 3, 3, 3, 3, 3)).extras["syndrome"] == "neither"
    assert score(PHQ9, phq9(2, 2, 2, 2, 2, 2, 2, 2, None)).extras["syndrome"] is None


def test_mean_scales_average_the_answered_items():
    mspss = LIBRARY.get("mspss")
    answers = {str(i): 7 for i in range(1, 13)}
    answers.update({"3": 1, "4": 2, "8": 3, "11": None})
    result = score(mspss, answers)
    assert result.value("family") == pytest.approx(2.0)
    assert result.scales["family"].prorated is True
    assert result.value("total") == pytest.approx((7 * 8 + 1 + 2 + 3) / 11)


MINI = {
    "id": "mini",
    "version": "1",
    "title": {"en": "Mini"},
    "citation": "test",
    "licence": {"class": "project_open", "text_bundled": False, "note": "test"},
    "role": "alliance",
    "respondents": ["client"],
    "languages": [],
    "response": {
        "options": [
            {"value": 0, "score": 0, "label": {"en": "Not at all"}},
            {"value": 1, "score": 1, "label": {"en": "Rarely"}},
            {"value": 2, "score": 3, "label": {"en": "Sometimes"}},
            {"value": 3, "score": 5, "label": {"en": "Often"}},
        ]
    },
    "items": [
        {"id": "a", "content": "a"},
        {"id": "b", "content": "b", "reverse": True},
    ],
    "scales": [
        {
            "id": "total",
            "label": {"en": "Total"},
            "items": "all",
            "method": "sum",
            "min_answered": 2,
            "higher_is_better": True,
        },
    ],
}


def test_scored_values_map_from_stored_choices_before_reversing():
    mini = parse_definition(MINI, "mini.yaml")
    # a: choice 2 scores 3; b: choice 3 scores 5, reversed on 0..5 -> 0.
    assert score(mini, {"a": 2, "b": 3}).value("total") == 3
    assert score(mini, {"a": 3, "b": 0}).value("total") == 10


def test_range_answers_must_lie_on_the_step_grid():
    srs = LIBRARY.get("srs")
    ok = score(srs, {"1": 9.5, "2": 10, "3": 0, "4": 7.3})
    assert ok.value("total") == pytest.approx(26.8)
    with pytest.raises(AnswerError, match=r"value 10.25 not in a number from 0 to 10"):
        score(srs, {"1": 10.25, "2": 10, "3": 0, "4": 7})


def test_score_many_rejects_a_matrix_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"expected an N×9 matrix, got shape \(2, 3\)"):
        score_many(PHQ9, np.zeros((2, 3)))


def test_score_many_names_the_row_of_a_bad_value():
    matrix = np.zeros((3, 9))
    matrix[2, 4] = 9
    with pytest.raises(
        AnswerError, match=r"item 5: row 2: value 9 not in \{0, 1, 2, 3\}"
    ):
        score_many(PHQ9, matrix)


def test_text_is_read_only():
    assert isinstance(PHQ9.items[0].text, MappingProxyType)
