"""Tether's settings as a production server reads them from its environment:
each case runs in a fresh process, since settings are read once at start."""

import json
import os
import subprocess
import sys

import pytest

from tether.settings import envint

PRODUCTION = {
    "TETHER_BASE_URL": "https://tether.example.org",
    "TETHER_ALLOWED_HOSTS": "tether.example.org",
    "TETHER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}
HTTPS_BEHIND_PROXY = {
    **PRODUCTION,
    "TETHER_HTTPS": "1",
    "TETHER_TRUSTED_PROXY_HEADER": "X-Forwarded-For",
}


def tether(tmp_path, environment, *args, code=None):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TETHER_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "DJANGO_SETTINGS_MODULE": "tether.settings",
        **environment,
    }
    command = ["-c", code] if code else ["-m", "tether.cli", *args]
    return subprocess.run(
        [sys.executable, *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_finds_no_security_problem_with_https_on(tmp_path):
    done = tether(tmp_path, HTTPS_BEHIND_PROXY, "check", "--deploy")
    assert done.returncode == 0, done.stderr
    printed = done.stdout + done.stderr
    assert "(security." not in printed
    # The one issue left: no SMS backend that delivers ships with Tether, and
    # a console one is Tether's own warning (tether.W010), not Django's.
    assert "identified 1 issue (3 silenced)" in printed
    assert "(tether.W010) TETHER_SMS_BACKEND is a console backend" in printed


def test_without_https_check_deploy_names_what_is_missing(tmp_path):
    done = tether(tmp_path, PRODUCTION, "check", "--deploy")
    reported = set(done.stdout.split()) | set(done.stderr.split())
    for warning in ("W004", "W008", "W012", "W016"):
        assert f"(security.{warning})" in reported


REQUESTS = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="tether.example.org")
plain = client.get("/accounts/login/")
secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location")],
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "policy": "camera=()" in secure.headers.get("Permissions-Policy", ""),
    "secure cookies": sorted(
        name for name, cookie in secure.cookies.items() if cookie["secure"]
    ),
}))
"""


def requests_under(tmp_path, environment):
    done = tether(tmp_path, environment, code=REQUESTS)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_https_behind_the_proxy_redirects_plain_http_and_sends_hsts(tmp_path):
    seen = requests_under(tmp_path, HTTPS_BEHIND_PROXY)
    assert seen == {
        "plain": [301, "https://tether.example.org/accounts/login/"],
        "hsts": "max-age=31536000",
        "policy": True,
        "secure cookies": ["csrftoken"],
    }


def test_subdomains_preload_and_max_age_are_the_sites_choice(tmp_path):
    seen = requests_under(
        tmp_path,
        {
            **HTTPS_BEHIND_PROXY,
            "TETHER_HSTS_SECONDS": "63072000",
            "TETHER_HSTS_INCLUDE_SUBDOMAINS": "1",
            "TETHER_HSTS_PRELOAD": "1",
        },
    )
    assert seen["hsts"] == "max-age=63072000; includeSubDomains; preload"


def test_without_a_trusted_proxy_its_https_header_is_not_believed(tmp_path):
    environment = {**HTTPS_BEHIND_PROXY, "TETHER_TRUSTED_PROXY_HEADER": ""}
    seen = requests_under(tmp_path, environment)
    assert seen["hsts"] is None  # the "https" request was redirected too
    assert seen["plain"][0] == 301


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12h", "TETHER_SESSION_MAX_HOURS must be a whole number, not '12h'"),
        ("0", "TETHER_SESSION_MAX_HOURS must be at least 1, not 0"),
    ],
)
def test_a_bad_number_stops_tether_naming_the_variable(monkeypatch, value, message):
    monkeypatch.setenv("TETHER_SESSION_MAX_HOURS", value)
    with pytest.raises(ValueError, match=message):
        envint("TETHER_SESSION_MAX_HOURS", "12", minimum=1)


def test_a_number_is_read_or_defaulted(monkeypatch):
    monkeypatch.delenv("TETHER_SESSION_MAX_HOURS", raising=False)
    assert envint("TETHER_SESSION_MAX_HOURS", "12", minimum=1) == 12
    monkeypatch.setenv("TETHER_SESSION_MAX_HOURS", "8")
    assert envint("TETHER_SESSION_MAX_HOURS", "12", minimum=1) == 8
