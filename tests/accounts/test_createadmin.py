"""`tether createadmin`: the first administrator of a new install gets a
temporary password and an enrolment code, each printed once; an administrator
who lost their phone gets a new code (accounts/management/commands)."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tether.accounts.models import EnrolmentCode, Organization, Role, User
from tether.audit.models import AuditEvent

CODE = re.compile(
    r"Enrolment code \(shown only now; it works once, until [^)]+\): (\S+)"
)
PASSWORD = re.compile(r"Temporary password \(shown only now\): (\S+)")


def createadmin(*args):
    out = io.StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def test_the_first_administrator_signs_in_with_the_printed_password_and_code(db):
    printed = createadmin(
        "rosa", "--organization", "Riverside Clinic", "--email", "rosa@x.example"
    )
    rosa = User.objects.get(username="rosa")
    assert rosa.roles == {Role.ADMIN}
    assert rosa.organization == Organization.objects.get(slug="riverside-clinic")
    assert rosa.organization.name == "Riverside Clinic"
    password = PASSWORD.search(printed).group(1)
    code = CODE.search(printed).group(1)
    assert EnrolmentCode.objects.get(user=rosa).via == "command"
    assert code.replace("-", "") not in EnrolmentCode.objects.get(user=rosa).code_hash

    client = Client()
    response = client.post(reverse("login"), {"username": "rosa", "password": password})
    assert response.url == reverse("enrolment-code")
    response = client.post(reverse("enrolment-code"), {"code": code})
    assert response.url == reverse("setup-2fa")
    assert client.get(reverse("setup-2fa")).status_code == 200

    events = AuditEvent.objects.filter(user=None).order_by("pk")
    assert [e.action for e in events] == ["create", "create", "enrolment-code-issued"]
    assert all(
        code not in str(e.detail) and password not in str(e.detail) for e in events
    )


def test_a_second_administrator_joins_the_existing_clinic(db):
    createadmin("rosa", "--organization", "Riverside Clinic")
    createadmin("lee", "--organization", "Riverside Clinic")
    assert Organization.objects.count() == 1
    assert User.objects.get(username="lee").organization.name == "Riverside Clinic"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rosa"], "give the clinic's name"),
        (["rosa", "--organization", "!!!"], "needs a name with a letter or digit"),
        (["ada", "--organization", "Northside"], "the username 'ada' is taken"),
        (["ames", "--new-code"], "'ames' is not an administrator"),
        (["nobody", "--new-code"], "'nobody' is not an administrator"),
    ],
)
def test_bad_input_is_refused_with_exit_2_and_nothing_is_created(
    ada, ames, args, message
):
    users = User.objects.count()
    with pytest.raises(CommandError, match=message) as caught:
        createadmin(*args)
    assert caught.value.returncode == 2
    assert User.objects.count() == users
    assert not EnrolmentCode.objects.exists()


def test_an_administrator_who_lost_their_phone_gets_a_new_code(ada):
    TOTPDevice.objects.create(user=ada, name="app", confirmed=True)
    printed = createadmin("ada", "--new-code")
    assert "ada's authenticator and backup codes were removed." in printed
    code = CODE.search(printed).group(1)
    assert not TOTPDevice.objects.filter(user=ada).exists()
    client = Client()
    client.post(
        reverse("login"), {"username": "ada", "password": "correct horse battery"}
    )
    assert client.post(reverse("enrolment-code"), {"code": code}).url == reverse(
        "setup-2fa"
    )
    reset = AuditEvent.objects.get(action="2fa-reset")
    assert (reset.user, reset.organization) == (None, ada.organization)
