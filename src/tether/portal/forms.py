"""The clinician's form to issue a questionnaire link (docs/architecture.md
§Privacy)."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tether.care.models import Case
from tether.instruments import Definition, text_in

THERAPIST = "therapist"
EXPIRY_HOURS = (24, 72, 168, 336)


def expiry_choices() -> list[tuple[int, str]]:
    """How long a link may work, in the language of the page being shown."""
    return [
        (
            hours,
            ngettext("%(days)d day", "%(days)d days", hours // 24)
            % {"days": hours // 24},
        )
        for hours in EXPIRY_HOURS
    ]


class IssueLinkForm(forms.Form):
    who = forms.ChoiceField(label=gettext_lazy("Who answers"), widget=forms.RadioSelect)
    instruments = forms.MultipleChoiceField(
        label=gettext_lazy("Questionnaires"), widget=forms.CheckboxSelectMultiple
    )
    expires = forms.TypedChoiceField(
        label=gettext_lazy("The link works for"),
        choices=[],
        initial=72,
        coerce=int,
    )

    def __init__(
        self, case: Case, offered: Iterable[Definition], *args: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["expires"].choices = expiry_choices()
        members = case.members.filter(active=True)
        self.fields["who"].choices = [
            (
                str(m.pk),
                f"{m.first_name} ({m.get_role_display().lower()}, {m.get_age_band_display()})",
            )
            for m in members
        ] + [(THERAPIST, _("The therapist (your own rating)"))]
        self.fields["instruments"].choices = [
            (
                d.key,
                _("%(name)s: %(title)s (version %(version)s)")
                % {
                    "name": d.short_title,
                    "title": text_in(d.title, "en"),
                    "version": d.version,
                },
            )
            for d in offered
        ]

    def member_id(self) -> int | None:
        who = self.cleaned_data["who"]
        return None if who == THERAPIST else int(who)


class EveryoneForm(forms.Form):
    """Links for everyone attending, from the case's measure plan."""

    expires = forms.TypedChoiceField(
        label=gettext_lazy("The links work for"), choices=[], initial=72, coerce=int
    )
    send = forms.BooleanField(
        label=gettext_lazy(
            "Also send each link by email, or by text message, where Tether has an address"
        ),
        required=False,
        initial=True,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["expires"].choices = expiry_choices()  # type: ignore[attr-defined]
