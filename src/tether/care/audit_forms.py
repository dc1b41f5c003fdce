"""The filters of the administrators' audit log, as GET parameters: a value
that does not fit is named on its field and left out of the query, as on the
caseload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from tether.accounts.models import User
from tether.audit.words import ACTIONS

from .audit_selectors import AuditQuery, audit_filter_choices


class AuditFilterForm(forms.Form):
    user = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=gettext_lazy("Person")
    )
    case = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=gettext_lazy("Case")
    )
    action = forms.ChoiceField(required=False, label=gettext_lazy("Action"))
    since = forms.DateField(
        required=False,
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        required=False,
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, data: Any, admin: User) -> None:
        super().__init__(data)
        people, cases = audit_filter_choices(admin)
        self.fields["user"].choices = [("", gettext_lazy("Anyone")), *people]  # type: ignore[attr-defined]
        self.fields["case"].choices = [("", gettext_lazy("Any case")), *cases]  # type: ignore[attr-defined]
        actions = sorted(((a, str(w)) for a, w in ACTIONS.items()), key=lambda c: c[1])
        self.fields["action"].choices = [("", gettext_lazy("Any action")), *actions]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error(
                "until", gettext_lazy("The end date is before the start date.")
            )
        return data

    def query(self) -> AuditQuery:
        """The query the valid fields ask for; a field with an error is left
        out."""
        self.is_valid()
        data = self.cleaned_data
        return AuditQuery(
            user=data.get("user"),
            case=data.get("case"),
            action=data.get("action") or None,
            since=data.get("since"),
            until=data.get("until"),
        )

    @property
    def filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)
