"""How much change since intake counts, per outcome scale: the thresholds of
the change rule, their sources, and why an instrument has none.

Three tiers, each from the instrument definition's `change:` block
(docs/instrument-format.md; docs/signals.md, "Outcomes"):

- the *alert*: a worsening (red) or improvement (green) of at least this many
  points. By default the instrument's clinically meaningful change where its
  definition gives one (PCL-5: 10; VA PCL-5 guidance, Blanchard et al. 2023),
  else its reliable change. A clinic may set `change_alert_rule` to
  `reliable-change` to alert on the reliable-change index instead (PCL-5: 15,
  Marx et al. 2022; docs/clinical-rules.md §Change since intake).
- the *reliable change*, needed for recovery: a published value (PCL-5 15,
  Marx 2022; PHQ-9 6 and GAD-7 4, NHS Talking Therapies manual; ORS 5), else
  Jacobson & Truax (1991; docs/clinical-rules.md §Reliable change) z·√2·SD·√(1 − r) with
  r the definition's reliability and SD the clinic's intake SD once it has 30 intakes,
  else the definition's `sd`.
- a *possible change*, information only, below the alert (PCL-5: 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tether.instruments import Definition, Library, Recovery, Scale

from .config import CLINICALLY_MEANINGFUL, RELIABLE_CHANGE, SignalConfig

MIN_INTAKES_FOR_SD = 30
"""Intakes a clinic needs before its own intake SD replaces the definition's."""
SERIES = ["case_id", "member_id", "instrument"]
OUTCOME_ROLES = ("symptom", "outcome")

MEANINGFUL = CLINICALLY_MEANINGFUL
RELIABLE = RELIABLE_CHANGE

NO_CHANGE_NORMS = "no-change-norms"
"""The definition gives neither a change value nor a reliability."""
NEEDS_CLINIC_SD = "needs-clinic-sd"
"""Only a reliability: Jacobson–Truax needs an SD, and none is published."""


@dataclass(frozen=True, slots=True)
class Partner:
    """The measure paired with this one in a joint recovery rule (NHS Talking
    Therapies: PHQ-9 with GAD-7)."""

    instrument_id: str
    short_title: str
    scale: str
    caseness: float
    recovery: Recovery


@dataclass(frozen=True, slots=True)
class OutcomeScale:
    instrument: str
    scale: Scale
    threshold: float
    """Points of change since intake that raise the worsening / improvement alert."""
    basis: str
    """MEANINGFUL or RELIABLE: what kind of change `threshold` is."""
    source: str
    reliable: float
    """Points of improvement that recovery needs (the reliable change)."""
    reliable_source: str
    possible: float | None = None
    """Points of change shown as information only (below `threshold`)."""
    possible_source: str = ""
    partner: Partner | None = None


def sd_key(instrument: str, scale: str) -> str:
    return f"{instrument}/{scale}"


def outcome_scales(
    frame: pd.DataFrame,
    library: Library,
    config: SignalConfig,
    intake_sds: Mapping[str, float] | None = None,
) -> list[OutcomeScale]:
    """Each symptom or outcome scale in the data with a usable change rule.
    Support (MSPSS) has its own rule, low support, rather than a red
    deterioration. `intake_sds`: the clinic's intake SDs (from clinic_intake_sds),
    else estimated from `frame`."""
    sds = clinic_intake_sds(frame) if intake_sds is None else intake_sds
    found = []
    present = frame[frame["role"].isin(OUTCOME_ROLES)]
    for key in present["instrument"].unique():
        definition = library.get(key)
        for scale in definition.scales:
            if scale.change is None or not (present["scale"] == scale.id).any():
                continue
            spec = change_rule(
                key, scale, config, sds.get(sd_key(key, scale.id)), library
            )
            if spec is not None:
                found.append(spec)
    return found


def change_rule(
    instrument: str,
    scale: Scale,
    config: SignalConfig,
    clinic_sd: float | None = None,
    library: Library | None = None,
) -> OutcomeScale | None:
    """The change rule of one scale, or None where it has no usable threshold."""
    change = scale.change
    if change is None:
        return None
    reliable = _reliable(scale, config, clinic_sd)
    meaningful = (
        (change.meaningful_change_points, change.meaningful_change_label)
        if change.meaningful_change_points is not None
        else None
    )
    if meaningful and (config.change_alert_rule != RELIABLE_CHANGE or not reliable):
        threshold, basis, source = meaningful[0], MEANINGFUL, meaningful[1]
    elif reliable:
        threshold, basis, source = reliable[0], RELIABLE, reliable[1]
        if meaningful:
            source += " — the clinic's setting (change_alert_rule: reliable-change)"
    else:
        return None
    possible = change.possible_change_points
    if possible is not None and possible >= threshold:
        possible = None
    recovery_points, recovery_source = reliable or (threshold, source)
    return OutcomeScale(
        instrument=instrument,
        scale=scale,
        threshold=threshold,
        basis=basis,
        source=source,
        reliable=recovery_points,
        reliable_source=recovery_source,
        possible=possible,
        possible_source=change.possible_change_label if possible is not None else "",
        partner=_partner(change.recovery, library),
    )


def _reliable(
    scale: Scale, config: SignalConfig, clinic_sd: float | None
) -> tuple[float, str] | None:
    change = scale.change
    assert change is not None
    if change.reliable_change_points is not None:
        label = change.reliable_change_label or "published reliable-change value"
        return change.reliable_change_points, label
    if change.reliability is None:
        return None
    sd, origin = (
        (clinic_sd, "the clinic's intakes")
        if clinic_sd is not None
        else (change.sd, "the instrument definition")
    )
    if sd is None or not sd > 0:
        return None
    points = config.z_crit * np.sqrt(2.0) * sd * np.sqrt(1 - change.reliability)
    return float(points), (
        f"Jacobson–Truax z·√2·SD·√(1−r), locally derived: SD {sd:.2f} from "
        f"{origin}, r {change.reliability:g}"
    )


def _partner(recovery: Recovery | None, library: Library | None) -> Partner | None:
    if recovery is None or recovery.paired_with is None or library is None:
        return None
    other = library.get(recovery.paired_with)
    total = next((s for s in other.scales if s.id == "total"), None)
    if total is None or total.change is None or total.change.recovery is None:
        return None
    theirs = total.change.recovery
    caseness = theirs.caseness
    if caseness is None and total.cutoff is not None:
        caseness = total.cutoff.value
    if caseness is None:
        return None
    return Partner(other.id, other.short_title, total.id, caseness, theirs)


def clinic_intake_sds(frame: pd.DataFrame) -> dict[str, float]:
    """The SD of the first score of every member series, per instrument and
    scale, where there are at least 30 intakes (SD_pre of docs/clinical-rules.md
    §Reliable change)."""
    scored = frame[frame["role"].isin(OUTCOME_ROLES) & frame["score"].notna()]
    if scored.empty:
        return {}
    intakes = scored.sort_values("session").drop_duplicates([*SERIES, "scale"])
    out = {}
    for (instrument, scale), rows in intakes.groupby(["instrument", "scale"]):
        if len(rows) >= MIN_INTAKES_FOR_SD:
            sd = float(rows["score"].std())
            if sd > 0:
                out[sd_key(str(instrument), str(scale))] = sd
    return out


def missing_change_rule(
    definition: Definition,
    config: SignalConfig,
    intake_sds: Mapping[str, float] | None = None,
) -> str | None:
    """Why a symptom or outcome instrument has no usable change rule on any of
    its scales (NO_CHANGE_NORMS or NEEDS_CLINIC_SD), or None when it has one."""
    if definition.role not in OUTCOME_ROLES:
        return None
    sds = intake_sds or {}
    reason = NO_CHANGE_NORMS
    for scale in definition.scales:
        clinic_sd = sds.get(sd_key(definition.key, scale.id))
        if change_rule(definition.key, scale, config, clinic_sd) is not None:
            return None
        if scale.change is not None and scale.change.reliability is not None:
            reason = NEEDS_CLINIC_SD
    return reason
