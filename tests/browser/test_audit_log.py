"""An administrator reads the audit log in a real browser (Debian's chromium),
wide and on a phone: from the navigation, filtered by person, with names and
actions in words; axe-core finds no serious or critical violation, and the
page does not scroll sideways (the table scrolls within itself)."""

import pytest
from playwright.sync_api import expect
from tests.browser.test_clinic_setup import rosa, sign_in  # noqa: F401  (a fixture)
from tests.browser.test_portal_journeys import scan

from tether.accounts.models import Role, User
from tether.audit.services import record


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
    ids=["wide", "phone"],
)
def test_an_administrator_reads_the_audit_log(live_server, page, rosa, viewport):  # noqa: F811
    lee = User.objects.create_user(
        "lee", organization=rosa.organization, roles={Role.CLINICIAN}, first_name="Lee"
    )
    record(lee, "read", "caseload")
    page.set_viewport_size(viewport)
    sign_in(page, live_server.url, rosa)
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Signed in with a password")
    expect(table).to_contain_text("Lee")
    scan(page, "audit log")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_label("Person").select_option(label="Lee")
    page.get_by_role("button", name="Show").click()
    expect(table).to_contain_text("Viewed")
    expect(table).not_to_contain_text("Rosa")
