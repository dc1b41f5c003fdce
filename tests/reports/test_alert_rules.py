"""The clinic's figures per alert rule (issue #15 item 6): how many fired in a
window, the share acknowledged within a week, the share marked useful, not
useful or wrong — counted from the feedback clinicians give when they
acknowledge or resolve an alert; for supervisors and administrators."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from tests.visible import visible_text

from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.models import Signal
from tether.reports.alert_rules import Tally, alert_rules_for, rule_figures

NOW = timezone.now()


def fired(case, kind, days_ago, session):
    """An alert Tether stored `days_ago`."""
    signal = Signal.objects.create(
        organization=case.organization,
        case=case,
        kind=kind,
        severity="yellow",
        subject="case",
        session_number=session,
    )
    Signal.objects.filter(pk=signal.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return signal


def acknowledge_after(signal, days, feedback="", resolve=False):
    """Acknowledged through the service, as a clinician does, then moved to
    `days` after the alert fired."""
    clinician = signal.case.clinicians.get()
    services.acknowledge_signal(
        clinician, signal.pk, resolve=resolve, feedback=feedback
    )
    stored = Signal.objects.get(pk=signal.pk)
    Signal.objects.filter(pk=signal.pk).update(
        acknowledged_at=stored.created_at + dt.timedelta(days=days)
    )


@pytest.fixture
def history(ames, rivera):
    """Low-alliance alerts of the last 90 days: six acknowledged (4 within a
    week), one left open for 20 days, one fired yesterday; feedback on five:
    3 useful, 1 not useful, 1 wrong. A rupture acknowledged on time and
    marked wrong. An older low-alliance alert, 200 days ago."""
    plan = [
        # days ago, acknowledged after (days), feedback
        (60, 1, "useful"),
        (50, 3, "useful"),
        (40, 7, "not-useful"),
        (29, 0, ""),
        (25, 8, "useful"),
        (21, 12, "wrong"),
        (20, None, ""),
        (1, None, ""),
    ]
    for session, (days_ago, after, feedback) in enumerate(plan, start=1):
        signal = fired(rivera, "low-alliance", days_ago, session)
        if after is not None:
            acknowledge_after(signal, after, feedback, resolve=session % 2 == 0)
    rupture = fired(rivera, "rupture", 15, 1)
    acknowledge_after(rupture, 2, "wrong")
    fired(rivera, "low-alliance", 200, 99)
    fired(rivera, "recovery", 10, 1)


def rule_row(page, name):
    found = [
        visible_text(row)
        for row in re.findall(r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", page, re.S)
    ]
    return next(row for row in found if row.startswith(name + " "))


def test_the_feedback_given_is_counted_in_the_figures_of_its_rule(
    sign_in, sam, history
):
    page = sign_in(sam).get("/clinic/alert-rules/").content.decode()
    # Low alliance: 8 fired in 90 days; due 7 (the one fired yesterday still
    # has time), within a week 4 (1, 3, 7 and 0 days); feedback on 5: useful
    # 3 of 5, not useful 1 of 5, wrong 1 of 5.
    assert rule_row(page, "Low alliance") == (
        "Low alliance 8 57% (4 of 7) 5 60% (3 of 5) 20% (1 of 5) 20% (1 of 5)"
    )
    assert rule_row(page, "Possible alliance rupture") == (
        "Possible alliance rupture 1 100% (1 of 1) 1 0% (0 of 1) 0% (0 of 1) "
        "100% (1 of 1)"
    )
    assert rule_row(page, "Recovery") == "Recovery 1 asks nothing: noted 0 — — —"
    assert rule_row(page, "Risk item endorsed") == "Risk item endorsed 0 — 0 — — —"


def test_the_window_chooses_which_alerts_count(sign_in, sam, history):
    client = sign_in(sam)
    month = client.get("/clinic/alert-rules/", {"days": 30}).content.decode()
    # 29, 25, 21, 20 and 1 days ago: due 4, within a week 1 (the one
    # acknowledged at once); feedback: useful, wrong.
    assert rule_row(month, "Low alliance") == (
        "Low alliance 5 25% (1 of 4) 2 50% (1 of 2) 0% (0 of 2) 50% (1 of 2)"
    )
    ever = client.get("/clinic/alert-rules/", {"days": 0}).content.decode()
    assert rule_row(ever, "Low alliance").startswith("Low alliance 9 50% (4 of 8) 5 ")
    odd = client.get("/clinic/alert-rules/", {"days": 12}).content.decode()
    assert "The window could not be used" in odd
    assert rule_row(odd, "Low alliance").startswith("Low alliance 8 ")


def test_the_figures_are_for_supervisors_and_administrators_only(
    sign_in, ames, ada, sam, history
):
    assert sign_in(ames).get("/clinic/alert-rules/").status_code == 403
    for person in (ada, sam):
        assert sign_in(person).get("/clinic/alert-rules/").status_code == 200
    events = AuditEvent.objects.filter(object_type="alert-rules")
    assert sorted(e.user.username for e in events) == ["ada", "sam"]
    assert events.first().detail == {"window_days": 90, "alerts": 10}


def test_another_organizations_alerts_are_not_counted(sign_in, cole, lakeside, history):
    from tests.conftest import make_user

    from tether.accounts.models import Role

    theirs = services.create_case(cole, "Larsen", "individual")
    fired(theirs, "low-alliance", 5, 1)
    other = make_user(lakeside, "lena", Role.SUPERVISOR)
    figures = alert_rules_for(other, 90)
    counted = {
        rule.kind: rule.tally.fired for rule in figures.rules if rule.tally.fired
    }
    assert counted == {"low-alliance": 1}


def test_an_alert_resolved_by_the_data_was_not_acknowledged():
    tally = Tally()
    week_ago = NOW - dt.timedelta(days=8)
    tally.add("split-dyad", week_ago, None, "", NOW)
    tally.add("split-dyad", week_ago, week_ago + dt.timedelta(days=7), "useful", NOW)
    tally.add("split-dyad", NOW - dt.timedelta(days=6), None, "", NOW)
    assert (tally.fired, tally.due, tally.on_time) == (3, 2, 1)
    assert (tally.acknowledged.percent, tally.useful.percent) == (50, 100)
    assert Tally().acknowledged.percent is None


def test_every_rule_of_the_catalogue_is_listed_by_its_name():
    rules = rule_figures([], NOW)
    names = {rule.kind: rule.name for rule in rules}
    assert names["risk-item"] == "Risk item endorsed"
    assert names["not-on-track"] == "Not on track"
    assert names["disengagement"] == "Not answered or not attending"
    assert all(rule.tally.fired == 0 for rule in rules)
