"""One answer read and checked once for paper entry and links alike, and the
scoring engine's problems in words for people (care/answers.py)."""

import dataclasses

import pytest

from tether.care.answers import allowed_answers, as_number, check_answer
from tether.care.errors import InvalidEntry
from tether.care.frames import library
from tether.instruments import Option


def phq9():
    return library().get("phq-9")


def message(definition):
    text, values = allowed_answers(definition)
    return str(text) % values


@pytest.mark.parametrize(
    ("typed", "read"),
    [(" 2 ", 2.0), ("1.5", 1.5), ("", None), ("  ", None), ("lots", "lots"), (3, 3)],
)
def test_typed_text_becomes_a_number_blank_is_no_answer(typed, read):
    assert as_number(typed) == read


NON_FINITE_TEXT = [
    "nan",
    "NaN",
    " -nan ",
    "inf",
    "-inf",
    "+Infinity",
    "1e999",
    "-1e999",
]


@pytest.mark.parametrize("typed", NON_FINITE_TEXT)
def test_nan_and_infinity_typed_in_any_spelling_stay_text(typed):
    assert as_number(typed) == typed.strip()


@pytest.mark.parametrize("given", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_given_as_numbers_become_text(given):
    assert as_number(given) == str(given)


@pytest.mark.parametrize("typed", [*NON_FINITE_TEXT, float("nan"), float("-inf")])
@pytest.mark.parametrize(
    ("instrument", "message"),
    [
        ("phq-9", "Please choose an answer from 0 to 3."),
        ("srs", "Please enter a number from 0 to 10, in steps of 0.1."),
    ],
)
def test_nan_and_infinity_are_refused_as_no_number(instrument, message, typed):
    with pytest.raises(InvalidEntry) as caught:
        check_answer(library().get(instrument), "1", typed)
    [problem] = caught.value.problems
    assert (problem.field, problem.code) == ("item_1", "not-a-number")
    assert problem.message == message


def test_a_checked_answer_is_kept_as_a_whole_number_when_it_is_one():
    assert check_answer(phq9(), "1", "2") == 2
    assert isinstance(check_answer(phq9(), "1", "2"), int)
    assert check_answer(library().get("srs"), "1", "7.5") == 7.5


def test_an_answer_outside_the_options_asks_for_one_of_them_in_plain_words():
    with pytest.raises(InvalidEntry) as caught:
        check_answer(phq9(), "9", 5)
    [problem] = caught.value.problems
    assert (problem.field, problem.code) == ("item_9", "not-allowed")
    assert problem.message == "Please choose an answer from 0 to 3."


def test_text_that_is_no_number_is_named_without_echoing_it():
    with pytest.raises(InvalidEntry) as caught:
        check_answer(phq9(), "9", "xx")
    [problem] = caught.value.problems
    assert problem.code == "not-a-number"
    assert problem.message == "Please choose an answer from 0 to 3."


def test_an_item_the_instrument_does_not_have_is_named_by_its_title():
    with pytest.raises(InvalidEntry) as caught:
        check_answer(phq9(), "99", 1)
    assert str(caught.value) == "This is not a question of PHQ-9."


def test_prefer_not_to_answer_only_where_the_instrument_allows_it():
    tac = library().get("tac")
    assert check_answer(tac, "1", None) is None
    strict = dataclasses.replace(tac, allow_skip=False)
    with pytest.raises(InvalidEntry) as caught:
        check_answer(strict, "1", None)
    assert caught.value.codes == {"skip-not-allowed"}
    assert str(caught.value) == (
        "TAC needs every question answered to be scored, "
        "so “Prefer not to answer” is not available here."
    )


def test_a_number_range_says_its_step_when_it_is_not_one():
    assert message(library().get("srs")) == (
        "Please enter a number from 0 to 10, in steps of 0.1."
    )


def test_options_with_gaps_are_listed():
    definition = phq9()
    gapped = [dataclasses.replace(o, value=o.value * 2) for o in definition.options]
    assert all(isinstance(o, Option) for o in gapped)
    assert message(dataclasses.replace(definition, options=tuple(gapped))) == (
        "Please choose one of these answers: 0, 2, 4, 6."
    )
