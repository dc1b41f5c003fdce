"""Response headers Django's SecurityMiddleware does not set."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
    "xr-spatial-tracking",
)
"""Browser features no Tether page uses. A page that is made to load a
script it should not (the CSP's job to prevent) still cannot turn on a
camera or microphone in a therapy room, locate a family, or tell an
advertising profile what was visited (`browsing-topics`). Copying a link
(`clipboard-write`) and full screen stay allowed."""

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)


class PermissionsPolicyMiddleware:
    """Adds `Permissions-Policy` (W3C Permissions Policy) to every response;
    first in MIDDLEWARE, so redirects and static files have it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
