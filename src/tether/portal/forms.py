"""The clinician's form to issue a questionnaire link (docs/architecture.md
§Privacy)."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from tether.care.models import Case
from tether.instruments import Definition, text_in

THERAPIST = "therapist"
EXPIRY_HOURS = [(24, "1 day"), (72, "3 days"), (168, "7 days"), (336, "14 days")]


class IssueLinkForm(forms.Form):
    who = forms.ChoiceField(label="Who answers", widget=forms.RadioSelect)
    instruments = forms.MultipleChoiceField(
        label="Questionnaires", widget=forms.CheckboxSelectMultiple
    )
    expires = forms.TypedChoiceField(
        label="The link works for",
        choices=EXPIRY_HOURS,
        initial=72,
        coerce=int,
    )

    def __init__(
        self, case: Case, offered: Iterable[Definition], *args: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        members = case.members.filter(active=True)
        self.fields["who"].choices = [
            (
                str(m.pk),
                f"{m.first_name} ({m.get_role_display().lower()}, {m.get_age_band_display()})",
            )
            for m in members
        ] + [(THERAPIST, "The therapist (your own rating)")]
        self.fields["instruments"].choices = [
            (d.key, f"{d.short_title}: {text_in(d.title, 'en')} ({d.key})")
            for d in offered
        ]

    def member_id(self) -> int | None:
        who = self.cleaned_data["who"]
        return None if who == THERAPIST else int(who)
