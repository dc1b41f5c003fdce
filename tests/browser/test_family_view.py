"""The family view of the demo's Rivera family in a real browser (Debian's
chromium), at 1280×900 and 390×844: the alliance of the adults who share it
and the progress of everyone who shares it, large and calm, without a name,
an alert or anyone's answers; no accessibility violation (axe-core), nothing
wider than the screen. And the page where a clinician records a member's
choice, reached from the case page's members panel.

TETHER_SCREENSHOTS=1 refreshes docs/screenshots/family-view.png and
member-sharing.png; otherwise the pictures go to a temporary folder."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.browser.axe import scan
from tests.browser.signing import signed_in_cookies

from tether.care.models import Case
from tether.demo.clinic import SHOWCASE_LABEL, seed_demo_clinic

SIZES = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("TETHER_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "tether-screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def demo(transactional_db):
    """The demo clinic as `tether demo` seeds it (its Riveras' choices
    included): about 15 s, so each test goes through both sizes."""
    return seed_demo_clinic()


@pytest.fixture
def ames_browser(browser, live_server, demo):
    def open_at(size):
        context = browser.new_context(viewport=SIZES[size])
        ames = demo.accounts["dr.ames"]
        context.add_cookies(signed_in_cookies(ames, live_server))
        return context

    return open_at


def test_the_riveras_family_view_is_calm_named_by_no_one_and_accessible(
    ames_browser, live_server, demo
):
    for size in SIZES:
        the_family_view(ames_browser(size), live_server, demo, size)


def the_family_view(context, live_server, demo, size):
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    case = Case.objects.get(pk=demo.showcase_case_id)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Family view", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Our work together")
    expect(page.get_by_text(SHOWCASE_LABEL).first).to_be_visible()
    alliance = page.get_by_role("img", name=re.compile("How the work together feels"))
    expect(alliance).to_be_visible()
    # The demo's Riveras: Maria shares her alliance, Leo keeps his to himself.
    expect(
        page.get_by_text("From the check-ins of 1 member who chose to share them.")
    ).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile("Stress after trauma"))
    ).to_be_visible()
    shown = page.locator("body").inner_text()
    for member in case.members.all():
        assert member.first_name not in shown
    for word in ("alert", "risk", "rupture", "crisis"):
        assert word not in shown.lower()

    page.get_by_text("The same numbers as a table").first.click()
    table = page.get_by_role("table", name="How the work together feels")
    expect(table.get_by_role("columnheader", name="Family")).to_be_visible()

    scan(page, f"family view ({size})")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    if size == "desktop":
        page.get_by_text("The same numbers as a table").first.click()  # closed again
        page.screenshot(path=SCREENSHOTS / "family-view.png", full_page=True)
    page.get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nuestro trabajo juntos")
    assert errors == []
    context.close()


def test_a_members_choice_is_recorded_from_the_members_panel(
    ames_browser, live_server, demo
):
    for size in SIZES:
        a_choice_recorded(ames_browser(size), live_server, demo, size)


def a_choice_recorded(context, live_server, demo, size):
    page = context.new_page()
    case = Case.objects.get(pk=demo.showcase_case_id)
    leo = case.members.get(first_name="Leo")
    page.goto(f"{live_server.url}/cases/{case.pk}/#family-sharing")
    panel = page.locator("#members")
    expect(
        panel.get_by_text("What each member shares in the family view")
    ).to_be_visible()
    panel.get_by_text("Change Leo's choice").click()
    scan(page, f"case page, a sharing choice open ({size})")

    panel.get_by_role("link", name="Leo's choices so far").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("What Leo shares")
    page.get_by_label("Alliance: their check-in scores").check()
    page.get_by_role("button", name="Save the choice").click()
    expect(page.locator(".error-summary")).to_be_visible()  # not yet asked
    scan(page, f"member sharing, refused ({size})")
    page.get_by_label("Leo's own choice").check()
    page.get_by_label("I asked them just now, and this is what they chose").check()
    page.get_by_role("button", name="Save the choice").click()
    expect(
        page.get_by_text("Leo's choice for the family view is saved.")
    ).to_be_visible()
    assert leo.sharing_choices.latest("set_at").alliance
    page.goto(f"{live_server.url}/cases/{case.pk}/members/{leo.pk}/sharing/")
    scan(page, f"member sharing ({size})")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    if size == "desktop":
        page.screenshot(path=SCREENSHOTS / "member-sharing.png", full_page=True)
    context.close()
