"""A new clinic's administrator in a real browser (Debian's chromium), at
1280×900 and on a phone (390×844): signs in with a TOTP code, sees the
first-run checklist, adds a clinician with the roles checkboxes, chooses the
United Kingdom's crisis lines and the clinic's contacts, adds a monthly GAD-7
for caregivers to the clinic's default measure plan, and the checklist is
gone. Every page added for this is scanned with axe-core: no serious or
critical violations."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from tests.browser.axe import scan
from tests.browser.signing import PASSWORD, sign_in

from tether.accounts.models import CrisisRegion, Organization, Role, User


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


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
    ids=["wide", "phone"],
)
def test_an_administrator_sets_up_a_new_clinic(live_server, page, rosa, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, live_server.url, rosa)
    expect(page).to_have_url(re.compile(r"/cases/assignments/$"))
    expect(page.get_by_role("heading", name="Setting up your clinic")).to_be_visible()
    scan(page, "case assignments")

    page.get_by_role("link", name="Users", exact=True).first.click()
    scan(page, "users")
    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("Username").fill("dr.lee")
    page.get_by_label("Email address").fill("lee@riverside.example")
    page.get_by_label("Clinician:").check()
    page.get_by_label("Administrator:").check()
    page.get_by_role("button", name="Add the user").click()
    expect(page.get_by_text("dr.lee was added")).to_be_visible()
    assert User.objects.get(username="dr.lee").roles == {Role.CLINICIAN, Role.ADMIN}

    page.get_by_role("link", name="Clinic settings", exact=True).first.click()
    scan(page, "clinic settings")
    page.get_by_label("United Kingdom").check()
    page.get_by_label("The clinic's own contacts").fill("Duty line: 0161 496 0000")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_text("The clinic settings were saved.")).to_be_visible()

    checklist = page.locator("section", has_text="Setting up your clinic")
    checklist.get_by_role("link", name="Default measure plan").click()
    expect(page.get_by_text("This is Tether's default.")).to_be_visible()
    scan(page, "clinic's default measure plan")
    page.get_by_label("Questionnaire:").select_option(value="gad-7")
    page.get_by_role("checkbox", name="Caregiver").check()
    page.get_by_role("radio", name=re.compile("Monthly")).check()
    page.get_by_role("button", name="Add to the plan").click()
    expect(page.get_by_text("Added to the clinic's default plan.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^GAD-7"))).to_be_visible()
    expect(page.get_by_role("heading", name="Setting up your clinic")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_role("link", name="Clinic settings", exact=True).first.click()
    page.get_by_text(re.compile("What members see now")).click()
    expect(page.get_by_text("Samaritans: call 116 123").first).to_be_visible()
    rosa.organization.refresh_from_db()
    assert rosa.organization.crisis_region == CrisisRegion.GB

    page.get_by_role("link", name="Help").first.click()
    expect(page.get_by_role("heading", name="Setting up a clinic")).to_be_visible()
    scan(page, "help")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
