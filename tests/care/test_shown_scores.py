"""The session page shows each response's scores by name, value and band,
never a scale id or a risk item's row."""

import pytest
from tests.visible import visible_text

from tether.care import services
from tether.care.frames import library
from tether.care.models import Score
from tether.care.shown_scores import score_lines

PHQ9_TWELVE = {str(i): 0 for i in range(1, 10)} | {"1": 3, "2": 3, "3": 3, "4": 3}
"""Items 1-4 at 3, the rest 0: a total of 12, in the "moderate" band (10-14)."""


def test_a_phq9_total_is_shown_with_its_band(sign_in, ames, first_session, maria):
    services.enter_paper_response(
        ames, first_session.pk, "phq-9", maria.pk, answers=PHQ9_TWELVE
    )
    page = visible_text(
        sign_in(ames).get(f"/sessions/{first_session.pk}/").content.decode()
    )
    assert "Total: 12 (moderate)" in page
    assert "item:9" not in page


def test_a_total_entered_from_paper_shows_its_mean_with_one_decimal(
    sign_in, ames, first_session, leo
):
    services.enter_paper_response(
        ames, first_session.pk, "tac", leo.pk, totals={"self": 3.4}
    )
    page = visible_text(
        sign_in(ames).get(f"/sessions/{first_session.pk}/").content.decode()
    )
    tac_self = next(s for s in library().get("tac").scales if s.id == "self")
    assert f"{tac_self.label['en']}: 3.4" in page


@pytest.mark.django_db
def test_an_estimated_score_says_so_and_an_empty_one_is_left_out():
    definition = library().get("phq-9")
    scores = [
        Score(scale="total", value=14.0, prorated=True),
        Score(scale="item:9", value=2.0),
    ]
    assert score_lines(definition, scores) == [
        "Total: 14 (moderate) (estimated from the questions answered)"
    ]
    assert score_lines(definition, [Score(scale="total", value=None)]) == []
