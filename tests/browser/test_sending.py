"""Sending questionnaires in one click (issue #11 item 8), in Debian's
chromium: from the session page, every attending member's link from the
measure plan, each with its QR code, pointing where the page was served; the
plan page and the link pages pass axe at desktop and phone size."""

import re

import pytest
from tests.browser import test_portal_journeys as journeys
from tests.browser.axe import scan
from tests.browser.signing import signed_in_cookies

from tether.care import services as care

family = journeys.family
"""The Rivera family of the portal journeys: four members, all attending."""

SIZES = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.mark.parametrize("size", SIZES)
def test_one_click_on_the_session_page_gives_every_attending_member_a_link(
    live_server, browser, family, settings, size
):
    settings.TETHER_BASE_URL = ""
    care.add_to_plan(family["ames"], family["case"].pk, "gad-7", ["caregiver"])
    context = browser.new_context(viewport=SIZES[size])
    context.add_cookies(signed_in_cookies(family["ames"], live_server))
    page = context.new_page()
    page.goto(live_server.url + f"/cases/{family['case'].pk}/plan/")
    scan(page, f"measure plan ({size})")
    assert "GAD-7" in page.locator("main").inner_text()
    page.goto(live_server.url + f"/sessions/{family['session'].pk}/")
    scan(page, f"session ({size})")
    page.get_by_role("button", name="Send to everyone attending").click()
    page.wait_for_load_state()
    scan(page, f"links for everyone ({size})")
    headings = page.locator("li.issued-link h2").all_inner_texts()
    names = sorted(h.split()[0] for h in headings)
    assert names == ["Ana", "Jorge", "Leo", "Maria"]
    assert page.locator("li.issued-link svg").count() == 4
    maria = next(h for h in headings if h.startswith("Maria"))
    assert "GAD-7" in maria  # the plan's caregiver questionnaire
    ana = next(h for h in headings if h.startswith("Ana"))
    assert "TAC-C" in ana
    assert "TAC," not in ana  # the adult form is never offered to a child
    urls = page.locator("li.issued-link input[readonly]").evaluate_all(
        "fields => fields.map(f => f.value)"
    )
    assert all(re.match(re.escape(live_server.url) + r"/q/[^/]+/$", u) for u in urls)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"]
    context.close()
