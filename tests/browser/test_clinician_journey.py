"""A clinician's journey in a real browser (Debian's chromium): sign in with a
TOTP code, open the caseload, open a family case, see the alliance at each
level, enter a paper PCL-5 and see the new point and its alert, acknowledge it."""

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from tests.browser.axe import scan
from tests.browser.signing import PASSWORD, sign_in

from tether.accounts.models import Organization, Role, User
from tether.care import services


@pytest.fixture
def clinic(transactional_db):
    org = Organization.objects.create(name="Northside Clinic", slug="northside")
    ames = User.objects.create_user(
        "ames",
        password=PASSWORD,
        organization=org,
        roles={Role.CLINICIAN},
        first_name="Dr.",
        last_name="Ames",
    )
    device = TOTPDevice.objects.create(user=ames, name="phone", confirmed=True)
    case = services.create_case(ames, "Rivera family", "family")
    maria = services.add_member(ames, case.pk, "Maria", "caregiver", "18+")
    leo = services.add_member(ames, case.pk, "Leo", "identified-client", "13-17")
    for number, (leo_tac, maria_tac) in enumerate(
        [(3.4, 3.3), (3.5, 3.4), (3.4, 3.5), (1.4, 3.5)], start=1
    ):
        session = services.start_session(
            ames, case.pk, dt.date(2026, 11, number), [maria.pk, leo.pk]
        )
        services.enter_paper_response(
            ames, session.pk, "tac", leo.pk, totals={"self": leo_tac}
        )
        services.enter_paper_response(
            ames, session.pk, "tac", maria.pk, totals={"self": maria_tac}
        )
        services.enter_paper_response(
            ames,
            session.pk,
            "tac-t",
            None,
            respondent="therapist",
            totals={"family": 3.3},
        )
    return {"case": case, "leo": leo, "device": device, "session": session}


def test_a_clinician_signs_in_finds_the_rupture_enters_a_pcl5_and_acknowledges_an_alert(
    live_server, page, clinic
):
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )

    sign_in(page, live_server.url, clinic["device"].user)

    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    page.get_by_role("link", name="Rivera family").click()
    expect(
        page.get_by_role("heading", name=re.compile("Rivera family"))
    ).to_be_visible()
    expect(page.get_by_text("Possible alliance rupture").first).to_be_visible()
    scan(page, "case page (desktop)")

    names = page.locator("#charts .line-name").all_text_contents()
    assert any("Leo" in name for name in names)
    assert any("Maria" in name for name in names)
    assert any("family" in name.lower() for name in names)
    assert any("herapist" in name for name in names)

    page.goto(f"{live_server.url}/sessions/{clinic['session'].pk}/")
    page.locator("select[name=instrument]").select_option("pcl-5@past-week")
    page.locator("select[name=who]").select_option(f"member:{clinic['leo'].pk}")
    page.get_by_role("button", name="Show the form").click()
    page.wait_for_selector("[name=item_20]")
    scan(page, "session page with a paper form (desktop)")
    for item in range(1, 21):
        page.locator(f"[name=item_{item}]").fill("3" if item == 16 else "2")
    page.locator("#entry-form button[type=submit]").click()

    expect(page.get_by_text("Risk item endorsed").first).to_be_visible()
    leo = page.locator("#pcl5-chart .series", has_text="Leo")
    assert leo.locator("circle title").all_text_contents() == ["Leo, 4: 41"]

    card = page.locator("article.alert", has_text="Risk item endorsed").first
    card.locator("textarea[name=note]").fill("Safety plan reviewed with Leo today.")
    card.get_by_label("Useful", exact=True).check()
    card.screenshot(path=Path(tempfile.gettempdir()) / "alert-feedback.png")
    card.get_by_role("button", name="Acknowledge").click()
    expect(
        page.get_by_text("Safety plan reviewed with Leo today.").first
    ).to_be_visible()
    expect(page.get_by_text("Marked useful.").first).to_be_visible()
    scan(page, "case page after acknowledging (desktop)")
    assert errors == []
