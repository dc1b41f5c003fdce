"""Signing in: password, then an authenticator code or a backup code; lockout,
sign-out, password reset, idle expiry, and the administrator's user pages.

The people: Northside Clinic with Dr. Ames (clinician) and Ada (administrator);
Lakeside Clinic with Dr. Cole (clinician)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult
from tests.visible import visible_text

import tether.urls
from tether.accounts import services as accounts
from tether.accounts.decorators import clinical_view
from tether.accounts.models import EnrolmentCode, Role, User
from tether.accounts.views import WRONG_CODE, WRONG_ENROLMENT_CODE
from tether.audit.models import AuditEvent
from tether.care import services


@clinical_view
def caseload(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the caseload")


# Tether's pages, with a stand-in `caseload` behind `clinical_view` so the
# redirects are tested apart from the clinician pages. Of two patterns with one
# name, `reverse()` picks the last, so the stand-in is last.
urlpatterns = [
    *tether.urls.urlpatterns,
    path("test-caseload/", caseload, name="caseload"),
]
pytestmark = pytest.mark.urls(__name__)

PASSWORD = "correct horse battery"
BACKUP_CODE = "abcd2345"


def give_authenticator(user):
    """A confirmed authenticator app and one known backup code."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    StaticToken.objects.create(device=backup, token=BACKUP_CODE)
    return device


@pytest.fixture
def ames_app(ames):
    return give_authenticator(ames)


def app_code(device, steps=0):
    code = totp(
        device.bin_key, device.step, device.t0, device.digits, device.drift + steps
    )
    return f"{code:06d}"


def wrong_code(device):
    accepted = {app_code(device, steps) for steps in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222") if c not in accepted)


def sign_in(client, username="ames", password=PASSWORD, next_url=""):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": password})


def enter_code(client, code, next_url=""):
    url = reverse("otp-verify") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"code": code})


def enter_enrolment_code(client, code, next_url=""):
    url = reverse("enrolment-code") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"code": code})


def handed_over(user, admin=None):
    """The enrolment code an administrator would read out to `user`."""
    return accounts.issue_enrolment_code(admin, user).code


def sign_in_verified(client, user):
    """A session past both factors, without the sign-in pages."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or give_authenticator(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def actions(user=None):
    events = AuditEvent.objects.order_by("pk")
    if user is not None:
        events = events.filter(object_id=str(user.pk))
    return [event.action for event in events]


# --- password and second factor ---------------------------------------------


def test_password_then_authenticator_code_signs_in(client, ames, ames_app):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.url == reverse("otp-verify")
    response = enter_code(client, app_code(ames_app))
    assert response.status_code == 302
    assert response.url == reverse("caseload")
    assert client.get(reverse("caseload")).content == b"the caseload"
    assert actions(ames) == ["sign-in", "2fa-verify"]


def test_a_wrong_code_is_refused_with_a_plain_message(client, ames, ames_app):
    sign_in(client)
    response = enter_code(client, wrong_code(ames_app))
    assert response.status_code == 200
    assert str(WRONG_CODE) in response.text
    assert client.get(reverse("caseload")).status_code == 302
    assert actions(ames)[-1] == "2fa-failed"


def test_a_backup_code_works_once(client, ames, ames_app):
    sign_in(client)
    response = enter_code(client, BACKUP_CODE.upper())
    assert response.url == reverse("caseload")
    assert not StaticToken.objects.filter(token=BACKUP_CODE).exists()
    client.post(reverse("logout"))

    sign_in(client)
    response = enter_code(client, BACKUP_CODE)
    assert str(WRONG_CODE) in response.text
    assert client.get(reverse("caseload")).status_code == 302


def test_the_code_page_returns_to_the_page_asked_for_on_this_site_only(
    client, ames, ames_app
):
    response = sign_in(client, next_url="/test-caseload/?week=2")
    assert (
        response.url == reverse("otp-verify") + "?next=%2Ftest-caseload%2F%3Fweek%3D2"
    )
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False) as traveller:
        response = enter_code(
            client, app_code(ames_app), next_url="/test-caseload/?week=2"
        )
        assert response.url == "/test-caseload/?week=2"
        client.post(reverse("logout"))
        traveller.shift(dt.timedelta(seconds=60))
        sign_in(client)
        response = enter_code(
            client, app_code(ames_app), next_url="https://evil.example/"
        )
        assert response.url == reverse("caseload")


def test_a_clinical_page_sends_a_password_only_session_to_verify(
    client, ames, ames_app
):
    sign_in(client)
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("otp-verify") + "?next=%2Ftest-caseload%2F")


def test_a_clinical_page_sends_a_stranger_to_sign_in(client, db):
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- first sign-in: enrolment code, then the authenticator -------------------


def test_first_sign_in_takes_the_enrolment_code_then_sets_up_an_authenticator(
    client, ames
):
    code = handed_over(ames)
    response = sign_in(client)
    assert response.url == reverse("enrolment-code")
    assert "enrolment code" in client.get(response.url).text
    response = enter_enrolment_code(client, code.lower().replace("-", " "))
    assert response.url == reverse("setup-2fa")
    page = client.get(reverse("setup-2fa"))
    assert "<svg" in page.text
    device = TOTPDevice.objects.get(user=ames, confirmed=False)
    secret = page.context["secret"].replace(" ", "")
    assert secret in device.config_url

    response = client.post(reverse("setup-2fa"), {"code": app_code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert all(code in response.text for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=ames).count() == 10
    # Signed in with the new device; the codes are not shown again, and the
    # enrolment code is spent.
    assert client.get(reverse("caseload")).status_code == 200
    again = client.get(reverse("setup-2fa"))
    assert again.status_code == 302
    assert not EnrolmentCode.objects.filter(user=ames).exists()
    assert actions(ames) == [
        "enrolment-code-issued",
        "sign-in",
        "enrolment-code-used",
        "2fa-setup",
    ]


def test_a_password_alone_cannot_reach_the_authenticator_set_up(client, ames):
    handed_over(ames)
    sign_in(client, next_url="/test-caseload/")
    url = reverse("setup-2fa") + "?next=/test-caseload/"
    for response in (client.get(url), client.post(url, {"code": "123456"})):
        assert response.status_code == 302
        assert response.url == reverse("enrolment-code") + "?next=%2Ftest-caseload%2F"
    assert not TOTPDevice.objects.filter(user=ames).exists()
    assert client.get(reverse("caseload")).status_code == 302


def test_another_persons_enrolment_code_does_not_open_the_set_up(client, ames, baker):
    code = handed_over(baker)
    sign_in(client)
    response = enter_enrolment_code(client, code)
    assert response.status_code == 200
    assert str(WRONG_ENROLMENT_CODE) in visible_text(response)
    assert client.get(reverse("setup-2fa")).url == reverse("enrolment-code")
    assert EnrolmentCode.objects.get(user=baker).used_at is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("expired", "That enrolment code has expired."),
        ("used", "That enrolment code was already used."),
        ("replaced", "That enrolment code did not match."),
    ],
)
def test_an_expired_used_or_replaced_enrolment_code_is_refused(
    client, ames, change, message
):
    code = handed_over(ames)
    if change == "expired":
        with time_machine.travel(
            dt.datetime.now(tz=dt.UTC) + accounts.ENROLMENT_CODE_LIFETIME, tick=False
        ):
            sign_in(client)
            response = enter_enrolment_code(client, code)
    else:
        if change == "used":
            other = Client()
            sign_in(other)
            assert enter_enrolment_code(other, code).url == reverse("setup-2fa")
        else:
            handed_over(ames)
        sign_in(client)
        response = enter_enrolment_code(client, code)
    assert response.status_code == 200
    assert message in response.text
    assert client.get(reverse("setup-2fa")).url == reverse("enrolment-code")
    assert AuditEvent.objects.filter(action="enrolment-code-refused").count() == 1


def test_the_enrolment_code_opens_the_set_up_for_half_an_hour(client, ames):
    code = handed_over(ames)
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        sign_in(client)
        enter_enrolment_code(client, code)
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("setup-2fa")).status_code == 200
        traveller.shift(dt.timedelta(minutes=2))
        assert client.get(reverse("setup-2fa")).url == reverse("enrolment-code")


def test_wrong_enrolment_codes_count_toward_the_lockout(client, ames):
    handed_over(ames)
    sign_in(client)
    for _ in range(4):
        response = enter_enrolment_code(client, "AAAA-BBBB-CCCC-DDDD")
        assert str(WRONG_ENROLMENT_CODE) in visible_text(response)
    response = enter_enrolment_code(client, "AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 429
    assert "too many failed sign-in attempts" in visible_text(response)
    assert "_auth_user_id" not in client.session
    assert sign_in(client).status_code == 429
    refused = AuditEvent.objects.filter(action="enrolment-code-refused")
    assert [event.detail for event in refused] == [{"reason": "wrong"}] * 5


def test_a_locked_account_cannot_try_an_enrolment_code(client, ames):
    code = handed_over(ames)
    sign_in(client)
    for _ in range(4):
        sign_in(Client(), password="wrong")
    # The fifth failure, a wrong password elsewhere, locks the account.
    assert sign_in(Client(), password="wrong").status_code == 429
    response = enter_enrolment_code(client, code)
    assert response.status_code == 429
    assert EnrolmentCode.objects.get(user=ames).used_at is None


def test_enrolment_refuses_a_wrong_authenticator_code(client, ames):
    sign_in(client)
    enter_enrolment_code(client, handed_over(ames))
    client.get(reverse("setup-2fa"))
    device = TOTPDevice.objects.get(user=ames, confirmed=False)
    response = client.post(reverse("setup-2fa"), {"code": wrong_code(device)})
    assert "did not match" in response.text
    device.refresh_from_db()
    assert not device.confirmed


def test_a_password_alone_cannot_add_a_second_authenticator(client, ames, ames_app):
    sign_in(client)
    for url in (reverse("setup-2fa"), reverse("enrolment-code")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url in (reverse("otp-verify"), reverse("setup-2fa"))
    assert client.get(reverse("setup-2fa")).url == reverse("otp-verify")
    assert TOTPDevice.objects.filter(user=ames).count() == 1


def test_reloading_the_setup_page_keeps_the_secret_another_session_starts_anew(
    client, ames
):
    sign_in(client)
    enter_enrolment_code(client, handed_over(ames))
    first = client.get(reverse("setup-2fa")).context["secret"]
    assert client.get(reverse("setup-2fa")).context["secret"] == first

    other = Client()
    sign_in(other)
    enter_enrolment_code(other, handed_over(ames))
    assert other.get(reverse("setup-2fa")).context["secret"] != first
    assert TOTPDevice.objects.filter(user=ames).count() == 1


# --- lockout ----------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_password(
    client, ames, ames_app
):
    for _ in range(4):
        response = sign_in(client, password="wrong")
        assert "did not match" in response.text
    response = sign_in(client, password="wrong")
    assert response.status_code == 429
    assert "Wait 1 minute, then try again." in visible_text(response)
    assert "administrator" in response.text

    response = sign_in(client)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.filter(action="sign-in-failed", object_id=ames.pk)
    assert failed.count() == 6
    assert failed.last().detail["locked"] is True


def test_wrong_codes_count_toward_the_lockout(client, ames, ames_app):
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False) as traveller:
        sign_in(client)
        for _ in range(4):
            response = enter_code(client, wrong_code(ames_app))
            assert str(WRONG_CODE) in response.text
            # django-otp slows down repeated guesses (1, 2, 4, 8 s).
            traveller.shift(dt.timedelta(seconds=60))
        response = enter_code(client, wrong_code(ames_app))
        assert response.status_code == 429
        assert "Wait 1 minute, then try again." in visible_text(response)
        assert "_auth_user_id" not in client.session

        assert sign_in(client).status_code == 429


def test_quick_repeated_codes_are_slowed_down(client, ames, ames_app):
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False):
        sign_in(client)
        enter_code(client, wrong_code(ames_app))
        response = enter_code(client, app_code(ames_app))
    assert "Wait a minute" in response.text
    assert client.get(reverse("caseload")).status_code == 302


# --- demo accounts ----------------------------------------------------------


def test_a_demo_account_skips_the_second_factor_in_demo_mode(client, ames, settings):
    settings.DEMO = True
    ames.is_demo_account = True
    ames.save()
    response = sign_in(client)
    assert response.url == reverse("caseload")
    assert client.get(reverse("caseload")).status_code == 200


def test_a_demo_account_needs_the_second_factor_outside_demo_mode(
    client, ames, settings
):
    settings.DEMO = False
    ames.is_demo_account = True
    ames.save()
    response = sign_in(client)
    assert response.url == reverse("enrolment-code")
    assert client.get(reverse("caseload")).status_code == 302
    assert client.get(reverse("setup-2fa")).url == reverse("enrolment-code")


def test_demo_mode_does_not_excuse_an_ordinary_account(client, ames, settings):
    settings.DEMO = True
    response = sign_in(client)
    assert response.url == reverse("enrolment-code")


# --- sign-out, CSRF, sessions, hashing --------------------------------------


def test_sign_out_is_post_only(client, ames):
    sign_in_verified(client, ames)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("caseload")).status_code == 200

    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert client.get(reverse("caseload")).status_code == 302
    assert actions(ames)[-1] == "sign-out"


def test_csrf_is_enforced_on_the_login_form(ames):
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": "ames", "password": PASSWORD}
    assert client.post(reverse("login"), credentials).status_code == 403

    client.get(reverse("login"))
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    response = client.post(
        reverse("login"), {**credentials, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_the_session_expires_after_30_idle_minutes(client, ames, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        sign_in_verified(client, ames)
        assert client.get(reverse("caseload")).status_code == 200
        # Each request renews the session ...
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("caseload")).status_code == 200
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("caseload")).status_code == 200
        # ... and 31 quiet minutes end it.
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_passwords_are_stored_with_argon2(ames):
    assert ames.password.startswith("argon2")


# --- password reset ---------------------------------------------------------


def test_password_reset_sends_one_email_without_clinical_details(client, ames):
    case = services.create_case(ames, "Rivera family", "family")
    services.add_member(ames, case.pk, "Maria", "caregiver", "18+")
    services.add_member(ames, case.pk, "Leo", "identified-client", "13-17")

    response = client.post(reverse("password-reset"), {"email": ames.email})
    assert response.url == reverse("password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ames.email]
    # The reset link's token is random: only the words around it count.
    text = re.sub(
        r"\S+/accounts/password-reset/\S*", "", message.subject + message.body
    )
    for clinical in ("Rivera", "Maria", "Leo", "family", "case", "caregiver"):
        assert clinical not in text
    assert "/accounts/password-reset/" in message.body


def test_the_reset_link_sets_a_new_password(client, ames):
    client.post(reverse("password-reset"), {"email": ames.email})
    link = re.search(r"http://\S+?(/accounts/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new = "a brand new long passphrase"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new, "new_password2": new},
    )
    assert response.url == reverse("password-reset-complete")
    ames.refresh_from_db()
    assert ames.check_password(new)
    assert actions(ames) == ["password-reset-sent", "password-reset"]


def test_password_reset_says_the_same_for_an_unknown_address(client, ames):
    response = client.post(reverse("password-reset"), {"email": "nobody@x.example"})
    assert response.url == reverse("password-reset-done")
    assert mail.outbox == []


def test_the_reset_link_points_to_the_configured_address(client, ames, settings):
    settings.TETHER_BASE_URL = "https://tether.example.org"
    client.post(reverse("password-reset"), {"email": ames.email})
    assert "\nhttps://tether.example.org/accounts/password-reset/" in (
        mail.outbox[0].body
    )


@pytest.fixture
def queued_in_the_database(settings):
    """Tasks kept for the worker, as in production: nothing runs in the request."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def ask_for_a_reset(client, email):
    """The reset request's response and its SQL, with the parameters left out."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("password-reset"), {"email": email})
    return response, [query["sql"].split(" VALUES ")[0] for query in queries]


def test_a_known_and_an_unknown_address_do_the_same_work_in_the_request(
    ames, queued_in_the_database
):
    known, known_sql = ask_for_a_reset(Client(), ames.email)
    unknown, unknown_sql = ask_for_a_reset(Client(), "nobody@x.example")
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("password-reset-done")
    assert known.content == unknown.content
    # The same statements, none of them reading accounts: one task queued each.
    assert known_sql == unknown_sql
    assert not any("accounts_user" in sql for sql in known_sql)
    assert mail.outbox == []
    queued = [r.task_result for r in DBTaskResult.objects.order_by("enqueued_at")]
    assert [(r.task.name, r.args) for r in queued] == [
        ("send_password_reset", [ames.email, "en", "http://127.0.0.1:8000"]),
        ("send_password_reset", ["nobody@x.example", "en", "http://127.0.0.1:8000"]),
    ]
    assert actions() == []


def test_the_queued_reset_keeps_the_language_of_the_request(
    client, ames, queued_in_the_database
):
    with translation.override("es"):
        client.post(reverse("password-reset"), {"email": ames.email})
    queued = DBTaskResult.objects.get().task_result
    assert queued.args[1] == "es"


# --- administrator pages ----------------------------------------------------


def test_an_admin_lists_only_their_organizations_users(client, ada, ames, cole):
    give_authenticator(ames)
    sign_in_verified(client, ada)
    response = client.get(reverse("user-list"))
    assert response.status_code == 200
    listed = {user.username: user.has_2fa for user in response.context["users"]}
    assert listed == {"ada": True, "ames": True}
    assert "cole" not in visible_text(response)


def test_a_user_without_an_authenticator_shows_as_not_set_up(client, ada, ames):
    sign_in_verified(client, ada)
    response = client.get(reverse("user-list"))
    assert "Not set up" in response.text


def test_a_clinician_gets_403_on_the_user_pages(client, ames, ada):
    sign_in_verified(client, ames)
    assert client.get(reverse("user-list")).status_code == 403
    assert client.get(reverse("user-create")).status_code == 403
    url = reverse("user-reset-2fa", kwargs={"user_id": ada.pk})
    assert client.post(url).status_code == 403


def test_the_user_pages_need_the_second_factor(client, ada):
    give_authenticator(ada)
    sign_in(client, username="ada")
    response = client.get(reverse("user-list"))
    assert response.url.startswith(reverse("otp-verify"))


def test_another_organizations_user_is_404(client, ada, cole):
    give_authenticator(cole)
    sign_in_verified(client, ada)
    for name in ("user-detail", "user-role", "user-reset-2fa", "user-unlock"):
        url = reverse(name, kwargs={"user_id": cole.pk})
        method = client.get if name == "user-detail" else client.post
        assert method(url, {"roles": ["admin"]}).status_code == 404
    cole.refresh_from_db()
    assert cole.roles == {Role.CLINICIAN}
    assert TOTPDevice.objects.filter(user=cole).exists()


def test_an_admin_adds_a_user_who_gets_a_link_by_email(client, ada):
    sign_in_verified(client, ada)
    response = client.post(
        reverse("user-create"),
        {
            "username": "baker",
            "first_name": "Dana",
            "last_name": "Baker",
            "email": "baker@northside.example",
            "roles": ["clinician"],
            "password_choice": "email",
        },
    )
    assert response.status_code == 200
    baker = User.objects.get(username="baker")
    assert baker.organization == ada.organization
    assert len(mail.outbox) == 1
    assert "/accounts/password-reset/" in mail.outbox[0].body
    assert "baker" in mail.outbox[0].body
    event = AuditEvent.objects.get(action="create", object_id=baker.pk)
    assert event.user == ada
    assert event.detail == {"roles": ["clinician"], "via": "email"}
    # The enrolment code is for the administrator to hand over, never emailed.
    code = response.context["enrolment_code"].code
    assert code in visible_text(response)
    assert code not in mail.outbox[0].body


def test_an_admin_adds_a_user_with_a_temporary_password(client, ada):
    sign_in_verified(client, ada)
    response = client.post(
        reverse("user-create"),
        {"username": "sam", "roles": ["supervisor"], "password_choice": "temporary"},
    )
    password = response.context["password"]
    assert password in response.text
    code = response.context["enrolment_code"].code
    assert code in visible_text(response)
    sam_client = Client()
    sign_in(sam_client, "sam", password)
    assert enter_enrolment_code(sam_client, code).url == reverse("setup-2fa")
    assert User.objects.get(username="sam").check_password(password)
    assert User.objects.get(username="sam").roles == {Role.SUPERVISOR}
    assert mail.outbox == []


def test_an_admin_changes_a_role(client, ada, ames):
    sign_in_verified(client, ada)
    url = reverse("user-role", kwargs={"user_id": ames.pk})
    response = client.post(url, {"roles": ["supervisor"]})
    assert response.status_code == 302
    ames.refresh_from_db()
    assert ames.roles == {Role.SUPERVISOR}
    event = AuditEvent.objects.get(action="update", object_id=ames.pk)
    assert event.user == ada
    assert event.detail == {"roles": [["clinician"], ["supervisor"]]}


def test_an_admin_gives_a_clinician_a_second_role_and_it_is_audited(client, ada, ames):
    sign_in_verified(client, ada)
    url = reverse("user-role", kwargs={"user_id": ames.pk})
    client.post(url, {"roles": ["clinician", "admin"]})
    ames.refresh_from_db()
    assert ames.roles == {Role.CLINICIAN, Role.ADMIN}
    assert ames.is_clinician
    assert ames.is_org_admin
    assert not ames.is_supervisor
    event = AuditEvent.objects.get(action="update", object_id=ames.pk)
    assert event.detail == {"roles": [["clinician"], ["admin", "clinician"]]}
    page = client.get(reverse("user-detail", kwargs={"user_id": ames.pk}))
    assert "Clinician, Administrator" in visible_text(page)


def test_saving_the_same_roles_changes_nothing_and_audits_nothing(client, ada, ames):
    sign_in_verified(client, ada)
    url = reverse("user-role", kwargs={"user_id": ames.pk})
    client.post(url, {"roles": ["clinician"]})
    assert not AuditEvent.objects.filter(action="update", object_id=ames.pk).exists()


def test_a_user_keeps_at_least_one_role(client, ada, ames):
    sign_in_verified(client, ada)
    url = reverse("user-role", kwargs={"user_id": ames.pk})
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Choose at least one role." in visible_text(response)
    ames.refresh_from_db()
    assert ames.roles == {Role.CLINICIAN}


def test_an_unknown_role_is_refused_with_a_message(client, ada, ames):
    sign_in_verified(client, ada)
    url = reverse("user-role", kwargs={"user_id": ames.pk})
    response = client.post(url, {"roles": ["owner"]})
    assert response.status_code == 400
    assert "owner is not one of the available choices" in visible_text(response)


def test_the_user_pages_show_every_role_as_a_checkbox(client, ada, ames):
    sign_in_verified(client, ada)
    page = client.get(reverse("user-detail", kwargs={"user_id": ames.pk})).text
    for role in ("clinician", "supervisor", "admin"):
        assert f'type="checkbox" name="roles" value="{role}"' in page
    assert 'value="clinician" checked' in page.replace('" id="id_roles_0"', '"')
    page = client.get(reverse("user-create")).text
    assert page.count('type="checkbox" name="roles"') == 3


def test_an_admin_cannot_change_their_own_role(client, ada):
    sign_in_verified(client, ada)
    client.post(
        reverse("user-role", kwargs={"user_id": ada.pk}), {"roles": ["clinician"]}
    )
    ada.refresh_from_db()
    assert ada.roles == {Role.ADMIN}


def test_an_admin_resets_a_second_factor_and_sees_the_enrolment_code_once(
    client, ada, ames, ames_app
):
    other = Client()
    sign_in_verified(other, ames)
    sign_in_verified(client, ada)
    url = reverse("user-reset-2fa", kwargs={"user_id": ames.pk})
    response = client.post(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    code = response.context["issued"].code
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}", code)
    text = visible_text(response)
    assert code in text
    assert "authenticator and backup codes were removed" in text
    assert not TOTPDevice.objects.filter(user=ames).exists()
    assert not StaticDevice.objects.filter(user=ames).exists()
    event = AuditEvent.objects.get(action="2fa-reset", object_id=ames.pk)
    assert event.user == ada
    issued = AuditEvent.objects.get(action="enrolment-code-issued", object_id=ames.pk)
    assert issued.user == ada
    assert code not in str(issued.detail)
    # The code is not shown again.
    assert (
        code not in client.get(reverse("user-detail", kwargs={"user_id": ames.pk})).text
    )
    # Ames's open session is no longer verified and is sent to set up anew,
    # which takes the code.
    assert other.get(reverse("caseload")).url.startswith(reverse("otp-verify"))
    assert other.get(reverse("otp-verify")).url == reverse("setup-2fa")
    assert other.get(reverse("setup-2fa")).url == reverse("enrolment-code")
    assert enter_enrolment_code(other, code).url == reverse("setup-2fa")


def test_an_admin_gives_a_new_enrolment_code_to_someone_without_an_authenticator(
    client, ada, ames
):
    first = handed_over(ames, ada)
    sign_in_verified(client, ada)
    detail = client.get(reverse("user-detail", kwargs={"user_id": ames.pk}))
    assert "their enrolment code works until" in visible_text(detail)
    assert "Give a new enrolment code" in visible_text(detail)
    response = client.post(reverse("user-reset-2fa", kwargs={"user_id": ames.pk}))
    second = response.context["issued"].code
    assert second != first
    assert "authenticator and backup codes were removed" not in visible_text(response)
    ames_client = Client()
    sign_in(ames_client)
    assert str(WRONG_ENROLMENT_CODE) in visible_text(
        enter_enrolment_code(ames_client, first)
    )
    assert enter_enrolment_code(ames_client, second).url == reverse("setup-2fa")
    detail = client.get(reverse("user-detail", kwargs={"user_id": ames.pk}))
    assert "no enrolment code is waiting" in visible_text(detail)


def test_an_admin_cannot_give_themselves_an_enrolment_code(client, ada):
    sign_in_verified(client, ada)
    response = client.post(reverse("user-reset-2fa", kwargs={"user_id": ada.pk}))
    assert response.status_code == 302
    assert not EnrolmentCode.objects.exists()


def test_an_admin_clears_a_lockout(client, ada, ames, ames_app):
    sign_in_verified(client, ada)
    ames_client = Client()
    for _ in range(5):
        sign_in(ames_client, password="wrong")
    assert sign_in(ames_client).status_code == 429
    client.post(reverse("user-unlock", kwargs={"user_id": ames.pk}))
    assert sign_in(ames_client).url == reverse("otp-verify")
    assert "unlock" in actions(ames)


def test_an_admin_switches_an_account_off(client, ada, ames):
    sign_in_verified(client, ada)
    url = reverse("user-active", kwargs={"user_id": ames.pk})
    client.post(url, {"active": "false"})
    ames.refresh_from_db()
    assert not ames.is_active
    assert "did not match" in sign_in(Client()).text
    assert "deactivate" in actions(ames)
