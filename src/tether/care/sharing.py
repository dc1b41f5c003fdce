"""What each member agrees to show in the family view, the screen a clinician
shows the family in session (reports/family_view.py; the rules and their
reasons: docs/reports.md §Family view).

Each member has their own choice, off until recorded: their alliance scores,
their symptom and outcome scores, or both, may count in the family's
averages. Only the case's clinicians record a choice, on the person's behalf
and after asking them; each choice is a new `MemberSharing` row (the history
is never rewritten) and an audit event. A youth's scores are shared only on
the youth's own yes: a caregiver's choice for a youth can keep them off the
view, never put them on. A clinician may take anyone's scores off without
asking (showing less exposes no one), never put them on.

The write (`set_sharing`) checks permission, runs in one transaction and
is audited, as care's services are; the reads below it check permission
through `get_case_for` and are audited, as care's selectors are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tether.accounts.models import User
from tether.audit.services import record

from .errors import Code, InvalidEntry, Problem
from .models import Case, CaseKind, Member, MemberSharing
from .selectors import get_case_for

DecidedBy = MemberSharing.DecidedBy


@dataclass(frozen=True)
class Shares:
    """What may count in the family view's averages."""

    alliance: bool = False
    outcome: bool = False

    @property
    def anything(self) -> bool:
        return self.alliance or self.outcome


NOTHING = Shares()
"""The default: nothing shared until the person says otherwise."""


def in_force(
    own: Shares | None,
    caregiver: Shares | None,
    *,
    youth: bool,
    active: bool = True,
) -> Shares:
    """What a member's scores add to the family view, from their own latest
    choice and, for a youth, a caregiver's latest choice for them.

    Nothing without the member's own yes; a caregiver's choice only narrows a
    youth's (it never overrides the youth's no); an adult's choice is theirs
    alone (a caregiver's row left from when they were a youth no longer
    counts); a member no longer active in the case shows nothing, since they
    can no longer change their mind in the room."""
    if own is None or not active:
        return NOTHING
    if not youth or caregiver is None:
        return own
    return Shares(
        alliance=own.alliance and caregiver.alliance,
        outcome=own.outcome and caregiver.outcome,
    )


def shares_of(row: MemberSharing | None) -> Shares | None:
    return None if row is None else Shares(row.alliance, row.outcome)


@dataclass(frozen=True)
class MemberChoices:
    """A member's choices in force, and what they add to the family view."""

    member: Member
    own: MemberSharing | None
    """Their own latest choice (None: never asked)."""
    caregiver: MemberSharing | None
    """For a youth, a caregiver's latest choice for them."""
    shares: Shares
    """What counts, by `in_force`."""


# ---- the write -----------------------------------------------------------------


def set_sharing(
    user: User,
    case_id: int,
    member_id: int,
    *,
    alliance: bool,
    outcome: bool,
    asked: bool,
    decided_by: str = DecidedBy.MEMBER,
) -> MemberSharing:
    """Record a choice for one member of the case, by one of the case's
    clinicians on the person's behalf: the member's own, or for a youth a
    caregiver's. Sharing anything needs `asked` (the clinician asked the
    person whose choice it is and records what they said); sharing nothing
    does not. A new row each time, audited; the earlier ones stay."""
    case = get_case_for(user, case_id, write=True)
    member = case.members.filter(pk=member_id).first()
    if member is None:
        raise InvalidEntry([NOT_A_MEMBER])
    problems = choice_problems(
        member, Shares(alliance, outcome), asked=asked, decided_by=decided_by
    )
    if problems:
        raise InvalidEntry(problems)
    with transaction.atomic():
        row = MemberSharing.objects.create(
            organization=case.organization,
            case=case,
            member=member,
            decided_by=decided_by,
            alliance=alliance,
            outcome=outcome,
            asked=asked,
            set_by=user,
            set_at=timezone.now(),
        )
        record(
            user,
            "update",
            "member-sharing",
            row.pk,
            case=case.pk,
            detail={
                "member": member.pk,
                "whose": decided_by,
                "alliance": alliance,
                "outcome": outcome,
                "asked": asked,
            },
        )
    return row


def choice_problems(
    member: Member, shares: Shares, *, asked: bool, decided_by: str
) -> list[Problem]:
    problems = []
    if decided_by not in DecidedBy.values:
        problems.append(
            Problem(
                "decided_by",
                Code.NOT_A_CHOICE,
                gettext_lazy("Choose whose choice this is."),
            )
        )
    elif decided_by == DecidedBy.CAREGIVER and not member.is_youth:
        problems.append(
            Problem(
                "decided_by",
                Code.NOT_A_CHOICE,
                gettext_lazy(
                    "%(name)s is an adult and decides for themselves: a "
                    "caregiver's choice is recorded only for a youth."
                ),
                {"name": member.first_name},
            )
        )
    if shares.anything and not asked:
        problems.append(
            Problem(
                "asked",
                Code.REQUIRED,
                gettext_lazy(
                    "Scores are shared only with the person's own yes: ask "
                    "them, then tick that this is what they chose."
                ),
            )
        )
    if shares.anything and not member.active:
        problems.append(
            Problem(
                "",
                Code.NOT_IN_CASE,
                gettext_lazy(
                    "%(name)s is no longer an active member of the case, so "
                    "their scores stay off the family view."
                ),
                {"name": member.first_name},
            )
        )
    return problems


NOT_A_MEMBER = Problem(
    "member",
    Code.NOT_IN_CASE,
    gettext_lazy("This person is not a member of this case."),
)


# ---- reads ---------------------------------------------------------------------


def choices_of(
    case: Case, members: Iterable[Member] | None = None
) -> list[MemberChoices]:
    """Every member's choices in force, in the order they were added (for a
    case already read with permission). Two queries."""
    members = list(case.members.order_by("pk") if members is None else members)
    latest: dict[tuple[int, str], MemberSharing] = {}
    for row in case.sharing_choices.select_related("set_by").order_by("set_at", "pk"):
        latest[(row.member_id, row.decided_by)] = row
    out = []
    for member in members:
        own = latest.get((member.pk, DecidedBy.MEMBER))
        caregiver = latest.get((member.pk, DecidedBy.CAREGIVER))
        out.append(
            MemberChoices(
                member=member,
                own=own,
                caregiver=caregiver if member.is_youth else None,
                shares=in_force(
                    shares_of(own),
                    shares_of(caregiver),
                    youth=member.is_youth,
                    active=member.active,
                ),
            )
        )
    return out


def sharing_history(
    user: User, case_id: int, member_id: int
) -> tuple[Case, Member, list[MemberSharing]]:
    """A member of a case the user may change, with every choice recorded for
    them, newest first (404 for a member not in it). Audited."""
    case = get_case_for(user, case_id, write=True)
    member = case.members.filter(pk=member_id).first()
    if member is None:
        record(user, "denied", "member", member_id, organization=case.organization)
        raise Http404("No such member.")
    rows = list(
        member.sharing_choices.select_related("set_by").order_by("-set_at", "-pk")
    )
    record(
        user,
        "read",
        "member-sharing",
        member.pk,
        organization=case.organization,
        case=case.pk,
    )
    return case, member, rows


def shared_for_family_view(
    user: User, case_id: int
) -> tuple[Case, list[MemberChoices]]:
    """The case and its members' choices in force, for the family view: only
    the case's own clinicians show it (404 for a case out of reach, 403 for a
    supervisor), and only for a couple or a family (404 for an individual
    case, which has no family to show it to). Audited, with how many members
    share each kind of score (never who)."""
    case = get_case_for(user, case_id, write=True)
    if case.kind == CaseKind.INDIVIDUAL:
        raise Http404("An individual case has no family view.")
    choices = choices_of(case)
    record(
        user,
        "read",
        "family-view",
        case.pk,
        organization=case.organization,
        case=case.pk,
        detail={
            "alliance_shared": sum(c.shares.alliance for c in choices),
            "outcome_shared": sum(c.shares.outcome for c in choices),
        },
    )
    return case, choices
