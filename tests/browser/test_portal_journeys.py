"""Clients on their phones, in a real browser (Debian's chromium, 390×844): a
family of four each answers from their own link; one closes the tab halfway
and resumes; a child uses the picture form; a Spanish-speaking parent; used,
expired and tampered links; the risk-item path; the kiosk for three members in
a row. Every client page is scanned with axe-core (from the
axe-playwright-python package, never a CDN): no serious or critical violations."""

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from tests.browser.axe import SCANNED, scan
from tests.browser.signing import signed_in_cookies

from tether.accounts.models import Organization, Role, User
from tether.care import services
from tether.care.models import MeasurePlan, Response
from tether.portal import services as portal

PHONE = {"width": 390, "height": 844}
# TETHER_SCREENSHOTS=1 refreshes the pictures in docs/; otherwise they go to a
# temporary folder, so a test run leaves the work tree as it was.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("TETHER_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "tether-screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def family(transactional_db):
    org = Organization.objects.create(
        name="Northside Clinic",
        slug="northside",
        crisis_contacts="Northside Clinic crisis line: 555-0199",
    )
    ames = User.objects.create_user(
        "ames",
        password="correct horse battery staple",
        organization=org,
        roles={Role.CLINICIAN},
    )
    case = services.create_case(ames, "Rivera family", "family")
    people = {
        "maria": services.add_member(ames, case.pk, "Maria", "caregiver", "18+"),
        "jorge": services.add_member(
            ames, case.pk, "Jorge", "caregiver", "18+", language="es"
        ),
        "leo": services.add_member(ames, case.pk, "Leo", "identified-client", "13-17"),
        "ana": services.add_member(ames, case.pk, "Ana", "child", "8-12"),
    }
    session = services.start_session(
        ames, case.pk, dt.date(2026, 11, 20), [m.pk for m in people.values()]
    )
    return {"ames": ames, "case": case, "session": session, **people}


def link(family, who, instruments):
    _, token = portal.issue_invitation(
        family["ames"], family["session"].pk, family[who].pk, instruments
    )
    return token


def choose(page, name, value):
    page.locator(f"label:has(input[name='{name}'][value='{value}'])").first.click()


def start(page, url, mode="all"):
    page.goto(url)
    scan(page, "welcome")
    choose(page, "mode", mode)
    page.locator("button.primary").click()


def answer_every_item_on_the_page(page, value="3"):
    names = page.eval_on_selector_all(
        "input[type=radio][name^='item-']",
        "inputs => [...new Set(inputs.map(i => i.name))]",
    )
    for name in names:
        choose(page, name, value)
    return names


def send(page):
    page.locator("button.primary").click()


def complete_response(family, who, instrument_prefix):
    return Response.objects.filter(
        member=family[who],
        instrument__startswith=instrument_prefix,
        status=Response.Status.COMPLETE,
    ).count()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context
    context.close()


def test_a_family_of_four_each_answers_from_their_own_link(live_server, phone, family):
    for who, instruments in (
        ("maria", ["tac"]),
        ("jorge", ["tac"]),
        ("leo", ["tac"]),
        ("ana", ["tac-child"]),
    ):
        page = phone.new_page()
        start(page, live_server.url + f"/q/{link(family, who, instruments)}/")
        scan(page, f"questions ({who})")
        answered = answer_every_item_on_the_page(page)
        assert answered
        send(page)
        expect(
            page.get_by_role("heading", name=re.compile("Thank you|Gracias"))
        ).to_be_visible()
        scan(page, "thank you")
        assert "item-" not in page.content()
        if who == "maria":
            page.screenshot(path=SCREENSHOTS / "phone-questions-done.png")
        page.close()
    for who, prefix in (
        ("maria", "tac@"),
        ("jorge", "tac@"),
        ("leo", "tac@"),
        ("ana", "tac-child@"),
    ):
        assert complete_response(family, who, prefix) == 1


def test_closing_the_tab_halfway_and_opening_the_link_again_resumes(
    live_server, phone, family
):
    url = live_server.url + f"/q/{link(family, 'leo', ['tac'])}/"
    page = phone.new_page()
    start(page, url, mode="one")
    for _ in range(4):
        expect(page.get_by_text(re.compile(r"Question \d+ of \d+"))).to_be_visible()
        answer_every_item_on_the_page(page, "2")
        send(page)
    expect(page.get_by_text(re.compile(r"Question 5 of"))).to_be_visible()
    scan(page, "one question per screen")
    page.screenshot(path=SCREENSHOTS / "phone-one-question.png")
    page.close()

    again = phone.new_page()
    again.goto(url)
    again.locator("button.primary").click()
    expect(again.get_by_text(re.compile(r"Question 5 of"))).to_be_visible()
    again.close()
    saved = Response.objects.get(member=family["leo"]).answers
    assert [saved[str(i)] for i in range(1, 5)] == [2, 2, 2, 2]


def test_a_child_answers_with_the_picture_scale(live_server, phone, family):
    page = phone.new_page()
    start(page, live_server.url + f"/q/{link(family, 'ana', ['tac-child'])}/")
    # TAC-C 1.1: four neutral circle pictures per item, no sad-to-happy faces.
    assert page.locator("img[src*='circles-']").count() == 4 * 4
    assert page.locator("img[src*='face-']").count() == 0
    scan(page, "child form")
    page.screenshot(path=SCREENSHOTS / "phone-child-circles.png")
    answer_every_item_on_the_page(page, "3")
    send(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert complete_response(family, "ana", "tac-child@") == 1


def test_a_spanish_speaking_parent_reads_spanish(live_server, phone, family):
    page = phone.new_page()
    page.goto(live_server.url + f"/q/{link(family, 'jorge', ['tac'])}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Empezar")).to_be_visible()
    scan(page, "welcome (Spanish)")
    choose(page, "mode", "all")
    page.locator("button.primary").click()
    expect(
        page.get_by_text("Siento que mi terapeuta me entiende.", exact=False).first
    ).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "phone-spanish.png")
    answer_every_item_on_the_page(page, "3")
    send(page)
    expect(page.get_by_role("heading", name="Gracias")).to_be_visible()


def test_used_expired_and_tampered_links_each_get_a_plain_message(
    live_server, phone, family
):
    used = link(family, "maria", ["tac"])
    page = phone.new_page()
    start(page, live_server.url + f"/q/{used}/")
    answer_every_item_on_the_page(page)
    send(page)
    fresh = phone.browser.new_context(viewport=PHONE).new_page()
    fresh.goto(live_server.url + f"/q/{used}/")
    expect(
        fresh.get_by_text("These questions have already been answered. Thank you.")
    ).to_be_visible()
    scan(fresh, "used link")

    tampered = link(family, "leo", ["tac"])
    fresh.goto(live_server.url + f"/q/{tampered[:-3]}abc/")
    expect(
        fresh.get_by_text(
            "This link is not valid. Please ask your therapist for a new one."
        )
    ).to_be_visible()
    assert tampered not in fresh.content()
    scan(fresh, "invalid link")

    expiring = link(family, "ana", ["tac-child"])
    with time_machine.travel(
        dt.datetime.now(dt.UTC) + dt.timedelta(hours=73), tick=True
    ):
        fresh.goto(live_server.url + f"/q/{expiring}/")
        expect(
            fresh.get_by_text(
                "This link has expired. Please ask your therapist for a new one."
            )
        ).to_be_visible()
        scan(fresh, "expired link")
    fresh.context.close()


def test_a_risk_answer_ends_on_calm_support_information(live_server, phone, family):
    page = phone.new_page()
    start(page, live_server.url + f"/q/{link(family, 'leo', ['phq-9'])}/")
    answer_every_item_on_the_page(page, "0")
    choose(page, "item-9", "1")
    send(page)
    expect(page.get_by_text("988").first).to_be_visible()
    text = page.content()
    assert "838255" in text
    assert "911" in text
    assert "Northside Clinic crisis line: 555-0199" in text
    for promise in ("will see this", "see this now", "low risk", "monitor"):
        assert promise not in text.lower()
    scan(page, "support page")
    page.screenshot(path=SCREENSHOTS / "phone-support.png", full_page=True)
    signal = family["case"].signals.get(kind="risk-item")
    assert (signal.severity, signal.status) == ("red", "open")


def kiosk_tablet(browser, live_server, family):
    """A clinic tablet on which Dr. Ames has started kiosk mode for the session."""
    tablet = browser.new_context(
        viewport={"width": 820, "height": 1180}, has_touch=True
    )
    tablet.add_cookies(signed_in_cookies(family["ames"], live_server))
    page = tablet.new_page()
    page.goto(live_server.url + f"/sessions/{family['session'].pk}/")
    page.get_by_role("button", name="Start kiosk mode on this device").click()
    return tablet, page


def test_three_members_answer_in_turn_at_the_kiosk(live_server, browser, family):
    tablet, page = kiosk_tablet(browser, live_server, family)
    for name in ("Maria", "Leo", "Ana"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
        scan(page, "kiosk list")
        page.get_by_role("button", name=name).click()
        choose(page, "mode", "all")
        page.locator("button.primary").click()
        while page.locator("input[type=radio][name^='item-']").count():
            answer_every_item_on_the_page(page, "3")
            send(page)
        # A risk answer (Leo's PCL-5 item 16) ends on support with "Done" first.
        done = page.get_by_role("link", name=re.compile("^(Done|Listo)$"))
        if done.count():
            done.click()
        page.get_by_role("link", name="Back to the list").click()
    expect(page.get_by_text(re.compile("Maria.*Done"))).to_be_visible()
    page.goto(live_server.url + f"/cases/{family['case'].pk}/")
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    tablet.close()
    for who, prefix in (("maria", "tac@"), ("leo", "tac@"), ("ana", "tac-child@")):
        assert complete_response(family, who, prefix) == 1


def test_the_kiosk_hands_over_on_a_neutral_screen_after_a_risk_answer(
    live_server, browser, family
):
    """Support for the person alone, "Done", a hand-over screen that looks the
    same for everyone, and Back shows nothing of the last person's pages."""
    MeasurePlan.objects.create(
        organization=family["case"].organization,
        case=family["case"],
        instrument="phq-9",
        roles=["caregiver"],
    )
    tablet, page = kiosk_tablet(browser, live_server, family)
    page.get_by_role("button", name="Maria").click()
    choose(page, "mode", "all")
    page.locator("button.primary").click()
    answer_every_item_on_the_page(page, "0")
    choose(page, "item-9", "1")
    send(page)
    expect(page.get_by_text("988").first).to_be_visible()
    text = page.content()
    assert "close this page" not in text
    assert "give the tablet" not in text
    assert "Nobody watches these answers" in text
    scan(page, "kiosk support page")
    page.screenshot(path=SCREENSHOTS / "kiosk-support.png", full_page=True)
    page.get_by_role("link", name="Done").click()
    expect(page).to_have_url(re.compile(r"/kiosk/next/$"))
    expect(
        page.get_by_text("Please give the tablet back, or to the next person.")
    ).to_be_visible()
    assert "988" not in page.content()
    scan(page, "kiosk hand-over")
    page.screenshot(path=SCREENSHOTS / "kiosk-handover.png", full_page=True)
    page.go_back()
    expect(
        page.get_by_text("These questions have already been answered")
    ).to_be_visible()
    assert "988" not in page.content()
    scan(page, "kiosk: back after the hand-over")
    page.goto(live_server.url + "/kiosk/next/")
    page.get_by_role("link", name="Back to the list").click()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.get_by_text(re.compile("Maria.*Done"))).to_be_visible()
    tablet.close()
    signal = family["case"].signals.get(kind="risk-item")
    assert (signal.severity, signal.status) == ("red", "open")


CLINICAL = (
    "Rivera family",
    "Risk item endorsed on PHQ-9",
    "What the open alerts mean",
    "Who attended",
    "Questionnaires this session",
    "Entered from paper",
)
"""What the clinician's case and session pages show of the Riveras."""


def clinical_text_on(page):
    text = page.inner_text("body")
    return [words for words in CLINICAL if words in text]


def back(page):
    """Back, as a person presses it: a page restored from the back/forward
    cache fires no load event, so wait only for the navigation to commit."""
    page.go_back(wait_until="commit")


def test_back_after_starting_the_kiosk_shows_no_clinical_page(
    live_server, browser_with_back_forward_cache, family
):
    """Issue #12: Back showed the session page, then the case page with its
    alerts and scores, kept by the browser (its back/forward cache)."""
    browser = browser_with_back_forward_cache
    services.enter_paper_response(
        family["ames"],
        family["session"].pk,
        "phq-9",
        family["leo"].pk,
        answers={str(i): 1 for i in range(1, 10)},
    )
    tablet = browser.new_context(
        viewport={"width": 820, "height": 1180}, has_touch=True
    )
    tablet.add_cookies(signed_in_cookies(family["ames"], live_server))
    page = tablet.new_page()
    page.goto(live_server.url + f"/cases/{family['case'].pk}/")
    assert {"Rivera family", "Risk item endorsed on PHQ-9"} <= set(
        clinical_text_on(page)
    )
    page.get_by_role("link", name=re.compile("^Session")).first.click()
    expect(page.get_by_text("Who attended")).to_be_visible()
    page.get_by_role("button", name="Start kiosk mode on this device").click()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    for step in ("back to the session page", "back to the case page"):
        back(page)
        expect(page.get_by_text("Who is answering now?")).to_be_visible()
        assert clinical_text_on(page) == [], step
        assert "Total" not in page.inner_text("body"), step
    tablet.close()


def test_back_after_a_risk_answer_at_the_kiosk_shows_a_neutral_page(
    live_server, browser_with_back_forward_cache, family
):
    """Issue #12: every earlier page of the finished link showed the support
    lines again to whoever had the tablet next."""
    browser = browser_with_back_forward_cache
    MeasurePlan.objects.create(
        organization=family["case"].organization,
        case=family["case"],
        instrument="phq-9",
        roles=["caregiver"],
    )
    tablet, page = kiosk_tablet(browser, live_server, family)
    page.get_by_role("button", name="Maria").click()
    choose(page, "mode", "all")
    page.locator("button.primary").click()
    answer_every_item_on_the_page(page, "3")
    choose(page, "item-9", "2")
    send(page)
    expect(page.get_by_text("988").first).to_be_visible()
    done_url = page.url
    private = ("988", "Maria", "Northside", "Nearly every day", "Feeling down")
    for step in ("back to her questions", "back to her welcome"):
        back(page)
        expect(page.get_by_text("These questions are finished")).to_be_visible()
        expect(page.get_by_text("Please hand the tablet back.")).to_be_visible()
        text = page.inner_text("body")
        assert [words for words in private if words in text] == [], step
    scan(page, "kiosk: back after a finished turn")
    for _ in ("forward to her questions", "forward to the finished page"):
        # The next Forward only once this one has settled: two in a row raced
        # the browser's page swap ("Not attached to an active page").
        page.go_forward(wait_until="commit")
        expect(page.get_by_text("These questions are finished")).to_be_visible()
    expect(page).to_have_url(done_url)
    expect(page.get_by_text("These questions are finished")).to_be_visible()
    assert "988" not in page.inner_text("body")
    page.get_by_role("link", name=re.compile("^Back to the list")).click()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.get_by_text(re.compile("Maria.*Done"))).to_be_visible()
    back(page)
    expect(
        page.get_by_text("These questions have already been answered")
    ).to_be_visible()
    assert "988" not in page.inner_text("body")
    tablet.close()


def test_with_more_questions_after_a_risk_answer_support_comes_first(
    live_server, phone, family
):
    page = phone.new_page()
    start(page, live_server.url + f"/q/{link(family, 'leo', ['phq-9', 'tac'])}/")
    answer_every_item_on_the_page(page, "0")
    choose(page, "item-9", "2")
    send(page)
    expect(page.get_by_text("988").first).to_be_visible()
    scan(page, "support before the next questionnaire")
    page.locator("a.button.primary").click()
    answer_every_item_on_the_page(page, "3")
    send(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert "988" in page.content()


# ---- one question per screen on a phone (issue #11 item 11) -------------------

TAC_FAMILY_ITEMS = 13
"""TAC 1.1 in a family case such as the Riveras."""


def on_screen(page, locator):
    """Inside the 390x844 viewport as the page opened: no scrolling."""
    assert page.evaluate("window.scrollY") == 0
    box = locator.bounding_box()
    assert box is not None
    return (
        box["y"] >= 0
        and box["y"] + box["height"] <= PHONE["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= PHONE["width"]
    )


def answers_and_next_on_screen(page):
    """Every answer of the question and its Next (or Send) button, each
    checked to lie inside the phone's screen; their number."""
    targets = [*page.locator("form label.choice").all()]
    targets.append(page.locator("form button.primary"))
    off = [t.inner_text() for t in targets if not on_screen(page, t)]
    assert off == [], f"{page.url}: below the fold: {off}"
    return len(targets)


def start_one_per_screen(page, url):
    page.goto(url)
    with page.expect_navigation():
        page.locator("form button.primary").tap()


def tap_answer(page, value):
    """Tap an answer; True if the page moved on to the next screen."""
    before = page.url
    page.locator(f"label:has(input[name^='item-'][value='{value}'])").tap()
    try:
        page.wait_for_url(lambda url: url != before, timeout=3000)
    except PlaywrightTimeout:
        return False
    return True


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_answer_and_next_fit_the_phone_on_the_first_questions(
    live_server, phone, family, lang
):
    """The TAC's and the PCL-5's first screens carry the instructions (the
    PCL-5's also its trauma notice) and still show every answer and Next at
    390x844, in English and with the pages in Spanish (the PCL-5 then in
    English, saying so)."""
    token = link(family, "leo", ["tac", "pcl-5"])
    page = phone.new_page()
    start_one_per_screen(page, live_server.url + f"/q/{token}/?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    instructions = page.locator("p.instructions")
    expect(instructions).to_have_count(1)
    assert answers_and_next_on_screen(page) == 6 + 1  # 5 answers, skip, Next
    scan(page, f"TAC first question ({lang})")
    page.screenshot(path=SCREENSHOTS / f"phone-tac-first-{lang}.png")
    for _ in range(TAC_FAMILY_ITEMS - 1):
        assert tap_answer(page, "3")
        expect(page.locator("p.instructions")).to_have_count(0)
        answers_and_next_on_screen(page)
    assert not tap_answer(page, "3")  # the last one waits for "Send"
    with page.expect_navigation():
        page.locator("form button.primary").tap()
    expect(page).to_have_url(re.compile(r"/pcl-5/1/$"))
    expect(page.locator("p.instructions")).to_have_count(1)
    expect(page.locator(".notice")).to_contain_text(
        "upsetting" if lang == "en" else "dolorosas"
    )
    if lang == "es":
        expect(page.locator("h1")).to_contain_text("(solo en inglés)")
        expect(page.locator("h1 span[lang='en']")).to_have_count(1)
    assert answers_and_next_on_screen(page) == 6 + 1
    scan(page, f"PCL-5 first question ({lang})")
    page.screenshot(path=SCREENSHOTS / f"phone-pcl5-first-{lang}.png")


def test_the_tac_takes_one_tap_per_question_and_one_to_send(live_server, phone, family):
    """Today's count was 2 taps per question (answer, then Next, below the
    fold) plus Start: 27 for the 13 items of a family's TAC."""
    token = link(family, "maria", ["tac"])
    page = phone.new_page()
    start_one_per_screen(page, live_server.url + f"/q/{token}/")
    taps = 0
    for number in range(1, TAC_FAMILY_ITEMS + 1):
        expect(page.locator("#progress")).to_contain_text(
            f"Question {number} of {TAC_FAMILY_ITEMS}"
        )
        moved = tap_answer(page, str(number % 5))
        taps += 1
        assert moved == (number < TAC_FAMILY_ITEMS)
    with page.expect_navigation():
        page.locator("form button.primary").tap()
    taps += 1
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert taps <= TAC_FAMILY_ITEMS + 1
    saved = Response.objects.get(member=family["maria"], status="complete").answers
    assert saved == {str(n): n % 5 for n in range(1, TAC_FAMILY_ITEMS + 1)}


def test_back_changes_an_answer_a_tap_moved_on_from(live_server, phone, family):
    token = link(family, "maria", ["tac"])
    page = phone.new_page()
    start_one_per_screen(page, live_server.url + f"/q/{token}/")
    assert tap_answer(page, "1")
    page.get_by_role("link", name="Back").tap()
    expect(page.locator("input[name='item-1'][value='1']")).to_be_checked()
    assert tap_answer(page, "4")
    expect(page.locator("#progress")).to_contain_text("Question 2 of")
    assert Response.objects.get(member=family["maria"]).answers == {"1": 4}


def test_choosing_with_the_arrow_keys_does_not_move_the_page(
    live_server, phone, family
):
    """WCAG 3.2.2 On Input: a keyboard choice changes the answer only; Enter
    (or Next) confirms it."""
    token = link(family, "maria", ["tac"])
    page = phone.new_page()
    start_one_per_screen(page, live_server.url + f"/q/{token}/")
    question_1 = page.url
    page.locator("input[name='item-1'][value='0']").focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.wait_for_timeout(1000)  # portal.js waits 250 ms before moving on
    assert page.url == question_1
    expect(page.locator("input[name='item-1'][value='3']")).to_be_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#progress")).to_contain_text("Question 2 of")
    assert Response.objects.get(member=family["maria"]).answers == {"1": 3}


def test_without_scripts_a_tap_chooses_and_next_moves_on(live_server, browser, family):
    """Progressive enhancement: the plain form still works, Next included."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    page = context.new_page()
    token = link(family, "maria", ["tac"])
    start_one_per_screen(page, live_server.url + f"/q/{token}/")
    assert not tap_answer(page, "2")
    answers_and_next_on_screen(page)
    with page.expect_navigation():
        page.locator("form button.primary").tap()
    expect(page.locator("#progress")).to_contain_text("Question 2 of")
    assert Response.objects.get(member=family["maria"]).answers == {"1": 2}
    context.close()


def test_zz_every_scanned_page_is_listed(capsys):
    """Prints the axe results of the pages scanned above (for the closing note)."""
    with capsys.disabled():
        for name, violations in SCANNED.items():
            print(f"axe {name}: {', '.join(violations) or 'no violations'}")


def test_a_new_link_and_its_qr_code_point_to_the_host_and_port_of_the_page(
    live_server, browser, family, settings
):
    settings.TETHER_BASE_URL = ""  # the demo and development: no address set
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    desk.add_cookies(signed_in_cookies(family["ames"], live_server))
    page = desk.new_page()
    page.goto(live_server.url + f"/sessions/{family['session'].pk}/links/")
    scan(page, "one link: choose (desktop)")
    page.get_by_role("radio", name=re.compile("^Maria")).check()
    page.get_by_role("checkbox", name=re.compile("^TAC: ")).first.check()
    page.get_by_role("button", name="Create the link").click()
    shown = page.locator("input[readonly]").first.input_value()
    scan(page, "one link: issued (desktop)")
    assert shown.startswith(live_server.url + "/q/")
    desk.close()
