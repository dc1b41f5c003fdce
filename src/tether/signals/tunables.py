"""What an organization may change of the alert rules' thresholds: every field
of `SignalConfig`, the range it may take, and what its published default rests
on (docs/clinical-rules.md; docs/reports.md §Alert feedback).

The ranges keep a clinic's choice within what the rule can mean — a
person-relative drop of 0.5 to 4 SDs, a whole number of sessions, an answer
on the item's own 0–4 scale — not within what the literature supports: the
source beside each default says where that default comes from, and a value
away from it is the clinic's own choice. Evidence tags as in
docs/clinical-rules.md §Evidence tags ([V] read in the source, [S] read at
second hand, [R] recalled, [P] a proposal for Tether)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .config import CHANGE_ALERT_RULES, SignalConfig


@dataclass(frozen=True, slots=True)
class Tunable:
    name: str
    """The SignalConfig field."""
    rule: str
    """The rules it belongs to, for grouping: change, rupture, splits,
    expected, levels, engagement, noise."""
    low: float | None
    high: float | None
    whole: bool
    """A whole number (sessions, cases, answer steps)."""
    source: str
    """What the published default rests on."""
    section: str
    """Its section of docs/clinical-rules.md."""
    choices: tuple[str, ...] = ()


TUNABLES: tuple[Tunable, ...] = (
    Tunable(
        "z_crit", "change", 1.0, 3.5, False,
        "Jacobson & Truax 1991 [V]: the two-sided 95% critical value, qnorm(0.975) "
        "= 1.959964, as the clinicalsignificance package uses",
        "reliable-change",
    ),
    Tunable(
        "change_alert_rule", "change", None, None, False,
        "Clinically meaningful change (PCL-5 10 points): VA PCL-5 guidance [S], "
        "Blanchard et al. 2023 [V]; reliable change (PCL-5 15 points): Marx et "
        "al. 2022 [V]",
        "change-since-intake",
        choices=CHANGE_ALERT_RULES,
    ),
    Tunable(
        "rupture_k", "rupture", 0.5, 4.0, False,
        "Gumz, Brähler, Geyer & Erices 2012 [V]: 2 SD strict (favoured), 1 SD "
        "lenient; Stiles et al. 2004 [R]",
        "rupture",
    ),
    Tunable(
        "rupture_min_prior", "rupture", 1, 10, True,
        "Tether's rule [P]: a person-relative drop needs a few earlier sessions "
        "to measure the person's own level",
        "rupture",
    ),
    Tunable(
        "repair_window", "rupture", 1, 6, True,
        "Tether's rule [P], after Stiles et al. 2004's V-shaped deflection and "
        "repair [R]",
        "rupture",
    ),
    Tunable(
        "rupture_min_answer_steps", "rupture", 1, 4, True,
        "Tether's rule [P]: one answer moving one step is never a rupture",
        "rupture",
    ),
    Tunable(
        "rupture_item_at_or_above", "rupture", 1, 4, False,
        "Tether's rule [P], after Muran et al. 2009 [V] (post-session "
        "self-report of ruptures): 'Agree' on TAC 1.1 item 9's 0–4 scale",
        "rupture",
    ),
    Tunable(
        "split_persistent_sessions", "splits", 1, 10, True,
        "Tether's rule [P]; fewer split sessions went with better outcomes "
        "(Escudero et al. 2022 [V])",
        "splits",
    ),
    Tunable(
        "discrepancy_sessions", "splits", 1, 10, True,
        "Tether's rule [P]",
        "discrepancy",
    ),
    Tunable(
        "not_on_track_yellow_z", "expected", 0.0, 3.0, False,
        "Worse than 80% of similar cases, after Finch, Lambert & Schaalje 2001 "
        "[V]; the OQ system's exact percentiles were not verified [R]",
        "expected-response",
    ),
    Tunable(
        "not_on_track_red_z", "expected", 0.0, 3.5, False,
        "Worse than 90% of similar cases, after Finch, Lambert & Schaalje 2001 "
        "[V]; the OQ system's exact percentiles were not verified [R]",
        "expected-response",
    ),
    Tunable(
        "etr_min_cases", "expected", 30, 100000, True,
        "Tether's rule [P]: with fewer cases the variance components that set "
        "the bands are too unstable",
        "expected-response",
    ),
    Tunable(
        "etr_min_sessions", "expected", 2, 20, True,
        "Tether's rule [P]",
        "expected-response",
    ),
    Tunable(
        "etr_max_fit_cases", "expected", 100, 20000, True,
        "Tether's rule [P]: more cases add time, not accuracy",
        "expected-response",
    ),
    Tunable(
        "low_support_below", "levels", 1.0, 7.0, False,
        "Zimet et al. 1988; Zimet's scoring handout's ranges [R] (MSPSS means, 1–7)",
        "low-support",
    ),
    Tunable(
        "within_safety_low_at_or_below", "levels", 0.0, 4.0, False,
        "Tether's rule [P]: 'Disagree' on the TAC safety item's 0–4 scale",
        "within-family-safety",
    ),
    Tunable(
        "disengagement_missed", "engagement", 1, 10, True,
        "Tether's rule [P]",
        "disengagement",
    ),
    Tunable(
        "min_series_for_norms", "noise", 5, 1000, True,
        "Tether's rule [P]",
        "clinic-noise",
    ),
    Tunable(
        "fallback_sem_pomp", "noise", 0.5, 20.0, False,
        "Tether's rule [P]",
        "clinic-noise",
    ),
    Tunable(
        "fallback_between_sd_pomp", "noise", 1.0, 40.0, False,
        "Tether's rule [P]",
        "clinic-noise",
    ),
)  # fmt: skip
"""Every SignalConfig field, in the order a settings page shows them."""

BY_NAME = {t.name: t for t in TUNABLES}


def default_of(name: str) -> Any:
    """The field's published default (SignalConfig's)."""
    return getattr(SignalConfig(), name)


@dataclass(frozen=True, slots=True)
class SettingProblem:
    """What is wrong with one setting, as a value: `code` is one of unknown,
    not-a-number, not-whole, out-of-range, not-a-choice, order."""

    name: str
    code: str
    tunable: Tunable | None = None


def check_settings(values: Mapping[str, Any]) -> list[SettingProblem]:
    """Every problem with an organization's settings, in TUNABLES' order
    (unknown names first); none means SignalConfig.from_mapping takes them."""
    problems = [
        SettingProblem(n, "unknown") for n in sorted(set(values) - BY_NAME.keys())
    ]
    for tunable in TUNABLES:
        if tunable.name in values:
            code = _problem(tunable, values[tunable.name])
            if code:
                problems.append(SettingProblem(tunable.name, code, tunable))
    yellow = values.get("not_on_track_yellow_z", default_of("not_on_track_yellow_z"))
    red = values.get("not_on_track_red_z", default_of("not_on_track_red_z"))
    named = {p.name for p in problems}
    if not named & {"not_on_track_yellow_z", "not_on_track_red_z"} and yellow >= red:
        problems.append(
            SettingProblem("not_on_track_red_z", "order", BY_NAME["not_on_track_red_z"])
        )
    return problems


def _problem(tunable: Tunable, value: Any) -> str:
    if tunable.choices:
        return "" if value in tunable.choices else "not-a-choice"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "not-a-number"
    if value != value or value in (float("inf"), float("-inf")):
        return "not-a-number"
    if tunable.whole and value != int(value):
        return "not-whole"
    assert tunable.low is not None
    assert tunable.high is not None
    if not tunable.low <= value <= tunable.high:
        return "out-of-range"
    return ""


def config_fields() -> set[str]:
    """The fields of SignalConfig (tests check TUNABLES covers them)."""
    return {f.name for f in fields(SignalConfig)}
