"""Answers to single alliance items, found by their facet (level and
dimension, docs/tac.md): the long-format table carries them as `item:<id>` rows
(docs/long-format.md)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from tether.instruments import Library, text_in

ITEM_PREFIX = "item:"


def items_with_facet(
    library: Library, level: str, dimension: str
) -> dict[tuple[str, str], dict[float, str]]:
    """(instrument, `item:<id>`) of every member item with this alliance facet
    (in instruments whose key is verified) -> its answer labels in English,
    by value."""
    found = {}
    for definition in library:
        if (
            definition.role != "alliance"
            or not definition.key_verified
            or "therapist" in definition.respondents
        ):
            continue
        labels = {o.value: text_in(o.label, "en") for o in definition.options}
        for item in definition.items:
            facet = item.alliance
            if facet and (facet.level, facet.dimension) == (level, dimension):
                found[(definition.key, ITEM_PREFIX + item.id)] = labels
    return found


def answers_to(
    frame: pd.DataFrame, items: Mapping[tuple[str, str], object]
) -> pd.DataFrame:
    """The members' answered rows of these (instrument, `item:<id>`) items."""
    answered = frame[
        (frame["respondent"] == "member")
        & frame["scale"].str.startswith(ITEM_PREFIX)
        & frame["score"].notna()
    ]
    pairs = pd.Series(
        list(zip(answered["instrument"], answered["scale"], strict=True)),
        index=answered.index,
        dtype=object,
    )
    return answered[pairs.isin(list(items))]
