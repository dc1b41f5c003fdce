"""A member's choice of what the family view shows, recorded by one of the
case's clinicians on the person's behalf (care/sharing.py decides and saves;
docs/reports.md §Family view). The case page's members panel holds the same
form for each member."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tether.accounts.decorators import clinical_view
from tether.accounts.models import User

from .errors import InvalidEntry
from .forms import add_problems
from .models import Case, Member, MemberSharing
from .sharing import MemberChoices, Shares, choices_of, set_sharing, sharing_history
from .sharing_forms import SharingForm


@clinical_view
@require_http_methods(["GET", "POST"])
def member_sharing(request: HttpRequest, case_id: int, member_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case, member, history = sharing_history(user, case_id, member_id)
    current = choices_of(case, [member])[0]
    data = request.POST if request.method == "POST" else None
    form = SharingForm(member, data, choices=current)
    if form.is_bound and form.is_valid():
        try:
            set_sharing(user, case.pk, member.pk, **form.cleaned_data)
        except InvalidEntry as error:
            add_problems(form, error.problems)
        else:
            messages.success(request, SAVED % {"name": member.first_name})
            return redirect(reverse("case-detail", args=[case.pk]) + "#family-sharing")
    context = {"case": case, "member": member, "current": current}
    context |= {"form": form, "history": history}
    return render(request, "care/member_sharing.html", context)


SAVED = gettext_lazy("%(name)s's choice for the family view is saved.")


def sharing_panel(
    case: Case, members: Sequence[Member], editable: bool
) -> list[dict[str, Any]]:
    """The members panel's family view part: each member's choices in force
    and, for the case's clinicians, the form that changes them."""
    return [
        {
            "choices": choices,
            "words": shares_words(choices.shares),
            "notes": choice_notes(choices),
            "form": SharingForm(choices.member, choices=choices) if editable else None,
        }
        for choices in choices_of(case, members)
    ]


def shares_words(shares: Shares) -> str:
    """What a member's scores add to the family view, in words."""
    if shares.alliance and shares.outcome:
        return _("Shares alliance and progress")
    if shares.alliance:
        return _("Shares alliance only")
    if shares.outcome:
        return _("Shares progress only")
    return _("Shares nothing")


def choice_notes(choices: MemberChoices) -> list[str]:
    """Where a member's choices in force come from, in sentences."""
    notes = []
    if not choices.member.active:
        notes.append(_("No longer an active member: nothing of theirs is shown."))
    if choices.own is None:
        notes.append(_("Not asked yet, so nothing of theirs is shared."))
    else:
        notes.append(recorded(choices.own))
    if choices.caregiver is not None:
        notes.append(recorded(choices.caregiver))
    return notes


def recorded(row: MemberSharing) -> str:
    """One recorded choice in a sentence: whose, what, by whom, when."""
    values = {
        "what": shares_words(Shares(row.alliance, row.outcome)).lower(),
        "who": row.set_by.display if row.set_by else _("a former user"),
        "when": date_format(timezone.localtime(row.set_at), "DATE_FORMAT"),
    }
    if row.decided_by == MemberSharing.DecidedBy.CAREGIVER:
        text = _(
            "A caregiver's choice for them (it can only keep scores off): "
            "%(what)s; recorded by %(who)s on %(when)s."
        )
    elif row.asked:
        text = _("Their own choice, %(what)s; recorded by %(who)s on %(when)s.")
    else:
        text = _(
            "Set by %(who)s on %(when)s without asking: %(what)s (a clinician "
            "may take scores off, never put them on)."
        )
    return text % values
