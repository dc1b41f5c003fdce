"""The client's address: the connection's, or behind the trusted proxy the
one the proxy saw, never what the browser wrote into the header; the same for
the sign-in lockout and the audit trail."""

import pytest
from django.test import RequestFactory

from tether.core.addresses import client_ip


def request(**meta):
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_the_address_of_the_connection_counts(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = ""
    forged = request(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(forged) == "203.0.113.7"


def test_behind_a_proxy_its_header_counts_and_only_the_entry_it_added(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    proxied = request(
        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )
    assert client_ip(proxied) == "203.0.113.7"


def test_the_header_may_be_named_as_django_keeps_it(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = "HTTP_X_REAL_IP"
    assert client_ip(request(REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="203.0.113.9")) == (
        "203.0.113.9"
    )


def test_a_missing_or_garbled_header_falls_back_to_the_connection(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    assert client_ip(request(REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    garbled = request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not an address")
    assert client_ip(garbled) == "10.0.0.2"


def test_an_ipv6_address_is_written_in_its_one_short_form(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = ""
    assert client_ip(request(REMOTE_ADDR="2001:DB8:0:0:0:0:0:1")) == "2001:db8::1"


def test_no_address_at_all_is_none(settings):
    settings.TETHER_TRUSTED_PROXY_HEADER = ""
    assert client_ip(request(REMOTE_ADDR="")) is None


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
