"""The risk test, made in one place (`meets_risk_trigger`), and the scoring
engine and the risk signal agreeing with it on every bundled risk item."""

import math

import numpy as np
import pandas as pd
import pytest

from tether.instruments import Item, Library, bundled_definitions
from tether.instruments.model import RiskTrigger
from tether.longformat import REQUIRED
from tether.scoring import meets_risk_trigger, score
from tether.signals import check_scores
from tether.signals.risk import risk_signals

LIBRARY = Library(bundled_definitions())
PHQ9 = LIBRARY.get("phq-9")
ITEM_9 = PHQ9.item("9")


def test_phq9_item_9_is_met_from_one_on():
    assert [meets_risk_trigger(ITEM_9, value) for value in (0, 1, 2, 3)] == [
        False,
        True,
        True,
        True,
    ]


def test_an_answer_not_given_never_meets_it():
    assert meets_risk_trigger(ITEM_9, None) is False
    assert meets_risk_trigger(ITEM_9, math.nan) is False


def test_an_item_without_a_trigger_is_never_met():
    assert PHQ9.item("1").risk is None
    assert meets_risk_trigger(PHQ9.item("1"), 3) is False
    assert not meets_risk_trigger(PHQ9.item("1"), np.array([0.0, 3.0])).any()


def test_an_array_gives_one_answer_per_value():
    met = meets_risk_trigger(ITEM_9, np.array([0.0, 1.0, np.nan, 3.0]))
    assert met.dtype == np.bool_
    assert met.tolist() == [False, True, False, True]


def test_the_trigger_is_inclusive_at_a_fractional_value():
    item = Item("x", risk=RiskTrigger(at_or_above=2.5, label={"en": "x"}))
    assert [meets_risk_trigger(item, v) for v in (2.4, 2.5, 2.6)] == [
        False,
        True,
        True,
    ]


def allowed_answers(definition):
    r = definition.value_range
    if r is not None:
        return list(np.arange(r.minimum, r.maximum + r.step / 2, r.step))
    return [option.value for option in definition.options]


RISK_ANSWERS = [
    pytest.param(definition, item, value, id=f"{definition.key}-{item.id}-{value:g}")
    for definition in LIBRARY
    for item in definition.risk_items
    for value in allowed_answers(definition)
]


def test_bundled_instruments_have_risk_items_to_check():
    keys = {p.values[0].id for p in RISK_ANSWERS}
    assert {"phq-9", "pcl-5"} <= keys


@pytest.mark.parametrize(("definition", "item", "value"), RISK_ANSWERS)
def test_scoring_and_the_risk_signal_agree_with_the_trigger(definition, item, value):
    expected = meets_risk_trigger(item, value)
    assert expected == (value >= item.risk.at_or_above)

    flagged = {flag.item for flag in score(definition, {item.id: value}).risk}
    assert (item.id in flagged) == expected

    row = ["C1", "M1", "identified-client", "member", "1"]
    row += [definition.key, f"item:{item.id}", f"{value:g}"]
    frame = check_scores(pd.DataFrame([row], columns=list(REQUIRED)), LIBRARY)
    signals = risk_signals(frame, LIBRARY)
    assert (signals["signal"].tolist() == ["risk-item"]) == expected
    if not expected:
        assert signals.empty
