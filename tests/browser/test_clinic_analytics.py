"""The clinic analytics page in a real browser (Debian's chromium), on the
demo clinic as its supervisor (sam.supervisor), at desktop and phone size:
every chart is an image with a name and a description, its numbers are in a
table, the page does not scroll sideways, axe-core finds nothing serious,
and the TAC warning of the instrument page leads to the TAC's figures.

TETHER_SCREENSHOTS=1 refreshes docs/screenshots/clinic-analytics.png (and
the phone picture); otherwise they go to a temporary folder."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.browser.axe import scan
from tests.browser.signing import signed_in_cookies

from tether.demo.clinic import SUPERVISOR, seed_demo_clinic

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
    return seed_demo_clinic()


def test_the_supervisor_reads_the_clinic_analytics_at_desktop_and_phone_size(
    live_server, browser, demo
):
    sam = demo.accounts[SUPERVISOR[0]]
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport)
        context.add_cookies(signed_in_cookies(sam, live_server))
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda m, errors=errors: (
                errors.append(m.text) if m.type == "error" else None
            ),
        )
        page.goto(f"{live_server.url}/instruments/tac/")
        page.get_by_role(
            "link", name="See its reliability on your clinic's data"
        ).click()
        expect(page).to_have_url(re.compile(r"/clinic/analytics/#tac$"))
        expect(page.get_by_role("heading", name="Clinic analytics")).to_be_visible()

        tac = page.locator("#tac")
        expect(
            tac.get_by_role("heading", name="Tether Alliance Check-in (TAC)")
        ).to_be_visible()
        expect(tac.get_by_role("img", name=re.compile("Cronbach's α"))).to_be_visible()
        expect(
            tac.get_by_role("columnheader", name="Reliable change (points)")
        ).to_be_visible()
        expect(
            tac.get_by_text(re.compile(r"needs 30 people who answered every item"))
        ).not_to_have_count(0)
        # Too few clients for an expected-response model: how many more, not a curve.
        expect(
            page.locator("#expected").get_by_text(re.compile("needs 100 clients"))
        ).not_to_have_count(0)
        outcome = page.locator("#alliance-outcome")
        expect(
            outcome.get_by_text(re.compile("associations, not effects"))
        ).to_be_visible()
        expect(
            outcome.get_by_role("img", name=re.compile("next session"))
        ).not_to_have_count(0)
        coverage = page.locator("#coverage")
        expect(coverage.get_by_role("img", name="Sessions measured")).to_be_visible()
        expect(
            coverage.get_by_role("rowheader", name="Any questionnaire")
        ).to_be_visible()

        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (
            f"{size}: the page scrolls sideways ({width}px)"
        )
        assert errors == []
        scan(page, f"clinic analytics ({size})")
        page.evaluate("window.scrollTo(0, 0)")
        if size == "desktop":  # the top of the page: the TAC's figures
            page.screenshot(
                path=SCREENSHOTS / "clinic-analytics.png",
                full_page=True,
                clip={"x": 0, "y": 0, "width": 1280, "height": 1500},
            )
        else:  # for looking at while working on the page; not kept in docs/
            page.screenshot(
                path=Path(tempfile.gettempdir()) / "clinic-analytics-phone.png",
                full_page=True,
            )
        context.close()
