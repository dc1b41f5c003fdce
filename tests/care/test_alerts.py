"""How computed signals become stored alerts (care/alerts.py, store_signals):
one condition, one alert, updated when it comes back; good news and
information that ask nothing are noted, not open; a clinician's close is
respected; risk alerts are never followed into one another nor resolved."""

import pytest
from tests.visible import visible_text

from tether.care.alerts import store_signals
from tether.care.models import Signal
from tether.care.services import acknowledge_signal
from tether.signals import Signal as Event

pytestmark = pytest.mark.django_db


def safety(leo, session, last=None, ended=""):
    """Leo's 'not safe to speak in front of the family' run from `session`."""
    return Event(
        "within-family-safety",
        "yellow",
        "1",
        f"member:{leo.pk}",
        session,
        {
            "member": str(leo.pk),
            "instrument": "tac@1.0",
            "value": 1.0,
            "last_session": last or session,
        },
        ended=ended,
    )


def worsening(leo, session, ended=""):
    return Event(
        "meaningful-worsening",
        "red",
        "1",
        f"member:{leo.pk}",
        session,
        {"member": str(leo.pk), "instrument": "pcl-5", "change": 12.0},
        ended=ended,
    )


def stored(case):
    return list(case.signals.order_by("session_number", "pk"))


def test_a_condition_that_comes_back_updates_its_open_alert(rivera, leo):
    store_signals(rivera, [safety(leo, 3)])
    [alert] = stored(rivera)
    store_signals(rivera, [safety(leo, 3), safety(leo, 6, last=7)])
    assert stored(rivera) == [alert]
    alert.refresh_from_db()
    assert alert.status == Signal.Status.OPEN
    assert alert.session_number == 3
    assert alert.evidence["last_session"] == 7
    assert alert.evidence["followed"] == [6]


def test_storing_the_same_signals_again_changes_nothing(rivera, leo):
    fresh = [safety(leo, 3), safety(leo, 6), safety(leo, 9)]
    store_signals(rivera, fresh)
    [alert] = stored(rivera)
    history = alert.history.count()
    store_signals(rivera, fresh)
    assert stored(rivera) == [alert]
    assert alert.history.count() == history


def test_a_condition_back_after_it_ended_reopens_its_alert(rivera, leo):
    store_signals(rivera, [worsening(leo, 4, ended="no such worsening at session 5")])
    [alert] = stored(rivera)
    assert alert.status == Signal.Status.RESOLVED
    store_signals(
        rivera,
        [worsening(leo, 4, ended="no such worsening at session 5"), worsening(leo, 8)],
    )
    assert stored(rivera) == [alert]
    alert.refresh_from_db()
    assert alert.status == Signal.Status.OPEN
    assert "Raised again: seen again from session 8." in alert.note


def test_after_a_clinician_closed_it_a_return_is_a_new_alert(ames, rivera, leo):
    store_signals(rivera, [safety(leo, 3)])
    [first] = stored(rivera)
    acknowledge_signal(ames, first.pk, "Talked with Leo alone.")
    store_signals(rivera, [safety(leo, 3), safety(leo, 8)])
    first_again, second = stored(rivera)
    assert first_again == first
    assert first_again.status == Signal.Status.ACKNOWLEDGED
    assert (second.session_number, second.status) == (8, Signal.Status.OPEN)
    # and it stays so on the next recompute
    store_signals(rivera, [safety(leo, 3), safety(leo, 8)])
    assert [s.status for s in stored(rivera)] == ["acknowledged", "open"]


def test_alerts_stored_apart_before_are_merged_into_the_earlier_one(rivera, leo):
    for session in (3, 8):
        Signal.objects.create(
            organization=rivera.organization,
            case=rivera,
            kind="within-family-safety",
            severity="yellow",
            subject=f"member:{leo.pk}",
            instrument="tac@1.0",
            session_number=session,
        )
    store_signals(rivera, [safety(leo, 3), safety(leo, 8)])
    first, later = stored(rivera)
    assert first.status == Signal.Status.OPEN
    assert later.status == Signal.Status.RESOLVED
    assert "followed in the alert of session 3" in later.note


def test_good_news_is_noted_and_never_open(rivera, leo):
    improvement = Event(
        "recovery",
        "green",
        "1",
        f"member:{leo.pk}",
        6,
        {"member": str(leo.pk), "instrument": "pcl-5"},
    )
    store_signals(rivera, [improvement])
    [alert] = stored(rivera)
    assert alert.status == Signal.Status.NOTED
    # No longer seen: resolved like an open alert would be.
    store_signals(rivera, [])
    alert.refresh_from_db()
    assert alert.status == Signal.Status.RESOLVED


def test_a_discrepancy_worth_a_question_stays_open(rivera, leo):
    discrepancy = Event("therapist-discrepancy", "info", "1", f"member:{leo.pk}", 2, {})
    store_signals(rivera, [discrepancy])
    assert stored(rivera)[0].status == Signal.Status.OPEN


def test_each_risk_answer_is_its_own_alert_and_none_is_resolved(rivera, leo):
    def risk(session):
        return Event(
            "risk-item",
            "red",
            "1",
            f"member:{leo.pk}",
            session,
            {"member": str(leo.pk), "instrument": "phq-9", "item": "9", "value": 1},
        )

    store_signals(rivera, [risk(2), risk(5)])
    assert [(s.session_number, s.status) for s in stored(rivera)] == [
        (2, "open"),
        (5, "open"),
    ]
    store_signals(rivera, [])
    assert [s.status for s in stored(rivera)] == ["open", "open"]


def test_the_case_page_shows_good_news_apart_from_the_open_alerts(
    sign_in, ames, rivera, leo
):
    recovery = Event(
        "recovery",
        "green",
        "1",
        f"member:{leo.pk}",
        6,
        {"member": str(leo.pk), "instrument": "pcl-5"},
    )
    store_signals(rivera, [recovery, safety(leo, 3)])
    page = visible_text(sign_in(ames).get(f"/cases/{rivera.pk}/").content.decode())
    attention = page[
        page.index("Open alerts") : page.index("Good news and information")
    ]
    noted = page[page.index("Good news and information") :]
    assert "Not safe to speak in front of the family" in attention
    assert "Recovery on PCL-5" not in attention
    assert "Recovery on PCL-5" in noted
    assert "Open alerts (1;" in page
