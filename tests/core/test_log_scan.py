"""The log scan (issue #12; docs/security.md §Logs and messages): each flow
that handles a secret or a person's details runs in production settings
(neither debug nor demo, console email and SMS backends) with planted names,
email addresses, phone numbers, passwords and tokens, and none of them is
found in anything Tether writes out:

- standard output and standard error, at the file descriptors (capfd), where
  Tether's own log handlers are pointed for the test;
- every log record that reaches the root logger, at DEBUG, before any of
  Tether's filters has touched it.

Django's loggers do not pass their records on to the root logger, and keep
the level settings.LOGGING gives them (INFO: "Not Found: /q/…" and the like);
what they write goes through Tether's handlers to standard error, scanned
there.
Each test also checks that the scan saw the flow's output, and the last one
that the scan finds what debug mode prints, so that none passes by seeing
nothing."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import sys
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.core import console_outbox

from tether.accounts.models import Role, User
from tether.care import services as care
from tether.portal import services as portal

PASSWORD = "Umber-Kestrel-Quasar-2219"
WRONG_PASSWORD = "Vermilion-Guess-Lantern-77"
NEW_PASSWORD = "Tangerine-Obelisk-Harbor-5540"
SITE = "https://tether.example.org"

STAFF = [
    ("quillon.vantreese", "Quillon", "Vantreese"),
    ("ottoline.brisbury", "Ottoline", "Brisbury"),
]
STAFF_DOMAIN = "harbourside-clinic.example"
FAMILY = "Marchetti-Lowe family"
ZEPHYRINE_EMAIL = "zephyrine.marchetti@family-mail.example"
ZEPHYRINE_PHONE = "+44 7700 900123"
THADDEUS_PHONE = "(555) 013-4477"
STRANGER_EMAIL = "ignatius.pembrook@elsewhere-mail.example"


@dataclass
class Clinic:
    clinician: User
    colleague: User
    session_id: int
    zephyrine_id: int
    thaddeus_id: int
    device: TOTPDevice
    planted: list[str] = field(default_factory=list)

    def plant(self, *values: str) -> None:
        self.planted.extend(value for value in values if value)


@pytest.fixture
def clinic(northside):
    """Dr. Vantreese and Dr. Brisbury look after the Marchetti-Lowes:
    Zephyrine (caregiver, email and mobile) and Thaddeus (15, mobile)."""
    clinician, colleague = (
        User.objects.create_user(
            username=username,
            password=PASSWORD,
            organization=northside,
            roles=[Role.CLINICIAN],
            first_name=first,
            last_name=last,
            email=f"{username}@{STAFF_DOMAIN}",
        )
        for username, first, last in STAFF
    )
    case = care.create_case(clinician, FAMILY, "family")
    care.assign_clinicians(clinician, case.pk, [clinician, colleague])
    zephyrine = care.add_member(
        clinician,
        case.pk,
        "Zephyrine",
        "caregiver",
        "18+",
        email=ZEPHYRINE_EMAIL,
        phone=ZEPHYRINE_PHONE,
    )
    thaddeus = care.add_member(
        clinician,
        case.pk,
        "Thaddeus",
        "identified-client",
        "13-17",
        phone=THADDEUS_PHONE,
    )
    session = care.start_session(
        clinician, case.pk, dt.date(2026, 11, 2), [zephyrine.pk, thaddeus.pk]
    )
    device = TOTPDevice.objects.create(user=clinician, name="phone", confirmed=True)
    planted = Clinic(
        clinician, colleague, session.pk, zephyrine.pk, thaddeus.pk, device
    )
    for username, first, last in STAFF:
        planted.plant(username, first, last, f"{username}@{STAFF_DOMAIN}")
    planted.plant(FAMILY, "Marchetti", "Zephyrine", "Thaddeus", ZEPHYRINE_EMAIL)
    planted.plant(STRANGER_EMAIL, "Pembrook")
    for phone in (ZEPHYRINE_PHONE, THADDEUS_PHONE):
        planted.plant(phone, re.sub(r"\D", "", phone), phone.split(" ", 1)[1])
    planted.plant(PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, device.key)
    return planted


@pytest.fixture
def production(settings):
    settings.DEBUG, settings.DEMO = False, False
    settings.TETHER_BASE_URL = SITE
    settings.EMAIL_BACKEND = f"{console_outbox.__name__}.Backend"
    settings.TETHER_SMS_BACKEND = "tether.portal.sms.ConsoleSMSBackend"
    console_outbox.outbox.clear()


@pytest.fixture
def every_output(capfd):
    """All that the test writes out so far: standard output and error, and
    every record reaching the root logger at DEBUG, as a function."""
    records = io.StringIO()
    catcher = logging.StreamHandler(records)
    catcher.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    loggers = [logging.getLogger(name) for name in ("", "django", "django.server")]
    root = loggers[0]
    level = root.level
    # Tether's handlers write to the stream they were given at start-up,
    # which pytest has since closed; here they write to the captured standard
    # error (set, not `setStream`, which would flush the closed one).
    tethers = {
        handler
        for logger in loggers
        for handler in logger.handlers
        if type(handler) is logging.StreamHandler
    }
    streams = {handler: handler.stream for handler in tethers}
    for handler in tethers:
        handler.stream = sys.stderr
    root.setLevel(logging.DEBUG)
    root.handlers.insert(0, catcher)  # first, before any filter rewrites a record
    seen: list[str] = []

    def read() -> str:
        out, err = capfd.readouterr()
        seen.extend([out, err, records.getvalue()])
        records.seek(0)
        records.truncate()
        return "".join(seen)

    yield read
    root.removeHandler(catcher)
    root.setLevel(level)
    for handler, stream in streams.items():
        handler.stream = stream


def found(output: str, planted: list[str]) -> list[str]:
    """The planted values the output holds, whatever their case."""
    text = output.casefold()
    return sorted({value for value in planted if value.casefold() in text})


def signed_in(clinic: Clinic) -> Client:
    """Dr. Vantreese, past the password and the authenticator code."""
    browser = Client()
    browser.post(
        reverse("login"),
        {"username": clinic.clinician.username, "password": PASSWORD},
    )
    device = clinic.device
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = browser.post(reverse("otp-verify"), {"code": f"{code:06d}"})
    assert response.status_code == 302, response.content.decode()[:300]
    clinic.plant(browser.cookies["sessionid"].value)
    return browser


def test_signing_in_and_failing_to_leave_no_name_password_or_session(
    clinic, production, every_output
):
    browser = Client()
    for username in (clinic.clinician.username, ZEPHYRINE_EMAIL):
        refused = browser.post(
            reverse("login"), {"username": username, "password": WRONG_PASSWORD}
        )
        assert refused.status_code == 200
    signed_in(clinic)
    output = every_output()
    assert "AXES: New login failure" in output
    assert found(output, clinic.planted) == []


def test_a_password_reset_leaves_no_link_or_address(clinic, production, every_output):
    browser = Client()
    for email in (clinic.clinician.email, STRANGER_EMAIL):
        asked = browser.post(reverse("password-reset"), {"email": email})
        assert asked.url == reverse("password-reset-done")
    (message,) = console_outbox.outbox
    path = re.search(rf"{re.escape(SITE)}(/accounts/password-reset/\S+)", message.body)[
        1
    ]
    token = path.rstrip("/").rsplit("/", 1)[1]
    clinic.plant(path, token)
    form = browser.get(path, follow=True)
    assert form.context["validlink"]
    done = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.url == reverse("password-reset-complete")
    assert not browser.get(path, follow=True).context["validlink"]  # used once
    output = every_output()
    assert 'Email "Reset your Tether password" to 1 recipient' in output
    assert found(output, clinic.planted) == []


def test_sending_a_link_by_email_and_text_message_leaves_no_link_or_contact(
    clinic, production, every_output
):
    browser = signed_in(clinic)
    invitation, token = portal.issue_invitation(
        clinic.clinician, clinic.session_id, clinic.zephyrine_id, ["tac"]
    )
    clinic.plant(token, token.split(".")[0])
    url = reverse("portal-link-send", args=[clinic.session_id, invitation.pk])
    for via in ("email", "sms"):
        sent = browser.post(url, {"token": token, "via": via})
        assert sent.status_code == 200
    invitation.refresh_from_db()
    assert invitation.channel == "sms"
    output = every_output()
    assert 'Email "Your private link" to 1 recipient' in output
    assert "SMS to 1 recipient" in output
    assert found(output, clinic.planted) == []


def test_answering_a_link_and_the_risk_email_leave_no_token_or_address(
    clinic, production, every_output, django_capture_on_commit_callbacks
):
    _, token = portal.issue_invitation(
        clinic.clinician, clinic.session_id, clinic.thaddeus_id, ["phq-9"]
    )
    forged = "Qm9ndXNUb2tlbkZvclRoZVNjYW4.c2lnbmF0dXJlTm90T3Vycw"
    clinic.plant(token, token.split(".")[0], forged)
    member = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert member.get(f"/q/{token}/").status_code == 200
        member.post(f"/q/{token}/", {"mode": "all"})
        answers = {f"item-{i}": "0" for i in range(1, 10)} | {"item-9": "2"}
        sent = member.post(f"/q/{token}/phq-9/", answers)
        assert sent.status_code == 302
        assert member.get(sent["Location"]).status_code == 200
    assert Client().get(f"/q/{token}/").status_code == 410  # answered
    assert Client().get(f"/q/{forged}/").status_code == 404
    assert {m.to[0] for m in console_outbox.outbox} == {
        clinic.clinician.email,
        clinic.colleague.email,
    }
    output = every_output()
    assert output.count('Email "Tether: please sign in today" to 1 recipient') == 2
    assert "Gone: /q/[redacted]" in output
    assert "Not Found: /q/[redacted]" in output
    assert found(output, clinic.planted) == []


def test_a_kiosk_turn_and_its_exit_leave_no_token_name_or_password(
    clinic, production, every_output
):
    tablet = signed_in(clinic)
    started = tablet.post(f"/sessions/{clinic.session_id}/kiosk/start/")
    assert started["Location"] == "/kiosk/"
    assert "Zephyrine" in tablet.get("/kiosk/").content.decode()  # the page, not a log
    link = tablet.post(f"/kiosk/members/{clinic.zephyrine_id}/")["Location"]
    token = link.removeprefix("/q/").rstrip("/")
    clinic.plant(token, token.split(".")[0])
    tablet.post(link, {"mode": "all"})
    answers = {f"item-{i}": "3" for i in range(1, 14)}
    sent = tablet.post(f"{link}tac/", answers)
    assert tablet.get(sent["Location"])["Location"] == "/kiosk/next/"
    assert tablet.post("/kiosk/exit/", {"password": WRONG_PASSWORD}).status_code == 200
    ended = tablet.post("/kiosk/exit/", {"password": PASSWORD})
    assert ended["Location"] == f"/sessions/{clinic.session_id}/"
    output = every_output()
    assert "AXES: New login failure" in output
    assert found(output, clinic.planted) == []


def test_the_scan_finds_what_debug_mode_prints(
    clinic, production, every_output, settings
):
    settings.DEBUG = True
    invitation, token = portal.issue_invitation(
        clinic.clinician, clinic.session_id, clinic.zephyrine_id, ["tac"]
    )
    portal.send_invitation(invitation, token, via="sms")
    portal.send_invitation(invitation, token, via="email")
    printed = set(found(every_output(), [*clinic.planted, token]))
    assert {"Zephyrine", ZEPHYRINE_EMAIL, ZEPHYRINE_PHONE, token} <= printed
