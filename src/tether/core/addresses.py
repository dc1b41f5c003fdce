"""Where a request came from: the one way Tether reads a client's address, for
the sign-in lockout (django-axes' AXES_CLIENT_IP_CALLABLE), the audit trail
and anything else that records it, behind the reverse proxy the site trusts
(TETHER_TRUSTED_PROXY_HEADER, TETHER_TRUSTED_PROXY_COUNT; docs/operations.md)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: with a trusted proxy, the address the outermost
    trusted proxy received the request from, read from the right of its
    header, since each proxy appends the address it was connected from and
    whatever the browser itself sent stands further left; without one, or
    when the header is missing or unreadable, the connection's address
    (REMOTE_ADDR). In its one written form (IPv6 compressed); None when
    neither holds an address."""
    connection = _address(request.META.get("REMOTE_ADDR", ""))
    header = getattr(settings, "TETHER_TRUSTED_PROXY_HEADER", "")
    if not header:
        return connection
    forwarded = request.META.get(_meta_key(header), "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return connection
    # Fewer hops than proxies: the request passed fewer of them, and the
    # leftmost hop was still added by one of them.
    count = getattr(settings, "TETHER_TRUSTED_PROXY_COUNT", 1)
    return _address(hops[-min(count, len(hops))]) or connection


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
