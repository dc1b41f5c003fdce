"""The PCL-5 provisional diagnosis and the PHQ-9 syndrome that scoring finds
are stored with the response and shown as people read them, never as a
diagnosis (docs/clinical-rules.md §Scoring rules)."""

import datetime as dt
import html

import pytest
from django.utils import translation

from tether.care import services
from tether.care.rule_results import finding

ALL_TWO = {str(i): 2 for i in range(1, 21)}
"""Every PCL-5 item at 2 ("Moderately"): every cluster has its endorsed items."""
ALL_ONE = {str(i): 1 for i in range(1, 21)}
"""Every item at 1 ("A little bit"): no item is endorsed."""
NO_CLUSTER_C = ALL_TWO | {"6": None, "7": None}
"""Cluster C (items 6-7) unanswered: B, D and E met, so the missing answers decide."""


def enter(ames, session, member, instrument, answers):
    return services.enter_paper_response(
        ames, session.pk, instrument, member.pk, answers=answers
    )


@pytest.mark.parametrize(
    ("answers", "stored"),
    [(ALL_TWO, True), (ALL_ONE, False), (NO_CLUSTER_C, None)],
)
def test_a_stored_pcl5_keeps_its_provisional_diagnosis(
    ames, first_session, leo, answers, stored
):
    response = enter(ames, first_session, leo, "pcl-5", answers)
    response.refresh_from_db()
    assert response.rule_results == {"provisional_diagnosis": stored}


@pytest.mark.parametrize(
    ("answers", "stored"),
    [
        # Core item 1 and items 3-6 at 2: five counted items.
        ({"1": 2, "3": 2, "4": 2, "5": 2, "6": 2}, "major depressive syndrome"),
        # Core item 2 at 2 and item 9 at 1: two counted items.
        ({"2": 2, "9": 1}, "other depressive syndrome"),
        # Five counted items but no core item.
        ({"3": 3, "4": 3, "5": 3, "6": 3, "7": 3}, "neither"),
    ],
)
def test_a_stored_phq9_keeps_its_syndrome(ames, first_session, leo, answers, stored):
    zeros = {str(i): 0 for i in range(1, 10)}
    response = enter(ames, first_session, leo, "phq-9", zeros | answers)
    response.refresh_from_db()
    assert response.rule_results == {"syndrome": stored}


def test_totals_from_paper_store_no_rule_result_and_say_so(
    sign_in, ames, first_session, leo
):
    enter(ames, first_session, leo, "pcl-5", ALL_TWO)
    response = services.enter_paper_response(
        ames, first_session.pk, "pcl-5", leo.pk, totals={"total": 40}
    )
    response.refresh_from_db()
    assert response.rule_results == {}
    page = html.unescape(
        sign_in(ames).get(f"/sessions/{first_session.pk}/").content.decode()
    )
    assert "Provisional PTSD diagnosis: not computed (DSM-5 cluster rule)" in page
    assert "Not computed: a total entered without its item answers" in page
    assert "Criterion A" not in page


def test_the_session_page_shows_the_results_as_people_read_them(
    sign_in, ames, first_session, leo, maria
):
    enter(ames, first_session, leo, "pcl-5", ALL_TWO)
    enter(ames, first_session, maria, "phq-9", {str(i): 0 for i in range(1, 10)})
    page = html.unescape(
        sign_in(ames).get(f"/sessions/{first_session.pk}/").content.decode()
    )
    assert "Provisional PTSD diagnosis: criteria met (DSM-5 cluster rule)" in page
    assert "Depressive syndrome: no depressive syndrome (PHQ-9 algorithm)" in page
    assert "not a diagnosis" in page
    assert "Criterion A" in page


def test_the_case_page_lists_them_beside_the_scores(sign_in, ames, rivera, leo, maria):
    for number, answers in enumerate([ALL_TWO, ALL_ONE], start=1):
        session = services.start_session(ames, rivera.pk, dt.date(2026, 11, number))
        enter(ames, session, leo, "pcl-5", answers)
    enter(
        ames,
        session,
        maria,
        "phq-9",
        {str(i): 0 for i in range(1, 10)} | {"2": 2, "9": 1},
    )
    page = html.unescape(sign_in(ames).get(f"/cases/{rivera.pk}/").content.decode())
    assert (
        '<th scope="row">Leo</th><td>1</td><td>40</td><td>0</td><td>criteria met</td>'
        in page
    )
    assert (
        '<th scope="row">Leo</th><td>2</td><td>20</td><td>-20</td><td>criteria not met</td>'
        in page
    )
    assert (
        '<th scope="row">Maria</th><td>2</td><td>3</td><td>other depressive syndrome</td>'
        in page
    )
    assert "Provisional PTSD diagnosis <small>(DSM-5 cluster rule)</small>" in page


def test_the_wording_has_a_spanish_translation():
    with translation.override("es"):
        shown = str(finding("pcl-5", {"provisional_diagnosis": True}))
        syndrome = str(finding("phq-9", {"syndrome": "major depressive syndrome"}))
    assert shown == (
        "Diagnóstico provisional de TEPT: se cumplen los criterios"
        " (regla de los grupos de síntomas del DSM-5)"
    )
    assert (
        syndrome == "Síndrome depresivo: síndrome depresivo mayor (algoritmo del PHQ-9)"
    )
