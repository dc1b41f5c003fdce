"""What the alliance is made of, on the case page: TAC answers by dimension per
member, the dimension that fell most named with the member and the session,
and the within-family safety alert for clinicians only."""

import datetime as dt

import pytest
from django.utils import translation

from tether.care import services
from tether.care.frames import score_frame
from tether.care.models import Score, Signal
from tether.signals.within_safety import WITHIN_SAFETY

STEADY = {"1": 3, "2": 4, "3": 3, "4": 3, "5": 3, "6": 3, "7": 3}
FAMILY = {"8": 3, "9": 3, "10": 3, "11": 3}


def tac(**changes):
    """TAC answers (items 1-11) with some items changed: tac(i2=1)."""
    return STEADY | FAMILY | {k.removeprefix("i"): v for k, v in changes.items()}


def sessions_with(ames, rivera, maria, leo, leos_answers, marias=None):
    """One session per entry of `leos_answers`; Maria answers steadily."""
    for number, answers in enumerate(leos_answers, 1):
        session = services.start_session(
            ames, rivera.pk, dt.date(2026, 11, number), [maria.pk, leo.pk]
        )
        services.enter_paper_response(
            ames, session.pk, "tac@1.0", leo.pk, answers=answers
        )
        mine = (marias or {}).get(number, tac())
        services.enter_paper_response(
            ames, session.pk, "tac@1.0", maria.pk, answers=mine
        )
    return rivera


@pytest.fixture
def respect_drop(ames, rivera, maria, leo):
    """Leo's respect item (2) goes from 4 to 1 in session 5; nothing else moves."""
    return sessions_with(ames, rivera, maria, leo, [tac()] * 4 + [tac(i2=1)])


def test_the_tac_items_are_stored_as_item_rows_beside_the_scales(respect_drop, leo):
    scales = set(
        Score.objects.filter(
            response__member=leo, response__session__number=5
        ).values_list("scale", flat=True)
    )
    assert {"self", "within-family", "item:2", "item:11"} <= scales
    assert {f"item:{n}" for n in range(1, 12)} <= scales


def test_the_case_page_names_the_dimension_the_member_and_the_session(
    sign_in, ames, respect_drop
):
    page = sign_in(ames).get(f"/cases/{respect_drop.pk}/").content.decode()
    assert "What the alliance is made of" in page
    section = page.split('id="breakdown"')[1].split("</section>")[0]
    assert "In session 5, Leo&#x27;s answers fell most on respect (4 → 1)" in section
    assert "against session 1." in section
    assert "I feel respected by my therapist." in section
    assert 'class="lower' in section
    # Maria's answers did not move: no headline for her.
    assert "Maria&#x27;s answers fell" not in section


def test_the_breakdown_reads_in_spanish(sign_in, ames, respect_drop):
    client = sign_in(ames)
    with translation.override("es"):
        page = client.get(f"/cases/{respect_drop.pk}/").content.decode()
    section = page.split('id="breakdown"')[1].split("</section>")[0]
    assert "De qué está hecha la alianza" in page
    assert "En la sesión 5, las respuestas de Leo bajaron más en respeto" in section
    assert "Siento que mi terapeuta me respeta." in section
    assert "En desacuerdo" in section


def test_a_rupture_alert_names_what_fell_most(ames, rivera, maria, leo, sign_in):
    drop = tac(i1=2, i2=0, i3=2, i4=2, i5=2, i6=2, i7=2)
    sessions_with(ames, rivera, maria, leo, [tac()] * 4 + [drop])
    rupture = Signal.objects.get(case=rivera, kind="rupture")
    assert rupture.subject == f"member:{leo.pk}"
    page = sign_in(ames).get(f"/cases/{rivera.pk}/").content.decode()
    alert = page.split(f'id="alert-{rupture.pk}"')[1].split("</article>")[0]
    assert (
        "What fell most in session 5, against up to 3 sessions before: respect (4 → 0)."
        in alert
    )


def test_a_low_answer_on_safety_within_the_family_raises_the_alert(
    ames, rivera, maria, leo
):
    sessions_with(ames, rivera, maria, leo, [tac(), tac(i11=1), tac(i11=0)])
    alert = Signal.objects.get(case=rivera, kind=WITHIN_SAFETY)
    assert alert.subject == f"member:{leo.pk}"
    assert alert.session_number == 2
    assert alert.severity == "yellow"
    assert alert.evidence["answer"] == "Strongly disagree"
    assert alert.evidence["last_session"] == 3


def test_not_sure_about_safety_within_the_family_raises_nothing(
    ames, rivera, maria, leo
):
    sessions_with(ames, rivera, maria, leo, [tac(), tac(i11=2)])
    assert not Signal.objects.filter(case=rivera, kind=WITHIN_SAFETY).exists()


def test_the_safety_alert_is_on_the_clinicians_page(sign_in, ames, rivera, maria, leo):
    sessions_with(ames, rivera, maria, leo, [tac(i11=1)])
    page = sign_in(ames).get(f"/cases/{rivera.pk}/").content.decode()
    assert "Not safe to speak in front of the family" in page
    assert "In session 1, Leo answered &#x27;Disagree&#x27;" in page


def test_the_risk_only_table_reads_no_alliance_item(ames, rivera, maria, leo):
    sessions_with(ames, rivera, maria, leo, [tac(i9=4)])
    assert score_frame([rivera.pk], risk_items_only=True).empty
    full = score_frame([rivera.pk], alliance_items=True)
    assert (full["scale"] == "item:9").sum() == 2


def test_the_rules_table_carries_only_the_items_a_rule_reads(ames, rivera, maria, leo):
    sessions_with(ames, rivera, maria, leo, [tac(i11=1)])
    items = score_frame([rivera.pk])
    items = items[items["scale"].str.startswith("item:")]
    assert set(items["scale"]) == {"item:11"}
