"""Who answers what and when: the questionnaires a member is asked in a
session (the case's measure plan and its cadence, or the defaults), and
whether an instrument can go to a person at all (version, licensed text, form,
age band, language). The kiosk and the link pages ask this module; nothing
else decides it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import get_language_info, gettext, gettext_lazy

from tether.instruments import Definition

from .errors import Code, InvalidEntry, Problem, Text
from .frames import library
from .models import AgeBand, Case, MeasurePlan, Member, MemberRole, Session
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
    least one questionnaire that can be sent to them, from what is due this
    session under the case's plan (plans_for: its own, the clinic's default,
    or Tether's). A plan naming a superseded version (tac@1.0) gets the
    version that replaces it."""
    plans = plans_for(session.case)
    lib = library()
    chosen: dict[str, list[str]] = {}
    for member in session.attended.filter(active=True).order_by("id"):
        keys: list[str] = []
        for name in _planned(plans, member, session):
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


def plans_for(case: Case) -> list[MeasurePlan]:
    """The plan a case follows: its own rows; without them, its clinic's
    default plan; without one, Tether's default (default_rows, not saved)."""
    own = list(case.measure_plans.order_by("pk"))
    return own or clinic_plan(case.organization_id)


def clinic_plan(organization_id: int) -> list[MeasurePlan]:
    """The clinic's default plan: its own rows, or Tether's default (not
    saved) while the clinic has none."""
    rows = list(
        MeasurePlan.objects.filter(
            organization_id=organization_id, case__isnull=True
        ).order_by("pk")
    )
    return rows or [
        MeasurePlan(organization_id=organization_id, instrument=name, roles=roles)
        for name, roles in default_rows()
    ]


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


def answered_by(definition: Definition) -> tuple[str, ...]:
    """Who may answer it, as a response records it (Response.Respondent): a
    member, unless it is a therapist form only; the therapist, where it is a
    therapist form. The paper form asks the same (forms.py)."""
    kinds = []
    if definition.respondents != (THERAPIST,):
        kinds.append("member")
    if THERAPIST in definition.respondents:
        kinds.append(THERAPIST)
    return tuple(kinds)


def unsendable(
    definition: Definition, member: Member | None, language: str
) -> Problem | None:
    """Why this instrument cannot go to this person as a link, or None."""
    values: dict[str, object] = {"name": definition.short_title}
    if member is not None:
        values["member"] = member.first_name
    if definition.superseded_by is not None:
        values |= {"version": definition.version, "new": definition.superseded_by}
        return _unsendable(SUPERSEDED, values)
    if not definition.has_text:
        return _unsendable(NO_TEXT, values)
    if member is None and "therapist" not in definition.respondents:
        return _unsendable(NOT_FOR_THERAPIST, values)
    if member is not None:
        if set(definition.respondents) <= {"therapist"}:
            return _unsendable(THERAPIST_FORM, values)
        if not fits_age(definition, member):
            values["band"] = member.get_age_band_display()
            return _unsendable(NOT_FOR_AGE, values)
    if not all(language in item.text for item in definition.items):
        values["language"] = language_name(language)
        return _unsendable(NO_LANGUAGE, values)
    return None


def language_name(code: str) -> object:
    """A language as people call it, in the language of the page ("Spanish",
    "español"); the code itself for one Django does not know."""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def _unsendable(text: Text, values: dict[str, object]) -> Problem:
    return Problem("instruments", Code.NOT_SENDABLE, text, values)


SUPERSEDED = gettext_lazy(
    "%(name)s %(version)s is replaced by version %(new)s, so it is no longer "
    "sent; send version %(new)s (answers given on %(version)s keep their version)."
)
NO_TEXT = gettext_lazy(
    "%(name)s has no licensed text loaded, so it cannot be sent as a link; enter it from paper."
)
NOT_FOR_THERAPIST = gettext_lazy(
    "%(name)s is not a therapist form, so it cannot be sent to the therapist; send it to a member."
)
THERAPIST_FORM = gettext_lazy(
    "%(name)s is a therapist form, so it cannot be sent to %(member)s; send it to the therapist."
)
NOT_FOR_AGE = gettext_lazy(
    "%(name)s is not meant for %(member)s's age band (%(band)s)."
)
NO_LANGUAGE = gettext_lazy(
    "%(name)s has no %(language)s text, so it cannot be sent in %(language)s; "
    "send it in another language or enter it from paper."
)


def fits_age(definition: Definition, member: Member) -> bool:
    low, high = BAND_YEARS.get(member.age_band, (0, None))
    if definition.age_max is not None and low > definition.age_max:
        return False
    return not (
        definition.age_min is not None
        and high is not None
        and high < definition.age_min
    )


# ---- the measure plan page -----------------------------------------------------

THERAPIST = "therapist"
"""The role a plan names for the therapist's own rating (e.g. TAC-T)."""

MEMBER_ROLES = tuple(MemberRole.values)


def default_rows() -> list[tuple[str, list[str]]]:
    """The default plan as plan rows (instrument, roles), every session: the
    TAC and its child form for every member (each form goes only to the ages
    it is made for), the PCL-5 for the identified client."""
    return [
        (FOR_ADULTS, list(MEMBER_ROLES)),
        (FOR_CHILDREN, list(MEMBER_ROLES)),
        (FOR_THE_CLIENT, [MemberRole.IDENTIFIED_CLIENT]),
    ]


def how_often(plan: MeasurePlan) -> str:
    """The plan's cadence as people say it."""
    if plan.cadence == MeasurePlan.Cadence.EVERY_N and plan.every_n > 1:
        return gettext("every %(n)d sessions (sessions 1, %(next)d, …)") % {
            "n": plan.every_n,
            "next": plan.every_n + 1,
        }
    if plan.cadence == MeasurePlan.Cadence.MONTHLY:
        return gettext("monthly (the first session at least four weeks after the last)")
    return gettext("every session")


@dataclass(frozen=True)
class PlannedFor:
    """What one person answers under the plan, and what the plan lists that
    they cannot be sent (with why)."""

    who: str
    answers: list[tuple[str, str]]
    """(instrument name, how often)."""
    not_sent: list[str]


def plan_by_person(case: Case) -> list[PlannedFor]:
    """The plan the case follows (plans_for) per active member, then the
    therapist: each form goes only where `unsendable` allows it."""
    lib = library()
    rows = [(p.instrument, list(p.roles), how_often(p)) for p in plans_for(case)]
    people: list[tuple[str, Member | None, str]] = [
        (m.first_name, m, m.role)
        for m in case.members.filter(active=True).order_by("id")
    ]
    people.append((gettext("The therapist"), None, THERAPIST))
    result = []
    for who, member, role in people:
        answers, not_sent = [], []
        for name, roles, cadence in rows:
            if role not in roles:
                continue
            try:
                definition = lib.current(definition_named(name).key)
            except InvalidEntry:
                continue
            problem = unsendable(
                definition, member, member.language if member else "en"
            )
            if problem is None:
                answers.append((definition.short_title, cadence))
            elif member is None or fits_age(definition, member):
                not_sent.append(problem.message)
        if answers or not_sent or member is not None:
            result.append(PlannedFor(who, answers, not_sent))
    return result


def therapist_plan(session: Session) -> list[str]:
    """The therapist's own ratings due this session under the plan the case
    follows (Tether's default asks members only)."""
    lib = library()
    keys: list[str] = []
    for plan in plans_for(session.case):
        if THERAPIST not in list(plan.roles) or not due(plan, session):
            continue
        try:
            definition = lib.current(definition_named(plan.instrument).key)
        except InvalidEntry:
            continue
        if definition.key not in keys and unsendable(definition, None, "en") is None:
            keys.append(definition.key)
    return keys


@dataclass(frozen=True)
class PlanRow:
    pk: int | None
    """None for a row of Tether's default, which is not saved."""
    instrument: str
    """The instrument's name as people read it."""
    roles: list[str]
    how_often: str
    not_loaded: bool = False
    """Its licensed text is not loaded: it is not sent until it is."""


def plan_rows(plans: Iterable[MeasurePlan]) -> list[PlanRow]:
    """Plan rows as a plan page lists them (a case's own, or the clinic's)."""
    names = dict(MemberRole.choices) | {THERAPIST: gettext("the therapist")}
    rows = []
    lib = library()
    for plan in plans:
        try:
            definition = lib.current(definition_named(plan.instrument).key)
        except InvalidEntry:
            title, loaded = plan.instrument, True
        else:
            title, loaded = definition.short_title, definition.has_text
        roles = [str(names.get(role, role)) for role in plan.roles]
        rows.append(PlanRow(plan.pk, title, roles, how_often(plan), not loaded))
    return rows
