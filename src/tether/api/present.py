"""Instrument definitions as the API shows them (schemas.py): item and option
text only where the licence lets us show it. Stored records are shown by the
schemas themselves (their `resolve_` methods)."""

from __future__ import annotations

from typing import Any

from tether.instruments import Definition, text_in


def instrument(d: Definition, language: str = "en") -> dict[str, Any]:
    return {
        "key": d.key,
        "id": d.id,
        "version": d.version,
        "title": text_in(d.title, language),
        "role": d.role,
        "respondents": list(d.respondents),
        "validated": d.validated,
        "licence": d.licence.klass,
        "text_bundled": d.licence.text_bundled,
        "superseded_by": d.superseded_by,
    }


def instrument_detail(d: Definition, language: str = "en") -> dict[str, Any]:
    shown = d.has_text
    grid = d.value_range
    return {
        **instrument(d, language),
        "allow_skip": d.allow_skip,
        "options": [
            {"value": o.value, "label": text_in(o.label, language) if shown else ""}
            for o in d.options
        ],
        "value_range": None
        if grid is None
        else {"minimum": grid.minimum, "maximum": grid.maximum, "step": grid.step},
        "items": [
            {
                "id": item.id,
                "text": text_in(item.text, language) if shown else "",
                "reverse": item.reverse,
                "risk_at_or_above": item.risk.at_or_above if item.risk else None,
                "applies_to": list(item.applies_to),
            }
            for item in d.items
        ],
        "scales": [
            {
                "id": s.id,
                "label": text_in(s.label, language),
                "items": list(s.items),
                "method": s.method,
                "higher_is_better": s.higher_is_better,
            }
            for s in d.scales
        ],
    }
