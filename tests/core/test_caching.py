"""No page Tether renders stays in the browser's cache; static files do
(core/caching.py; docs/security.md §Kiosk and shared devices)."""

import pytest
from django.conf import settings

from tether.core.caching import NoStoreMiddleware

MIDDLEWARE = f"{NoStoreMiddleware.__module__}.{NoStoreMiddleware.__name__}"


def never_stored(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    return {"no-store", "private", "max-age=0"} <= directives


@pytest.mark.parametrize(
    "url", ["/cases/", "/cases/{case}/", "/sessions/{session}/", "/help/kiosk/"]
)
def test_a_signed_in_page_is_never_stored(sign_in, ames, rivera, first_session, url):
    page = sign_in(ames).get(url.format(case=rivera.pk, session=first_session.pk))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert never_stored(page)


def test_a_signed_in_error_page_and_redirect_are_never_stored(sign_in, ames):
    client = sign_in(ames)
    missing = client.get("/cases/999999/")
    assert missing.status_code == 404
    assert never_stored(missing)
    moved = client.get("/")
    assert moved.status_code == 302
    assert never_stored(moved)


def test_the_sign_in_page_is_never_stored_either(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert never_stored(page)


@pytest.mark.parametrize("path", ["core/tether.css", "portal/portal.css"])
def test_a_static_file_stays_cacheable(client, db, path):
    """`db`: closing the response ends the request, which tidies connections."""
    response = client.get(settings.STATIC_URL + path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)
    assert "no-store" not in response["Cache-Control"]
    assert "max-age=0" not in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    response.close()


def test_the_middleware_comes_right_after_whitenoise():
    """Inside it, every response Django makes (the kiosk lock's redirect, a
    lockout page); outside it, only WhiteNoise's static files."""
    order = settings.MIDDLEWARE
    whitenoise = order.index("whitenoise.middleware.WhiteNoiseMiddleware")
    assert order.index(MIDDLEWARE) == whitenoise + 1
