"""The clinic's alert thresholds in words: what each `SignalConfig` field is
called on the clinic settings page, how its rules are grouped, and each
problem with a value put as a sentence that names the field. The ranges and
the published defaults' sources are the pure package's
(signals/tunables.py); the write is services.update_signal_settings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from tether.signals.config import CLINICALLY_MEANINGFUL, RELIABLE_CHANGE
from tether.signals.tunables import SettingProblem, Tunable, default_of

from .errors import Code, Problem

LABELS = {
    "z_crit": gettext_lazy("Critical value for reliable change (z)"),
    "change_alert_rule": gettext_lazy("Which change since intake raises an alert"),
    "rupture_k": gettext_lazy("Rupture: SDs below the member's own level"),
    "rupture_min_prior": gettext_lazy("Rupture: earlier sessions needed"),
    "repair_window": gettext_lazy(
        "Rupture: sessions within which a return is a repair"
    ),
    "rupture_min_answer_steps": gettext_lazy(
        "Rupture: smallest drop, in steps of one answer"
    ),
    "rupture_item_at_or_above": gettext_lazy("Rupture item answered at or above (0–4)"),
    "split_persistent_sessions": gettext_lazy(
        "Split: consecutive sessions that make it red"
    ),
    "discrepancy_sessions": gettext_lazy(
        "Therapist above the client: sessions averaged"
    ),
    "not_on_track_yellow_z": gettext_lazy("Not on track, yellow: z above expected"),
    "not_on_track_red_z": gettext_lazy("Not on track, red: z above expected"),
    "etr_min_cases": gettext_lazy("Expected response: cases needed to fit it"),
    "etr_min_sessions": gettext_lazy("Expected response: sessions a case needs"),
    "etr_max_fit_cases": gettext_lazy("Expected response: most cases sampled"),
    "low_support_below": gettext_lazy("Low support: MSPSS family mean below (1–7)"),
    "within_safety_low_at_or_below": gettext_lazy(
        "Within-family safety answered at or below (0–4)"
    ),
    "disengagement_missed": gettext_lazy(
        "Disengagement: questionnaires left unanswered in a row"
    ),
    "min_series_for_norms": gettext_lazy(
        "Clinic noise: members' series needed to estimate it"
    ),
    "fallback_sem_pomp": gettext_lazy("Clinic noise until then: SEM (0–100)"),
    "fallback_between_sd_pomp": gettext_lazy(
        "Clinic noise until then: between-client SD (0–100)"
    ),
}
"""Each SignalConfig field as the settings page names it."""

GROUPS = {
    "change": gettext_lazy("Change since intake"),
    "rupture": gettext_lazy("Ruptures"),
    "splits": gettext_lazy("Splits and the therapist's view"),
    "expected": gettext_lazy("Not on track (expected response)"),
    "levels": gettext_lazy("Support and safety"),
    "engagement": gettext_lazy("Disengagement"),
    "noise": gettext_lazy("The clinic's own noise"),
}

CHOICE_WORDS = {
    CLINICALLY_MEANINGFUL: gettext_lazy(
        "A clinically meaningful change (PCL-5: 10 points)"
    ),
    RELIABLE_CHANGE: gettext_lazy("A reliable change (PCL-5: 15 points)"),
}

MESSAGES = {
    "unknown": gettext_lazy("%(label)s is not a threshold Tether knows."),
    "not-a-number": gettext_lazy("%(label)s: enter a number."),
    "not-whole": gettext_lazy("%(label)s: enter a whole number."),
    "out-of-range": gettext_lazy(
        "%(label)s: enter a value from %(low)s to %(high)s (you entered %(value)s)."
    ),
    "not-a-choice": gettext_lazy("%(label)s: choose one of the rules offered."),
    "order": gettext_lazy(
        "%(label)s must be above the yellow one (%(yellow)s), so red means "
        "further off track."
    ),
}
CODES = {
    "unknown": Code.NOT_A_CHOICE,
    "not-a-number": Code.NOT_A_NUMBER,
    "not-whole": Code.NOT_A_NUMBER,
    "out-of-range": Code.OUT_OF_RANGE,
    "not-a-choice": Code.NOT_A_CHOICE,
    "order": Code.OUT_OF_RANGE,
}


def number(value: Any) -> str:
    """A threshold as people read it: 2, 0.8416, 1.96."""
    if isinstance(value, float):
        return f"{round(value, 6):g}"
    return str(value)


def shown_value(name: str, value: Any) -> str:
    return (
        str(CHOICE_WORDS.get(value, value))
        if name == "change_alert_rule"
        else number(value)
    )


def as_problem(problem: SettingProblem, values: dict[str, Any]) -> Problem:
    """A pure settings problem as care's Problem, worded with the field's
    label (the message names the field wherever it is shown)."""
    tunable = problem.tunable
    message = MESSAGES[problem.code] % {
        "label": LABELS.get(problem.name, problem.name),
        "low": number(tunable.low) if tunable else "",
        "high": number(tunable.high) if tunable else "",
        "value": number(values.get(problem.name, "")),
        "yellow": number(
            values.get("not_on_track_yellow_z", default_of("not_on_track_yellow_z"))
        ),
    }
    return Problem(problem.name, CODES[problem.code], message)


def tunable_range(tunable: Tunable) -> dict[str, str]:
    """The range as the input's min/max hints (the service checks it)."""
    if tunable.low is None or tunable.high is None:
        return {}
    return {"min": number(tunable.low), "max": number(tunable.high)}
