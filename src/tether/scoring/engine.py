"""Score any instrument from its definition.

One vectorized core (`score_many`) scores an N×k answer matrix; `score` checks
one response's answers and scores it through the same core, so the two can
never disagree.

Rules, all from the definition (docs/instrument-format.md):
- options with a `score` are mapped from stored value to scored value
  (e.g. CRIES 0/1/2/3 -> 0/1/3/5, Perrin et al. 2005; docs/clinical-rules.md §Scoring
  rules);
- reversed items score `min + max - value` on the item's scored range;
- a scale needs `min_answered` answers; with fewer there is no value, with
  fewer than all it is prorated: a `sum` scale as mean(answered) × n items,
  a `mean` scale as the mean of the answered items, and flagged;
- a risk item is triggered when its stored answer is at or above its trigger
  (`meets_risk_trigger`, the one place that test is made).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tether.instruments import Definition, Scale, text_in

from .risk import meets_risk_trigger
from .rules import RULES

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


NOT_AN_ITEM = "not-an-item"
NOT_A_NUMBER = "not-a-number"
NOT_ALLOWED = "not-allowed"


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """One answer that cannot be scored: its item, the value given, what was
    wrong (`code`: NOT_AN_ITEM, NOT_A_NUMBER or NOT_ALLOWED; the allowed
    values are the definition's) and `reason`, a line for logs and the
    command line. Words for people are chosen from the code by the caller."""

    item: str
    value: object
    code: str
    reason: str

    def __str__(self) -> str:
        return f"item {self.item}: {self.reason}"


class AnswerError(ValueError):
    """Answers that cannot be scored; `problems` names each item and why."""

    def __init__(self, instrument: str, problems: list[AnswerProblem]) -> None:
        self.instrument = instrument
        self.problems = tuple(problems)
        lines = "; ".join(str(problem) for problem in problems)
        super().__init__(f"{instrument}: {lines}")


@dataclass(frozen=True, slots=True)
class ScaleScore:
    scale: str
    value: float | None
    answered: int
    items: int
    prorated: bool
    band: str | None
    reason: str | None
    """Why there is no value (too few answers), else None."""


@dataclass(frozen=True, slots=True)
class RiskFlag:
    item: str
    value: float
    label: str


@dataclass(frozen=True, slots=True)
class ScoreResult:
    instrument: str
    scales: Mapping[str, ScaleScore]
    risk: tuple[RiskFlag, ...]
    extras: Mapping[str, Any]

    def value(self, scale: str) -> float | None:
        return self.scales[scale].value


@dataclass(frozen=True, slots=True)
class ScaleColumn:
    values: FloatArray
    answered: npt.NDArray[np.int64]
    prorated: BoolArray
    bands: npt.NDArray[np.object_]


@dataclass(frozen=True, slots=True)
class ScoreTable:
    instrument: str
    scales: Mapping[str, ScaleColumn]
    risk: Mapping[str, BoolArray]
    extras: Mapping[str, npt.NDArray[Any]]
    answers: FloatArray
    """The stored answers that were scored (N×k, NaN for missing)."""

    def __len__(self) -> int:
        first = next(iter(self.scales.values()))
        return len(first.values)


def invalid_cells(definition: Definition, matrix: FloatArray) -> list[tuple[int, int]]:
    """(row, column) of every present answer that is not an allowed value."""
    present = ~np.isnan(matrix)
    allowed = _allowed_mask(definition, matrix)
    rows, cols = np.nonzero(present & ~allowed)
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


def _allowed_mask(definition: Definition, matrix: FloatArray) -> BoolArray:
    r = definition.value_range
    if r is not None:
        steps = (matrix - r.minimum) / r.step
        with np.errstate(invalid="ignore"):  # infinity is off the grid
            on_grid = np.abs(steps - np.round(steps)) < 1e-6
        return (matrix >= r.minimum) & (matrix <= r.maximum) & on_grid
    values = np.array([option.value for option in definition.options])
    return np.isin(matrix, values)


def score(definition: Definition, answers: Mapping[str, object]) -> ScoreResult:
    """Score one response: `answers` maps item id to a number, or None when not
    answered. Raises AnswerError naming every bad item and the allowed values;
    NaN and infinity are not numbers here (an unanswered item is None)."""
    row = _answer_row(definition, answers)
    table = score_many(definition, row[np.newaxis, :])
    return _row_result(definition, table, 0)


def _answer_row(definition: Definition, answers: Mapping[str, object]) -> FloatArray:
    problems = [
        AnswerProblem(
            str(item), answers[item], NOT_AN_ITEM, "is not an item of this instrument"
        )
        for item in answers
        if item not in definition.item_ids
    ]
    row = np.full(len(definition.items), np.nan)
    allowed = definition.describe_allowed()
    for column, item in enumerate(definition.item_ids):
        value = answers.get(item)
        if value is None:
            continue
        # NaN would read as "not answered" and infinity is no answer at all.
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            problems.append(
                AnswerProblem(
                    item,
                    value,
                    NOT_A_NUMBER,
                    f"{value!r} is not a number; allowed: {allowed}",
                )
            )
            continue
        row[column] = float(value)
    bad = invalid_cells(definition, row[np.newaxis, :])
    problems += [
        AnswerProblem(
            definition.item_ids[c],
            row[c],
            NOT_ALLOWED,
            f"value {row[c]:g} not in {allowed}",
        )
        for _, c in bad
    ]
    if problems:
        raise AnswerError(definition.key, problems)
    return row


def score_many(definition: Definition, matrix: npt.ArrayLike) -> ScoreTable:
    """Score an N×k matrix of stored answers (items in definition order, NaN for
    missing). Raises AnswerError if any present value is not allowed, which
    infinity never is."""
    answers = np.asarray(matrix, dtype=np.float64)
    if answers.ndim != 2 or answers.shape[1] != len(definition.items):
        raise ValueError(
            f"{definition.key}: expected an N×{len(definition.items)} matrix, got shape {answers.shape}"
        )
    bad = invalid_cells(definition, answers)
    if bad:
        allowed = definition.describe_allowed()
        raise AnswerError(
            definition.key,
            [
                AnswerProblem(
                    definition.item_ids[c],
                    answers[r, c],
                    NOT_ALLOWED,
                    f"row {r}: value {answers[r, c]:g} not in {allowed}",
                )
                for r, c in bad[:50]
            ],
        )
    scored = item_scores(definition, answers)
    scales = {
        scale.id: _scale_column(definition, scale, scored)
        for scale in definition.scales
    }
    risk = {
        item.id: meets_risk_trigger(item, answers[:, column])
        for column, item in enumerate(definition.items)
        if item.risk is not None
    }
    rule = RULES.get(definition.id)
    extras = rule(definition, answers) if rule is not None else {}
    return ScoreTable(definition.key, scales, risk, extras, answers)


def item_scores(definition: Definition, answers: FloatArray) -> FloatArray:
    """Stored answers mapped to scored values, with reversed items reversed."""
    scored = answers.copy()
    remap = [(o.value, o.score) for o in definition.options if o.score != o.value]
    if remap:
        for value, points in remap:
            scored[answers == value] = points
    low, high = definition.score_bounds
    reverse = np.array([item.reverse for item in definition.items])
    scored[:, reverse] = low + high - scored[:, reverse]
    return scored


def _scale_column(
    definition: Definition, scale: Scale, scored: FloatArray
) -> ScaleColumn:
    columns = [definition.item_ids.index(item) for item in scale.items]
    block = scored[:, columns]
    answered = np.sum(~np.isnan(block), axis=1)
    enough = answered >= scale.min_answered
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(block, axis=1) / answered
    values = mean if scale.method == "mean" else mean * len(columns)
    values = np.where(enough, values, np.nan)
    prorated = enough & (answered < len(columns))
    return ScaleColumn(values, answered, prorated, band_labels(scale, values))


def band_labels(
    scale: Scale, values: FloatArray, language: str = "en"
) -> npt.NDArray[np.object_]:
    """The interpretation band of each value (None without a value or bands)."""
    labels = np.full(len(values), None, dtype=object)
    if not scale.bands:
        return labels
    lowers = np.array([band.lower for band in scale.bands])
    index = np.searchsorted(lowers, values, side="right") - 1
    names = np.array(
        [text_in(band.label, language) for band in scale.bands], dtype=object
    )
    has = ~np.isnan(values) & (index >= 0)
    labels[has] = names[index[has]]
    return labels


def _row_result(definition: Definition, table: ScoreTable, row: int) -> ScoreResult:
    scales = {}
    for scale in definition.scales:
        column = table.scales[scale.id]
        value = float(column.values[row])
        answered = int(column.answered[row])
        missing = np.isnan(value)
        scales[scale.id] = ScaleScore(
            scale=scale.id,
            value=None if missing else value,
            answered=answered,
            items=len(scale.items),
            prorated=bool(column.prorated[row]),
            band=column.bands[row],
            reason=(
                f"{answered} of {len(scale.items)} items answered; "
                f"at least {scale.min_answered} needed"
                if missing
                else None
            ),
        )
    risk = tuple(
        RiskFlag(
            item.id, float(table.answers[row, column]), text_in(item.risk.label, "en")
        )
        for column, item in enumerate(definition.items)
        if item.risk is not None and table.risk[item.id][row]
    )
    extras = {name: _plain(values[row]) for name, values in table.extras.items()}
    return ScoreResult(definition.key, scales, risk, extras)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value
