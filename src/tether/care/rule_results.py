"""What an instrument's own scoring rules found, as a clinician reads it.

Two rules are stored with a response's scores (care.models.Response.rule_results,
computed by tether.scoring.rules; docs/instrument-format.md):
- PCL-5 `provisional_diagnosis`: the DSM-5 symptom-pattern rule (an item counts
  when rated 2, "Moderately", or more; at least 1 cluster B, 1 C, 2 D and 2 E
  items; Weathers et al. 2013, VA scoring text, CamCOPS pcl5.py). It does not
  assess the trauma itself (Criterion A), duration or impairment, so it is
  shown as provisional, never as a diagnosis.
- PHQ-9 `syndrome`: the PHQ diagnostic algorithm (Spitzer, Kroenke & Williams
  1999; CamCOPS phq9.py): with at least one core item (1 or 2) rated 2 or more,
  5 or more counted items is a major depressive syndrome and 2-4 another
  depressive syndrome (items 3-8 count at 2 or more, item 9 at 1 or more).

`True`/`False`/a label is what the rule found; `None` means missing answers
could change it; no entry means it was not computed (scale totals entered from
paper, or a response stored before these results were kept: they are not
recomputed for old responses).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RULES = {"pcl-5": "provisional_diagnosis", "phq-9": "syndrome"}
"""The instrument id and the name of the rule result it stores."""

LABELS = {
    "pcl-5": gettext_lazy("Provisional PTSD diagnosis"),
    "phq-9": gettext_lazy("Depressive syndrome"),
}
METHODS = {
    "pcl-5": gettext_lazy("DSM-5 cluster rule"),
    "phq-9": gettext_lazy("PHQ-9 algorithm"),
}
CAUTIONS = {
    "pcl-5": gettext_lazy(
        "The provisional PTSD diagnosis is a symptom pattern from the answers "
        "alone, not a diagnosis: it does not assess the trauma itself (Criterion "
        "A), how long the symptoms have lasted, or impairment."
    ),
    "phq-9": gettext_lazy(
        "The depressive syndrome is a symptom pattern from the answers alone, "
        "not a diagnosis."
    ),
}


@dataclass(frozen=True)
class Finding:
    """One rule's result: `label: value (method)`, e.g. "Provisional PTSD
    diagnosis: criteria met (DSM-5 cluster rule)"."""

    label: str
    value: str
    method: str
    caution: str
    computed: bool

    def __str__(self) -> str:
        return f"{self.label}: {self.value} ({self.method})"


def value_text(instrument_id: str, results: Mapping[str, Any]) -> str | None:
    """What the rule found, in words; None for an instrument without a rule."""
    name = RULES.get(instrument_id)
    if name is None:
        return None
    if name not in results:
        return _("not computed")
    found = results[name]
    if found is None:
        return (
            _("undetermined: missing answers could change it")
            if instrument_id == "pcl-5"
            else _("not computed: every item must be answered")
        )
    if instrument_id == "pcl-5":
        return _("criteria met") if found else _("criteria not met")
    return {
        "major depressive syndrome": _("major depressive syndrome"),
        "other depressive syndrome": _("other depressive syndrome"),
        "neither": _("no depressive syndrome"),
    }.get(str(found), str(found))


NOT_COMPUTED = gettext_lazy(
    "Not computed: a total entered without its item answers, or a response "
    "stored before Tether kept these results."
)
NOT_COMPUTED_IN_TABLES = gettext_lazy(
    "—: not computed (a total entered without its item answers, or a response "
    "stored before Tether kept these results)."
)


def computed(instrument_id: str, results: Mapping[str, Any]) -> bool:
    """Whether the instrument's rule result was stored with the response."""
    return RULES.get(instrument_id) in results


def cell_text(instrument_id: str, results: Mapping[str, Any]) -> str | None:
    """What the rule found, for a table cell: None (shown as —, explained by
    NOT_COMPUTED_IN_TABLES) where it was not computed."""
    if RULES.get(instrument_id) not in results:
        return None
    return value_text(instrument_id, results)


def finding(instrument_id: str, results: Mapping[str, Any]) -> Finding | None:
    """The rule result of one response of this instrument (None when the
    instrument has no such rule)."""
    value = value_text(instrument_id, results)
    if value is None:
        return None
    return Finding(
        str(LABELS[instrument_id]),
        value,
        str(METHODS[instrument_id]),
        str(CAUTIONS[instrument_id]),
        computed(instrument_id, results),
    )
