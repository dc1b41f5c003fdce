"""Start-up checks (Django's system check framework: runserver, migrate, the
worker and `tether serve` run them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

BASE_URL_MISSING = "tether.E001"


@register()
def base_url_is_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A production server must know its public address: links in emails,
    text messages and QR codes are read on another device, where the address
    of whatever request happened to issue them (a proxy's, an internal
    host's) may not answer."""
    if settings.DEBUG or settings.DEMO or settings.TETHER_BASE_URL:
        return []
    return [
        Error(
            "TETHER_BASE_URL is not set: Tether does not know the address "
            "that links in emails, text messages and QR codes should point to.",
            hint="Set it to the address people open Tether at, e.g. "
            "TETHER_BASE_URL=https://tether.example.org",
            id=BASE_URL_MISSING,
        )
    ]
