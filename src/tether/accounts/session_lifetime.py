"""A session ends a fixed time after sign-in however busy it is (beside the
30-minute idle timeout of SESSION_COOKIE_AGE): a stolen or forgotten session
cannot be kept alive by use (OWASP Session Management Cheat Sheet, absolute
timeout)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from tether.audit.services import record

SIGNED_IN_AT = "tether_signed_in_at"
"""Session key: when the password was accepted, in seconds since the epoch."""


def stamp_sign_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """On `user_logged_in`: note when this session was signed in."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


def has_outlived(session: Any, now: float) -> bool:
    """Signed in longer ago than TETHER_SESSION_MAX_HOURS; a signed-in session
    without the note is of unknown age and has outlived it too."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int):
        return True
    return now - signed_in_at >= settings.TETHER_SESSION_MAX_HOURS * 3600


class AbsoluteSessionLifetime:
    """Signs out a session that has outlived TETHER_SESSION_MAX_HOURS, before
    the page is served, and says why on the sign-in page. After
    MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.get(auth.SESSION_KEY) is not None and has_outlived(
            session, time.time()
        ):
            user = request.user
            record(user, "sign-out", "user", user.pk, detail={"reason": "lifetime"})
            auth.logout(request)
            hours = settings.TETHER_SESSION_MAX_HOURS
            text = ngettext(
                "You were signed out: a sign-in lasts at most %(hours)d hour. "
                "Please sign in again.",
                "You were signed out: a sign-in lasts at most %(hours)d hours. "
                "Please sign in again.",
                hours,
            )
            messages.info(request, text % {"hours": hours})
        return self.get_response(request)
