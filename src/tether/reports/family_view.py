"""The family view: a calm screen a clinician shows the family in session —
the family's and each subsystem's alliance over sessions and the outcome
trend, averaged only over the members who agreed to share (care/sharing.py),
each average saying how many members it covers and naming none. No one's
item answers, no risk or safety item, no alert, no clinician's note, no
therapist's rating (docs/reports.md §Family view).

It is a clinician's page (only the case's clinicians open it, and the kiosk
lock keeps it out of reach of a tablet in kiosk mode), shown in the
family's language: `?lang=`, else the language most of the case's active
members read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tether.accounts.decorators import clinical_view
from tether.accounts.models import User
from tether.analysis.family_aggregates import (
    FamilyAggregates,
    Outcome,
    Trend,
    family_aggregates,
)
from tether.care.charts import summary
from tether.care.frames import library, score_frame
from tether.care.models import Case, CaseKind
from tether.care.sharing import MemberChoices, shared_for_family_view
from tether.care.svg import Panel, Series, draw
from tether.core import palette
from tether.instruments import text_in
from tether.signals.alliance import SUBSYSTEMS


@clinical_view
@require_GET
def family_view(request: HttpRequest, case_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case, choices = shared_for_family_view(user, case_id)
    lang = family_language(request.GET.get("lang"), choices)
    with translation.override(lang):
        context = family_view_context(case, choices, lang)
        return render(request, "reports/family_view.html", context)


def family_language(asked: str | None, choices: Sequence[MemberChoices]) -> str:
    """`asked` when it is a language Tether speaks, else the one most of the
    case's active members read (English on a tie or with no one)."""
    known = [code for code, _name in settings.LANGUAGES]
    if asked in known:
        return str(asked)
    read = Counter(c.member.language for c in choices if c.member.active)
    ranked = sorted(known, key=lambda code: (-read[code], code != "en"))
    return ranked[0] if read else "en"


def family_view_context(
    case: Case, choices: Sequence[MemberChoices], lang: str
) -> dict[str, Any]:
    """Everything the page shows, in the active language."""
    alliance = {str(c.member.pk) for c in choices if c.shares.alliance}
    outcome = {str(c.member.pk) for c in choices if c.shares.outcome}
    numbers = family_aggregates(score_frame([case.pk]), library(), alliance, outcome)
    return {
        "case": case,
        "lang": lang,
        "languages": settings.LANGUAGES,
        "anyone_shares": bool(alliance or outcome),
        "numbers": numbers,
        "alliance": alliance_chart(numbers, case.kind),
        "outcomes": [outcome_chart(o, lang) for o in numbers.outcomes],
        "uses_tac": any(i.startswith("tac") for i in numbers.alliance_instruments),
    }


# ---- the alliance --------------------------------------------------------------

SUBSYSTEM_NAMES = {
    "caregivers": gettext_lazy("Caregivers"),
    "children": gettext_lazy("Children"),
    "couple": gettext_lazy("The couple"),
}


def trend_name(trend: Trend, kind: str = CaseKind.FAMILY) -> str:
    """A line's name: the whole family's (a couple's, in a couple case), or
    its subsystem's."""
    if trend.key == "family":
        return (
            str(SUBSYSTEM_NAMES["couple"]) if kind == CaseKind.COUPLE else _("Family")
        )
    name = trend.key.removeprefix("subsystem:")
    return str(SUBSYSTEM_NAMES.get(name, name))


def trend_colour(trend: Trend) -> str:
    name = trend.key.removeprefix("subsystem:")
    if name in SUBSYSTEMS:
        return palette.subsystem(SUBSYSTEMS.index(name))
    return palette.FAMILY


def alliance_chart(
    numbers: FamilyAggregates, kind: str = CaseKind.FAMILY
) -> dict[str, Any] | None:
    """The family line and the subsystems' on the 0–100 scale, with the
    table of the same numbers (each with how many members it covers)."""
    if not numbers.alliance:
        return None
    series = [
        Series(
            t.key,
            trend_name(t, kind),
            trend_colour(t),
            tuple((p.session, round(p.value, 1)) for p in t.points),
            width=3.0 if t.key == "family" else 2.0,
        )
        for t in numbers.alliance
    ]
    return {
        "panel": _panel(
            "family-alliance",
            _("How the work together feels"),
            series,
            (0, 100),
            _("Alliance (0–100)"),
        ),
        "table": _table(numbers.alliance, [s.name for s in series]),
        "members": numbers.alliance_members,
    }


# ---- the outcome trend ---------------------------------------------------------

PLAIN_TITLES = {
    "pcl-5": gettext_lazy("Stress after trauma"),
    "cats": gettext_lazy("Stress after trauma"),
    "cries-8": gettext_lazy("Stress after trauma"),
    "phq-9": gettext_lazy("Mood"),
    "gad-7": gettext_lazy("Worry"),
    "ors": gettext_lazy("How life is going"),
}
"""Each measure in everyday words, for the family; the measure's short name
follows it."""


def outcome_chart(outcome: Outcome, lang: str) -> dict[str, Any]:
    definition = library().get(outcome.instrument)
    plain = PLAIN_TITLES.get(definition.id)
    title = (
        f"{plain} ({definition.short_title})"
        if plain
        else text_in(definition.title, lang)
    )
    label = text_in(definition.scale(outcome.scale).label, lang)
    y_title = (
        f"{definition.short_title} {label.lower()} ({outcome.low:g}–{outcome.high:g})"
    )
    line = Series(
        outcome.trend.key,
        _("Average"),
        palette.FAMILY,
        tuple((p.session, round(p.value, 1)) for p in outcome.trend.points),
        width=3.0,
    )
    return {
        "id": definition.id,
        "title": title,
        "panel": _panel(
            f"family-{definition.id}",
            title,
            [line],
            (outcome.low, outcome.high),
            y_title,
        ),
        "table": _table([outcome.trend], [line.name]),
        "members": outcome.trend.members,
        "direction": (
            _("Higher scores mean things are going better.")
            if outcome.higher_is_better
            else _("Lower scores mean fewer difficulties.")
        ),
        "digits": 0 if outcome.high - outcome.low >= 20 else 1,
    }


# ---- shared --------------------------------------------------------------------


def _panel(
    panel_id: str,
    title: str,
    series: Sequence[Series],
    y_range: tuple[float, float],
    y_title: str,
) -> Panel:
    sessions = [n for s in series for n, _v in s.points]
    # Names at the line ends are bold here: room for two more characters.
    longest = max(len(s.name) for s in series) + 2
    return draw(
        panel_id,
        title,
        summary(series),
        series,
        (min(sessions), max(sessions)),
        y_range,
        x_title=_("Session"),
        y_title=y_title,
        height=250,
        longest=longest,
    )


def _table(trends: Sequence[Trend], columns: Sequence[str]) -> dict[str, Any]:
    """One row per session, one column per line: the value and how many
    members it averages (None where a line has no point)."""
    at = [{p.session: p for p in t.points} for t in trends]
    sessions = sorted({p.session for t in trends for p in t.points})
    return {
        "columns": list(columns),
        "rows": [(n, [points.get(n) for points in at]) for n in sessions],
    }
