"""Links for everyone attending in one action, from the case's measure plan."""

import re

from django.core import mail
from django.urls import reverse
from tests.visible import visible_text

from tether.care import services as care
from tether.portal import services
from tether.portal.models import Invitation


def test_each_attending_member_gets_one_link_with_their_planned_questionnaires(
    ames, rivera, first_session, maria, leo
):
    ana = care.add_member(ames, rivera.pk, "Ana", "child", "8-12")
    care.set_attendance(ames, first_session.pk, [maria.pk, leo.pk, ana.pk])
    links, left_out = services.issue_to_attending(ames, first_session.pk)
    asked = {
        link.invitation.member.first_name: link.invitation.instruments for link in links
    }
    assert set(asked) == {"Maria", "Leo", "Ana"}
    assert asked["Ana"] == ["tac-child@1.1"]
    assert all(key.startswith("tac@") for key in asked["Maria"])
    assert left_out == []
    for link in links:
        assert services.find_invitation(link.token) == link.invitation


def test_sending_again_issues_nothing_twice_and_says_why(
    ames, first_session, maria, leo
):
    services.issue_to_attending(ames, first_session.pk)
    links, left_out = services.issue_to_attending(ames, first_session.pk)
    assert links == []
    assert any(reason.startswith("Maria: has already answered") for reason in left_out)
    assert Invitation.objects.count() == 2


def test_a_member_who_did_not_come_gets_no_link(ames, rivera, maria, leo):
    session = care.start_session(ames, rivera.pk, attended=[maria.pk])
    links, _ = services.issue_to_attending(ames, session.pk)
    assert [link.invitation.member for link in links] == [maria]


def test_the_therapist_gets_a_link_when_the_plan_asks_their_rating(
    ames, rivera, first_session
):
    care.add_to_plan(ames, rivera.pk, "tac-t", ["therapist"])
    links, _ = services.issue_to_attending(ames, first_session.pk)
    therapist = [link for link in links if link.invitation.member is None]
    assert [link.invitation.instruments for link in therapist] == [["tac-t@1.1"]]


def test_one_click_on_the_session_page_shows_every_link_and_sends_them(
    sign_in, ames, first_session
):
    client = sign_in(ames)
    session_page = client.get(reverse("session-detail", args=[first_session.pk]))
    assert "Send to everyone attending" in session_page.content.decode()
    response = client.post(
        reverse("portal-links-everyone", args=[first_session.pk]),
        {"expires": "72", "send": "on"},
    )
    text = visible_text(response.content.decode())
    assert "Maria" in text
    assert "Leo" in text
    assert "Sent by email." in text  # Maria has an address
    assert "No email address or mobile number: show the QR code." in text  # Leo
    assert response.content.decode().count('class="segno"') == 2
    urls = re.findall(
        r'value="(http://[^"]+/q/[^"/]+/)" readonly', response.content.decode()
    )
    assert len(urls) == 2
    assert [m.to for m in mail.outbox] == [["maria@example.org"]]
    assert "no-store" in response["Cache-Control"]
    assert "tac@" not in text


def test_a_supervisor_cannot_send_to_everyone(sign_in, sam, first_session):
    response = sign_in(sam).post(
        reverse("portal-links-everyone", args=[first_session.pk]), {"expires": "72"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()
