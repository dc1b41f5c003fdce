"""What each member shares in the family view: nothing until they say so, their
own choice recorded by one of the case's clinicians after asking them, each
choice a new row with who recorded it and when, audited; a youth's scores
only on the youth's own yes, which a caregiver's choice can narrow but never
override."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.errors import Code, InvalidEntry
from tether.care.models import MemberSharing
from tether.care.sharing import (
    NOTHING,
    Shares,
    choices_of,
    in_force,
    set_sharing,
    shared_for_family_view,
    sharing_history,
)

YES = Shares(alliance=True, outcome=True)
ALLIANCE = Shares(alliance=True)
OUTCOME = Shares(outcome=True)


def shares(case):
    return {c.member.first_name: c.shares for c in choices_of(case)}


# ---- the rule, without a database -------------------------------------------------


def test_nothing_is_shared_until_the_member_says_so():
    assert in_force(None, None, youth=False) == NOTHING
    assert in_force(None, YES, youth=True) == NOTHING


def test_an_adults_own_choice_is_what_counts():
    assert in_force(ALLIANCE, None, youth=False) == ALLIANCE
    # A caregiver's row left from when they were a youth no longer counts.
    assert in_force(YES, NOTHING, youth=False) == YES


def test_a_caregiver_can_narrow_a_youths_choice_but_never_widen_it():
    assert in_force(YES, OUTCOME, youth=True) == OUTCOME
    assert in_force(ALLIANCE, YES, youth=True) == ALLIANCE
    assert in_force(NOTHING, YES, youth=True) == NOTHING
    assert in_force(YES, None, youth=True) == YES


def test_a_member_no_longer_active_shares_nothing():
    assert in_force(YES, None, youth=False, active=False) == NOTHING


# ---- recording a choice ----------------------------------------------------------


def test_every_member_starts_sharing_nothing(rivera):
    assert shares(rivera) == {"Maria": NOTHING, "Leo": NOTHING}


def test_a_choice_is_recorded_with_who_set_it_and_when_and_audited(ames, rivera, maria):
    row = set_sharing(
        ames, rivera.pk, maria.pk, alliance=True, outcome=False, asked=True
    )
    assert (row.set_by, row.decided_by, row.asked) == (ames, "member", True)
    assert row.set_at is not None
    assert shares(rivera)["Maria"] == ALLIANCE
    event = AuditEvent.objects.get(object_type="member-sharing", action="update")
    assert (event.user, event.case_id, event.object_id) == (
        ames,
        rivera.pk,
        str(row.pk),
    )
    assert event.detail == {
        "member": maria.pk,
        "whose": "member",
        "alliance": True,
        "outcome": False,
        "asked": True,
    }
    assert "Maria" not in str(event.detail)


def test_a_new_choice_adds_to_the_history_and_the_latest_counts(ames, rivera, maria):
    first = set_sharing(
        ames, rivera.pk, maria.pk, alliance=True, outcome=True, asked=True
    )
    second = set_sharing(
        ames, rivera.pk, maria.pk, alliance=False, outcome=False, asked=True
    )
    assert list(MemberSharing.objects.values_list("pk", flat=True)) == [
        first.pk,
        second.pk,
    ]
    assert MemberSharing.objects.get(pk=first.pk).alliance  # never rewritten
    assert shares(rivera)["Maria"] == NOTHING
    assert AuditEvent.objects.filter(object_type="member-sharing").count() == 2


def test_sharing_needs_the_clinician_to_have_asked_and_nothing_is_saved_without(
    ames, rivera, maria
):
    with pytest.raises(InvalidEntry) as refused:
        set_sharing(
            ames, rivera.pk, maria.pk, alliance=True, outcome=False, asked=False
        )
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("asked", Code.REQUIRED)
    ]
    assert not MemberSharing.objects.exists()
    assert shares(rivera)["Maria"] == NOTHING


def test_a_clinician_may_take_scores_off_without_asking(ames, rivera, maria):
    set_sharing(ames, rivera.pk, maria.pk, alliance=True, outcome=True, asked=True)
    row = set_sharing(
        ames, rivera.pk, maria.pk, alliance=False, outcome=False, asked=False
    )
    assert not row.asked
    assert shares(rivera)["Maria"] == NOTHING


# ---- youth -----------------------------------------------------------------------


def test_a_caregivers_yes_shares_nothing_of_a_youth_who_said_no(ames, rivera, leo):
    set_sharing(ames, rivera.pk, leo.pk, alliance=False, outcome=False, asked=True)
    set_sharing(
        ames,
        rivera.pk,
        leo.pk,
        alliance=True,
        outcome=True,
        asked=True,
        decided_by="caregiver",
    )
    assert shares(rivera)["Leo"] == NOTHING


def test_a_caregivers_yes_shares_nothing_of_a_youth_never_asked(ames, rivera, leo):
    set_sharing(
        ames, rivera.pk, leo.pk, alliance=True, outcome=True, asked=True,
        decided_by="caregiver",
    )  # fmt: skip
    assert shares(rivera)["Leo"] == NOTHING


def test_a_caregivers_no_keeps_a_youths_scores_off_and_the_youths_choice_stays(
    ames, rivera, leo
):
    set_sharing(ames, rivera.pk, leo.pk, alliance=True, outcome=True, asked=True)
    set_sharing(
        ames, rivera.pk, leo.pk, alliance=True, outcome=False, asked=True,
        decided_by="caregiver",
    )  # fmt: skip
    leo_choices = next(c for c in choices_of(rivera) if c.member == leo)
    assert leo_choices.shares == ALLIANCE
    assert (leo_choices.own.alliance, leo_choices.own.outcome) == (True, True)
    # The youth choosing again leaves the caregiver's choice in force.
    set_sharing(ames, rivera.pk, leo.pk, alliance=True, outcome=True, asked=True)
    assert shares(rivera)["Leo"] == ALLIANCE


def test_a_caregivers_choice_is_refused_for_an_adult(ames, rivera, maria):
    with pytest.raises(InvalidEntry) as refused:
        set_sharing(
            ames, rivera.pk, maria.pk, alliance=False, outcome=False, asked=True,
            decided_by="caregiver",
        )  # fmt: skip
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("decided_by", Code.NOT_A_CHOICE)
    ]
    assert "Maria is an adult" in refused.value.problems[0].message


def test_a_member_no_longer_active_cannot_be_shared_and_shows_nothing(
    ames, rivera, maria
):
    set_sharing(ames, rivera.pk, maria.pk, alliance=True, outcome=True, asked=True)
    maria.active = False
    maria.save()
    assert shares(rivera)["Maria"] == NOTHING
    with pytest.raises(InvalidEntry) as refused:
        set_sharing(ames, rivera.pk, maria.pk, alliance=True, outcome=False, asked=True)
    assert refused.value.codes == {Code.NOT_IN_CASE}
    set_sharing(ames, rivera.pk, maria.pk, alliance=False, outcome=False, asked=False)


# ---- who may ---------------------------------------------------------------------


def test_only_the_cases_clinicians_record_a_choice(
    ames, baker, sam, cole, rivera, maria
):
    for outsider in (baker, cole):
        with pytest.raises(Http404):
            set_sharing(
                outsider, rivera.pk, maria.pk, alliance=True, outcome=True, asked=True
            )
    with pytest.raises(PermissionDenied):
        set_sharing(sam, rivera.pk, maria.pk, alliance=True, outcome=True, asked=True)
    assert not MemberSharing.objects.exists()


def test_a_member_of_another_case_is_refused(ames, rivera):
    other = services.create_case(ames, "Okafor family", "family")
    stranger = services.add_member(ames, other.pk, "Ada", "caregiver")
    with pytest.raises(InvalidEntry) as refused:
        set_sharing(
            ames, rivera.pk, stranger.pk, alliance=True, outcome=True, asked=True
        )
    assert refused.value.codes == {Code.NOT_IN_CASE}
    with pytest.raises(Http404):
        sharing_history(ames, rivera.pk, stranger.pk)


def test_the_history_is_read_with_permission_newest_first_and_audited(
    ames, baker, rivera, maria
):
    set_sharing(ames, rivera.pk, maria.pk, alliance=True, outcome=True, asked=True)
    set_sharing(ames, rivera.pk, maria.pk, alliance=False, outcome=True, asked=True)
    _case, member, rows = sharing_history(ames, rivera.pk, maria.pk)
    assert member == maria
    assert [(r.alliance, r.outcome) for r in rows] == [(False, True), (True, True)]
    assert AuditEvent.objects.filter(
        object_type="member-sharing", action="read", object_id=str(maria.pk)
    ).exists()
    with pytest.raises(Http404):
        sharing_history(baker, rivera.pk, maria.pk)


def test_the_family_view_read_is_audited_with_counts_never_names(
    ames, rivera, maria, leo
):
    set_sharing(ames, rivera.pk, maria.pk, alliance=True, outcome=False, asked=True)
    case, choices = shared_for_family_view(ames, rivera.pk)
    assert case == rivera
    assert [c.member for c in choices] == [maria, leo]
    event = AuditEvent.objects.get(object_type="family-view")
    assert event.detail == {"alliance_shared": 1, "outcome_shared": 0}


def test_an_individual_case_has_no_family_view(ames):
    case = services.create_case(ames, "Lee", "individual")
    with pytest.raises(Http404):
        shared_for_family_view(ames, case.pk)
