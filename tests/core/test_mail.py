"""Email printed instead of delivered: whole in debug and demo mode, and
anywhere else only its subject and how many it was for (core/mail.py;
docs/security.md §Logs and messages)."""

import os
import subprocess
import sys

import pytest
from django.core.mail import EmailMessage, get_connection

from tether.core.mail import ConsoleEmailBackend

RESET_LINK = "https://tether.example.org/accounts/password-reset/MQ/cx9zk1-0d3f2b8a/"


def print_one_email(capsys):
    message = EmailMessage(
        "Reset your Tether password",
        f"Hello Dana,\n\nOpen this link: {RESET_LINK}\nor call +1 555 0100.\n",
        "clinic@northside.example",
        ["dana.baker@northside.example"],
    )
    sent = get_connection(f"{ConsoleEmailBackend.__module__}.ConsoleEmailBackend")
    assert sent.send_messages([message]) == 1
    return capsys.readouterr()


def test_in_production_the_console_withholds_body_and_addresses(settings, capsys):
    settings.DEBUG, settings.DEMO = False, False
    printed = print_one_email(capsys)
    assert printed.err == ""
    assert printed.out.startswith(
        'Email "Reset your Tether password" to 1 recipient, printed instead of '
        "delivered; its addresses and body ("
    )
    for secret in ("cx9zk1", "Dana", "dana.baker", "northside", "555", "/accounts"):
        assert secret not in printed.out


@pytest.mark.parametrize("mode", ["DEBUG", "DEMO"])
def test_in_debug_and_demo_mode_the_console_shows_the_message_whole(
    settings, capsys, mode
):
    settings.DEBUG, settings.DEMO = False, False
    setattr(settings, mode, True)
    printed = print_one_email(capsys).out
    assert "To: dana.baker@northside.example" in printed
    assert RESET_LINK in printed
    assert "Hello Dana," in printed


def test_djangos_own_console_backend_is_taken_as_tethers(tmp_path):
    env = {
        **os.environ,
        "TETHER_DATA_DIR": str(tmp_path),
        "TETHER_SECRET_KEY": "tests-only-secret-key",
        "TETHER_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    shown = subprocess.run(
        [sys.executable, "-c", "import tether.settings as s; print(s.EMAIL_BACKEND)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert shown.stdout.strip() == "tether.core.mail.ConsoleEmailBackend"
