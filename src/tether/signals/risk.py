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

from tether.instruments import Item, Library, text_in
from tether.scoring import meets_risk_trigger

from .model import empty, rows

RISK_ITEM = "risk-item"
"""The red alert of a risk answer: raised at once, never resolved by a recompute."""
RISK_ITEM_SKIPPED = "risk-item-skipped"
"""The information of a risk item left unanswered: ask in session."""


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
    risk_items = _risk_items(items, library)
    is_risk_item = pd.Series(False, index=items.index)
    met = pd.Series(False, index=items.index)
    for (instrument, scale), item in risk_items.items():
        answers = (items["instrument"] == instrument) & (items["scale"] == scale)
        is_risk_item |= answers
        met[answers] = meets_risk_trigger(
            item, items.loc[answers, "score"].to_numpy(float)
        )
    answered = items["score"].notna()
    hits = items[met]
    skipped = items[is_risk_item & ~answered]
    parts = [
        rows(
            "risk-item",
            hits,
            "red",
            "member:" + hits["member_id"],
            _evidence(hits, risk_items),
        ),
        rows(
            RISK_ITEM_SKIPPED,
            skipped,
            "info",
            "member:" + skipped["member_id"],
            _evidence(skipped, risk_items),
        ),
    ]
    found = [part for part in parts if not part.empty]
    return pd.concat(found, ignore_index=True) if found else empty()


def _risk_items(items: pd.DataFrame, library: Library) -> dict[tuple[str, str], Item]:
    """(instrument, `item:<id>`) -> the risk item, for the instruments present."""
    return {
        (key, f"item:{item.id}"): item
        for key in items["instrument"].unique()
        for item in library.get(key).risk_items
    }


def _evidence(
    found: pd.DataFrame, risk_items: dict[tuple[str, str], Item]
) -> list[dict[str, object]]:
    return [
        {
            "member": r.member_id,
            "instrument": r.instrument,
            "item": r.scale.removeprefix("item:"),
            "value": None if pd.isna(r.score) else r.score,
            "label": _risk_label(risk_items[(r.instrument, r.scale)]),
            "respondent": r.respondent,
        }
        for r in found.itertuples(index=False)
    ]


def _risk_label(item: Item) -> str:
    assert item.risk is not None  # only risk items are in `risk_items`
    return text_in(item.risk.label, "en")
