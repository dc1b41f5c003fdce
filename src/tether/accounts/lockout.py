"""Sign-in lockout by account with a growing wait (docs/security.md §Sign-in
lockout), on django-axes.

Failed passwords and failed second-factor codes count together, per
username, from any address. From TETHER_LOGIN_FAILURE_LIMIT failures on, the
account must wait before each further try: FIRST_WAIT after the last failure,
doubling with every failure after that, up to LONGEST_WAIT. Tries during a
wait are refused unchecked and not counted, so someone who does not know the
password can only slow an account down, never lock it for long. Only a
verified second factor (or an administrator) clears the count.

django-axes has one cool-off time for two jobs: how long failures are
remembered and how long a lockout lasts. A wait that grows with the count
needs the count to outlive each wait, so AXES_COOLOFF_TIME is only the
memory (a day after the account's last failure, settings.py), and this
handler decides the wait.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=15)


def wait_after(failures: int, limit: int) -> timedelta:
    """How long an account waits after its `failures`-th failure in a row."""
    if failures < limit:
        return timedelta(0)
    doublings = min(failures - limit, 10)  # 2**10 minutes is past any cap
    return min(FIRST_WAIT * 2**doublings, LONGEST_WAIT)


class GrowingWaitHandler(AxesDatabaseHandler):
    """django-axes' database handler, locked while the account's wait lasts
    rather than while enough failures are remembered."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        return self.wait_left(request, credentials) > timedelta(0)

    def wait_left(
        self, request: HttpRequest, credentials: dict | None = None
    ) -> timedelta:
        limit = get_failure_limit(request, credentials)
        left = timedelta(0)
        for attempts in self.get_user_attempts(request, credentials):
            totals = attempts.aggregate(
                failures=Sum("failures_since_start"), last=Max("attempt_time")
            )
            if totals["last"] is None:
                continue
            ends = totals["last"] + wait_after(totals["failures"], limit)
            left = max(left, ends - request.axes_attempt_time)  # type: ignore[attr-defined]
        return left


def wait_left(request: HttpRequest, credentials: dict | None) -> timedelta:
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    if not isinstance(handler, GrowingWaitHandler):
        return FIRST_WAIT
    return handler.wait_left(request, credentials)


def lockout_response(
    request: HttpRequest, original_response: Any, credentials: dict | None
) -> HttpResponse:
    """The page a refused sign-in gets (AXES_LOCKOUT_CALLABLE): how long to
    wait, in whole minutes rounded up, and in `Retry-After`."""
    seconds = max(60, math.ceil(wait_left(request, credentials).total_seconds()))
    context = {
        "wait_minutes": math.ceil(seconds / 60),
        "longest_minutes": int(LONGEST_WAIT.total_seconds() // 60),
    }
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
