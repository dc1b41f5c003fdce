"""REDCap names for Tether's instruments, items and scales (docs/interop.md
§REDCap names).

REDCap field and form names are lowercase letters, digits and underscores,
starting with a letter (REDCap's data dictionary rules); every form also has a
status field `<form>_complete` that REDCap adds itself, and the project's first
field is its record ID. A form is named after the instrument's id and version
(`phq-9@1.0` → `phq_9_1_0`), a field after its form and its item or scale id
(`phq_9_1_0_9`, `phq_9_1_0_total`); a name already taken gets `_2`, `_3`, … .
The names are the same whichever instruments are exported together, so a
dictionary and a record file written apart still match; the way back from a
name to an item or scale is kept in each field's annotation (redcap.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tether.instruments import Definition

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
"""A REDCap field or form name."""
RECORD_ID = "record_id"
EVENT = "redcap_event_name"
COMPLETE_SUFFIX = "_complete"
COMPLETE = "2"
"""REDCap's form status for a complete form (0 incomplete, 1 unverified)."""


def safe_name(text: str) -> str:
    """`text` as a REDCap name: lowercase, every run of other characters an
    underscore, a leading `v` where it would begin with a digit."""
    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not name:
        return "v"
    return name if name[0].isalpha() else f"v{name}"


NUMBER_STEPS = {"integer": 1.0, "number_1dp": 0.1, "number_2dp": 0.01}
"""REDCap number validations and the step between the answers each allows;
`number` takes any number."""
DECIMALS = {"integer": 0, "number_1dp": 1, "number_2dp": 2}


def validation_for(step: float) -> str:
    """The text validation of a number field whose answers go in `step`s."""
    return next((name for name, s in NUMBER_STEPS.items() if s == step), "number")


def event_name(session: int) -> str:
    """The unique event name REDCap gives an event labelled "Session N" in the
    project's first arm."""
    return f"session_{session}_arm_1"


@dataclass(frozen=True, slots=True)
class FormNames:
    form: str
    items: Mapping[str, str]
    """Item id → field name."""
    scales: Mapping[str, str]
    """Scale id → field name of its calculation."""

    @property
    def complete(self) -> str:
        return f"{self.form}{COMPLETE_SUFFIX}"


def form_names(definition: Definition) -> FormNames:
    form = safe_name(f"{definition.id}_{definition.version}")
    taken = {RECORD_ID, f"{form}{COMPLETE_SUFFIX}"}

    def name(part: str) -> str:
        base = f"{form}_{re.sub(r'[^a-z0-9]+', '_', part.lower()).strip('_') or 'x'}"
        candidate, count = base, 1
        while candidate in taken:
            count += 1
            candidate = f"{base}_{count}"
        taken.add(candidate)
        return candidate

    items = {item.id: name(item.id) for item in definition.items}
    scales = {scale.id: name(scale.id) for scale in definition.scales}
    return FormNames(form, MappingProxyType(items), MappingProxyType(scales))


def clashing_forms(definitions: Iterable[Definition]) -> list[str]:
    """Instruments whose forms would have one name, as messages."""
    seen: dict[str, str] = {}
    problems = []
    for definition in definitions:
        form = form_names(definition).form
        if form in seen and seen[form] != definition.key:
            problems.append(
                f"{seen[form]} and {definition.key} would both be REDCap form {form!r}"
            )
        seen.setdefault(form, definition.key)
    return problems
