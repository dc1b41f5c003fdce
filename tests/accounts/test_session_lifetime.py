"""A sign-in lasts at most TETHER_SESSION_MAX_HOURS (12 by default), however
busy the session, beside the 30-minute idle timeout."""

import datetime as dt

import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from tests.accounts.test_sign_in import (
    app_code,
    enter_code,
    give_authenticator,
    sign_in,
    sign_in_verified,
)

from tether.accounts.session_lifetime import SIGNED_IN_AT
from tether.audit.models import AuditEvent

MONDAY_9AM = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def is_signed_in(client):
    return client.get(reverse("caseload")).status_code == 200


def test_a_busy_session_ends_twelve_hours_after_sign_in(client, ames, settings):
    assert settings.TETHER_SESSION_MAX_HOURS == 12
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        device = give_authenticator(ames)
        assert sign_in(client).url == reverse("otp-verify")
        enter_code(client, app_code(device))
        # A request every 20 minutes keeps the idle timeout away all day ...
        for _ in range(35):
            traveller.shift(dt.timedelta(minutes=20))
            assert is_signed_in(client)
        # ... 11 h 40 min after sign-in; the twelfth hour ends it.
        traveller.shift(dt.timedelta(minutes=20))
        response = client.get(reverse("caseload"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    [message] = get_messages(response.wsgi_request)
    assert "a sign-in lasts at most 12 hours" in str(message)
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.filter(action="sign-out", object_id=ames.pk).get()
    assert event.detail == {"reason": "lifetime"}


def test_the_lifetime_is_counted_from_the_password_not_the_last_request(
    client, ames, settings
):
    settings.TETHER_SESSION_MAX_HOURS = 1
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        sign_in_verified(client, ames)
        for minutes in (20, 20, 19):
            traveller.shift(dt.timedelta(minutes=minutes))
            assert is_signed_in(client)
        traveller.shift(dt.timedelta(minutes=1))
        assert not is_signed_in(client)
        # Signing in again starts a new hour.
        sign_in_verified(client, ames)
        traveller.shift(dt.timedelta(minutes=20))
        assert is_signed_in(client)


def test_a_signed_in_session_of_unknown_age_is_ended(client, ames):
    sign_in_verified(client, ames)
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert not is_signed_in(client)


def test_an_anonymous_visitor_is_not_affected(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert list(get_messages(response.wsgi_request)) == []
