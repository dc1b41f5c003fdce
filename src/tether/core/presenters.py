"""Plain dictionaries for the instrument templates (no logic in templates)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tether.instruments import Definition, Scale, text_in

LICENCE_NAMES = {
    "public_domain": gettext_lazy("Public domain"),
    "blanket_permission": gettext_lazy("Free to reproduce (blanket permission)"),
    "project_open": gettext_lazy("Tether's own (CC BY 4.0)"),
    "free_use_confirm": gettext_lazy("Free to use; written confirmation pending"),
    "permission_required": gettext_lazy("Permission required"),
    "licensed_local_text_only": gettext_lazy("Licensed sites only"),
}


def text_status(definition: Definition) -> str:
    if definition.licence.text_bundled:
        return _("bundled")
    if definition.has_text:
        return _("loaded from a text pack")
    return _("licensed text not loaded")


def instrument_summary(d: Definition) -> dict[str, Any]:
    return {
        "key": d.key,
        "title": text_in(d.title, "en"),
        "short_title": d.short_title,
        "role": d.role,
        "respondents": ", ".join(d.respondents),
        "items": len(d.items),
        "text": text_status(d),
        "licence": LICENCE_NAMES[d.licence.klass],
        "validated": d.validated,
        "key_verified": d.key_verified,
        "languages": ", ".join(d.languages) or "—",
    }


def instrument_view(d: Definition, language: str) -> dict[str, Any]:
    return {
        **instrument_summary(d),
        "title": text_in(d.title, language),
        "version": d.version,
        "superseded_by": d.superseded_by or "",
        "citation": d.citation,
        "licence_note": d.licence.note,
        "text_source": d.text_source,
        "language": language,
        "other_languages": [lang for lang in d.languages if lang != language],
        "recall": text_in(d.recall, language) if d.recall else "",
        "instructions": text_in(d.instructions, language) if d.instructions else "",
        "stem": text_in(d.stem, language) if d.stem else "",
        "trauma_content": d.trauma_content,
        "ages": _ages(d),
        "allowed": d.describe_allowed(),
        "options": [
            {
                "value": f"{o.value:g}",
                "label": text_in(o.label, language),
                "score": f"{o.score:g}" if o.score != o.value else "",
            }
            for o in d.options
        ],
        "items": [
            {
                "id": item.id,
                "text": text_in(item.text, language) if item.text else "",
                "content": item.content or "",
                "reverse": item.reverse,
                "risk": _("risk item: answer ≥ %(value)s (%(label)s)")
                % {
                    "value": f"{item.risk.at_or_above:g}",
                    "label": text_in(item.risk.label, "en"),
                }
                if item.risk
                else "",
                "alliance": f"{item.alliance.level} · {item.alliance.dimension}"
                if item.alliance
                else "",
                "applies_to": ", ".join(item.applies_to)
                if len(item.applies_to) < 3
                else "",
                "variants": [
                    {"kind": kind, "text": text_in(variant, language)}
                    for kind, variant in item.variants.items()
                ],
            }
            for item in d.items
        ],
        "scales": [_scale(d, scale, language) for scale in d.scales],
    }


def _ages(d: Definition) -> str:
    if d.age_min is not None and d.age_max is not None:
        return f"{d.age_min}–{d.age_max}"
    if d.age_min is not None:
        return f"{d.age_min}+"
    return _("up to %(age)s") % {"age": d.age_max} if d.age_max is not None else ""


def _scale(d: Definition, scale: Scale, language: str) -> dict[str, Any]:
    low, high = d.scale_bounds(scale)
    bands = [
        {"lower": f"{band.lower:g}", "label": text_in(band.label, language)}
        for band in scale.bands
    ]
    cutoff = scale.cutoff
    change = scale.change
    return {
        "id": scale.id,
        "label": text_in(scale.label, language),
        "method": scale.method,
        "items": ", ".join(scale.items),
        "range": f"{low:g}–{high:g}",
        "min_answered": scale.min_answered,
        "n_items": len(scale.items),
        "missing_rule_source": scale.missing_rule_source,
        "direction": _("higher is better")
        if scale.higher_is_better
        else _("lower is better"),
        "bands": bands,
        "bands_source": scale.bands_source,
        "cutoff": (
            {
                "rule": f"{'≥' if cutoff.direction == 'at_or_above' else '<'} {cutoff.value:g}",
                "label": text_in(cutoff.label, language),
                "source": cutoff.source,
            }
            if cutoff
            else None
        ),
        "change": (
            {
                "reliability": f"{change.reliability:g}"
                if change.reliability is not None
                else "",
                "sd": f"{change.sd:g}" if change.sd is not None else "",
                "points": f"{change.reliable_change_points:g}"
                if change.reliable_change_points is not None
                else "",
                "meaningful": f"{change.meaningful_change_points:g}"
                if change.meaningful_change_points is not None
                else "",
                "possible": f"{change.possible_change_points:g}"
                if change.possible_change_points is not None
                else "",
                "recovery": (
                    f"{'≤' if change.recovery.inclusive else '<'} "
                    f"{change.recovery.value:g}"
                    + (
                        " "
                        + _("(with %(scale)s)") % {"scale": change.recovery.paired_with}
                        if change.recovery.paired_with
                        else ""
                    )
                )
                if change.recovery is not None
                else "",
                "source": change.source,
            }
            if change
            else None
        ),
    }
