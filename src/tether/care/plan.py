"""Who answers what and when: the questionnaires a member is asked in a
session (the case's measure plan and its cadence, or the defaults), and
whether an instrument can go to a person at all (version, licensed text, form,
age band, language). The kiosk and the link pages ask this module; nothing
else decides it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _

from tether.instruments import Definition

from .errors import InvalidEntry
from .frames import library
from .models import AgeBand, MeasurePlan, Member, Session
from .selectors import definition_named

FOR_ADULTS = "tac"
"""The default for members 13 and over: the Tether Alliance Check-in."""
FOR_CHILDREN = "tac-child"
"""The default for members 8 to 12: its four-item child form."""
FOR_THE_CLIENT = "pcl-5"
"""Added for the identified client where its licensed text is loaded."""
MONTH = dt.timedelta(days=28)
"""A monthly measure's spacing: four weeks, so it keeps to the same weekday."""

BAND_YEARS: dict[str, tuple[int, int | None]] = {
    AgeBand.CHILD: (8, 12),
    AgeBand.TEEN: (13, 17),
    AgeBand.ADULT: (18, None),
}
"""Age bands as ranges of years, to check an instrument's published age range."""


def session_plan(session: Session) -> dict[str, list[str]]:
    """Who answers what in this session: each attending, active member with at
    least one questionnaire that can be sent to them, from the case's measure
    plan (what is due this session) or, without one, the default (TAC for 13+, TAC-C for 8-12, and PCL-5
    for the identified client when its text is loaded). A plan naming a
    superseded version (tac@1.0) gets the version that replaces it."""
    plans = list(session.case.measure_plans.all())
    lib = library()
    chosen: dict[str, list[str]] = {}
    for member in session.attended.filter(active=True).order_by("id"):
        names = _planned(plans, member, session) if plans else _default(member)
        keys: list[str] = []
        for name in names:
            try:
                definition = lib.current(definition_named(name).key)
            except InvalidEntry:
                continue
            if definition.key in keys:
                continue
            if unsendable(definition, member, member.language) is None:
                keys.append(definition.key)
        if keys:
            chosen[str(member.pk)] = keys
    return chosen


def _planned(plans: list[MeasurePlan], member: Member, session: Session) -> list[str]:
    return [
        plan.instrument
        for plan in plans
        if member.role in list(plan.roles) and due(plan, session)
    ]


def due(plan: MeasurePlan, session: Session) -> bool:
    """Whether the plan asks its instrument in this session: every session;
    every N-th (sessions 1, 1 + N, 1 + 2N, …); or monthly — the first session,
    then the first session at least `MONTH` after the last one it was asked in
    (from the dates of the case's sessions, so a missed week moves it on)."""
    if plan.cadence == MeasurePlan.Cadence.EVERY_N:
        return (session.number - 1) % max(plan.every_n, 1) == 0
    if plan.cadence == MeasurePlan.Cadence.MONTHLY:
        return session.number in monthly_sessions(
            session.case.sessions.filter(number__lte=session.number)
            .order_by("number")
            .values_list("number", "date")
        )
    return True


def monthly_sessions(sessions: Iterable[tuple[int, dt.date]]) -> set[int]:
    """The session numbers a monthly measure falls on, from (number, date)
    in order."""
    chosen: set[int] = set()
    last: dt.date | None = None
    for number, date in sessions:
        if last is None or date - last >= MONTH:
            chosen.add(number)
            last = date
    return chosen


def _default(member: Member) -> list[str]:
    names = [FOR_CHILDREN if member.age_band == AgeBand.CHILD else FOR_ADULTS]
    if member.is_identified_client:
        names.append(FOR_THE_CLIENT)  # dropped by session_plan if its text is missing
    return names


def unsendable(
    definition: Definition, member: Member | None, language: str
) -> str | None:
    """Why this instrument cannot go to this person as a link, or None."""
    name = definition.short_title
    if definition.superseded_by is not None:
        return (
            f"{name} {definition.version} is superseded by version {definition.superseded_by}, "
            f"so it is no longer sent; send {definition.id}@{definition.superseded_by} "
            f"(answers given on {definition.version} keep their version)"
        )
    if not definition.has_text:
        return f"{name} has no licensed text loaded, so it cannot be sent as a link; enter it from paper"
    if member is None and "therapist" not in definition.respondents:
        return f"{name} is not a therapist form, so it cannot be sent to the therapist; send it to a member"
    if member is not None:
        if set(definition.respondents) <= {"therapist"}:
            return f"{name} is a therapist form, so it cannot be sent to {member.first_name}; send it to the therapist"
        if not fits_age(definition, member):
            return f"{name} is not meant for {member.first_name}'s age band ({member.get_age_band_display()})"
    if not all(language in item.text for item in definition.items):
        label = dict(settings.LANGUAGES).get(language, language)
        return f"{name} has no {label} text, so it cannot be sent in {label}; send it in another language or enter it from paper"
    return None


def fits_age(definition: Definition, member: Member) -> bool:
    low, high = BAND_YEARS.get(member.age_band, (0, None))
    if definition.age_max is not None and low > definition.age_max:
        return False
    return not (
        definition.age_min is not None
        and high is not None
        and high < definition.age_min
    )


def default_plan() -> list[dict[str, str]]:
    """The default measure plan as people read it (what `_default` asks of a
    case without a plan of its own): who answers, which questionnaire, and
    whether it can be sent now."""
    lib = library()
    rows = []
    for who, name in (
        (_("Members 13 and over"), FOR_ADULTS),
        (_("Members 8 to 12"), FOR_CHILDREN),
        (_("The identified client, in addition"), FOR_THE_CLIENT),
    ):
        definition = lib.current(definition_named(name).key)
        note = (
            _("every session")
            if definition.has_text
            else _("every session, once its licensed text is loaded (not loaded yet)")
        )
        rows.append({"who": who, "instrument": definition.short_title, "when": note})
    return rows
