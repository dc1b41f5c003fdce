"""Who may call: a usable personal token, with its person's permissions and
its own scope (issue #13)."""

import datetime as dt

from django.utils import timezone

from tether.accounts.models import ApiToken
from tether.accounts.services import revoke_api_token, set_active
from tether.audit.models import AuditEvent

from .conftest import Caller


def test_without_a_token_the_answer_is_401_saying_how_to_send_one(client, rivera):
    answer = Caller(client, None).get("/cases")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Bearer"
    assert "Authorization: Bearer" in answer.json()["detail"]


def test_an_unknown_a_revoked_or_an_expired_token_is_401(client, api_as, ames, rivera):
    assert Caller(client, "tether_not-a-real-token").get("/cases").status_code == 401
    caller = api_as(ames)
    assert caller.get("/cases").status_code == 200
    token = ApiToken.objects.get(user=ames)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert caller.get("/cases").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1)
    )
    revoke_api_token(ames, token.pk)
    assert caller.get("/cases").status_code == 401


def test_a_deactivated_persons_tokens_stop_and_stay_stopped(api_as, ames, ada, rivera):
    caller = api_as(ames)
    set_active(ada, ames, False)
    assert caller.get("/cases").status_code == 401
    set_active(ada, ames, True)
    assert caller.get("/cases").status_code == 401


def test_a_read_token_reads_but_may_not_write(api_as, ames, rivera):
    caller = api_as(ames, scope="read")
    assert caller.get(f"/cases/{rivera.pk}").status_code == 200
    answer = caller.post("/cases", {"label": "Lee family", "kind": "family"})
    assert answer.status_code == 403
    assert answer.json()["detail"] == "This token may only read."


def test_another_organizations_case_is_a_404_and_audited_as_denied(
    api_as, cole, rivera
):
    answer = api_as(cole).get(f"/cases/{rivera.pk}")
    assert answer.status_code == 404
    assert AuditEvent.objects.filter(
        user=cole, action="denied", object_type="case", object_id=str(rivera.pk)
    ).exists()


def test_a_supervisor_reads_the_organizations_cases_but_a_write_is_403(
    api_as, sam, rivera, first_session
):
    caller = api_as(sam)
    assert caller.get(f"/cases/{rivera.pk}").status_code == 200
    answer = caller.post(f"/cases/{rivera.pk}/sessions", {})
    assert answer.status_code == 403


def test_reads_are_audited_as_the_pages_reads_are(as_ames, ames, rivera):
    as_ames.get(f"/cases/{rivera.pk}")
    assert AuditEvent.objects.filter(
        user=ames, action="read", object_type="case", object_id=str(rivera.pk)
    ).exists()


def test_me_names_the_person_and_the_tokens_scope(api_as, ames):
    me = api_as(ames, scope="read").get("/me").json()
    assert (me["username"], me["organization"], me["roles"], me["token_scope"]) == (
        "ames",
        "Northside Clinic",
        ["clinician"],
        "read",
    )


def test_calls_beyond_the_rate_are_429_with_a_wait(api_as, ames, settings):
    settings.TETHER_API_RATE = "2/hour"
    caller = api_as(ames)
    answers = [caller.get("/me") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2]["Retry-After"]) > 0
    assert api_as(ames).get("/me").status_code == 200, "counted per token"
