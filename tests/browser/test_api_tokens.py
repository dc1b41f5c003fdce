"""A person's API tokens in a real browser (Debian's chromium), at desktop and
phone size: from the link in the header, after a first try without a name
(refused with a message), they make a token, see its secret once with a
working copy button, find only its first characters after leaving the page,
and revoke it after the confirming sentence. axe-core finds no violation at
all (minor ones included) at each step, and neither the header nor the page
scrolls sideways.

The person holds every role and a long name: the widest header there is."""

import os
import re

import pytest
from playwright.sync_api import expect
from tests.browser.axe import SCANNED, scan
from tests.browser.signing import signed_in_cookies

from tether.accounts.models import ApiToken, Organization, Role, User

SIZES = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}
SHOTS = os.environ.get("TETHER_SCREENSHOTS", "")
"""A folder to keep screenshots in while working on the page (unset: none)."""


@pytest.fixture
def alexandra(transactional_db):
    org = Organization.objects.create(name="Riverside Clinic", slug="riverside")
    return User.objects.create_user(
        "alexandra",
        organization=org,
        roles={Role.CLINICIAN, Role.SUPERVISOR, Role.ADMIN},
        first_name="Alexandra",
        last_name="Montgomery-Fitzgerald",
    )


def clean_scan(page, name):
    """axe-core finds nothing at all, minor and moderate included."""
    scan(page, name)
    assert SCANNED[name] == []


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    link = page.locator(".account").get_by_role("link", name="API tokens")
    box = link.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width


@pytest.mark.parametrize("size", SIZES)
def test_a_person_makes_copies_and_revokes_a_token(
    live_server, browser, alexandra, size
):
    context = browser.new_context(viewport=SIZES[size])
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.add_cookies(signed_in_cookies(alexandra, live_server))
    page = context.new_page()
    page.goto(live_server.url + "/instruments/")
    page.locator(".account").get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="Your API tokens")).to_be_visible()
    fits(page, SIZES[size]["width"])
    clean_scan(page, f"API tokens ({size})")
    shot(page, f"tokens-{size}-empty")

    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_text("Give the token a name")).to_be_visible()
    clean_scan(page, f"API token refused ({size})")

    page.get_by_label("Name").fill("Monthly report script")
    page.get_by_role("radio", name=re.compile("^Read and write")).check()
    expect(page.get_by_label("Works for")).to_have_value("90")
    page.get_by_label("Works for").select_option(label="30 days")
    page.get_by_role("button", name="Make the token").click()

    secret_field = page.get_by_label("The token (select and copy)")
    expect(secret_field).to_have_value(re.compile(r"^tether_[\w-]{40,}$"))
    secret = secret_field.input_value()
    copy = page.locator("button[data-copy=token-secret]")
    expect(copy).to_have_accessible_name("Copy")
    expect(copy).to_be_visible()
    expect(page.get_by_role("button", name="Copy the command")).to_be_visible()
    fits(page, SIZES[size]["width"])
    clean_scan(page, f"API token made ({size})")
    shot(page, f"tokens-{size}-made")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    command = page.get_by_label(re.compile("^To try it"))
    expect(command).to_have_value(re.compile(rf"Bearer {secret}\" .*/api/v1/cases$"))

    page.goto(live_server.url + "/accounts/tokens/")
    token = ApiToken.objects.get(user=alexandra)
    assert secret not in page.content()
    row = page.get_by_role("row", name=re.compile("Monthly report script"))
    expect(row).to_contain_text(f"{token.prefix}…")
    expect(row).to_contain_text("never")
    expect(row).to_contain_text("active")

    row.locator("summary", has_text="Revoke").click()
    expect(row).to_contain_text("Programs using it stop working at once.")
    clean_scan(page, f"API token revoke step ({size})")
    row.get_by_role("button", name="Yes, revoke it").click()
    expect(page.get_by_text("“Monthly report script” is revoked")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Monthly report"))).to_contain_text(
        "revoked"
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    fits(page, SIZES[size]["width"])
    shot(page, f"tokens-{size}-revoked")
    context.close()
