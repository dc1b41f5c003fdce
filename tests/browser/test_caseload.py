"""The caseload in a real browser (Debian's chromium): the case with a risk
answer today is the first row and says so, ahead of a case with six red
alerts; on a phone the caseload is a list of cards that fits the screen, and
Sign out is on it. The sign-in pages and the caseload pass axe-core at both
sizes."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from tests.browser.axe import scan
from tests.browser.signing import PASSWORD, sign_in

from tether.accounts.models import Organization, User
from tether.care import services
from tether.care.models import Signal


def alert(case, kind, session, subject, **evidence):
    Signal.objects.create(
        organization=case.organization,
        case=case,
        kind=kind,
        severity="red",
        subject=subject,
        instrument=evidence.get("instrument", ""),
        session_number=session,
        evidence=evidence,
    )


@pytest.fixture
def clinic(transactional_db):
    org = Organization.objects.create(name="Northside Clinic", slug="northside")
    ames = User.objects.create_user(
        "ames",
        password=PASSWORD,
        organization=org,
        is_clinician=True,
        first_name="Dr.",
        last_name="Ames",
    )
    device = TOTPDevice.objects.create(user=ames, name="phone", confirmed=True)
    today = timezone.localdate()
    busy = services.create_case(ames, "Adams couple", "couple")
    ann = services.add_member(ames, busy.pk, "Ann", "identified-client", "18+")
    for number in range(1, 19):
        services.start_session(ames, busy.pk, today - dt.timedelta(weeks=18 - number))
    for session in (6, 11, 18):
        for instrument in ("pcl-5", "phq-9"):
            alert(
                busy,
                "meaningful-worsening",
                session,
                f"member:{ann.pk}",
                instrument=instrument,
            )
    rivera = services.create_case(ames, "Rivera family", "family")
    maria = services.add_member(ames, rivera.pk, "Maria", "caregiver", "18+")
    services.start_session(ames, rivera.pk, today)
    alert(
        rivera,
        "risk-item",
        1,
        f"member:{maria.pk}",
        instrument="phq-9",
        member=str(maria.pk),
        item="9",
        value=2,
    )
    return device


def signed_in_with_scans(page, url, device, size):
    """Signs Dr. Ames in through the pages, scanning each with axe-core, and
    scans the caseload too."""
    sign_in(page, url, device.user, lambda page, name: scan(page, f"{name} ({size})"))
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    scan(page, f"caseload ({size})")


def test_the_risk_case_is_the_first_row_and_says_risk(live_server, page, clinic):
    page.set_viewport_size({"width": 1280, "height": 900})
    signed_in_with_scans(page, live_server.url, clinic, "desktop")
    first = page.locator("table.caseload tbody tr").first
    expect(first.get_by_role("link").first).to_have_text("Rivera family")
    expect(first).to_contain_text(re.compile(r"\brisk\b", re.I))
    expect(first).to_contain_text(
        "Risk item endorsed on PHQ-9 — Maria, session 1, today"
    )
    second = page.locator("table.caseload tbody tr").nth(1)
    expect(second).to_contain_text("Open: 6 red")


def test_on_a_phone_the_cases_are_cards_and_sign_out_is_on_screen(
    live_server, page, clinic
):
    page.set_viewport_size({"width": 390, "height": 844})
    signed_in_with_scans(page, live_server.url, clinic, "phone")
    sign_out = page.get_by_role("button", name="Sign out")
    box = sign_out.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= 844
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = page.locator("table.caseload tbody tr").first
    card = first.bounding_box()
    assert card is not None
    assert card["width"] <= 390
    assert first.evaluate("row => getComputedStyle(row).display") == "grid"
    expect(first).to_contain_text("Risk item endorsed")
