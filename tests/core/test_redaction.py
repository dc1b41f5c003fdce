"""Link tokens, email addresses and phone numbers are taken out of every log
record, and console output cuts every full address back to its host
(core/redaction.py; docs/security.md §Logs and messages)."""

import logging
import sys

import pytest
from django.conf import settings as django_settings

from tether.core.redaction import RedactSecrets, redact, redact_message_text

TOKEN = "tuOnpb-f7lajF-g4GzhxFNglOeGORConUVXRq2USr_k.e9SgKI2e0_WtVLuz_JM8ocfpBiOEep64"


def record_of(message, *args, exc_info=None, name="django.request"):
    return logging.LogRecord(
        name, logging.WARNING, __file__, 1, message, args, exc_info
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"GET /q/{TOKEN}/tac/3/?lang=es HTTP/1.1", "GET /q/[redacted] HTTP/1.1"),
        (
            "Not Found: /accounts/password-reset/MQ/cx9zk1-0d3f2b8a9e7c/",
            "Not Found: /accounts/password-reset/[redacted]",
        ),
        (
            "/accounts/password-reset/MQ/set-password/",
            "/accounts/password-reset/[redacted]",
        ),
        ("Sent to maria@example.org.", "Sent to [email redacted]."),
        ("Refused: 'Ames.B+x@northside.example'", "Refused: '[email redacted]'"),
        ("SMS to +1 555 0100 failed", "SMS to [phone redacted] failed"),
        ("call (555) 010-0100.", "call [phone redacted]."),
        ("number 5550100123 refused", "number [phone redacted] refused"),
        ("+44 20 7946 0958", "[phone redacted]"),
        (
            "Bearer tether_q0S3wz7Yf2mB4kLx9rT1vN8pC6hJ5dE0aZyXuWiOqPs",
            "Bearer tether_[redacted]",
        ),
    ],
)
def test_secrets_and_contact_details_are_hidden(text, shown):
    assert redact(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "/accounts/password-reset/",
        "/accounts/password-reset/sent/",
        "/accounts/password-reset/complete/",
        "Session of 2026-11-02 10:30 for case 12, member 345",
        "tac@1.1 and pcl-5@past-week",
        "tether_demo and tether_import scores",
        "Task id=01964c3a-1234-7890-8abc-1234567890ab state=SUCCESSFUL",
        "Message-ID: <170000000000.12345.1234567@host>",
        '[02/Nov/2026 10:30:00] "GET /caseload/ HTTP/1.1" 200 1234',
    ],
)
def test_what_is_neither_is_left_as_it_is(text):
    assert redact(text) == text


def test_console_output_keeps_only_the_host_of_an_address():
    text = (
        "Open https://tether.example.org/accounts/password-reset/MQ/x-y/ or "
        "http://127.0.0.1:8000/kiosk/next/; the site is https://tether.example.org/"
    )
    assert redact_message_text(text) == (
        "Open https://tether.example.org/[redacted] or "
        "http://127.0.0.1:8000/[redacted] the site is https://tether.example.org/"
    )


def test_the_log_filter_rewrites_the_message_and_keeps_the_record():
    record = record_of('"%s" %s %s', f"GET /q/{TOKEN}/ HTTP/1.1", 200, 1234)
    assert RedactSecrets().filter(record)
    message = record.getMessage()
    assert TOKEN.split(".")[0] not in message
    assert message == '"GET /q/[redacted] HTTP/1.1" 200 1234'
    plain = record_of("Saved %s", "a")
    assert RedactSecrets().filter(plain)
    assert (plain.msg, plain.args) == ("Saved %s", ("a",))


def test_the_log_filter_drops_a_request_whose_path_holds_a_token(rf):
    request = rf.get(f"/q/{TOKEN}/")
    record = record_of("Not Found: %s", request.path)
    record.request = request
    RedactSecrets().filter(record)
    assert record.request is None
    kept = rf.get("/caseload/")
    other = record_of("Not Found: %s", kept.path)
    other.request = kept
    RedactSecrets().filter(other)
    assert other.request is kept


def test_the_log_filter_redacts_tracebacks():
    try:
        raise ValueError(f"while serving /q/{TOKEN}/ to maria@example.org")
    except ValueError:
        record = record_of("Boom", exc_info=sys.exc_info())
    RedactSecrets().filter(record)
    written = logging.Formatter().format(record)
    assert "ValueError: while serving /q/[redacted] to [email redacted]" in written
    assert "maria@" not in written


def test_every_handler_of_the_logging_settings_has_the_filter():
    config = django_settings.LOGGING
    [name] = [
        key
        for key, spec in config["filters"].items()
        if spec["()"] == f"{RedactSecrets.__module__}.{RedactSecrets.__name__}"
    ]
    assert config["handlers"]
    for handler in config["handlers"].values():
        assert name in handler["filters"]
    # As configured at start-up: Tether's stream handlers, beside pytest's own.
    for logger in ("", "django", "django.server"):
        configured = [
            handler
            for handler in logging.getLogger(logger).handlers
            if type(handler) is logging.StreamHandler
        ]
        assert configured
        for handler in configured:
            assert any(isinstance(f, RedactSecrets) for f in handler.filters)
