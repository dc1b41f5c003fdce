"""Text messages printed instead of sent: whole in debug and demo mode, and
elsewhere without the number or the body (portal/sms.py; docs/security.md
§Logs and messages)."""

import pytest

from tether.portal.sms import ConsoleSMSBackend

LINK = "https://tether.example.org/q/tuOnpb-f7lajF.e9SgKI2e0_WtVLuz/"
BODY = f"Hello Maria,\n\nHere are a few short questions:\n{LINK}\n"


def test_in_production_the_console_withholds_number_and_body(settings, capsys):
    settings.DEBUG, settings.DEMO = False, False
    ConsoleSMSBackend().send("+1 555 0100", BODY)
    printed = capsys.readouterr()
    assert printed.err == ""
    assert printed.out.startswith(
        "SMS to 1 recipient, printed instead of delivered; its addresses and "
        f"body ({len(BODY)} characters) are withheld"
    )
    for secret in ("555", "0100", "Maria", "tuOnpb", "/q/"):
        assert secret not in printed.out


@pytest.mark.parametrize("mode", ["DEBUG", "DEMO"])
def test_in_debug_and_demo_mode_the_console_shows_it_whole(settings, capsys, mode):
    settings.DEBUG, settings.DEMO = False, False
    setattr(settings, mode, True)
    ConsoleSMSBackend().send("+1 555 0100", BODY)
    printed = capsys.readouterr().out
    assert printed.startswith(f"SMS to +1 555 0100\n{BODY}")
