"""The kiosk lock: while a clinic tablet is in kiosk mode (portal/kiosk.py),
every page but the questionnaires, the kiosk and static files redirects to the
kiosk list, so nothing clinical is reachable until the clinician's password
ends it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect

SESSION_KEY = "kiosk_session_id"
"""The session being answered; while set, only the kiosk and links are open."""
OPEN_PREFIXES = ("/q/", "/kiosk/")


class KioskLockMiddleware:
    """While kiosk mode is on, every page but the questionnaires, the kiosk
    and static files redirects to the kiosk list. Place it after
    SessionMiddleware (settings: right after django_otp's OTPMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            session is not None
            and session.get(SESSION_KEY) is not None
            # Signed out, the flag cannot open anything; locking would only
            # send the sign-in page round in a loop.
            and getattr(user, "is_authenticated", False)
            and not request.path.startswith(_open_prefixes())
        ):
            if not is_navigation(request):
                # The browser's own fetches (the favicon) must not land on the
                # kiosk list, which closes the turn in progress.
                return HttpResponseNotFound()
            return redirect("kiosk-home")
        return self.get_response(request)


def is_navigation(request: HttpRequest) -> bool:
    """A page the person asked for, not a fetch the browser makes by itself
    (Fetch Metadata: `Sec-Fetch-Dest` is `document` for a page, `image` for
    the favicon; browsers that send none are taken at their word)."""
    return request.headers.get("Sec-Fetch-Dest", "document") in ("document", "iframe")


def _open_prefixes() -> tuple[str, ...]:
    static = getattr(settings, "STATIC_URL", None) or "/static/"
    if not static.startswith("/"):
        static = "/" + static
    return (*OPEN_PREFIXES, static)
