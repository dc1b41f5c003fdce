"""The demo clinic's alert load is one a person can read (issue #11, item 3):
at most two open alerts in the median open case, counting every severity,
while every planted event still going on at the last session, and every
risk answer, has its open alert."""

import pytest

from tether.care.models import Case, Signal
from tether.demo.clinic import DEFAULT_CASES, DEFAULT_SEED, PlantedEvent
from tether.demo.load import alert_load, needs_open_alert, without_open_alert

pytestmark = pytest.mark.django_db


class TestTheDemoAlertLoad:
    def test_the_clinic_is_the_one_tether_demo_seeds(self, clinic):
        assert (DEFAULT_CASES, DEFAULT_SEED) == (40, 2026)
        assert Case.objects.filter(organization=clinic.organization).count() == 40

    def test_the_median_open_case_has_at_most_two_open_alerts(self, clinic):
        load = alert_load(clinic.organization)
        assert len(load.per_case) == 40
        assert load.median <= 2, str(load)
        assert (
            load.total
            == Signal.objects.filter(
                organization=clinic.organization, status=Signal.Status.OPEN
            ).count()
        )

    def test_good_news_and_information_that_ask_nothing_are_noted_not_open(
        self, clinic
    ):
        load = alert_load(clinic.organization)
        assert load.by_severity["green"] == 0, str(load)
        noted = Signal.objects.filter(
            organization=clinic.organization, status=Signal.Status.NOTED
        )
        assert set(noted.values_list("severity", flat=True)) <= {"green", "info"}
        assert noted.filter(kind="recovery").exists()

    def test_every_ongoing_planted_event_and_every_risk_answer_has_its_open_alert(
        self, clinic
    ):
        wanted = [e for e in clinic.planted if needs_open_alert(e)]
        kinds = {e.event for e in wanted}
        # The seed plants each of these, still going on at the last session.
        assert {"rupture", "pcl5-deteriorator", "risk-item", "low-support"} <= kinds
        assert {"therapist-overestimation", "missed", "split-family"} <= kinds
        assert without_open_alert(clinic.planted) == []

    def test_an_event_whose_alert_was_closed_is_reported_missing(self, clinic):
        rupture = next(e for e in clinic.planted if e.event == "rupture" and e.ongoing)
        Signal.objects.filter(
            case_id=rupture.case_id,
            kind="rupture",
            subject=f"member:{rupture.member_id}",
        ).update(status=Signal.Status.RESOLVED)
        assert without_open_alert(clinic.planted) == [rupture]

    def test_a_split_cut_short_is_still_going_on_at_the_new_last_session(self, clinic):
        cut = [
            e
            for e in clinic.planted
            if e.event.startswith("split") and e.last_session == e.session + 1
        ]
        assert cut
        assert all(e.ongoing for e in cut)


def test_an_event_ends_before_or_at_the_last_session():
    event = PlantedEvent("rupture", 1, 2, session=4, end_session=5, last_session=9)
    assert not event.ongoing
    assert not needs_open_alert(event)
    lasting = PlantedEvent("rupture", 1, 2, session=4, end_session=None, last_session=9)
    assert lasting.ongoing
    assert needs_open_alert(lasting)
    risk = PlantedEvent("risk-item", 1, 2, session=2, end_session=2, last_session=9)
    assert needs_open_alert(risk)
    responder = PlantedEvent("pcl5-responder", 1, 2, 1, None, 9)
    assert not needs_open_alert(responder)
