"""The password-reset email, sent by the worker after the reset page has
answered (accounts/tasks.py; docs/security.md §Password reset)."""

import re

import pytest
from django.core import mail

from tether.accounts.tasks import send_password_reset
from tether.audit.models import AuditEvent

SITE = "https://tether.example.org"


def reset_events():
    return list(
        AuditEvent.objects.filter(action="password-reset-sent").values_list(
            "object_id", "organization__slug"
        )
    )


def test_an_address_of_an_account_gets_one_link_to_the_site(ames):
    assert send_password_reset.call(ames.email, "en", SITE) == 1
    (message,) = mail.outbox
    assert message.to == [ames.email]
    assert message.subject == "Reset your Tether password"
    assert message.body.startswith("Hello,\n\nSomeone asked to reset the password")
    assert "Tether account ames at tether.example.org" in message.body
    assert re.search(
        rf"\n{re.escape(SITE)}/accounts/password-reset/\w+/[\w-]+/\n", message.body
    )
    assert reset_events() == [(str(ames.pk), "northside")]


def test_the_address_is_matched_without_regard_to_case(ames):
    assert send_password_reset.call(ames.email.upper(), "en", SITE) == 1
    assert mail.outbox[0].to == [ames.email]


@pytest.mark.parametrize("email", ["nobody@x.example", "not an address"])
def test_an_unknown_address_gets_nothing(ames, email):
    assert send_password_reset.call(email, "en", SITE) == 0
    assert mail.outbox == []
    assert reset_events() == []


def test_a_switched_off_account_gets_nothing(ames):
    ames.is_active = False
    ames.save()
    assert send_password_reset.call(ames.email, "en", SITE) == 0
    assert mail.outbox == []


def test_the_email_is_in_the_language_the_reset_was_asked_in(ames):
    send_password_reset.call(ames.email, "es", "http://127.0.0.1:8000")
    (message,) = mail.outbox
    assert message.subject == "Restablezca su contraseña de Tether"
    assert message.body.startswith("Hola:\n\nAlguien pidió restablecer")
    assert "\nhttp://127.0.0.1:8000/accounts/password-reset/" in message.body
    assert "ignore este correo" in message.body


def test_an_email_that_cannot_be_sent_fails_the_task_and_is_not_audited(ames, settings):
    settings.EMAIL_BACKEND = "tests.portal.failing_mail.Backend"
    with pytest.raises(ConnectionRefusedError, match="unreachable"):
        send_password_reset.call(ames.email, "en", SITE)
    assert reset_events() == []
