"""Run every rule over a checked score table (docs/signals.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from tether.instruments import Library

from .alliance import (
    Norms,
    alliance_frame,
    clinic_norms,
    family_view_frame,
    with_verified_keys,
)
from .config import SignalConfig
from .discrepancy import discrepancy_signals
from .engagement import disengagement_signals
from .expected import ExpectedResponse
from .fold import fold_splits_into_ruptures
from .levels import low_alliance_signals, low_support_signals
from .model import COLUMNS, RANK, empty
from .outcome import FIT, change_signals, not_on_track_signals
from .risk import risk_item_scales, risk_signals
from .rupture import (
    reported_rupture_signals,
    rupture_items,
    rupture_signals,
    with_reported,
)
from .split import generation_of, split_signals
from .thresholds import clinic_intake_sds, outcome_scales
from .within_safety import safety_items, within_safety_signals


@dataclass(frozen=True, slots=True)
class SignalRun:
    signals: pd.DataFrame
    """One row per signal: case_id, subject, session, signal, severity, state, evidence."""
    norms: Norms
    models: dict[str, ExpectedResponse | None] = field(default_factory=dict)
    """The expected-response model per instrument, or None where too few cases."""
    intake_sds: dict[str, float] = field(default_factory=dict)
    """The clinic's intake SD per `instrument/scale` with at least 30 intakes
    (thresholds.clinic_intake_sds), for Jacobson–Truax where nothing is published."""


def compute_signals(
    frame: pd.DataFrame,
    library: Library,
    config: SignalConfig | None = None,
    norms: Norms | None = None,
    models: dict[str, ExpectedResponse | None] | None = None,
    intake_sds: Mapping[str, float] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> SignalRun:
    """Every signal of every case in `frame` (a table from data.check_scores).

    `norms`, `models` and `intake_sds`, when given, are the clinic's own,
    estimated earlier on all its cases: one case alone is too little data.
    `progress`, when given, is told (done, total, the rule next) as the rules
    run (the command line's progress bar)."""
    config = config or SignalConfig()
    alliance = with_verified_keys(alliance_frame(frame, library), library)
    members = alliance[alliance["respondent"] == "member"]
    therapist = alliance[alliance["respondent"] == "therapist"]
    norms = norms or clinic_norms(members, config)
    sds = dict(clinic_intake_sds(frame) if intake_sds is None else intake_sds)
    outcomes = outcome_scales(frame, library, config, sds)
    rules: list[tuple[str, Callable[[], pd.DataFrame]]] = [
        ("risk", lambda: risk_signals(frame, library)),
        (
            "rupture",
            lambda: with_reported(
                rupture_signals(members, norms, config, library),
                reported_rupture_signals(frame, library, config),
            ),
        ),
        (
            "splits",
            lambda: split_signals(
                members, therapist, norms, config, family_view_frame(frame, library)
            ),
        ),
        ("low alliance", lambda: low_alliance_signals(frame, library)),
        (
            "discrepancy",
            lambda: discrepancy_signals(members, therapist, norms, config),
        ),
        ("low support", lambda: low_support_signals(frame, config)),
        ("disengagement", lambda: disengagement_signals(frame, config)),
        ("within-family safety", lambda: within_safety_signals(frame, library, config)),
    ]
    total = len(rules) + len(outcomes)

    def tell(done: int, what: str) -> None:
        if progress is not None:
            progress(done, total, what)

    parts = []
    for done, (name, rule) in enumerate(rules):
        tell(done, name)
        parts.append(rule())
    fitted: dict[str, ExpectedResponse | None] = {}
    for done, spec in enumerate(outcomes, start=len(rules)):
        tell(done, spec.instrument)
        model = None
        if spec.scale.id == "total" and not spec.scale.higher_is_better:
            given = FIT if models is None else models.get(spec.instrument)
            signals, model = not_on_track_signals(frame, spec, config, given)
            fitted[spec.instrument] = model
            parts.append(signals)
        # One trend, one alert: a fitted model judges worsening, else the change rule.
        parts.append(change_signals(frame, spec, worsening=model is None))
    tell(total, "done")
    table = pd.concat([p for p in parts if not p.empty] or [empty()], ignore_index=True)
    table = fold_splits_into_ruptures(table[COLUMNS], _bands(members))
    order = table["severity"].map(RANK)
    table = (
        table.assign(_rank=-order)
        .sort_values(["case_id", "session", "_rank", "signal", "subject"])
        .drop(columns="_rank")
    )
    return SignalRun(table.reset_index(drop=True), norms, fitted, sds)


def _bands(members: pd.DataFrame) -> pd.Series:
    """Each member's side of the adult–youth split, by (case_id, member_id)."""
    sides = members.assign(side=generation_of(members))
    return sides.drop_duplicates(["case_id", "member_id"]).set_index(
        ["case_id", "member_id"]
    )["side"]


def item_scales_read(library: Library) -> set[tuple[str, str]]:
    """The (instrument, `item:<id>`) rows some rule reads: risk items, the
    within-family safety items and the direct rupture items. A score table
    for compute_signals needs these item rows and no others."""
    return (
        risk_item_scales(library)
        | set(safety_items(library))
        | set(rupture_items(library))
    )
