"""The address a request came from, behind the reverse proxy the site
trusts (TETHER_TRUSTED_PROXY_HEADER, TETHER_TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: with a trusted proxy, the address the outermost
    trusted proxy received the request from, read from the right of its
    header, since each proxy appends the address it was connected from and
    whatever the browser itself sent stands further left; without one, or
    when the header is missing or unreadable, the connection's address."""
    connection = request.META.get("REMOTE_ADDR")
    header = settings.TETHER_TRUSTED_PROXY_HEADER
    if not header:
        return connection
    forwarded = request.META.get(_meta_key(header), "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return connection
    # Fewer hops than proxies: the request passed fewer of them, and the
    # leftmost hop was still added by one of them.
    candidate = hops[-min(settings.TETHER_TRUSTED_PROXY_COUNT, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return connection


def _meta_key(header: str) -> str:
    """`X-Forwarded-For` → `HTTP_X_FORWARDED_FOR`, as Django's request.META."""
    key = header.strip().upper().replace("-", "_")
    return key if key.startswith("HTTP_") else f"HTTP_{key}"
