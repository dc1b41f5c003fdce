"""An administrator changes the clinic's alert thresholds on the clinic
settings page (issue #15 item 6): each shown with its published default and
source; the change audited with its old and new values, applied from the next
recompute, the clinic refitted at once in the background; a value out of range
refused with a message naming the field, nothing saved."""

import datetime as dt
import html

import pytest
from tests.visible import visible_text

from tether.audit.models import AuditEvent
from tether.care import recompute, services
from tether.signals.tunables import TUNABLES

MSPSS_FAMILY_3_5 = {str(n): 5 for n in range(1, 13)} | {"3": 3, "4": 4, "8": 3, "11": 4}
"""MSPSS answers whose family subscale mean is 3.5: not low under the default
rule (below 3), low under a clinic rule of below 4."""


def post(client, **changes):
    """The thresholds form as the page fills it, with `changes`."""
    data = {f"thresholds-{t.name}": _default(t) for t in TUNABLES}
    data |= {f"thresholds-{name}": value for name, value in changes.items()}
    return client.post("/clinic/settings/thresholds/", data)


def _default(tunable):
    from tether.signals.tunables import default_of

    return default_of(tunable.name)


def test_every_threshold_is_shown_with_its_published_default_and_source(sign_in, ada):
    page = html.unescape(sign_in(ada).get("/clinic/settings/").content.decode())
    assert page.count('class="field threshold') == len(TUNABLES)
    text = visible_text(page)
    assert "Rupture: SDs below the member's own level" in text
    assert (
        "Published default: 2. Source: Gumz, Brähler, Geyer & Erices 2012 [V]" in text
    )
    assert "Published default: 0.8416. Source: Worse than 80% of similar cases" in text
    assert (
        "Published default: A clinically meaningful change (PCL-5: 10 points)." in text
    )
    assert "changed by the clinic" not in text


def test_a_change_is_kept_audited_applied_and_the_clinic_refitted(
    sign_in, ada, northside, ames, rivera, maria, first_session
):
    services.enter_paper_response(
        ames, first_session.pk, "mspss", maria.pk, answers=MSPSS_FAMILY_3_5
    )
    assert not rivera.signals.filter(kind="low-support").exists()
    client = sign_in(ada)
    response = post(client, rupture_k=1.5, low_support_below=4)
    assert response["Location"] == "/clinic/settings/#thresholds"
    northside.refresh_from_db()
    assert northside.signal_settings == {"rupture_k": 1.5, "low_support_below": 4.0}
    event = AuditEvent.objects.get(object_type="signal-settings")
    assert (event.user, event.action) == (ada, "update")
    assert event.detail == {
        "changed": ["low_support_below", "rupture_k"],
        "old": {"low_support_below": 3.0, "rupture_k": 2.0},
        "new": {"low_support_below": 4.0, "rupture_k": 1.5},
    }
    # The refit ran (the tests run queued work at once) with the new rule.
    assert "fitted_at" in northside.signal_norms
    assert rivera.signals.filter(kind="low-support", status="open").exists()
    page = visible_text(client.get("/clinic/settings/"))
    assert page.count("changed by the clinic") == 2


def test_the_refit_is_queued_to_run_after_the_change_commits(
    ada, northside, ames, maria, first_session, monkeypatch
):
    services.enter_paper_response(
        ames, first_session.pk, "mspss", maria.pk, answers=MSPSS_FAMILY_3_5
    )
    queued = []
    monkeypatch.setattr(recompute, "after_commit", queued.append)
    services.update_signal_settings(ada, {"disengagement_missed": 3})
    assert [(work.func, work.args) for work in queued] == [
        (recompute.queue_refit, (northside.pk,))
    ]
    northside.refresh_from_db()
    assert "fitted_at" not in (northside.signal_norms or {})
    queued[0]()
    northside.refresh_from_db()
    assert "fitted_at" in northside.signal_norms


def test_a_value_back_at_its_default_follows_the_default_again(ada, northside):
    services.update_signal_settings(ada, {"rupture_k": 1.0, "repair_window": 3})
    services.update_signal_settings(ada, {"rupture_k": 2.0})
    northside.refresh_from_db()
    assert northside.signal_settings == {"repair_window": 3}
    assert services.update_signal_settings(ada, {"repair_window": 3}) == {}
    assert AuditEvent.objects.filter(object_type="signal-settings").count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"rupture_k": 9},
            "Rupture: SDs below the member's own level: enter a value from 0.5 "
            "to 4 (you entered 9).",
        ),
        (
            {"disengagement_missed": 0},
            "Disengagement: questionnaires left unanswered in a row: enter a "
            "value from 1 to 10 (you entered 0).",
        ),
        (
            {"not_on_track_red_z": 0.5},
            "Not on track, red: z above expected must be above the yellow one "
            "(0.8416), so red means further off track.",
        ),
        ({"repair_window": "2.5"}, "Enter a whole number."),
        ({"z_crit": "lots"}, "Enter a number."),
        ({"change_alert_rule": "gut-feeling"}, "Select a valid choice."),
    ],
)
def test_a_bad_value_is_refused_naming_the_field_and_nothing_is_saved(
    sign_in, ada, northside, changes, message
):
    response = post(sign_in(ada), **changes)
    assert response.status_code == 400
    text = visible_text(html.unescape(response.content.decode()))
    assert message in text
    assert "Nothing was saved. Please correct:" in text
    northside.refresh_from_db()
    assert not northside.signal_settings
    assert not AuditEvent.objects.filter(object_type="signal-settings").exists()


def test_the_service_refuses_a_name_it_does_not_know(ada, northside):
    with pytest.raises(services.InvalidEntry) as refused:
        services.update_signal_settings(ada, {"rupture_k": 1.0, "snooze_days": 3})
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("snooze_days", "not-a-choice")
    ]
    assert "snooze_days is not a threshold Tether knows." in str(refused.value)
    northside.refresh_from_db()
    assert not northside.signal_settings


def test_only_an_administrator_changes_the_thresholds(sign_in, ames, sam, northside):
    for person in (ames, sam):
        assert post(sign_in(person), rupture_k=1.0).status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.update_signal_settings(sam, {"rupture_k": 1.0})
    northside.refresh_from_db()
    assert not northside.signal_settings


def test_the_clinics_rule_texts_state_its_new_numbers(
    sign_in, ada, ames, rivera, leo, first_session
):
    services.update_signal_settings(ada, {"change_alert_rule": "reliable-change"})
    second = services.start_session(ames, rivera.pk, dt.date(2026, 11, 9))
    for session, total in ((first_session, 40), (second, 56)):
        services.enter_paper_response(
            ames, session.pk, "pcl-5", leo.pk, totals={"total": total}
        )
    page = visible_text(sign_in(ames).get("/cases/").content.decode())
    assert "a change of 15 points or more since intake is a reliable change" in page
