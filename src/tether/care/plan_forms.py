"""The form that adds a questionnaire to a case's measure plan."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from tether.instruments import text_in

from .frames import library
from .models import MeasurePlan, MemberRole
from .plan import THERAPIST
from .services import MAX_EVERY_N


def instrument_choices() -> list[tuple[str, str]]:
    """Each instrument once (its current version), by name."""
    seen: dict[str, str] = {}
    for definition in library().sendable():
        seen.setdefault(
            definition.id,
            f"{definition.short_title}: {text_in(definition.title, 'en')}",
        )
    return sorted(seen.items(), key=lambda item: item[1].lower())


class PlanRowForm(forms.Form):
    instrument = forms.ChoiceField(label=gettext_lazy("Questionnaire"))
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Who answers it"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Each form goes only to the ages it is made for: the child form to "
            "8–12, the adult form to 13 and over."
        ),
    )
    cadence = forms.ChoiceField(
        label=gettext_lazy("How often"),
        widget=forms.RadioSelect,
        initial=MeasurePlan.Cadence.EVERY_SESSION,
    )
    every_n = forms.IntegerField(
        label=gettext_lazy("Every how many sessions"),
        required=False,
        min_value=2,
        max_value=MAX_EVERY_N,
        help_text=gettext_lazy("Only for “every few sessions”, e.g. 4."),
        widget=forms.NumberInput(attrs={"size": "3"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["instrument"].choices = instrument_choices()  # type: ignore[attr-defined]
        self.fields["roles"].choices = [  # type: ignore[attr-defined]
            *MemberRole.choices,
            (THERAPIST, gettext_lazy("The therapist (own rating)")),
        ]
        self.fields["cadence"].choices = [  # type: ignore[attr-defined]
            (MeasurePlan.Cadence.EVERY_SESSION, gettext_lazy("Every session")),
            (MeasurePlan.Cadence.EVERY_N, gettext_lazy("Every few sessions")),
            (
                MeasurePlan.Cadence.MONTHLY,
                gettext_lazy(
                    "Monthly (the first session at least four weeks after the last)"
                ),
            ),
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("cadence") == MeasurePlan.Cadence.EVERY_N and not data.get(
            "every_n"
        ):
            self.add_error(
                "every_n", gettext_lazy("Say every how many sessions, from 2 to 12.")
            )
        return data
