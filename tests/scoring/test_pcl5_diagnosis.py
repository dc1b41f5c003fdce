"""PCL-5 provisional DSM-5 diagnosis at each boundary of the rule: an item is
endorsed at >= 2; at least 1 B (items 1-5), 1 C (6-7), 2 D (8-14), 2 E (15-20)."""

import pytest

from tether.instruments import Library, bundled_definitions
from tether.scoring import score

PCL5 = Library(bundled_definitions()).get("pcl-5")
MINIMAL_PATTERN = {"1": 2, "6": 2, "8": 2, "9": 2, "15": 2, "16": 2}


def answers(endorsed, level=2, rest=0):
    values = {str(i): rest for i in range(1, 21)}
    values.update(dict.fromkeys(endorsed, level))
    return values


def diagnosis(values):
    return score(PCL5, values).extras["provisional_diagnosis"]


def test_the_minimal_pattern_meets_the_rule():
    assert diagnosis(answers(MINIMAL_PATTERN)) is True


@pytest.mark.parametrize("dropped", ["1", "6", "8", "15"])
def test_one_endorsed_item_short_in_any_cluster_does_not_meet_it(dropped):
    endorsed = [item for item in MINIMAL_PATTERN if item != dropped]
    assert diagnosis(answers(endorsed)) is False


def test_an_item_rated_1_is_not_endorsed():
    values = answers(MINIMAL_PATTERN)
    values["1"] = 1
    assert diagnosis(values) is False


def test_ratings_of_1_everywhere_never_meet_it_however_high_the_total():
    assert diagnosis(answers([], rest=1)) is False


def test_a_high_total_without_the_pattern_does_not_meet_it():
    # All of B, D and E at 4 (total 72) but no C item endorsed.
    endorsed = [str(i) for i in range(1, 21) if i not in (6, 7)]
    values = answers(endorsed, level=4)
    assert score(PCL5, values).value("total") == 72
    assert diagnosis(values) is False


def test_missing_answers_that_could_complete_the_pattern_make_it_indeterminate():
    values = answers([item for item in MINIMAL_PATTERN if item != "6"])
    values["6"] = None
    assert diagnosis(values) is None


def test_missing_answers_that_cannot_change_the_result_do_not():
    values = answers(MINIMAL_PATTERN)
    values["20"] = None
    assert diagnosis(values) is True
    values = answers([])
    values["6"] = None
    assert diagnosis(values) is False


def test_cluster_scores_are_sums_of_their_items():
    values = {str(i): (i % 5) for i in range(1, 21)}
    result = score(PCL5, values)
    assert result.value("cluster-b") == 1 + 2 + 3 + 4 + 0
    assert result.value("cluster-c") == 1 + 2
    assert result.value("cluster-d") == 3 + 4 + 0 + 1 + 2 + 3 + 4
    assert result.value("cluster-e") == 0 + 1 + 2 + 3 + 4 + 0
    assert result.value("total") == sum(values.values())
