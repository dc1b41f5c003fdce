"""Links through the API: the secret returned once, only its hash kept."""

from tether.portal.models import Invitation


def issue(caller, session, member, key=None):
    headers = {"Idempotency-Key": key} if key else None
    return caller.post(
        f"/sessions/{session.pk}/invitations",
        {"member": member.pk, "instruments": ["phq-9@1.0"]},
        headers=headers,
    )


def test_a_link_is_issued_with_its_secret_and_address_once(
    as_ames, first_session, maria
):
    answer = issue(as_ames, first_session, maria)
    assert answer.status_code == 201, answer.json()
    issued = answer.json()
    assert issued["url"].endswith(f"/q/{issued['token']}/")
    assert (issued["member"], issued["instruments"], issued["state"]) == (
        maria.pk,
        ["phq-9@1.0"],
        "open",
    )
    stored = Invitation.objects.get(pk=issued["id"])
    assert issued["token"] not in str(stored.__dict__)
    listed = as_ames.get(f"/sessions/{first_session.pk}/invitations").json()
    assert [i["id"] for i in listed["results"]] == [issued["id"]]
    assert "token" not in listed["results"][0]


def test_a_retried_issue_with_its_key_returns_the_same_link_and_makes_no_second(
    as_ames, first_session, maria
):
    first = issue(as_ames, first_session, maria, key="link-1").json()
    again = issue(as_ames, first_session, maria, key="link-1").json()
    assert again == first
    assert Invitation.objects.count() == 1


def test_a_second_open_link_for_the_same_questionnaire_is_409(
    as_ames, first_session, maria
):
    issue(as_ames, first_session, maria)
    assert issue(as_ames, first_session, maria).status_code == 409


def test_a_link_is_revoked_and_stays_revoked(as_ames, first_session, maria):
    made = issue(as_ames, first_session, maria).json()
    revoked = as_ames.post(f"/invitations/{made['id']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "closed"
    assert as_ames.post(f"/invitations/{made['id']}/revoke").status_code == 200


def test_an_unknown_instrument_is_named(as_ames, first_session, maria):
    answer = as_ames.post(
        f"/sessions/{first_session.pk}/invitations",
        {"member": maria.pk, "instruments": ["nope@1"]},
    )
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["field"].startswith("body.instruments")


def test_another_organization_cannot_revoke(
    api_as, cole, as_ames, first_session, maria
):
    made = issue(as_ames, first_session, maria).json()
    assert api_as(cole).post(f"/invitations/{made['id']}/revoke").status_code == 404
    assert Invitation.objects.get(pk=made["id"]).revoked_at is None
