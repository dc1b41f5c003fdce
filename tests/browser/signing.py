"""Signing a clinician in for a browser test: through the pages (username,
password, then the authenticator's current code), or straight into a fresh
browser context's cookies when the sign-in itself is not under test."""

import re

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

PASSWORD = "correct horse battery staple"
"""The password every browser test's clinicians are created with."""


def current_code(device):
    """The six digits the person's authenticator shows now."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def sign_in(page, url, user, on_each_page=lambda page, name: None):
    """Signs `user` in through the pages; `on_each_page(page, name)` runs on the
    sign-in page and on the second-factor page (an accessibility scan, say)."""
    device = TOTPDevice.objects.get(user=user)
    page.goto(url + "/")
    on_each_page(page, "sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/verify/"))
    on_each_page(page, "second factor")
    page.locator("input[name=code]").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()


def signed_in_cookies(user, live_server):
    """A clinician signed in with a verified second factor, as cookies."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    host = live_server.url.split("//")[1].split(":")[0]
    return [
        {
            "name": "sessionid",
            "value": client.cookies["sessionid"].value,
            "domain": host,
            "path": "/",
        }
    ]
