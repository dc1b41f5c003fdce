"""Sign-in lockout (docs/security.md §Sign-in lockout): failed passwords and
second-factor codes count together per username, from any address; from the
fifth on the account waits 1 minute, then 2, 4, 8 and at most 15 before each
further try; tries during a wait are refused unchecked and not counted; only
a verified second factor clears the count.

Everyone here reaches Tether through one reverse proxy at 10.0.0.2, which
appends the client's address to X-Forwarded-For."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from tests.accounts.test_sign_in import (
    PASSWORD,
    app_code,
    give_authenticator,
    wrong_code,
)
from tests.visible import visible_text

from tether.accounts.lockout import wait_after

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.66"
AMES_AT_HOME = "198.51.100.7"
MONDAY_9AM = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def behind_the_proxy(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TETHER_TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def ames_app(ames):
    return give_authenticator(ames)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        yield traveller


def browser_at(address):
    """A browser whose requests arrive through the proxy from `address`."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def sign_in(client, username="ames", password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def enter_code(client, code):
    return client.post(reverse("otp-verify"), {"code": code})


def waits_minutes(response):
    """The wait the refusal page states, and its Retry-After, in minutes."""
    assert response.status_code == 429
    text = visible_text(response)
    stated = int(text.split("Wait ")[1].split(" minute")[0])
    assert int(response["Retry-After"]) == stated * 60
    return stated


def signs_in_fully(client, device):
    if sign_in(client).status_code != 302:
        return False
    return enter_code(client, app_code(device)).url == reverse("caseload")


# --- the wait ------------------------------------------------------------------


def test_the_wait_starts_at_one_minute_doubles_and_stops_at_fifteen():
    waits = [wait_after(failures, limit=5) for failures in range(3, 12)]
    assert [w.total_seconds() / 60 for w in waits] == [0, 0, 1, 2, 4, 8, 15, 15, 15]


def test_each_failure_after_a_wait_doubles_the_next_wait(ames, clock):
    attacker = browser_at(ATTACKER)
    for _ in range(4):
        assert sign_in(attacker, password="wrong").status_code == 200
    stated = []
    for _ in range(6):
        response = sign_in(attacker, password="wrong")
        stated.append(waits_minutes(response))
        clock.shift(dt.timedelta(minutes=stated[-1]))
    assert stated == [1, 2, 4, 8, 15, 15]


def test_tries_during_a_wait_are_refused_unchecked_and_do_not_extend_it(
    ames, ames_app, clock
):
    attacker = browser_at(ATTACKER)
    for _ in range(5):
        sign_in(attacker, password="wrong")
    for _ in range(20):
        clock.shift(dt.timedelta(seconds=2))
        assert waits_minutes(sign_in(attacker, password="wrong")) == 1
    # Even the right password is refused during the wait ...
    assert waits_minutes(sign_in(browser_at(AMES_AT_HOME))) == 1
    assert AccessAttempt.objects.get().failures_since_start == 5
    # ... and one minute after the fifth failure Dr. Ames signs in.
    clock.shift(dt.timedelta(seconds=20))
    assert signs_in_fully(browser_at(AMES_AT_HOME), ames_app)


# --- behind the proxy ----------------------------------------------------------


def test_an_attacker_behind_the_proxy_only_slows_the_account_they_target(
    ames, ames_app, baker, clock
):
    """Five wrong passwords from another address make Dr. Ames wait one
    minute, wherever she is; Dr. Baker, behind the same proxy, is not
    touched; and the failures are recorded against the attacker's address,
    not the proxy's."""
    attacker = browser_at(ATTACKER)
    for _ in range(4):
        sign_in(attacker, password="wrong")
    assert waits_minutes(sign_in(attacker, password="wrong")) == 1

    assert waits_minutes(sign_in(browser_at(AMES_AT_HOME))) == 1
    baker_app = give_authenticator(baker)
    baker_browser = browser_at(AMES_AT_HOME)
    assert sign_in(baker_browser, username="baker").url == reverse("otp-verify")
    assert enter_code(baker_browser, app_code(baker_app)).url == reverse("caseload")

    [attempt] = AccessAttempt.objects.all()
    assert (attempt.username, attempt.ip_address) == ("ames", ATTACKER)

    clock.shift(dt.timedelta(minutes=1))
    assert signs_in_fully(browser_at(AMES_AT_HOME), ames_app)
    assert not AccessAttempt.objects.exists()


def test_changing_address_browser_or_cookies_does_not_reset_the_count(ames, clock):
    for number in range(4):
        browser = browser_at(f"203.0.113.{number}")
        browser.defaults["HTTP_USER_AGENT"] = f"browser {number}"
        assert sign_in(browser, password="x").status_code == 200
    assert waits_minutes(sign_in(browser_at("203.0.113.99"), password="x")) == 1


# --- the second factor ---------------------------------------------------------


def test_eight_wrong_codes_after_the_right_password_make_the_account_wait(
    ames, ames_app, clock
):
    """Whoever has the password cannot guess codes without end by entering
    the password again between guesses: the password clears nothing."""
    thief = browser_at(ATTACKER)
    outcomes = []
    for _ in range(8):
        response = sign_in(thief)
        if response.status_code == 302:
            response = enter_code(thief, wrong_code(ames_app))
        outcomes.append(response.status_code)
        # Past django-otp's own slow-down (1, 2, 4, 8 s), within the wait.
        clock.shift(dt.timedelta(seconds=10))
    assert outcomes == [200, 200, 200, 200, 429, 429, 429, 429]
    assert AccessAttempt.objects.get().failures_since_start == 5
    assert "_auth_user_id" not in thief.session


def test_only_a_verified_second_factor_clears_the_count(ames, ames_app, clock):
    home = browser_at(AMES_AT_HOME)
    for _ in range(4):
        sign_in(home, password="wrong")
    assert sign_in(home).url == reverse("otp-verify")  # the password alone ...
    assert AccessAttempt.objects.get().failures_since_start == 4  # ... clears nothing
    assert enter_code(home, app_code(ames_app)).url == reverse("caseload")
    assert not AccessAttempt.objects.exists()

    home.post(reverse("logout"))
    for _ in range(4):
        assert sign_in(home, password="wrong").status_code == 200


def test_an_unknown_username_is_treated_like_a_known_one(db, clock):
    stranger = browser_at(ATTACKER)
    for _ in range(4):
        sign_in(stranger, username="nobody", password="wrong")
    assert waits_minutes(sign_in(stranger, username="nobody", password="x")) == 1
