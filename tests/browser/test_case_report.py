"""The Print report (PDF) button in a real browser (Debian's chromium), at a
desktop's and a phone's size: it is on the case page, which stays accessible;
it answers with the case's PDF; and where WeasyPrint cannot load Pango, the
page it opens says what to install, accessibly and within the screen."""

import pytest
from playwright.sync_api import expect
from tests.browser.axe import scan
from tests.browser.signing import signed_in_cookies

from tether.accounts.models import Organization, User
from tether.care import services
from tether.reports import case_report

SIZES = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.fixture
def rivera(transactional_db):
    org = Organization.objects.create(name="Northside Clinic", slug="northside")
    ames = User.objects.create_user(
        "ames", organization=org, is_clinician=True, first_name="Dr."
    )
    case = services.create_case(ames, "Rivera family", "family")
    services.add_member(ames, case.pk, "Maria", "caregiver", "18+")
    services.add_member(ames, case.pk, "Leo", "identified-client", "13-17")
    return {"ames": ames, "case": case}


def signed_in_page(browser, live_server, user, size):
    context = browser.new_context(viewport=SIZES[size])
    context.add_cookies(signed_in_cookies(user, live_server))
    return context, context.new_page()


@pytest.mark.parametrize("size", SIZES)
def test_the_case_page_offers_the_report_and_it_is_a_pdf(
    live_server, browser, rivera, size
):
    context, page = signed_in_page(browser, live_server, rivera["ames"], size)
    page.goto(f"{live_server.url}/cases/{rivera['case'].pk}/")
    button = page.get_by_role("link", name="Print report (PDF)")
    expect(button).to_be_visible()
    scan(page, f"case page with the report button ({size})")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    response = page.request.get(live_server.url + button.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_without_pango_the_button_opens_a_page_that_says_what_to_install(
    live_server, browser, rivera, size, monkeypatch
):
    def no_pango(name):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(case_report, "import_module", no_pango)
    context, page = signed_in_page(browser, live_server, rivera["ames"], size)
    page.goto(f"{live_server.url}/cases/{rivera['case'].pk}/")
    page.get_by_role("link", name="Print report (PDF)").click()
    expect(
        page.get_by_role("heading", name="The PDF report cannot be made on this server")
    ).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "apt install libpango-1.0-0 libpangoft2-1.0-0"
    )
    scan(page, f"case report unavailable ({size})")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    page.get_by_role("link", name="← Rivera family").click()
    expect(page.get_by_role("heading", name="Rivera family")).to_be_visible()
    context.close()
