"""No page Tether renders is kept in the browser's cache (docs/security.md
§Kiosk and shared devices).

A clinician's pages hold alerts, scores and names, and the questionnaire
pages under /q/ hold a member's answers. On a shared device, Back or a
reopened tab must ask the server again, which then applies the kiosk lock or
the sign-in, rather than show a stored copy. Static files (CSS, scripts,
pictures) hold nothing of anyone's: WhiteNoise serves them before this
middleware runs, with its own caching headers, so they stay cacheable."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with Django's other never-cache headers) on
    every response Django makes. Every page also carries a fresh CSP nonce,
    so a stored copy would be stale anyway. Place it right after WhiteNoise,
    so that the responses of the middleware inside it (the kiosk lock's
    redirect, a lockout page) are covered too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
