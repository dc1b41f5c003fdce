"""A response's scores as the session page shows them: each scale by its
name, its value as people read it, and its severity band where the
instrument publishes bands (docs/clinical-rules.md); risk-item rows and
internal scale ids never appear."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tether.instruments import Definition, text_in

from .models import Score


def score_lines(definition: Definition, scores: Iterable[Score]) -> list[str]:
    """One line per scored scale, in the instrument's order, e.g.
    "Total: 42 (severe)" or "Alliance with the therapist: 3.2"."""
    language = get_language() or "en"
    by_scale = {s.scale: s for s in scores if not s.scale.startswith("item:")}
    lines = []
    for scale in definition.scales:
        score = by_scale.get(scale.id)
        if score is None or score.value is None:
            continue
        value = formats.number_format(
            score.value, decimal_pos=0 if scale.method == "sum" else 1
        )
        line = f"{text_in(scale.label, language)}: {value}"
        band = scale.band_for(score.value)
        if band is not None:
            line += f" ({text_in(band.label, language)})"
        if score.prorated:
            line += " " + _("(estimated from the questions answered)")
        lines.append(line)
    return lines
