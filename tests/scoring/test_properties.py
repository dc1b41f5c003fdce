"""Properties that hold for every bundled instrument."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tether.instruments import bundled_definitions
from tether.scoring import item_scores, score, score_many

DEFINITIONS = bundled_definitions()


def allowed_values(definition):
    if definition.value_range is not None:
        r = definition.value_range
        steps = round((r.maximum - r.minimum) / r.step)
        return st.integers(0, steps).map(lambda k: round(r.minimum + k * r.step, 6))
    return st.sampled_from([option.value for option in definition.options])


@st.composite
def answer_matrices(draw):
    definition = draw(st.sampled_from(DEFINITIONS))
    rows = draw(st.integers(1, 6))
    cell = st.one_of(allowed_values(definition), st.just(np.nan))
    matrix = np.array(
        [[draw(cell) for _ in definition.items] for _ in range(rows)], dtype=float
    )
    return definition, matrix


def as_answers(definition, row):
    return {
        item: (None if np.isnan(value) else float(value))
        for item, value in zip(definition.item_ids, row, strict=True)
    }


@settings(max_examples=150, deadline=None)
@given(answer_matrices())
def test_every_scale_score_stays_within_the_scale_range(case):
    definition, matrix = case
    table = score_many(definition, matrix)
    for scale in definition.scales:
        low, high = definition.scale_bounds(scale)
        values = table.scales[scale.id].values
        present = values[~np.isnan(values)]
        assert np.all(present >= low - 1e-9)
        assert np.all(present <= high + 1e-9)


@settings(max_examples=150, deadline=None)
@given(answer_matrices())
def test_score_many_equals_score_row_by_row(case):
    definition, matrix = case
    table = score_many(definition, matrix)
    for row_index, row in enumerate(matrix):
        single = score(definition, as_answers(definition, row))
        for scale in definition.scales:
            column = table.scales[scale.id]
            expected = column.values[row_index]
            got = single.scales[scale.id]
            assert (got.value is None) == bool(np.isnan(expected))
            if got.value is not None:
                assert got.value == expected
            assert got.prorated == column.prorated[row_index]
            assert got.band == column.bands[row_index]
        flagged = {flag.item for flag in single.risk}
        assert flagged == {item for item, hits in table.risk.items() if hits[row_index]}
        for name, values in table.extras.items():
            assert single.extras[name] == values[row_index]


@settings(max_examples=100, deadline=None)
@given(answer_matrices())
def test_reverse_scoring_applied_twice_is_the_identity(case):
    definition, matrix = case
    low, high = definition.score_bounds
    scored = item_scores(definition, matrix)
    reversed_once = low + high - scored
    reversed_twice = low + high - reversed_once
    np.testing.assert_allclose(reversed_twice, scored, equal_nan=True)
