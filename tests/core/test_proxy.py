"""The client's address: the connection's own, or behind the trusted proxy
the one the proxy saw, never what the browser wrote into the header."""

import pytest
from django.test import RequestFactory

from tether.core.proxy import client_ip

PROXY = "10.0.0.2"


def request_from(remote_addr=PROXY, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = ""
    request = request_from("198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "198.51.100.7"


def test_behind_one_proxy_the_rightmost_forwarded_address_is_the_client(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TETHER_TRUSTED_PROXY_COUNT = 1
    # The browser sent "1.2.3.4" itself; the proxy appended the real address.
    request = request_from(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_behind_two_proxies_the_second_address_from_the_right(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TETHER_TRUSTED_PROXY_COUNT = 2
    request = request_from(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.0.0.1")
    assert client_ip(request) == "203.0.113.9"
    # Through the inner proxy alone: its single entry is still trustworthy.
    request = request_from(HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_a_single_address_header_such_as_x_real_ip(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = "X-Real-IP"
    settings.TETHER_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(HTTP_X_REAL_IP="2001:db8::7")) == "2001:db8::7"


@pytest.mark.parametrize("forwarded", [None, "", "unknown", "203.0.113.9:443"])
def test_a_missing_or_unreadable_header_gives_the_connection_address(
    settings, forwarded
):
    settings.TETHER_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TETHER_TRUSTED_PROXY_COUNT = 1
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    assert client_ip(request_from(**headers)) == PROXY
