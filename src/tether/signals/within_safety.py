"""Low safety within the family (docs/clinical-rules.md §Within-family safety):
a member who does not agree that it feels safe to speak in front of their family.

Safety within the family (SOFTA's safety dimension: therapy as a place to be
open, where family conflict can be handled without harm) predicts outcome
better than members' averaged individual alliances (Friedlander et al. 2018, via
Welmers-van de Poll), and low safety in a couple or family calls for a
private check for violence or coercion before more conjoint trauma work
(Stith, McCollum & Rosen 2011; Bradford 2010; Bograd & Mederos 1999). On the
TAC this is item 11, "It feels safe to speak in front of my family here"
(facet: level within, dimension safety; couple and family cases).

The rule [P]: an answer at or below `within_safety_low_at_or_below` (default 1,
"Disagree" on TAC's 0-4 agreement scale, so "Strongly disagree" and "Disagree")
to an item with that facet raises a yellow, clinician-only signal. The TAC is
not validated and has no cutoff (tac@1.0.yaml), so "low" is read from the
item's own wording: the member says it does not feel safe; "Not sure" is not
low. Consecutive sessions with a low answer are one signal (keyed to the first
session, like the other level rules), carrying the latest answer.

Only members' own answers count (not the therapist's rating of the family on
TAC-T item 10), only instruments whose scoring key is verified.
"""

from __future__ import annotations

import pandas as pd

from tether.instruments import Library

from .config import SignalConfig
from .items import ITEM_PREFIX, answers_to, items_with_facet
from .model import empty, episodes, rows

WITHIN_SAFETY = "within-family-safety"
SERIES = ["case_id", "member_id", "instrument", "scale"]


def safety_items(library: Library) -> dict[tuple[str, str], dict[float, str]]:
    """The within-family safety items, with their answer labels."""
    return items_with_facet(library, "within", "safety")


def within_safety_signals(
    frame: pd.DataFrame, library: Library, config: SignalConfig
) -> pd.DataFrame:
    """Yellow where a member's answer to a within-family safety item is at or
    below `config.within_safety_low_at_or_below`; runs of consecutive sessions
    are one signal."""
    items = safety_items(library)
    answered = answers_to(frame, items)
    low = answered[answered["score"] <= config.within_safety_low_at_or_below]
    if low.empty:
        return empty()
    runs = episodes(low.assign(severity="yellow"), SERIES)
    evidence = [
        {
            "member": r.member_id,
            "instrument": r.instrument,
            "item": r.scale.removeprefix(ITEM_PREFIX),
            "value": r.score,
            "answer": items[(r.instrument, r.scale)].get(r.score, f"{r.score:g}"),
            "threshold": config.within_safety_low_at_or_below,
            "sessions": int(r.sessions),
            "last_session": int(r.last_session),
        }
        for r in runs.itertuples(index=False)
    ]
    return rows(WITHIN_SAFETY, runs, "yellow", "member:" + runs["member_id"], evidence)
