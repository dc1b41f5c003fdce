"""What the clinic analytics page shows (templates/reports/analytics.html):
the pure results of tether.analysis put into words, charts and tables, with
instrument names rather than ids (docs/analytics.md). The page decides
nothing the template would have to."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tether.analysis.clinic import ClinicAnalysis
from tether.analysis.coverage import Coverage, InstrumentCoverage
from tether.analysis.expected_curves import ExpectedCurves, IntakeGroup
from tether.analysis.needs import CouldNotFit, NotEnoughData
from tether.analysis.reliability import Reliability
from tether.analysis.within_between import WithinBetween
from tether.care.models import MemberRole
from tether.care.svg import Panel, Series, draw
from tether.core import palette
from tether.instruments import Definition, Library, UnknownInstrument, text_in
from tether.signals import SignalConfig

from .analytics import THERAPIST, ClinicAnalytics
from .analytics_charts import HChart, Row, hchart, padded_range

LANGUAGE = "en"
"""Staff pages show instrument and scale names in English (as the case page)."""


def respondent_label(role: str) -> str:
    if role == THERAPIST:
        return _("Therapist")
    try:
        return str(MemberRole(role).label)
    except ValueError:
        return role


def _n(value: float | None, digits: int = 2) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}f}"


def _share(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if 0 < value < 0.005:
        return "<1%"
    return f"{value:.0%}"


@dataclass
class Named:
    """An instrument as people read it: its short title and version."""

    key: str
    title: str
    definition: Definition | None


def named(library: Library, key: str) -> Named:
    try:
        definition = library.get(key)
    except UnknownInstrument:
        return Named(key, key, None)
    if "@" in key:
        return Named(key, f"{definition.short_title} {definition.version}", definition)
    return Named(key, definition.short_title, definition)


def needs_text(result: NotEnoughData, name: str) -> str:
    return _(
        "%(name)s: needs %(minimum)s %(unit)s, has %(current)s (%(more)s more needed)."
    ) % {
        "name": name,
        "minimum": result.minimum,
        "unit": _unit(result.unit),
        "current": result.current,
        "more": result.more_needed,
    }


def _unit(unit: str) -> str:
    units = {
        "people who answered every item": _("people who answered every item"),
        "sessions": _("sessions"),
        "people with 3 or more sessions measuring alliance and outcome": _(
            "people with 3 or more sessions measuring alliance and outcome"
        ),
    }
    if unit in units:
        return units[unit]
    if unit.startswith("clients with "):
        sessions = unit.removeprefix("clients with ").split(" ")[0]
        return _("clients with %(sessions)s or more sessions") % {"sessions": sessions}
    return unit


# ---- reliability ---------------------------------------------------------------


@dataclass(eq=False)
class ReliabilitySection:
    id: str
    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    chart: HChart | None = None

    @property
    def without_omega(self) -> bool:
        return any(row["omega_note"] for row in self.rows)


def reliability_sections(
    results: Sequence[Reliability | NotEnoughData], library: Library
) -> list[ReliabilitySection]:
    """The TAC's figures first (the section its "not yet validated" warnings
    link to, id `tac`), then every other instrument's."""
    tac = ReliabilitySection("tac", _("Tether Alliance Check-in (TAC)"))
    other = ReliabilitySection("reliability-other", _("Other questionnaires"))
    # Scales of one instrument and respondent short of the same people are
    # said in one sentence.
    short: dict[tuple[ReliabilitySection, str, str, int, int], list[NotEnoughData]] = {}
    for result in results:
        name = named(library, result.instrument)
        section = (
            tac if name.definition and name.definition.checked_on_clinic_data else other
        )
        if isinstance(result, NotEnoughData):
            key = (
                section,
                result.instrument,
                result.respondent,
                result.minimum,
                result.current,
            )
            short.setdefault(key, []).append(result)
        else:
            section.rows.append(_reliability_row(result, name))
    for (section, instrument, *_rest), group in short.items():
        section.needs.append(_needs_of_scales(group, named(library, instrument)))
    for section in (tac, other):
        section.chart = _alpha_chart(section)
    return [s for s in (tac, other) if s.rows or s.needs or s.id == "tac"]


def _needs_of_scales(results: list[NotEnoughData], name: Named) -> str:
    """One sentence for the scales of one instrument and respondent that need
    the same number of people and have the same: "every scale" when they are
    all its scales of two or more items."""
    first = results[0]
    scales = [r.scale for r in results]
    every = name.definition is not None and scales == [
        s.id for s in name.definition.scales if len(s.items) >= 2
    ]
    if len(scales) == 1:
        which = _scale_label(name, scales[0])
    elif every:
        which = _("every scale")
    else:
        which = "; ".join(_scale_label(name, s) for s in scales)
    return needs_text(
        first, f"{name.title} · {which} · {respondent_label(first.respondent)}"
    )


def _row_name(name: Named, scale_id: str, role: str) -> str:
    return f"{name.title} · {_scale_label(name, scale_id)} · {respondent_label(role)}"


def _scale_label(name: Named, scale_id: str) -> str:
    if name.definition is None:
        return scale_id
    try:
        return text_in(name.definition.scale(scale_id).label, LANGUAGE)
    except KeyError:
        return scale_id


def _reliability_row(r: Reliability, name: Named) -> dict[str, Any]:
    weakest = r.weakest_item
    return {
        "name": _row_name(name, r.scale, r.respondent),
        "instrument": name.title,
        "scale": _scale_label(name, r.scale),
        "respondent": respondent_label(r.respondent),
        "n": r.n,
        "k": r.k,
        "alpha": _n(r.alpha),
        "alpha_ci": f"{_n(r.alpha_low)}–{_n(r.alpha_high)}",
        "omega": _n(r.omega),
        "omega_note": r.omega_note,
        "mean": _n(r.mean, 1),
        "sd": _n(r.sd, 2),
        "sem": _n(r.sem, 2),
        "rc": _n(r.rc_points, 1),
        "first": r.first_date,
        "last": r.last_date,
        "items": [
            {
                "item": i.item,
                "r": _n(i.r),
                "weakest": weakest is not None and i.item == weakest.item,
            }
            for i in r.item_total
        ],
        "alpha_value": r.alpha,
        "alpha_low": r.alpha_low,
        "alpha_high": r.alpha_high,
    }


def _alpha_chart(section: ReliabilitySection) -> HChart | None:
    if not section.rows:
        return None
    rows = [
        Row(
            row["name"],
            row["alpha_value"],
            row["alpha_low"],
            row["alpha_high"],
            f"α {row['alpha']} [{row['alpha_ci']}], n {row['n']}",
        )
        for row in section.rows
    ]
    low = min(0.5, *(r.low or r.value for r in rows))
    return hchart(
        f"{section.id}-alpha",
        _("Cronbach's α and its interval (95%)"),
        _(
            "Cronbach's α of each scale and respondent, with Feldt's interval "
            "(95%); the numbers are in the table below."
        ),
        rows,
        (math.floor(max(low, -1.0) * 10) / 10, 1.0),
        x_title=_("Cronbach's α (up to 1: more consistent)"),
    )


# ---- expected-response curves ----------------------------------------------------


def expected_sections(
    results: Sequence[ExpectedCurves | NotEnoughData],
    library: Library,
    config: SignalConfig,
) -> list[dict[str, Any]]:
    sections = []
    for result in results:
        if isinstance(result, NotEnoughData):
            name = named(library, result.instrument)
            sections.append(
                {"title": name.title, "needs": needs_text(result, name.title)}
            )
            continue
        name = named(library, result.instrument)
        sections.append(_expected_section(result, name, config))
    return sections


def _expected_section(
    c: ExpectedCurves, name: Named, config: SignalConfig
) -> dict[str, Any]:
    assert name.definition is not None
    scale = name.definition.scale(c.scale)
    low, high = name.definition.scale_bounds(scale)
    y_title = _("%(measure)s %(scale)s (%(low)s–%(high)s points)") % {
        "measure": name.definition.short_title,
        "scale": text_in(scale.label, LANGUAGE).lower(),
        "low": f"{low:g}",
        "high": f"{high:g}",
    }
    panels = [_group_panel(c, g, name, y_title, (low, high)) for g in c.groups]
    sessions = [p.session for p in c.groups[0].curve] if c.groups else []
    return {
        "id": name.key.replace("@", "-").replace(".", "-"),
        "title": name.title,
        "panels": panels,
        "model": (
            _(
                "Fitted on %(clients)s clients (%(scores)s scores) at the clinic's last refit: the model its not-on-track alerts use."
            )
            if c.stored
            else _(
                "Fitted now on %(clients)s clients (%(scores)s scores), as the not-on-track alerts fit it."
            )
        )
        % {"clients": c.model.cases, "scores": c.model.observations},
        "converged": c.model.converged,
        "fit": _(
            "Of %(later)s scores after intake, %(above80)s were above the 80%% "
            "bound (about 20%% expected if the model fits) and %(above90)s above "
            "the 90%% bound (about 10%% expected); the scores were on average "
            "%(residual)s points from the curve (root mean square %(rmse)s)."
        )
        % {
            "later": c.later_scores,
            "above80": _share(c.above80),
            "above90": _share(c.above90),
            "residual": _n(c.mean_residual, 1),
            "rmse": _n(c.rmse, 1),
        },
        "groups": [
            {
                "label": _group_label(g),
                "people": g.people,
            }
            for g in c.groups
        ],
        "table": [
            {
                "session": s,
                "cells": [_curve_cell(g, s) for g in c.groups],
            }
            for s in sessions
        ],
        "yellow_z": config.not_on_track_yellow_z,
        "red_z": config.not_on_track_red_z,
    }


def _group_label(g: IntakeGroup) -> str:
    labels = {
        "lowest third": _("lowest third"),
        "middle third": _("middle third"),
        "highest third": _("highest third"),
    }
    return _("intake %(low)s–%(high)s (%(third)s of intakes)") % {
        "low": f"{g.intake_low:.0f}",
        "high": f"{g.intake_high:.0f}",
        "third": labels.get(g.label, g.label),
    }


def _curve_cell(g: IntakeGroup, session: int) -> dict[str, str]:
    point = next(p for p in g.curve if p.session == session)
    seen = next((o for o in g.observed if o.session == session), None)
    return {
        "expected": _n(point.expected, 1),
        "upper90": _n(point.upper90, 1),
        "observed": _n(seen.mean, 1) if seen else "—",
        "n": str(seen.n) if seen else "",
    }


def _group_panel(
    c: ExpectedCurves,
    g: IntakeGroup,
    name: Named,
    y_title: str,
    bounds: tuple[float, float],
) -> Panel:
    curves = (
        ("expected", _("Expected"), [p.expected for p in g.curve]),
        ("upper80", _("80% bound"), [p.upper80 for p in g.curve]),
        ("upper90", _("90% bound"), [p.upper90 for p in g.curve]),
    )
    series = [
        Series(
            key,
            label,
            colour,
            tuple(
                (p.session, round(v, 1)) for p, v in zip(g.curve, values, strict=True)
            ),
            dashed=True,
            width=1.5,
        )
        for (key, label, values), colour in zip(curves, palette.EXPECTED, strict=True)
    ]
    series.append(
        Series(
            "observed",
            _("Observed mean"),
            palette.PEOPLE[0],
            tuple((o.session, round(o.mean, 1)) for o in g.observed),
        )
    )
    values = [v for s in series for _s, v in s.points]
    top = min(bounds[1], math.ceil(max(values) / 10) * 10) if values else bounds[1]
    bottom = max(bounds[0], math.floor(min(values) / 10) * 10) if values else bounds[0]
    title = _("%(measure)s, %(group)s") % {
        "measure": name.title,
        "group": _group_label(g),
    }
    return draw(
        f"{name.key.replace('@', '-').replace('.', '-')}-{g.label.split()[0]}",
        title,
        _(
            "Expected %(measure)s scores by session for %(people)s clients with an "
            "intake of %(low)s–%(high)s, with the 80%% and 90%% upper bounds and "
            "the observed mean; the numbers are in the table below."
        )
        % {
            "measure": name.title,
            "people": g.people,
            "low": f"{g.intake_low:.0f}",
            "high": f"{g.intake_high:.0f}",
        },
        series,
        (g.curve[0].session, g.curve[-1].session),
        (bottom, top if top > bottom else bottom + 10),
        x_title=_("Session"),
        y_title=y_title,
    )


# ---- within and between ------------------------------------------------------------


def within_between_sections(
    results: Sequence[WithinBetween | NotEnoughData | CouldNotFit], library: Library
) -> list[dict[str, Any]]:
    sections = []
    for result in results:
        if isinstance(result, NotEnoughData):
            name = named(library, result.instrument)
            sections.append(
                {"title": name.title, "needs": needs_text(result, name.title)}
            )
        elif isinstance(result, CouldNotFit):
            name = named(library, result.instrument)
            sections.append(
                {
                    "title": name.title,
                    "needs": _("%(name)s: the model could not be fitted on these data.")
                    % {"name": name.title},
                }
            )
        else:
            sections.append(
                _within_between_section(result, named(library, result.outcome))
            )
    return sections


def _within_between_section(w: WithinBetween, name: Named) -> dict[str, Any]:
    terms = [
        (_("Within a person: a better alliance than usual"), w.within),
        (_("Between people: a better alliance on the whole"), w.between),
    ]
    rows = [
        Row(
            label,
            e.estimate,
            e.low,
            e.high,
            f"{e.estimate:+.2f} [{e.low:+.2f}, {e.high:+.2f}]",
        )
        for label, e in terms
    ]
    x_range = padded_range(
        [0.0, *(r.low or 0 for r in rows), *(r.high or 0 for r in rows)]
    )
    unit = _("%(measure)s points at the next session per alliance point (0–100)") % {
        "measure": name.title
    }
    short_unit = _("%(measure)s points per alliance point") % {
        "measure": name.definition.short_title if name.definition else name.title
    }
    return {
        "id": name.key.replace("@", "-").replace(".", "-"),
        "title": name.title,
        "people": w.people,
        "observations": w.observations,
        "converged": w.converged,
        "unit": unit,
        "chart": hchart(
            f"{name.key.replace('@', '-').replace('.', '-')}-within-between",
            _("Alliance and %(measure)s at the next session") % {"measure": name.title},
            _(
                "Within-person and between-person association of the alliance "
                "with %(measure)s at the next session, with 95%% intervals; the "
                "numbers are in the table below."
            )
            % {"measure": name.title},
            rows,
            x_range,
            x_title=short_unit,
            reference=(0.0, _("0: no association")),
        ),
        "rows": [
            {
                "term": label,
                "estimate": f"{e.estimate:+.3f}",
                "ci": f"{e.low:+.3f} to {e.high:+.3f}",
                "se": f"{e.se:.3f}",
            }
            for label, e in terms
        ],
    }


# ---- coverage ------------------------------------------------------------------------


def coverage_section(
    result: Coverage | NotEnoughData, library: Library
) -> dict[str, Any]:
    if isinstance(result, NotEnoughData):
        return {"needs": _("No sessions yet.")}
    every = InstrumentCoverage(
        _("Any questionnaire"), result.sessions_measured, result.asked, result.completed
    )
    rows: list[dict[str, Any]] = [
        {
            "name": every.instrument if i == 0 else named(library, c.instrument).title,
            "sessions_measured": c.sessions_measured,
            "sessions_share": Coverage.share(c.sessions_measured, result.sessions),
            "asked": c.asked,
            "completed": c.completed,
            "completed_share": Coverage.share(c.completed, c.asked),
        }
        for i, c in enumerate((every, *result.instruments))
    ]
    for row in rows:
        row["sessions_text"] = _share(row["sessions_share"])
        row["completed_text"] = _share(row["completed_share"])

    def bars(
        key: str, text: str, chart_id: str, title: str, summary: str, unit: str
    ) -> HChart:
        return hchart(
            chart_id,
            title,
            summary,
            [Row(r["name"], 100 * (r[key] or 0.0), text=r[text]) for r in rows],
            (0.0, 100.0),
            x_title=unit,
            bars=True,
        )

    return {
        "sessions": result.sessions,
        "first": result.first_date,
        "last": result.last_date,
        "rows": rows,
        "sessions_chart": bars(
            "sessions_share",
            "sessions_text",
            "coverage-sessions",
            _("Sessions measured"),
            _(
                "The share of sessions in which each questionnaire was answered; "
                "the numbers are in the table below."
            ),
            _("Percent of sessions (%)"),
        ),
        "completed_chart": bars(
            "completed_share",
            "completed_text",
            "coverage-completed",
            _("Questionnaires completed"),
            _(
                "The share of questionnaires asked that were sent back; the numbers "
                "are in the table below."
            ),
            _("Percent of questionnaires asked (%)"),
        ),
    }


# ---- the page ------------------------------------------------------------------------


def page_context(analytics: ClinicAnalytics) -> dict[str, Any]:
    analysis: ClinicAnalysis = analytics.analysis
    lib = analytics.library
    organization = analytics.organization
    config = SignalConfig.from_mapping(organization.signal_settings or {})
    return {
        "organization": organization,
        "reliability": reliability_sections(analysis.reliability, lib),
        "expected": expected_sections(analysis.expected, lib, config),
        "within_between": within_between_sections(analysis.within_between, lib),
        "coverage": coverage_section(analysis.coverage, lib),
        "caveat": _(
            "These are associations, not effects of the alliance. The within-person "
            "figure says whether sessions with a better alliance than a person's own "
            "usual are followed by a better outcome at the next session; the "
            "between-person figure whether people with a better alliance on the whole "
            "do better. With effects running both ways this kind of model can be "
            "biased, even in the wrong direction (Falkenström, Solomonov & Rubel "
            "2022); a research analysis (a random-intercept cross-lagged panel "
            "model) is the test."
        ),
    }
