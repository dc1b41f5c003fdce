"""The family view choices on the case page's members panel and on each
member's own page: what each member shares, in words, with whose choice it
is and who recorded it when; the form for the case's clinicians only; a
choice saved with the clinician's word that they asked, refused without it."""

from django.urls import reverse

from tether.care.models import MemberSharing
from tether.care.sharing import set_sharing


def sharing_url(case, member):
    return reverse("member-sharing", args=[case.pk, member.pk])


def test_the_members_panel_says_what_each_member_shares_and_who_recorded_it(
    sign_in, ames, rivera, maria, leo
):
    set_sharing(ames, rivera.pk, maria.pk, alliance=True, outcome=False, asked=True)
    page = sign_in(ames).get(reverse("case-detail", args=[rivera.pk]))
    html = page.content.decode()
    assert "What each member shares in the family view" in html
    assert "Shares alliance only" in html
    assert "Their own choice, shares alliance only; recorded by Ames" in html
    assert "Not asked yet, so nothing of theirs is shared." in html  # Leo
    assert html.count('sharing-form" novalidate') == 2
    assert reverse("family-view", args=[rivera.pk]) in html
    # Leo is a youth: whose choice it is can be told; Maria decides for herself.
    assert f'id="sharing-{leo.pk}-decided_by_1"' in html
    assert f'id="sharing-{maria.pk}-decided_by' not in html


def test_a_supervisor_sees_the_choices_but_no_form_and_no_family_view(
    sign_in, ames, sam, rivera, maria
):
    set_sharing(ames, rivera.pk, maria.pk, alliance=True, outcome=True, asked=True)
    html = sign_in(sam).get(reverse("case-detail", args=[rivera.pk])).content.decode()
    assert "Shares alliance and progress" in html
    assert "sharing-form" not in html
    assert reverse("family-view", args=[rivera.pk]) not in html
    assert sign_in(sam).get(sharing_url(rivera, maria)).status_code == 403


def test_a_choice_is_saved_from_the_form_and_the_page_lists_every_choice(
    sign_in, ames, rivera, leo
):
    client = sign_in(ames)
    answer = client.post(
        sharing_url(rivera, leo),
        {"alliance": "on", "decided_by": "member", "asked": "on"},
    )
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/cases/{rivera.pk}/#family-sharing")
    client.post(
        sharing_url(rivera, leo),
        {"decided_by": "caregiver", "alliance": "", "asked": "on"},
    )
    rows = MemberSharing.objects.filter(member=leo).order_by("pk")
    assert [(r.decided_by, r.alliance, r.outcome) for r in rows] == [
        ("member", True, False),
        ("caregiver", False, False),
    ]
    html = client.get(sharing_url(rivera, leo)).content.decode()
    assert "Every choice recorded" in html
    assert html.count('<tr><th scope="row">') == 2
    assert "A caregiver, for a youth" in html
    assert "The member themselves" in html


def test_sharing_without_saying_they_asked_is_refused_with_a_message(
    sign_in, ames, rivera, maria
):
    page = sign_in(ames).post(sharing_url(rivera, maria), {"outcome": "on"})
    assert page.status_code == 200
    assert (
        "Scores are shared only with the person&#x27;s own yes" in page.content.decode()
    )
    assert not MemberSharing.objects.exists()


def test_another_clinicians_or_clinics_member_is_out_of_reach(
    sign_in, baker, cole, rivera, maria
):
    for outsider in (baker, cole):
        client = sign_in(outsider)
        assert client.get(sharing_url(rivera, maria)).status_code == 404
        data = {"alliance": "on", "asked": "on"}
        assert client.post(sharing_url(rivera, maria), data).status_code == 404
    assert not MemberSharing.objects.exists()
