"""The signed-in person's API tokens page (/accounts/tokens/): a new token's
secret is shown once and never kept; only the owner revokes a token; bad input
is named on its field and makes nothing; the page is behind the second factor
like every staff page; each make and revoke is audited.

The people: Dr. Ames and Ada (administrator) of Northside, Dr. Cole of
Lakeside (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from tests.visible import visible_text

from tether.accounts import services
from tether.accounts.models import ApiToken
from tether.audit.models import AuditEvent

URL = "/accounts/tokens/"
SECRET = re.compile(r"tether_[A-Za-z0-9_-]{40,}")


def make(client, name="Reports script", scope="read", days="90"):
    return client.post(URL, {"name": name, "scope": scope, "days": days})


def secret_on(response) -> str:
    found = set(SECRET.findall(response.content.decode()))
    assert len(found) == 1, found
    return found.pop()


def every_text_in_the_database() -> str:
    """Every row of every table, as text: where a secret must not be."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            rows += [repr(row) for row in cursor.fetchall()]
    return "\n".join(rows)


def test_the_page_is_at_accounts_tokens():
    assert reverse("api-tokens") == URL


def test_the_page_explains_tokens_and_offers_the_form(sign_in, ames):
    response = sign_in(ames).get(URL)
    assert response.status_code == 200
    text = visible_text(response)
    assert "your own permissions" in text
    assert "shown once" in text
    assert 'href="/api/v1/docs"' in response.content.decode()
    assert "You have no API tokens." in text
    html = response.content.decode()
    assert 'type="radio" name="scope" value="read"' in html
    assert 'type="radio" name="scope" value="read-write"' in html
    assert re.search(r'<option value="90" selected>90 days</option>', html)
    assert '<option value="365">1 year</option>' in html


def test_making_a_token_shows_its_secret_once_and_then_only_its_prefix(
    sign_in, ames, settings
):
    settings.TETHER_BASE_URL = ""  # the address the page was asked at
    client = sign_in(ames)
    response = make(client, name="Reports script", scope="read-write", days="30")
    assert response.status_code == 200
    secret = secret_on(response)
    html = response.content.decode()
    assert f'id="token-secret" class="secret" value="{secret}" readonly' in html
    assert 'data-copy="token-secret"' in html
    assert (
        f'curl -H "Authorization: Bearer {secret}" http://testserver/api/v1/cases'
        in (visible_text(response))
    )
    assert "no-store" in response.headers["Cache-Control"]

    again = client.get(URL)
    assert secret not in again.content.decode()
    assert not SECRET.search(again.content.decode().replace(secret[:13], ""))
    token = ApiToken.objects.get(user=ames)
    assert secret.startswith(token.prefix)
    row = visible_text(again)
    assert f"{token.prefix}…" in row
    assert "Reports script" in row
    assert "Read and write" in row
    assert "never" in row
    assert secret not in str(dict(client.session))


def test_the_example_command_points_at_the_configured_address(sign_in, ames, settings):
    settings.TETHER_BASE_URL = "https://tether.example.org/"
    response = make(sign_in(ames))
    assert f'Bearer {secret_on(response)}" https://tether.example.org/api/v1/cases' in (
        response.content.decode().replace("&quot;", '"')
    )


def test_only_the_secrets_sha256_is_kept_and_the_secret_is_nowhere_in_the_database(
    sign_in, ames
):
    secret = secret_on(make(sign_in(ames)))
    token = ApiToken.objects.get(user=ames)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = every_text_in_the_database()
    assert token.digest in stored  # the search reads the tokens table
    assert secret not in stored
    assert secret[len(token.prefix) :] not in stored
    event = AuditEvent.objects.get(action="create", object_type="api-token")
    assert secret not in json.dumps(event.detail)


def test_making_a_token_is_audited_with_its_scope_and_lifetime_but_not_its_name(
    sign_in, ames
):
    make(sign_in(ames), name="Clinic reports", scope="read", days="7")
    token = ApiToken.objects.get(user=ames)
    event = AuditEvent.objects.get(action="create", object_type="api-token")
    assert (event.user, event.object_id) == (ames, str(token.pk))
    assert event.detail == {"scope": "read", "days": 7}
    assert token.expires_at - token.created_at == pytest.approx(
        dt.timedelta(days=7), abs=dt.timedelta(seconds=5)
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "   "}, "name", "Give the token a name"),
        ({"name": "x" * 81}, "name", "This name is 81 characters long; keep it to 80"),
        ({"scope": "admin"}, "scope", "Choose what the token may do"),
        ({"scope": ""}, "scope", "Choose what the token may do"),
        (
            {"days": "3650"},
            "days",
            "Choose one of the lifetimes offered: 7, 30, 90, 365 days.",
        ),
        ({"days": "ninety"}, "days", "Choose one of the lifetimes offered"),
    ],
    ids=["empty name", "long name", "unknown scope", "no scope", "long life", "words"],
)
def test_bad_input_is_named_on_its_field_and_makes_nothing(
    sign_in, ames, data, field, message
):
    good = {"name": "Reports script", "scope": "read", "days": "90"}
    response = sign_in(ames).post(URL, good | data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert message in visible_text(response)
    assert not SECRET.search(response.content.decode())
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(object_type="api-token").exists()


def test_the_service_refuses_what_the_form_would_and_names_each_field(ames):
    with pytest.raises(services.ApiTokenRefused) as refused:
        services.create_api_token(
            ames, " ", "admin", True
        )  # True is not a number of days
    assert set(refused.value.problems) == {"name", "scope", "days"}
    assert isinstance(refused.value, ValueError)  # callers of the old signature
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token_and_it_stops_being_usable(sign_in, ames):
    client = sign_in(ames)
    secret = secret_on(make(client, name="Old script"))
    token = ApiToken.objects.get(user=ames)
    assert services.token_in_use(secret) == token

    response = client.post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert response.url == URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.token_in_use(secret) is None
    page = visible_text(client.get(URL))
    assert "“Old script” is revoked" in page
    assert "revoked" in page
    event = AuditEvent.objects.get(action="revoke", object_type="api-token")
    assert (event.user, event.object_id) == (ames, str(token.pk))


def test_an_active_token_has_a_revoke_button_behind_a_confirming_sentence(
    sign_in, ames
):
    client = sign_in(ames)
    make(client, name="Kept")
    make(client, name="Gone")
    gone = ApiToken.objects.get(name="Gone")
    client.post(reverse("api-token-revoke", args=[gone.pk]))
    html = client.get(URL).content.decode()
    kept = ApiToken.objects.get(name="Kept")
    assert reverse("api-token-revoke", args=[kept.pk]) in html
    assert reverse("api-token-revoke", args=[gone.pk]) not in html
    assert "Revoke “Kept”? Programs using it stop working at once." in html
    form = re.search(
        r'<form method="post" action="[^"]*/revoke/">.*?</form>', html, re.S
    )
    assert "csrfmiddlewaretoken" in form.group(0)


def test_another_persons_token_is_a_404_and_nothing_changes(sign_in, ames, cole, ada):
    theirs = services.create_api_token(cole, "Cole's script", "read", 30).token
    for person in (ames, ada):  # another clinic's clinician, or an administrator
        response = sign_in(person).post(reverse("api-token-revoke", args=[theirs.pk]))
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert not AuditEvent.objects.filter(action="revoke").exists()
    denied = AuditEvent.objects.filter(action="denied", object_type="api-token")
    assert {e.user for e in denied} == {ames, ada}
    assert "Cole's script" not in visible_text(sign_in(ada).get(URL))


def test_revoking_needs_a_post(sign_in, ames):
    token = services.create_api_token(ames, "Script", "read", 30).token
    response = sign_in(ames).get(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_list_shows_status_and_last_use_as_people_read_them(sign_in, ames):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC), tick=False):
        old = services.create_api_token(ames, "Old", "read", 7).token
        used = services.create_api_token(ames, "Used", "read-write", 90)
        services.token_in_use(used.secret)
    page = visible_text(sign_in(ames).get(URL))
    assert "Old" in page
    assert "expired" in page
    assert "5 Jan 2026" in page  # made
    assert "5 Apr 2026, 09:30" in page  # expires, 90 days on
    assert "5 Jan 2026, 09:30" in page  # last used
    assert timezone.now() > old.expires_at


def test_without_the_second_factor_the_page_sends_to_verification(client, ames):
    client.force_login(ames)
    for response in (client.get(URL), make(client)):
        assert response.status_code == 302
        assert response.url.startswith(
            reverse("otp-verify") + "?next=%2Faccounts%2Ftokens%2F"
        )
    assert not ApiToken.objects.exists()


def test_signed_out_the_page_sends_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_every_staff_page_links_to_the_tokens_page_beside_sign_out(sign_in, ames):
    html = sign_in(ames).get(reverse("caseload")).content.decode()
    account = re.search(r'<div class="account">.*?</div>', html, re.S).group(0)
    assert f'href="{URL}"' in account
    assert "Sign out" in account
    here = sign_in(ames).get(URL).content.decode()
    assert f'href="{URL}" aria-current="page"' in here


def test_the_page_reads_in_spanish(sign_in, ames):
    """Staff pages are English for now (no LocaleMiddleware); the texts are
    translated for when they are not."""
    client = sign_in(ames)
    with translation.override("es"):
        response = client.post(URL, {"name": "", "scope": "read", "days": "90"})
    text = visible_text(response)
    assert "Tus tokens de API" in text
    assert "Ponle un nombre al token" in text
    assert "Give the token a name" not in text
    assert "1 año" in text


def test_deactivating_a_person_revokes_their_tokens_and_says_how_many(ada, ames):
    first = services.create_api_token(ames, "One", "read", 30)
    services.create_api_token(ames, "Two", "read-write", 30)
    services.set_active(ada, ames, False)
    assert services.token_in_use(first.secret) is None
    assert not ApiToken.objects.filter(user=ames, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="deactivate")
    assert event.detail == {"revoked_tokens": 2}
    services.set_active(ada, ames, True)
    ames.refresh_from_db()
    assert services.token_in_use(first.secret) is None  # not brought back
