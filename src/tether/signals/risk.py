"""Risk items (DESIGN §5; clinical-support.md §10): any answer at or above an
item's risk trigger is red at once, every time, and never merged or suppressed
(PHQ-9 item 9 >= 1: Kroenke et al. 2001; Simon et al. 2013; Louzon et al. 2016)."""

from __future__ import annotations

import pandas as pd

from tether.instruments import Library, text_in

from .model import empty, rows


def risk_signals(frame: pd.DataFrame, library: Library) -> pd.DataFrame:
    answers = frame[frame["scale"].str.startswith("item:") & frame["score"].notna()]
    if answers.empty:
        return empty()
    triggers = {}
    for key in answers["instrument"].unique():
        definition = library.get(key)
        for item in definition.risk_items:
            assert item.risk is not None
            triggers[(key, f"item:{item.id}")] = (
                item.risk.at_or_above,
                text_in(item.risk.label, "en"),
            )
    pairs = list(zip(answers["instrument"], answers["scale"], strict=True))
    at = pd.Series(
        [triggers.get(p, (float("inf"), ""))[0] for p in pairs], index=answers.index
    )
    hits = answers[answers["score"] >= at]
    evidence = [
        {
            "member": r.member_id,
            "instrument": r.instrument,
            "item": r.scale.removeprefix("item:"),
            "value": r.score,
            "label": triggers[(r.instrument, r.scale)][1],
            "respondent": r.respondent,
        }
        for r in hits.itertuples(index=False)
    ]
    return rows("risk-item", hits, "red", "member:" + hits["member_id"], evidence)
