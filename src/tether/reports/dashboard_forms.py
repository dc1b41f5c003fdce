"""The dashboard's filters and sort, and the window of the clinic's figures, as
GET parameters: a value that does not fit is named on its field and left out
of the query, as on the caseload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy, ngettext_lazy

from tether.accounts.models import User
from tether.care.forms import SORT_CHOICES, clinicians_of
from tether.care.models import CaseKind

from .alert_rules import DEFAULT_WINDOW, WINDOWS
from .dashboard import CONCERNS, DashboardQuery


def window_choices() -> list[tuple[int, Any]]:
    return [
        *(
            (
                days,
                ngettext_lazy("The last %(days)d day", "The last %(days)d days", days)
                % {"days": days},
            )
            for days in WINDOWS
        ),
        (0, gettext_lazy("Since the clinic began")),
    ]


class WindowForm(forms.Form):
    """The window of the clinic's figures, in days (0: all)."""

    days = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=DEFAULT_WINDOW,
        label=gettext_lazy("Figures over"),
    )

    def __init__(self, data: Any, *args: Any, **kwargs: Any) -> None:
        if data is not None and not data.get("days"):
            # Unasked, the window is the default one, and the menu says so.
            data = data.copy()
            data["days"] = str(DEFAULT_WINDOW)
        super().__init__(data, *args, **kwargs)
        self.fields["days"].choices = window_choices()  # type: ignore[attr-defined]

    def window(self) -> int:
        self.is_valid()
        days = self.cleaned_data.get("days")
        return DEFAULT_WINDOW if days is None else int(days)


class DashboardForm(WindowForm):
    concern = forms.ChoiceField(required=False, label=gettext_lazy("Needs help with"))
    clinician = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=gettext_lazy("Clinician")
    )
    kind = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("Any kind")), *CaseKind.choices],
    )
    sort = forms.ChoiceField(
        required=False, label=gettext_lazy("Sort by"), choices=SORT_CHOICES
    )
    field_order = ["concern", "clinician", "kind", "sort", "days"]

    def __init__(self, data: Any, user: User) -> None:
        super().__init__(data)
        self.fields["concern"].choices = [  # type: ignore[attr-defined]
            ("", gettext_lazy("Any of these")),
            *CONCERNS.items(),
        ]
        self.fields["clinician"].choices = [  # type: ignore[attr-defined]
            ("", gettext_lazy("Any clinician")),
            *((u.pk, u.display) for u in clinicians_of(user)),
        ]
        self.order_fields(self.field_order)

    def query(self) -> DashboardQuery:
        """The query the valid fields ask for; a field with an error is left
        at its default."""
        self.is_valid()
        data = self.cleaned_data
        sort = data.get("sort") or "attention"
        return DashboardQuery(
            concern=data.get("concern") or "",
            clinician=data.get("clinician"),
            kind=data.get("kind") or "",
            days=self.window(),
            sort=sort.removeprefix("-"),
            descending=sort.startswith("-"),
        )
