"""What the clinician's pages call things, said once: a template shows the
label, never decides it."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.translation import gettext_lazy, pgettext_lazy

from tether.instruments import UnknownInstrument

from ..frames import library

register = template.Library()

SEVERITY_LABELS = {
    "red": pgettext_lazy("severity", "Red"),
    "yellow": pgettext_lazy("severity", "Yellow"),
    "green": gettext_lazy("Good news"),
    "info": gettext_lazy("For information"),
}
"""An alert's severity as its tag reads, on the case page and its cards."""


@register.filter
def severity_label(severity: str) -> str:
    return str(SEVERITY_LABELS.get(severity, severity.capitalize()))


@register.filter
def instrument_names(keys: Iterable[str]) -> str:
    """Stored instrument keys (`tac@1.1`) as people read them ("TAC, PCL-5")."""
    lib = library()
    names = []
    for key in keys:
        try:
            names.append(lib.get(key).short_title)
        except UnknownInstrument:
            names.append(key)
    return ", ".join(dict.fromkeys(names))
