"""One answer as a person gives it: the rule that turns typed text into a
number (paper entry and links alike), the check of one answer against its
instrument (the portal's autosave asks it before saving), and the scoring
engine's problems put into words for people.

The engine reports a bad answer as a code and numbers (`AnswerProblem`);
the words are chosen here, through gettext, so a person reads "Please choose
an answer from 0 to 3", never the engine's "value 5 not in {0, 1, 2, 3}"."""

from __future__ import annotations

import math

from django.utils.translation import gettext_lazy

from tether.instruments import Definition
from tether.scoring import AnswerError, AnswerProblem, score

from .errors import Code, InvalidEntry, Problem, Text, item_field

NOT_A_QUESTION = gettext_lazy("This is not a question of %(instrument)s.")
NO_SKIP = gettext_lazy(
    "%(instrument)s needs every question answered to be scored, so “Prefer not to answer” is not available here."
)
ANSWER_RANGE = gettext_lazy("Please choose an answer from %(low)s to %(high)s.")
ANSWER_LIST = gettext_lazy("Please choose one of these answers: %(values)s.")
NUMBER_RANGE = gettext_lazy("Please enter a number from %(low)s to %(high)s.")
NUMBER_STEPS = gettext_lazy(
    "Please enter a number from %(low)s to %(high)s, in steps of %(step)s."
)


def as_number(value: object) -> object:
    """The one rule that reads an answer: blank text is no answer (None), text
    that reads as a finite number becomes a float, and anything else is left
    as it is, so the engine names it as not a number. NaN and infinity, however
    written ("nan", "-inf", "Infinity", "1e999") or passed, are no answer
    anyone can give and would not survive being stored as JSON: they are
    turned into text, and so refused like any other text."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return text
        return number if math.isfinite(number) else text
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def check_answer(
    definition: Definition, item_id: str, value: object
) -> int | float | None:
    """One answer to one item, checked against its instrument: the number to
    keep, or None for "prefer not to answer" (None or blank) where the
    instrument allows it; InvalidEntry saying what is wrong otherwise."""
    item_id = str(item_id)
    if item_id not in definition.item_ids:
        raise InvalidEntry(
            [
                Problem(
                    item_field(item_id),
                    Code.NOT_AN_ITEM,
                    NOT_A_QUESTION,
                    {"instrument": definition.short_title},
                )
            ]
        )
    number = as_number(value)
    if number is None:
        if not definition.allow_skip:
            raise InvalidEntry(
                [
                    Problem(
                        item_field(item_id),
                        Code.SKIP_NOT_ALLOWED,
                        NO_SKIP,
                        {"instrument": definition.short_title},
                    )
                ]
            )
        return None
    try:
        score(definition, {item_id: number})
    except AnswerError as error:
        raise InvalidEntry(answer_problems(definition, error)) from error
    assert isinstance(number, int | float)
    return int(number) if float(number).is_integer() else float(number)


def answer_problems(definition: Definition, error: AnswerError) -> list[Problem]:
    """The engine's problems with the answers, each on its item's field, in
    words for people."""
    return [answer_problem(definition, problem) for problem in error.problems]


def answer_problem(definition: Definition, problem: AnswerProblem) -> Problem:
    field = item_field(problem.item)
    code = Code(problem.code)
    if code == Code.NOT_AN_ITEM:
        values = {"instrument": definition.short_title}
        return Problem(field, code, NOT_A_QUESTION, values)
    text, values = allowed_answers(definition)
    return Problem(field, code, text, values)


def allowed_answers(definition: Definition) -> tuple[Text, dict[str, object]]:
    """What may be answered, as a request to the person: a number range (with
    its step when it is not 1), a range of options numbered without gaps, or
    else the list of option values."""
    r = definition.value_range
    if r is not None:
        values: dict[str, object] = {"low": _num(r.minimum), "high": _num(r.maximum)}
        if r.step == 1:
            return NUMBER_RANGE, values
        return NUMBER_STEPS, values | {"step": _num(r.step)}
    options = sorted(option.value for option in definition.options)
    low, high = options[0], options[-1]
    if options == [low + n for n in range(len(options))]:
        return ANSWER_RANGE, {"low": _num(low), "high": _num(high)}
    return ANSWER_LIST, {"values": ", ".join(_num(v) for v in options)}


def _num(value: float) -> str:
    return f"{value:g}"
