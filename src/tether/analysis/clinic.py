"""Every analysis of a clinic's own data at once, and the same figures as
tables, JSON and a short text summary (the page, `tether analyze` and a
notebook all read these; docs/analytics.md)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from tether.instruments import Library
from tether.signals.config import SignalConfig
from tether.signals.expected import ExpectedResponse

from .coverage import Coverage, InstrumentCoverage, coverage
from .expected_curves import ExpectedCurves, expected_curves
from .needs import CouldNotFit, NotEnoughData
from .reliability import Reliability, clinic_reliability
from .within_between import WithinBetween, clinic_within_between

Progress = Callable[[int, int, str], None]
"""Told (done, total, what is next) as the analyses run."""
STEPS = (
    "reliability",
    "expected-response curves",
    "within- and between-person model",
    "coverage",
)


@dataclass(frozen=True, slots=True)
class ClinicAnalysis:
    reliability: tuple[Reliability | NotEnoughData, ...]
    expected: tuple[ExpectedCurves | NotEnoughData, ...]
    within_between: tuple[WithinBetween | NotEnoughData | CouldNotFit, ...]
    coverage: Coverage | NotEnoughData


def analyse_clinic(
    items: pd.DataFrame,
    frame: pd.DataFrame,
    sessions: pd.DataFrame,
    asked: pd.DataFrame,
    library: Library,
    config: SignalConfig | None = None,
    models: Mapping[str, ExpectedResponse | None] | None = None,
    progress: Progress | None = None,
) -> ClinicAnalysis:
    """`items`: the long item table (reliability.ITEM_COLUMNS); `frame`: the
    checked long-format score table; `sessions` and `asked`: coverage's
    tables; `models`: the expected-response models of the clinic's last refit
    (None: fitted here)."""

    def tell(done: int) -> None:
        if progress is not None:
            progress(done, len(STEPS), STEPS[done] if done < len(STEPS) else "done")

    tell(0)
    reliability = tuple(clinic_reliability(items, library))
    tell(1)
    curves = tuple(expected_curves(frame, library, config, models))
    tell(2)
    split = tuple(clinic_within_between(frame, library, config))
    tell(3)
    counts = coverage(sessions, asked)
    tell(4)
    return ClinicAnalysis(reliability, curves, split, counts)


# -- tables ---------------------------------------------------------------


def _n(value: float | None, digits: int = 3) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def tables(analysis: ClinicAnalysis) -> dict[str, list[dict[str, object]]]:
    """The figures as rows, one list per CSV file; an analysis with too
    little data is a row saying how much more it needs."""
    reliability: list[dict[str, object]] = []
    item_total: list[dict[str, object]] = []
    for r in analysis.reliability:
        if isinstance(r, NotEnoughData):
            reliability.append(_short(r))
            continue
        reliability.append(
            {
                "status": "ok",
                "instrument": r.instrument,
                "scale": r.scale,
                "respondent": r.respondent,
                "n": r.n,
                "items": r.k,
                "alpha": _n(r.alpha),
                "alpha_ci_low": _n(r.alpha_low),
                "alpha_ci_high": _n(r.alpha_high),
                "omega": _n(r.omega),
                "omega_note": r.omega_note,
                "mean": _n(r.mean, 2),
                "sd": _n(r.sd, 2),
                "sem": _n(r.sem, 2),
                "reliable_change_points": _n(r.rc_points, 2),
                "first_date": _d(r.first_date),
                "last_date": _d(r.last_date),
            }
        )
        item_total += [
            {
                "instrument": r.instrument,
                "scale": r.scale,
                "respondent": r.respondent,
                "item": i.item,
                "corrected_item_total_r": _n(i.r),
            }
            for i in r.item_total
        ]
    curves: list[dict[str, object]] = []
    fit: list[dict[str, object]] = []
    for c in analysis.expected:
        if isinstance(c, NotEnoughData):
            fit.append(_short(c))
            continue
        fit.append(
            {
                "status": "ok",
                "instrument": c.instrument,
                "scale": c.scale,
                "model": "stored at the last refit" if c.stored else "fitted now",
                "clients": c.model.cases,
                "observations": c.model.observations,
                "converged": c.model.converged,
                "later_scores": c.later_scores,
                "share_above_80": _n(c.above80),
                "share_above_90": _n(c.above90),
                "mean_residual": _n(c.mean_residual, 2),
                "rmse": _n(c.rmse, 2),
            }
        )
        for g in c.groups:
            observed = {p.session: p for p in g.observed}
            for p in g.curve:
                seen = observed.get(p.session)
                curves.append(
                    {
                        "instrument": c.instrument,
                        "intake_group": g.label,
                        "intake_mean": _n(g.intake_mean, 1),
                        "session": p.session,
                        "expected": _n(p.expected, 2),
                        "upper80": _n(p.upper80, 2),
                        "upper90": _n(p.upper90, 2),
                        "observed_mean": _n(seen.mean, 2) if seen else None,
                        "observed_n": seen.n if seen else 0,
                    }
                )
    split: list[dict[str, object]] = []
    for w in analysis.within_between:
        if not isinstance(w, WithinBetween):
            split.append(_short(w))
            continue
        for term, e in (
            ("within-person alliance", w.within),
            ("between-person alliance", w.between),
            ("within-person outcome", w.outcome_within),
            ("session", w.session),
        ):
            split.append(
                {
                    "status": "ok",
                    "outcome": w.outcome,
                    "term": term,
                    "estimate": _n(e.estimate, 4),
                    "se": _n(e.se, 4),
                    "ci_low": _n(e.low, 4),
                    "ci_high": _n(e.high, 4),
                    "people": w.people,
                    "observations": w.observations,
                    "converged": w.converged,
                }
            )
    return {
        "reliability": reliability,
        "item_total": item_total,
        "expected_fit": fit,
        "expected_curves": curves,
        "within_between": split,
        "coverage": _coverage_rows(analysis.coverage),
    }


def _short(result: NotEnoughData | CouldNotFit) -> dict[str, object]:
    return {**result.to_dict(), "sentence": result.sentence()}


def _coverage_rows(c: Coverage | NotEnoughData) -> list[dict[str, object]]:
    if isinstance(c, NotEnoughData):
        return [_short(c)]
    every = InstrumentCoverage(
        "any questionnaire", c.sessions_measured, c.asked, c.completed
    )
    return [
        {
            "instrument": row.instrument,
            "sessions": c.sessions,
            "sessions_measured": row.sessions_measured,
            "share_of_sessions": _n(Coverage.share(row.sessions_measured, c.sessions)),
            "asked": row.asked,
            "completed": row.completed,
            "share_completed": _n(Coverage.share(row.completed, row.asked)),
            "first_date": _d(c.first_date),
            "last_date": _d(c.last_date),
        }
        for row in (every, *c.instruments)
    ]


def as_json(analysis: ClinicAnalysis, **about: object) -> dict[str, object]:
    """Every table, and what the run was about (organization, when)."""
    return {**about, **tables(analysis)}


def summary_lines(analysis: ClinicAnalysis) -> list[str]:
    """A few lines for a terminal: each figure, or what it still needs."""
    lines = ["Reliability (each person's first complete response):"]
    for r in analysis.reliability:
        if isinstance(r, NotEnoughData):
            lines.append(f"  {r.analysis}: {r.sentence()}")
            continue
        omega = f"ω {r.omega:.3f}" if r.omega is not None else "ω —"
        error = (
            f", SEM {r.sem:.2f}, reliable change {r.rc_points:.1f} points"
            if r.sem is not None and r.rc_points is not None
            else ""
        )
        lines.append(
            f"  {r.instrument} {r.scale} ({r.respondent}): n {r.n}, "
            f"α {r.alpha:.3f} [{r.alpha_low:.3f}, {r.alpha_high:.3f}], {omega}{error}"
        )
    lines.append("Expected-response curves:")
    for c in analysis.expected:
        if isinstance(c, NotEnoughData):
            lines.append(f"  {c.analysis}: {c.sentence()}")
            continue
        lines.append(
            f"  {c.instrument}: {c.model.cases} clients; later scores above the "
            f"80% bound {c.above80:.0%} (expected 20%), above the 90% bound "
            f"{c.above90:.0%} (expected 10%); RMSE {c.rmse:.1f} points"
        )
    lines.append("Alliance and next-session outcome (associations, not effects):")
    for w in analysis.within_between:
        if not isinstance(w, WithinBetween):
            lines.append(f"  {w.analysis}: {w.sentence()}")
            continue
        lines.append(
            f"  {w.outcome}: within {w.within.estimate:+.3f} "
            f"[{w.within.low:+.3f}, {w.within.high:+.3f}], between "
            f"{w.between.estimate:+.3f} [{w.between.low:+.3f}, {w.between.high:+.3f}] "
            f"points per alliance point; {w.people} people"
        )
    counts = analysis.coverage
    if isinstance(counts, NotEnoughData):
        lines.append(f"Coverage: {counts.sentence()}")
    else:
        lines.append(
            f"Coverage: {counts.sessions_measured} of {counts.sessions} sessions "
            f"measured; {counts.completed} of {counts.asked} questionnaires completed"
        )
    return lines
