"""Where a request came from: the one way Tether reads a client's address, for
the audit trail and anything else that records it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client: from the header the trusted reverse proxy
    sets (`TETHER_TRUSTED_PROXY_HEADER`, e.g. `X-Forwarded-For`) when Tether
    runs behind one, else the address of the connection (REMOTE_ADDR). None
    when neither holds an address.

    From a list such as X-Forwarded-For only the last entry counts: the one the
    trusted proxy added. The entries before it came from the client, which may
    write anything there."""
    header = getattr(settings, "TETHER_TRUSTED_PROXY_HEADER", "")
    if header:
        forwarded = request.META.get(_meta_key(header), "")
        address = _address(forwarded.split(",")[-1])
        if address is not None:
            return address
    return _address(request.META.get("REMOTE_ADDR", ""))


def _meta_key(header: str) -> str:
    """`X-Forwarded-For` (as an operator writes it) or `HTTP_X_FORWARDED_FOR`
    (as Django keeps it) → the key in request.META."""
    key = header.strip().upper().replace("-", "_")
    return key if key.startswith("HTTP_") else f"HTTP_{key}"


def _address(text: str) -> str | None:
    """The address in its one written form (IPv6 compressed), or None."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
