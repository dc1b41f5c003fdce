"""A stored response's answers as numbers, for exports.

A response keeps its answers as JSON, item id → value: a number, None for
"prefer not to answer", and, from paper entry, the text that was typed
(read as a number by care.answers.as_number when it was scored). Exports carry
numbers only: an answer that is not a finite number is written as no answer,
so no typed text can leave in an export, and keys that are not items of the
instrument are left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from tether.instruments import Definition


def as_number(value: object) -> float | None:
    """A finite number (also when written as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def answer_values(
    definition: Definition, answers: Mapping[str, object]
) -> dict[str, float | None]:
    """Each item of `definition` that `answers` holds, in item order: its
    number, or None where it was declined or is not a number."""
    return {
        item: as_number(answers[item])
        for item in definition.item_ids
        if item in answers
    }
