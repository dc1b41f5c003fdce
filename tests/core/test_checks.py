"""A production server refuses to start without knowing its public address."""

import subprocess
import sys

from tether.core.checks import BASE_URL_MISSING, base_url_is_set


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
