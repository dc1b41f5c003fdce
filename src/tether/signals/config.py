"""Thresholds for every signal rule, with their defaults (docs/clinical-rules.md).

One object, so an organization can override any default; every field names the
rule it belongs to and its source."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from tether.scoring import Z_CRIT

CLINICALLY_MEANINGFUL = "clinically-meaningful"
RELIABLE_CHANGE = "reliable-change"
CHANGE_ALERT_RULES = (CLINICALLY_MEANINGFUL, RELIABLE_CHANGE)


@dataclass(frozen=True, slots=True)
class SignalConfig:
    z_crit: float = Z_CRIT
    """Two-sided 95% critical value for reliable change (docs/clinical-rules.md
    §Reliable change)."""
    change_alert_rule: str = CLINICALLY_MEANINGFUL
    """Which change since intake raises the worsening / improvement alert, where
    an instrument publishes both: `clinically-meaningful` (PCL-5 10 points; VA
    PCL-5 guidance, Blanchard et al. 2023) or `reliable-change` (PCL-5 15 points,
    Marx et al. 2022); docs/clinical-rules.md §Change since intake."""

    rupture_k: float = 2.0
    """Person-relative drop in SDs: 2 strict, 1 lenient (Gumz et al. 2012;
    docs/clinical-rules.md §Rupture)."""
    rupture_min_prior: int = 3
    """Prior sessions needed before the person-relative rule applies
    (docs/clinical-rules.md §Rupture)."""
    repair_window: int = 2
    """Sessions after a rupture within which a return counts as repair
    (docs/clinical-rules.md §Rupture)."""
    rupture_min_answer_steps: int = 2
    """The rupture threshold is never below this many steps of one answer on the
    instrument's scale, so one answer moving one step is never a rupture [P]."""

    rupture_item_at_or_above: float = 3.0
    """A direct rupture item answered at or above this ("Agree" on TAC 1.1's
    0-4 agreement scale) is a rupture in itself (R4, docs/clinical-rules.md §Rupture)
    [P]."""

    split_persistent_sessions: int = 2
    """Consecutive split sessions that make a split red (docs/clinical-rules.md
    §Splits)."""

    not_on_track_yellow_z: float = 0.8416
    """Worse than 80% of similar cases (docs/clinical-rules.md §Expected response)."""
    not_on_track_red_z: float = 1.2816
    """Worse than 90% of similar cases (docs/clinical-rules.md §Expected response)."""
    etr_min_cases: int = 100
    """Cases needed to fit the expected-response model [P] (docs/clinical-rules.md
    §Expected response)."""
    etr_min_sessions: int = 3
    """Sessions a case needs to enter the expected-response fit."""
    etr_max_fit_cases: int = 1500
    """Cases sampled for the fit; more add time, not accuracy (fixed-seed sample)."""

    low_support_below: float = 3.0
    """MSPSS family subscale mean below this is low support (Zimet bands;
    docs/clinical-rules.md §Low support)."""
    disengagement_missed: int = 2
    """Consecutive unanswered invitations that signal disengagement
    (docs/clinical-rules.md §Disengagement)."""
    within_safety_low_at_or_below: float = 1.0
    """A member's answer to the within-family safety item (TAC item 11) at or
    below this is low: 1 is "Disagree" on TAC's 0-4 scale [P] (within_safety.py)."""

    discrepancy_sessions: int = 3
    """Sessions averaged for the therapist–client discrepancy [P]
    (docs/clinical-rules.md §Discrepancy)."""

    min_series_for_norms: int = 20
    """Series needed to estimate a clinic's own SEM and between-client SD."""
    fallback_sem_pomp: float = 3.0
    """SEM on the 0-100 scale when the clinic has too few series [P]."""
    fallback_between_sd_pomp: float = 10.0
    """Between-client SD on 0-100 when the clinic has too few series [P]."""

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> SignalConfig:
        """Defaults overridden by `values`; unknown names are refused."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown signal settings: {', '.join(unknown)}")
        return replace(cls(), **values)

    def __post_init__(self) -> None:
        if self.change_alert_rule not in CHANGE_ALERT_RULES:
            raise ValueError(
                f"change_alert_rule {self.change_alert_rule!r} is not one of "
                + ", ".join(CHANGE_ALERT_RULES)
            )
