"""The clinic's alert thresholds as a form on the clinic settings page: one
field per `SignalConfig` value, the clinic's value in it, its published
default and source beside it (care/thresholds.py words them). The ranges are
checked by the service, which names the field in each message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from tether.signals import SignalConfig
from tether.signals.tunables import TUNABLES, Tunable, default_of

from .thresholds import CHOICE_WORDS, GROUPS, LABELS, shown_value, tunable_range

DEFAULT_AND_SOURCE = gettext_lazy("Published default: %(default)s. Source: %(source)s.")


def field_for(tunable: Tunable) -> forms.Field:
    label = LABELS[tunable.name]
    if tunable.choices:
        return forms.ChoiceField(
            label=label,
            choices=[(c, CHOICE_WORDS[c]) for c in tunable.choices],
            widget=forms.RadioSelect,
        )
    hints = tunable_range(tunable)
    if tunable.whole:
        attrs = hints | {"step": "1", "inputmode": "numeric"}
        return forms.IntegerField(label=label, widget=forms.NumberInput(attrs=attrs))
    attrs = hints | {"step": "any", "inputmode": "decimal"}
    return forms.FloatField(label=label, widget=forms.NumberInput(attrs=attrs))


class ThresholdsForm(forms.Form):
    """Every threshold, filled with the clinic's current values."""

    prefix = "thresholds"

    def __init__(self, data: Any = None, *, config: SignalConfig) -> None:
        current = {t.name: getattr(config, t.name) for t in TUNABLES}
        super().__init__(data, initial=current)
        self.current = current
        for tunable in TUNABLES:
            self.fields[tunable.name] = field_for(tunable)

    def values(self) -> dict[str, Any]:
        return {t.name: self.cleaned_data[t.name] for t in TUNABLES}

    def groups(self) -> list[dict[str, Any]]:
        """The fields under their rules' headings, each with its published
        default and source, and whether the clinic has changed it."""
        out: dict[str, dict[str, Any]] = {}
        for tunable in TUNABLES:
            default = default_of(tunable.name)
            group = out.setdefault(
                tunable.rule, {"title": GROUPS[tunable.rule], "fields": []}
            )
            group["fields"].append(
                {
                    "field": self[tunable.name],
                    "default": DEFAULT_AND_SOURCE
                    % {
                        "default": shown_value(tunable.name, default),
                        "source": tunable.source,
                    },
                    "section": tunable.section,
                    "changed": self.current[tunable.name] != default,
                }
            )
        return list(out.values())
