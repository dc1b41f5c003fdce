"""The form that records a member's choice of what the family view shows
(care/sharing.py decides and saves; docs/reports.md §Family view)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Member, MemberSharing
from .sharing import MemberChoices

DecidedBy = MemberSharing.DecidedBy


class SharingForm(forms.Form):
    decided_by = forms.ChoiceField(
        label=gettext_lazy("Whose choice is this?"),
        widget=forms.RadioSelect,
        initial=DecidedBy.MEMBER,
    )
    alliance = forms.BooleanField(
        required=False,
        label=gettext_lazy("Alliance: their check-in scores"),
    )
    outcome = forms.BooleanField(
        required=False,
        label=gettext_lazy("Progress: their symptom and outcome scores"),
    )
    asked = forms.BooleanField(
        required=False,
        label=gettext_lazy("I asked them just now, and this is what they chose"),
        help_text=gettext_lazy(
            "Needed to share anything: scores are shared only with the "
            "person's own yes. Taking scores off the family view needs no one's."
        ),
    )

    def __init__(
        self,
        member: Member,
        data: Any = None,
        choices: MemberChoices | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", f"sharing-{member.pk}-%s")
        super().__init__(data, **kwargs)
        own = choices.own if choices else None
        if own is not None:
            self.initial |= {"alliance": own.alliance, "outcome": own.outcome}
        name = {"name": member.first_name}
        if member.is_youth:
            self.fields["decided_by"].choices = [  # type: ignore[attr-defined]
                (DecidedBy.MEMBER, _("%(name)s's own choice") % name),
                (
                    DecidedBy.CAREGIVER,
                    _(
                        "A caregiver's choice for %(name)s: it can keep their "
                        "scores off the family view, never put them on"
                    )
                    % name,
                ),
            ]
        else:
            del self.fields["decided_by"]
