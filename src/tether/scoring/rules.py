"""Instrument-specific rules, registered by instrument id.

Each rule takes the definition and the N×k matrix of stored answers and returns
named arrays (one value per row). Missing answers make a result indeterminate
(None) only when they could change it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from tether.instruments import Definition

Rule = Callable[[Definition, npt.NDArray[np.float64]], Mapping[str, npt.NDArray[Any]]]

PCL5_ENDORSED_AT = 2.0
PCL5_CLUSTERS_NEEDED = {"cluster-b": 1, "cluster-c": 1, "cluster-d": 2, "cluster-e": 2}


def _columns(definition: Definition, scale_id: str) -> list[int]:
    return [
        definition.item_ids.index(item) for item in definition.scale(scale_id).items
    ]


def _tristate(
    met: npt.NDArray[np.bool_], possible: npt.NDArray[np.bool_]
) -> npt.NDArray[Any]:
    """True where met, False where impossible even if every missing answer
    were endorsed, None where the missing answers decide it."""
    out = np.full(len(met), None, dtype=object)
    out[met] = True
    out[~possible] = False
    return out


def pcl5_provisional_diagnosis(
    definition: Definition, answers: npt.NDArray[np.float64]
) -> dict[str, npt.NDArray[Any]]:
    """DSM-5 symptom-pattern rule for a provisional PTSD diagnosis: an item is
    endorsed when rated >= 2 ("Moderately"); at least 1 cluster B item, 1 C,
    2 D and 2 E items (Weathers et al. 2013; VA scoring text; CamCOPS pcl5.py,
    docs/clinical-rules.md §Scoring rules). It does not assess Criterion A, duration or
    impairment, so the result is provisional."""
    met = np.ones(len(answers), dtype=bool)
    possible = np.ones(len(answers), dtype=bool)
    for scale_id, needed in PCL5_CLUSTERS_NEEDED.items():
        block = answers[:, _columns(definition, scale_id)]
        endorsed = np.sum(block >= PCL5_ENDORSED_AT, axis=1)
        missing = np.sum(np.isnan(block), axis=1)
        met &= endorsed >= needed
        possible &= endorsed + missing >= needed
    return {"provisional_diagnosis": _tristate(met, possible)}


def phq9_syndromes(
    definition: Definition, answers: npt.NDArray[np.float64]
) -> dict[str, npt.NDArray[Any]]:
    """PHQ-9 diagnostic algorithm (Spitzer, Kroenke & Williams 1999; CamCOPS
    phq9.py; docs/clinical-rules.md §Scoring rules): count items 1-8 rated >= 2 and item
    9 rated >= 1; with at least one core item (1 or 2) counted, 5 or more counted items
    is a major depressive syndrome and 2-4 another depressive syndrome. Computed only
    when all nine items are answered."""
    column = {item: definition.item_ids.index(item) for item in definition.item_ids}
    complete = ~np.isnan(answers).any(axis=1)
    filled = np.nan_to_num(answers, nan=-1.0)
    core_count = (filled[:, [column["1"], column["2"]]] >= 2).sum(axis=1)
    others = (filled[:, [column[str(i)] for i in range(3, 9)]] >= 2).sum(axis=1)
    total = core_count + others + (filled[:, column["9"]] >= 1)
    has_core = core_count > 0
    major = has_core & (total >= 5)
    other = has_core & (total >= 2) & (total <= 4)
    label = np.where(
        major,
        "major depressive syndrome",
        np.where(other, "other depressive syndrome", "neither"),
    )
    out = label.astype(object)
    out[~complete] = None
    return {"syndrome": out}


RULES: dict[str, Rule] = {
    "pcl-5": pcl5_provisional_diagnosis,
    "phq-9": phq9_syndromes,
}
