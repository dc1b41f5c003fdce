"""Risk items (docs/clinical-rules.md §Risk items): any answer at or above an
item's risk trigger is red at once, every time, and never merged or suppressed
(PHQ-9 item 9 >= 1: Kroenke et al. 2001; Simon et al. 2013; Louzon et al. 2016).

A risk item left unanswered (declined, left blank on paper, or never reached
before a link closed) is not reassurance (Louzon et al.
2016: most suicides followed a most recent answer of "not at all"), so it
raises an information signal asking the clinician to ask in session. The
long format carries such an item as an `item:<id>` row with an empty score."""

from __future__ import annotations

import pandas as pd

from tether.instruments import Library, text_in

from .model import empty, rows

RISK_ITEM = "risk-item"
"""The red alert of a risk answer: raised at once, never resolved by a recompute."""


def risk_item_scales(library: Library) -> set[tuple[str, str]]:
    """(instrument, `item:<id>`) of every risk item of the library. Item ids
    repeat across instruments (TAC item 9 is an alliance item, PHQ-9 item 9 a
    risk item), so the pair is what names a risk item."""
    return {
        (definition.key, f"item:{item.id}")
        for definition in library
        for item in definition.risk_items
    }


def risk_signals(frame: pd.DataFrame, library: Library) -> pd.DataFrame:
    items = frame[frame["scale"].str.startswith("item:")]
    if items.empty:
        return empty()
    triggers = _triggers(items, library)
    pairs = list(zip(items["instrument"], items["scale"], strict=True))
    at = pd.Series([triggers.get(p, (None, ""))[0] for p in pairs], index=items.index)
    risk_item = at.notna()
    answered = items["score"].notna()
    hits = items[risk_item & answered & (items["score"] >= at.fillna(float("inf")))]
    skipped = items[risk_item & ~answered]
    parts = [
        rows(
            "risk-item",
            hits,
            "red",
            "member:" + hits["member_id"],
            _evidence(hits, triggers),
        ),
        rows(
            "risk-item-skipped",
            skipped,
            "info",
            "member:" + skipped["member_id"],
            _evidence(skipped, triggers),
        ),
    ]
    found = [part for part in parts if not part.empty]
    return pd.concat(found, ignore_index=True) if found else empty()


def _triggers(
    items: pd.DataFrame, library: Library
) -> dict[tuple[str, str], tuple[float, str]]:
    """(instrument, `item:<id>`) -> (the trigger, the item's risk label)."""
    triggers = {}
    for key in items["instrument"].unique():
        for item in library.get(key).risk_items:
            assert item.risk is not None
            triggers[(key, f"item:{item.id}")] = (
                item.risk.at_or_above,
                text_in(item.risk.label, "en"),
            )
    return triggers


def _evidence(
    found: pd.DataFrame, triggers: dict[tuple[str, str], tuple[float, str]]
) -> list[dict[str, object]]:
    return [
        {
            "member": r.member_id,
            "instrument": r.instrument,
            "item": r.scale.removeprefix("item:"),
            "value": None if pd.isna(r.score) else r.score,
            "label": triggers[(r.instrument, r.scale)][1],
            "respondent": r.respondent,
        }
        for r in found.itertuples(index=False)
    ]
