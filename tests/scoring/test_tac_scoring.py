"""TAC scores by version, hand-computed (docs/tac.md "Scoring"): 1.1's rupture
item is reversed (4 − answer), TAC-C 1.1 runs 0-3, and 1.0 answers score as
they always did."""

import pytest

from tether.instruments import Library, bundled_definitions
from tether.scoring import AnswerError, score

LIBRARY = Library(bundled_definitions())


def tac_1_1(*self_items, family=(None, None, None, None)):
    """Answers to items 1-9 (the `self` items), then 10-13."""
    return {str(i): v for i, v in enumerate((*self_items, *family), start=1)}


def test_agreeing_that_something_did_not_sit_right_lowers_the_self_score():
    tac = LIBRARY.get("tac")
    rupture = score(tac, tac_1_1(3, 3, 3, 3, 3, 3, 3, 3, 4))
    # items 1-8 "Agree" (3), item 9 "Strongly agree" (4) scores 4 − 4 = 0
    assert rupture.value("self") == pytest.approx((8 * 3 + 0) / 9)  # 2.667
    no_rupture = score(tac, tac_1_1(3, 3, 3, 3, 3, 3, 3, 3, 0))
    assert no_rupture.value("self") == pytest.approx((8 * 3 + 4) / 9)  # 3.111
    assert rupture.value("core-conditions") == no_rupture.value("core-conditions") == 3


def test_agreeing_with_everything_no_longer_gives_the_top_score():
    assert score(
        LIBRARY.get("tac@1.0"), dict.fromkeys(map(str, range(1, 12)), 4)
    ).value("self") == pytest.approx(4.0)
    everything = tac_1_1(4, 4, 4, 4, 4, 4, 4, 4, 4, family=(4, 4, 4, 4))
    assert score(LIBRARY.get("tac"), everything).value("self") == pytest.approx(32 / 9)


def test_two_missing_self_items_are_prorated_and_three_give_no_value():
    tac = LIBRARY.get("tac")
    two = score(tac, tac_1_1(2, None, 2, 2, 2, 2, None, 2, 1))
    assert two.value("self") == pytest.approx((6 * 2 + 3) / 7)
    assert two.scales["self"].prorated is True
    assert score(tac, tac_1_1(2, None, 2, 2, 2, 2, None, 2, None)).value("self") is None


def test_the_family_scales_use_items_10_to_13():
    result = score(
        LIBRARY.get("tac"), tac_1_1(3, 3, 3, 3, 3, 3, 3, 3, 1, family=(4, 2, 1, 0))
    )
    assert result.value("family-therapist") == pytest.approx(3.0)
    assert result.value("within-family") == pytest.approx(0.5)


def test_a_stored_tac_1_0_response_still_scores_as_1_0():
    answers = dict.fromkeys(map(str, range(1, 12)), 3) | {"7": 1, "9": 4, "8": 2}
    result = score(LIBRARY.get("tac@1.0"), answers)
    assert result.instrument == "tac@1.0"
    assert result.value("self") == pytest.approx((6 * 3 + 1) / 7)  # item 7 not reversed
    assert result.value("family-therapist") == pytest.approx((2 + 4) / 2)


def test_the_child_form_1_1_scores_on_0_to_3_and_refuses_a_4():
    child = LIBRARY.get("tac-child")
    result = score(child, {"1": 3, "2": 3, "3": 2, "4": 1})
    assert result.value("self") == pytest.approx(2.25)  # POMP 75
    with pytest.raises(AnswerError, match="item 1"):
        score(child, {"1": 4, "2": 3, "3": 2, "4": 1})
    assert score(LIBRARY.get("tac-child@1.0"), {"1": 4, "2": 4, "3": 4, "4": 3}).value(
        "self"
    ) == pytest.approx(3.75)


def test_the_therapist_form_1_1_self_is_the_mean_of_8_items():
    answers = dict.fromkeys(map(str, range(1, 9)), 3) | {"8": 1}
    result = score(LIBRARY.get("tac-t"), answers)
    assert result.value("self") == pytest.approx((7 * 3 + 1) / 8)
    assert result.value("family") is None
