"""The risk test, in one place: is an answer at or above its item's trigger?

Scoring flags a risk item with it (`score`, `score_many`), the signals raise the
red risk alert with it (signals/risk.py), and the Django apps decide with it
whether a saved answer needs the alert now. One function, so the response page,
the stored alert and the recomputed signals can never disagree about what a
risk answer is (docs/clinical-rules.md §Risk items: PHQ-9 item 9 >= 1, or any definition's trigger).
"""

from __future__ import annotations

import math
from typing import overload

import numpy as np
import numpy.typing as npt

from tether.instruments import Item

__all__ = ["meets_risk_trigger"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@overload
def meets_risk_trigger(item: Item, answers: float | None) -> bool: ...


@overload
def meets_risk_trigger(item: Item, answers: FloatArray) -> BoolArray: ...


def meets_risk_trigger(
    item: Item, answers: float | FloatArray | None
) -> bool | BoolArray:
    """Whether the stored answer to `item` is at or above its risk trigger
    (`risk.at_or_above` of the definition): a bool for one answer, one bool per
    answer for an array.

    An answer not given (None or NaN) never meets it: an unanswered risk item
    is not reassurance, but it is reported as such (the signals' "ask in
    session" note), not as a risk answer. An item without a trigger is never
    met.
    """
    if answers is None:
        return False
    trigger = item.risk.at_or_above if item.risk is not None else math.inf
    met = np.greater_equal(answers, trigger)  # NaN compares False
    if isinstance(answers, np.ndarray):
        return np.asarray(met, dtype=np.bool_)
    return bool(met)
