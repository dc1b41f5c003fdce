"""Who answers what and when (care/plan.py): a measure plan's cadence decides
the sessions it asks in; without a plan, the defaults."""

import datetime as dt

import pytest

from tether.care import services
from tether.care.models import MeasurePlan
from tether.care.plan import monthly_sessions, session_plan


def weekly_sessions(ames, case, members, count, start=dt.date(2026, 1, 5)):
    return [
        services.start_session(
            ames, case.pk, start + dt.timedelta(weeks=n), [m.pk for m in members]
        )
        for n in range(count)
    ]


def plan(case, cadence, every_n=1):
    return MeasurePlan.objects.create(
        organization=case.organization,
        case=case,
        instrument="tac",
        roles=["caregiver", "identified-client"],
        cadence=cadence,
        every_n=every_n,
    )


def asked_in(sessions, member):
    return [
        s.number
        for s in sessions
        if "tac@1.1" in session_plan(s).get(str(member.pk), [])
    ]


def test_without_a_plan_each_member_gets_the_default(ames, rivera, maria, leo):
    (session,) = weekly_sessions(ames, rivera, [maria, leo], 1)
    chosen = session_plan(session)
    assert chosen[str(maria.pk)] == ["tac@1.1"]
    assert chosen[str(leo.pk)][0] == "tac@1.1"


def test_every_session(ames, rivera, maria, leo):
    plan(rivera, MeasurePlan.Cadence.EVERY_SESSION)
    sessions = weekly_sessions(ames, rivera, [maria, leo], 4)
    assert asked_in(sessions, maria) == [1, 2, 3, 4]


def test_every_third_session(ames, rivera, maria, leo):
    plan(rivera, MeasurePlan.Cadence.EVERY_N, every_n=3)
    sessions = weekly_sessions(ames, rivera, [maria, leo], 8)
    assert asked_in(sessions, maria) == [1, 4, 7]


def test_monthly_is_every_fourth_week_not_every_session(ames, rivera, maria, leo):
    plan(rivera, MeasurePlan.Cadence.MONTHLY)
    sessions = weekly_sessions(ames, rivera, [maria, leo], 9)
    assert asked_in(sessions, maria) == [1, 5, 9]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([0, 7, 14, 21, 28, 35], {1, 5}),
        # a gap moves it on: after a five-week break it is asked at once
        ([0, 7, 42, 49, 56, 70], {1, 3, 6}),
        ([0, 27, 28], {1, 3}),
    ],
)
def test_monthly_sessions_from_dates(days, expected):
    start = dt.date(2026, 3, 2)
    dates = [(n, start + dt.timedelta(days=d)) for n, d in enumerate(days, start=1)]
    assert monthly_sessions(dates) == expected
