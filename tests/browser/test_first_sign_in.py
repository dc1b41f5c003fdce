"""A new clinician's first sign-in in a real browser (Debian's chromium): the
administrator adds them and reads out the temporary password and enrolment
code shown once; on a phone (390×844) the clinician signs in, enters the
enrolment code, sets up an authenticator app and sees the backup codes. Every
page of the enrolment is scanned with axe-core: no serious or critical
violations, and nothing wider than the phone."""

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from tests.browser.test_clinic_setup import PASSWORD, sign_in
from tests.browser.test_portal_journeys import scan

from tether.accounts.models import EnrolmentCode, Organization, Role, User


@pytest.fixture
def rosa(transactional_db):
    org = Organization.objects.create(name="Riverside Clinic", slug="riverside")
    rosa = User.objects.create_user(
        "rosa",
        password=PASSWORD,
        organization=org,
        roles={Role.ADMIN},
        first_name="Rosa",
        last_name="Diaz",
    )
    TOTPDevice.objects.create(user=rosa, name="phone", confirmed=True)
    return rosa


def fits_the_width(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_new_clinician_enrols_with_the_code_the_administrator_read_out(
    live_server, browser, page, rosa
):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, rosa)
    page.get_by_role("link", name="Users", exact=True).first.click()
    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("Username").fill("dr.lee")
    page.get_by_label("Clinician:").check()
    page.get_by_label("Show me a temporary password to pass on").check()
    page.get_by_role("button", name="Add the user").click()
    expect(page.get_by_text("dr.lee was added")).to_be_visible()
    scan(page, "user added with an enrolment code")
    password = page.locator("code").nth(0).inner_text()
    code = page.locator("code.enrolment-code").inner_text()
    assert re.fullmatch(r"(\w{4}-){3}\w{4}", code)

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(live_server.url + "/")
    phone.get_by_label("Username").fill("dr.lee")
    phone.get_by_label("Password").fill(password)
    phone.get_by_role("button", name="Sign in").click()
    expect(
        phone.get_by_role("heading", name="Enter your enrolment code")
    ).to_be_visible()
    scan(phone, "enrolment code")
    assert fits_the_width(phone)
    phone.get_by_label("Enrolment code").fill("AAAA-BBBB-CCCC-DDDD")
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_text("That enrolment code did not match.")).to_be_visible()
    scan(phone, "enrolment code refused")
    phone.get_by_label("Enrolment code").fill(code.lower())
    phone.get_by_role("button", name="Continue").click()

    expect(
        phone.get_by_role("heading", name="Set up your second factor")
    ).to_be_visible()
    scan(phone, "authenticator set-up")
    assert fits_the_width(phone)
    lee = User.objects.get(username="dr.lee")
    device = TOTPDevice.objects.get(user=lee, confirmed=False)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    phone.locator("input[name=code]").fill(f"{token:06d}")
    phone.get_by_role("button", name="Confirm").click()
    expect(phone.get_by_role("heading", name="Your backup codes")).to_be_visible()
    scan(phone, "backup codes")
    assert fits_the_width(phone)
    phone.get_by_role("link", name=re.compile("I have saved my codes")).click()
    expect(phone.get_by_role("heading", name="Caseload")).to_be_visible()
    assert not EnrolmentCode.objects.filter(user=lee).exists()
    phone.close()
