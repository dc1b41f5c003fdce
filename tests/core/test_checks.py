"""Start-up checks: a production server refuses to start without knowing its
public address, and warns when other users can read its data; `tether check
--deploy` warns while messages go to the console."""

import subprocess
import sys

from django.core.management import call_command

from tether import config
from tether.core.checks import (
    BASE_URL_MISSING,
    DATA_NOT_PRIVATE,
    MESSAGES_TO_CONSOLE,
    base_url_is_set,
    data_is_private,
    messages_are_delivered,
    open_data_warnings,
)


def test_production_without_a_base_url_is_an_error(settings):
    settings.DEBUG, settings.DEMO, settings.TETHER_BASE_URL = False, False, ""
    [error] = base_url_is_set()
    assert error.id == BASE_URL_MISSING
    assert "TETHER_BASE_URL is not set" in error.msg


def test_a_configured_address_the_demo_and_debug_need_no_base_url(settings):
    settings.DEBUG, settings.DEMO = False, False
    settings.TETHER_BASE_URL = "https://tether.example.org"
    assert base_url_is_set() == []
    settings.TETHER_BASE_URL = ""
    settings.DEMO = True
    assert base_url_is_set() == []
    settings.DEMO, settings.DEBUG = False, True
    assert base_url_is_set() == []


def test_tether_serve_refuses_to_start_and_says_what_to_set(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "TETHER_DATA_DIR": str(tmp_path),
        "TETHER_SECRET_KEY": "tests-only-secret-key",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tether.cli", "serve", "--bind", "127.0.0.1:0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "TETHER_BASE_URL is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_console_email_or_sms_backend_is_a_deploy_warning(settings):
    settings.EMAIL_BACKEND = "tether.core.mail.ConsoleEmailBackend"
    settings.TETHER_SMS_BACKEND = "tether.portal.sms.ConsoleSMSBackend"
    email, sms = messages_are_delivered()
    assert (email.id, sms.id) == (MESSAGES_TO_CONSOLE, MESSAGES_TO_CONSOLE)
    assert email.msg.startswith("TETHER_EMAIL_BACKEND is a console backend")
    assert sms.msg.startswith("TETHER_SMS_BACKEND is a console backend")
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    [email] = [w for w in messages_are_delivered() if "EMAIL" in w.msg]
    assert email.id == MESSAGES_TO_CONSOLE


def test_backends_that_deliver_give_no_warning(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.TETHER_SMS_BACKEND = "tether.portal.sms.LocMemSMSBackend"
    assert messages_are_delivered() == []


def test_tether_check_deploy_names_the_console_backends(settings, capsys):
    settings.EMAIL_BACKEND = "tether.core.mail.ConsoleEmailBackend"
    settings.TETHER_SMS_BACKEND = "tether.portal.sms.ConsoleSMSBackend"
    # Warnings only: an error elsewhere (such as the environment of another
    # test) must not stop the command before it prints them.
    call_command("check", "--deploy", "--fail-level", "CRITICAL")
    printed = capsys.readouterr().err
    assert printed.count(f"({MESSAGES_TO_CONSOLE})") == 2


# --- the data directory and the database are private -------------------------


def test_private_data_passes_the_check(settings, tmp_path):
    settings.DATA_DIR = config.private_dir(tmp_path / "data")
    config.private_file(settings.DATA_DIR / "secret-key")
    assert [w for w in data_is_private() if str(tmp_path) in w.msg] == []


def test_a_data_dir_and_database_others_can_read_are_each_named(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    database = data / "tether.sqlite3"
    database.write_text("")
    database.chmod(0o644)
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": database}
    warnings = open_data_warnings(data, sqlite)
    assert {w.id for w in warnings} == {DATA_NOT_PRIVATE}
    assert [(w.msg.split()[0], w.hint) for w in warnings] == [
        (str(data), f"chmod 700 {data}"),
        (str(database), f"chmod 600 {database}"),
    ]
    assert "(mode 755)" in warnings[0].msg


def test_a_server_database_is_not_a_file_to_check(tmp_path):
    data = config.private_dir(tmp_path / "data")
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "tether"}
    assert open_data_warnings(data, postgres) == []
