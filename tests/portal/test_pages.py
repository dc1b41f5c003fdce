"""The questionnaire pages a member opens from a link, and the clinician's
pages that issue, send and revoke links (docs/architecture.md §Privacy;
docs/clinical-rules.md §Risk items)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from tests.visible import visible_text

from tether.care import services as care
from tether.care.frames import library
from tether.care.models import Response
from tether.portal import services
from tether.portal.models import Invitation
from tether.portal.sms import LocMemSMSBackend

TAC_ITEMS = [str(i) for i in range(1, 14)]
"""TAC 1.1 (the default) in a family case, such as the Riveras: 13 items."""


def start_url(token):
    return reverse("portal-start", args=[token])


@pytest.fixture
def member():
    """A fresh browser: no session, no sign-in."""
    return Client()


@pytest.fixture
def maria_link(ames, first_session, maria):
    return services.issue_invitation(ames, first_session.pk, maria.pk, ["tac"])


def choose_mode(browser, token, mode):
    response = browser.post(start_url(token), {"mode": mode})
    assert response.status_code == 302
    return response["Location"]


def answer_page(browser, token, slug, answers):
    data = {f"item-{item}": value for item, value in answers.items()}
    return browser.post(reverse("portal-page", args=[token, slug]), data)


def finish(browser, response):
    """Follow a redirect to the end page."""
    assert response.status_code == 302, response.content.decode()[:500]
    return browser.get(response["Location"])


# ---- answering -------------------------------------------------------------------


def test_a_member_answers_tac_on_one_page_and_sees_only_thanks(
    member, maria_link, first_session, maria
):
    invitation, token = maria_link
    welcome = member.get(start_url(token))
    assert welcome.status_code == 200
    assert "Hello Maria" in welcome.content.decode()
    page_url = choose_mode(member, token, "all")
    assert page_url == reverse("portal-page", args=[token, "tac"])
    page = member.get(page_url).content.decode()
    assert page.count('<fieldset class="item') == 13
    assert "I feel understood by my therapist." in page
    answers = dict.fromkeys(TAC_ITEMS, "3") | {"7": "skip"}
    sent = answer_page(member, token, "tac", answers)
    assert sent["Location"] == reverse("portal-done", args=[token])
    end = finish(member, sent)
    assert end.status_code == 200
    text = visible_text(end)
    assert "Thank you" in text
    assert "I feel understood" not in text
    assert "Agree" not in text
    assert "988" not in text  # no risk item endorsed
    response = Response.objects.get(session=first_session, member=maria)
    assert response.status == Response.Status.COMPLETE
    assert response.answers["1"] == 3
    assert response.answers["7"] is None
    invitation.refresh_from_db()
    assert invitation.completed_at is not None
    # Reopening the link in the same browser shows the same end page.
    reopened = member.get(start_url(token))
    assert reopened.status_code == 200
    assert "Thank you" in reopened.content.decode()


def test_an_unanswered_question_is_marked_and_the_rest_is_kept(member, maria_link):
    _, token = maria_link
    choose_mode(member, token, "all")
    response = answer_page(member, token, "tac", {"1": "4", "2": "9"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Please choose one of the answers shown" in text  # item 2: 9 refused
    assert "Please choose an answer, or “Prefer not to answer”." in text
    saved = Response.objects.get()
    assert saved.answers == {"1": 4}
    assert saved.status == Response.Status.IN_PROGRESS


def test_one_question_per_screen_walks_item_by_item(member, maria_link):
    _, token = maria_link
    url = choose_mode(member, token, "one")
    for number in range(1, 14):
        assert url == reverse("portal-item", args=[token, "tac", number])
        screen = member.get(url).content.decode()
        assert f"Question {number} of 13" in screen
        assert screen.count('<fieldset class="item') == 1
        response = member.post(url, {f"item-{number}": "2"})
        assert response.status_code == 302
        url = response["Location"]
    assert url == reverse("portal-done", args=[token])
    assert "Thank you" in member.get(url).content.decode()


def test_a_screen_without_an_answer_asks_for_one(member, maria_link):
    _, token = maria_link
    url = choose_mode(member, token, "one")
    response = member.post(url, {})
    assert response.status_code == 200
    assert "Please choose an answer" in response.content.decode()


def test_opening_the_link_again_resumes_at_the_first_unanswered_item(maria_link):
    _, token = maria_link
    first = Client()
    url = choose_mode(first, token, "one")
    for number in range(1, 5):
        url = first.post(url, {f"item-{number}": str(number % 5)})["Location"]
    # The phone is closed; later the same link opens in a new browser session.
    later = Client()
    welcome = later.get(start_url(token)).content.decode()
    assert "Welcome back" in welcome
    assert choose_mode(later, token, "one") == reverse(
        "portal-item", args=[token, "tac", 5]
    )
    earlier = later.get(reverse("portal-item", args=[token, "tac", 3])).content
    assert re.search(rb'name="item-3" value="3" checked', earlier)
    # All on one page keeps the earlier answers too.
    choose_mode(later, token, "all")
    page = later.get(reverse("portal-page", args=[token, "tac"])).content
    for number in range(1, 5):
        value = str(number % 5).encode()
        assert re.search(
            rb'name="item-%s" value="%s" checked' % (str(number).encode(), value), page
        )
    assert b'name="item-5" value="' in page
    assert not re.search(rb'name="item-5" value="\d" checked', page)


def test_htmx_saves_each_answer_as_it_is_chosen(member, maria_link):
    _, token = maria_link
    url = reverse("portal-autosave", args=[token, "tac"])
    response = member.post(
        url, {"item": "2", "item-2": "4", "item-1": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Saved" in response.content.decode()
    assert Response.objects.get().answers == {"2": 4}
    refused = member.post(
        url, {"item": "2", "item-2": "7"}, headers={"HX-Request": "true"}
    )
    assert "could not be saved" in refused.content.decode()
    assert Response.objects.get().answers == {"2": 4}


@pytest.mark.parametrize("typed", ["nan", "NaN", "-inf", "Infinity", "1e999"])
def test_nan_or_infinity_is_refused_when_autosaved_and_nothing_is_kept(
    member, maria_link, typed
):
    _, token = maria_link
    url = reverse("portal-autosave", args=[token, "tac"])
    member.post(url, {"item": "2", "item-2": "4"}, headers={"HX-Request": "true"})
    refused = member.post(
        url, {"item": "2", "item-2": typed}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 200
    assert "could not be saved" in refused.content.decode()
    assert Response.objects.get().answers == {"2": 4}


@pytest.mark.parametrize("typed", ["nan", "inf", "-Infinity", "1e999"])
def test_nan_or_infinity_sent_with_the_page_is_refused_and_nothing_is_stored(
    member, maria_link, typed
):
    invitation, token = maria_link
    choose_mode(member, token, "all")
    answers = dict.fromkeys(TAC_ITEMS, "3") | {"5": typed}
    response = answer_page(member, token, "tac", answers)
    assert response.status_code == 200
    assert "Please choose one of the answers shown" in response.content.decode()
    kept = Response.objects.get()
    assert kept.status == Response.Status.IN_PROGRESS
    assert "5" not in kept.answers
    assert not kept.scores.exists()
    invitation.refresh_from_db()
    assert invitation.completed_at is None


def test_the_pages_load_htmx_with_a_nonce_and_no_inline_styles(member, maria_link):
    _, token = maria_link
    choose_mode(member, token, "all")
    response = member.get(reverse("portal-page", args=[token, "tac"]))
    text = response.content.decode()
    nonce = re.search(r"nonce-([^\']+)\'", response["Content-Security-Policy"]).group(1)
    assert (
        f'<script src="/static/django_htmx/htmx-2.min.js" defer nonce="{nonce}">'
        in text
    )
    assert "style=" not in text
    assert "<style" not in text
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_child_form_shows_four_circle_pictures_with_text_labels(
    member, ames, rivera, first_session
):
    rosa = care.add_member(ames, rivera.pk, "Rosa", "child", "8-12")
    _, token = services.issue_invitation(ames, first_session.pk, rosa.pk, ["tac-child"])
    choose_mode(member, token, "all")
    text = member.get(
        reverse("portal-page", args=[token, "tac-child"])
    ).content.decode()
    first_item = text.split('<fieldset class="item')[1]
    assert first_item.count('type="radio" name="item-1" value="') == 4 + 1  # + skip
    for n in range(4):
        assert f"/static/portal/faces/circles-{n}.svg" in first_item
    assert "face-" not in text  # no sad-to-happy faces on TAC-C 1.1
    assert 'alt=""' in text
    for label in ("Not true", "A little true", "Mostly true", "Very true"):
        assert label in first_item
    for n in range(4):
        picture = member.get(f"/static/portal/faces/circles-{n}.svg")
        assert picture.status_code == 200
        assert (
            b"".join(picture.streaming_content).count(b'fill="#2f4a68"') == n
        )  # n of 3 filled


def test_an_open_tac_1_0_link_is_still_answered_as_1_0_and_scored(
    member, ames, first_session, maria
):
    """A link issued before TAC 1.1 keeps its version: 11 items, 1.0 wording,
    the 1.0 `self` scale (mean of items 1-7, none reversed)."""
    invitation, token = services.issue_invitation(
        ames, first_session.pk, maria.pk, ["tac"]
    )
    invitation.instruments = ["tac@1.0"]
    invitation.save(update_fields=["instruments"])
    choose_mode(member, token, "all")
    page = member.get(reverse("portal-page", args=[token, "tac"])).content.decode()
    assert page.count('<fieldset class="item') == 11
    assert "Today I could go at my own pace and felt safe." in page
    answers = {str(i): "3" for i in range(1, 12)} | {"7": "1"}
    finish(member, answer_page(member, token, "tac", answers))
    response = Response.objects.get(session=first_session, member=maria)
    assert response.instrument == "tac@1.0"
    scores = dict(response.scores.values_list("scale", "value"))
    assert scores["self"] == pytest.approx((6 * 3 + 1) / 7)


def test_a_couple_sees_my_partner_where_a_family_sees_my_family(member, ames):
    couple = care.create_case(ames, "Lee couple", "couple")
    jo = care.add_member(ames, couple.pk, "Jo", "identified-client", "18+")
    care.add_member(ames, couple.pk, "Sam", "partner", "18+", language="es")
    session = care.start_session(ames, couple.pk)
    _, token = services.issue_invitation(ames, session.pk, jo.pk, ["tac"])
    choose_mode(member, token, "all")
    page = visible_text(member.get(reverse("portal-page", args=[token, "tac"])))
    assert "My therapist understands my partner." in page
    assert "My partner, my therapist and I work as a team." in page
    assert "my family" not in page.lower()
    spanish = visible_text(
        member.get(reverse("portal-page", args=[token, "tac"]) + "?lang=es")
    )
    assert "Mi terapeuta entiende a mi pareja." in spanish
    assert "Mi pareja y yo queremos lo mismo de la terapia." in spanish
    assert "de mi familia" not in spanish


def test_a_family_member_sees_my_family(member, maria_link):
    _, token = maria_link
    choose_mode(member, token, "all")
    page = visible_text(member.get(reverse("portal-page", args=[token, "tac"])))
    assert "My therapist understands the others in my family." in page
    assert "my partner" not in page


# ---- links that cannot be used --------------------------------------------------


def test_a_used_link_says_so_plainly(member, maria_link):
    _, token = maria_link
    choose_mode(member, token, "all")
    answer_page(member, token, "tac", dict.fromkeys(TAC_ITEMS, "3"))
    response = Client().get(start_url(token))
    assert response.status_code == 410
    assert (
        "These questions have already been answered. Thank you."
        in response.content.decode()
    )


def test_an_expired_link_says_so_plainly(member, maria_link):
    _, token = maria_link
    with time_machine.travel(dt.timedelta(days=4)):
        response = member.get(start_url(token))
    assert response.status_code == 410
    assert "This link has expired." in response.content.decode()


def test_a_revoked_link_says_so_plainly(member, maria_link, ames):
    invitation, token = maria_link
    services.revoke_invitation(ames, invitation.pk)
    response = member.get(start_url(token))
    assert response.status_code == 410
    assert "no longer active" in response.content.decode()


def test_a_tampered_link_is_not_found(member, maria_link):
    _, token = maria_link
    secret, signature = token.split(".", 1)
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B") + "." + signature
    for url in (start_url(tampered), reverse("portal-page", args=[tampered, "tac"])):
        response = member.get(url)
        assert response.status_code == 404
        text = response.content.decode()
        assert "This link is not valid." in text
        assert tampered not in text
        assert token not in text


def test_an_unknown_instrument_or_question_is_a_calm_404(member, maria_link):
    _, token = maria_link
    assert member.get(reverse("portal-page", args=[token, "phq-9"])).status_code == 404
    assert (
        member.get(reverse("portal-item", args=[token, "tac", 14])).status_code == 404
    )
    assert member.get(f"/q/{token}/tac/1/extra/").status_code == 404


# ---- language --------------------------------------------------------------------


def test_lang_es_shows_the_pages_in_spanish(member, maria_link):
    _, token = maria_link
    welcome = member.get(start_url(token) + "?lang=es").content.decode()
    assert '<html lang="es">' in welcome
    assert "Hola, Maria" in welcome
    assert "Una pregunta por pantalla" in welcome
    url = choose_mode(member, token, "one")
    screen = member.get(url).content.decode()
    assert "Pregunta 1 de 13" in screen
    assert "Siento que mi terapeuta me entiende." in screen
    assert "Prefiero no responder" in screen


def test_a_spanish_speaking_member_gets_spanish_by_default(
    member, ames, rivera, first_session
):
    ana = care.add_member(ames, rivera.pk, "Ana", "other", "18+", language="es")
    _, token = services.issue_invitation(ames, first_session.pk, ana.pk, ["tac"])
    welcome = member.get(start_url(token)).content.decode()
    assert "Hola, Ana" in welcome
    english = member.get(start_url(token) + "?lang=en").content.decode()
    assert "Hello Ana" in english


def test_only_languages_the_instruments_have_are_offered(
    member, ames, first_session, maria
):
    _, token = services.issue_invitation(ames, first_session.pk, maria.pk, ["mspss"])
    welcome = member.get(start_url(token) + "?lang=es").content.decode()
    assert '<html lang="en">' in welcome
    assert "?lang=es" not in welcome


def test_a_link_problem_can_be_read_in_spanish(member, db):
    response = member.get(start_url("nonsense") + "?lang=es")
    assert response.status_code == 404
    assert "Este enlace no es válido" in response.content.decode()


def test_trauma_questions_get_a_notice_first(member, ames, first_session, maria):
    _, token = services.issue_invitation(
        ames, first_session.pk, maria.pk, ["pcl-5@past-week"]
    )
    welcome = member.get(start_url(token)).content.decode()
    assert "hard or upsetting experiences" in welcome
    assert "same link brings you back" in welcome
    assert "Prefer not to answer" in welcome
    choose_mode(member, token, "one")
    first = member.get(reverse("portal-item", args=[token, "pcl-5", 1]))
    assert "hard or upsetting experiences" in first.content.decode()
    second = member.get(reverse("portal-item", args=[token, "pcl-5", 2]))
    assert "hard or upsetting experiences" not in visible_text(second)


# ---- risk ------------------------------------------------------------------------

FORBIDDEN = [
    "will see this",
    "see this now",
    "assess",
    "monitor",
    "low risk",
    "alerted",
]


def assert_crisis_page(text, organization_line):
    assert "988" in text
    assert 'href="tel:988"' in text
    assert 'href="sms:838255"' in text
    assert "press 1" in text
    assert "911" in text
    assert organization_line in text
    lowered = visible_text(text).lower()
    for phrase in FORBIDDEN:
        assert phrase not in lowered


@pytest.fixture
def contacts(northside):
    northside.crisis_contacts = "Northside on-call line: 555-0199 (24 hours)"
    northside.save()
    return northside


def test_phq9_item_9_shows_crisis_support_and_nothing_more(
    member, contacts, ames, first_session, maria
):
    _, token = services.issue_invitation(ames, first_session.pk, maria.pk, ["phq-9"])
    choose_mode(member, token, "all")
    answers = {str(i): "0" for i in range(1, 10)} | {"9": "1"}
    sent = answer_page(member, token, "phq-9", answers)
    end = finish(member, sent)
    text = end.content.decode()
    assert "Thank you" in text
    assert_crisis_page(text, "Northside on-call line: 555-0199")
    assert "Several days" not in visible_text(end)
    # A double tap or a retry shows the same page, support included.
    again = answer_page(member, token, "phq-9", answers)
    assert again.status_code == 200
    assert_crisis_page(again.content.decode(), "Northside on-call line")
    assert "These questions have already" not in visible_text(again)


PHQ9_SHOWN = (
    "Little interest or pleasure",
    "Feeling down",
    "Not at all",
    "Several days",
    "More than half the days",
    "Nearly every day",
)
"""The PHQ-9's questions and answers as a member reads them."""


def test_on_a_members_own_phone_every_page_of_a_finished_link_is_the_end_page(
    member, contacts, ames, first_session, maria
):
    """Back, a reload or a double tap on the member's own device: the end page
    with its support lines, as before; nothing of what was answered."""
    _, token = services.issue_invitation(ames, first_session.pk, maria.pk, ["phq-9"])
    choose_mode(member, token, "all")
    answers = {str(i): "3" for i in range(1, 9)} | {"9": "2"}
    finish(member, answer_page(member, token, "phq-9", answers))
    for name, url in (
        ("done", "portal-done"),
        ("welcome", "portal-start"),
        ("support", "portal-support"),
    ):
        page = member.get(reverse(url, args=[token]))
        assert page.status_code == 200, name
        assert_crisis_page(page.content.decode(), "Northside on-call line")
        assert "These questions are finished" not in visible_text(page), name
        for shown in PHQ9_SHOWN:
            assert shown not in visible_text(page), (name, shown)
        assert "checked" not in page.content.decode(), name
    for path in (
        reverse("portal-page", args=[token, "phq-9"]),
        reverse("portal-item", args=[token, "phq-9", 9]),
    ):
        page = member.get(path)
        assert_crisis_page(page.content.decode(), "Northside on-call line")
        assert "checked" not in page.content.decode()
        assert not [s for s in PHQ9_SHOWN if s in visible_text(page)]


def crisis_page(member, ames, session, who, item_9="1", lang=None):
    """The end page after a PHQ-9 with item 9 at `item_9`, as `who` sees it."""
    _, token = services.issue_invitation(ames, session.pk, who.pk, ["phq-9"])
    if lang:
        member.get(start_url(token) + f"?lang={lang}")
    choose_mode(member, token, "all")
    answers = {str(i): "0" for i in range(1, 10)} | {"9": item_9}
    return finish(member, answer_page(member, token, "phq-9", answers)).content.decode()


def test_the_crisis_page_in_spanish_offers_spanish_on_988(
    member, contacts, ames, first_session, maria
):
    text = crisis_page(member, ames, first_session, maria, item_9="2", lang="es")
    assert "Gracias" in text
    assert "marca 2" in text
    assert "838255" in text
    assert "911" in text
    assert "Northside on-call line" in text


def test_a_risk_answer_before_more_questions_shows_support_at_once(
    member, contacts, ames, first_session, maria
):
    _, token = services.issue_invitation(
        ames, first_session.pk, maria.pk, ["phq-9", "tac"]
    )
    choose_mode(member, token, "all")
    answers = {str(i): "1" for i in range(1, 10)}
    sent = answer_page(member, token, "phq-9", answers)
    assert sent["Location"] == reverse("portal-support", args=[token])
    support = member.get(sent["Location"]).content.decode()
    assert_crisis_page(support, "Northside on-call line")
    assert reverse("portal-page", args=[token, "tac"]) in support
    end = finish(
        member, answer_page(member, token, "tac", dict.fromkeys(TAC_ITEMS, "3"))
    )
    assert_crisis_page(end.content.decode(), "Northside on-call line")


# ---- privacy ---------------------------------------------------------------------


def portal_pages(browser, token, slug):
    yield browser.get(start_url(token))
    choose_mode(browser, token, "one")
    yield browser.get(reverse("portal-item", args=[token, slug, 1]))
    choose_mode(browser, token, "all")
    yield browser.get(reverse("portal-page", args=[token, slug]))


def test_every_q_page_is_private(member, maria_link):
    _, token = maria_link
    pages = list(portal_pages(member, token, "tac"))
    pages.append(member.post(start_url(token), {"mode": "all"}))
    pages.append(answer_page(member, token, "tac", dict.fromkeys(TAC_ITEMS, "3")))
    pages.append(member.get(reverse("portal-done", args=[token])))
    pages.append(Client().get(start_url(token)))  # 410
    pages.append(member.get(start_url("nonsense")))  # 404
    pages.append(member.get("/q/a/b/c/d/e/"))  # no such page
    pages.append(member.put(start_url(token)))  # 405
    strict = Client(enforce_csrf_checks=True)
    pages.append(strict.post(start_url(token), {"mode": "one"}))  # CSRF refusal
    assert [p.status_code for p in pages[-6:]] == [200, 410, 404, 404, 405, 403]
    for response in pages:
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]
        assert "noindex" in response["X-Robots-Tag"]


def test_a_link_page_shows_no_other_members_answers_or_clinical_urls(
    ames, first_session, maria, leo
):
    _, maria_token = services.issue_invitation(
        ames, first_session.pk, maria.pk, ["tac"]
    )
    _, leo_token = services.issue_invitation(ames, first_session.pk, leo.pk, ["tac"])
    maria_browser = Client()
    choose_mode(maria_browser, maria_token, "all")
    answer_page(maria_browser, maria_token, "tac", dict.fromkeys(TAC_ITEMS[:5], "0"))
    leo_browser = Client()
    for response in portal_pages(leo_browser, leo_token, "tac"):
        text = response.content.decode()
        assert "checked" not in text.replace('value="one" checked', "").replace(
            'value="all" checked', ""
        )
        shown = visible_text(response)
        assert "Maria" not in shown
        assert "/cases/" not in text
        assert "/sessions/" not in text
        assert "Rivera" not in shown


# ---- the clinician's side --------------------------------------------------------


def test_the_session_page_links_to_the_link_page(sign_in, ames, first_session):
    client = sign_in(ames)
    page = client.get(reverse("session-detail", args=[first_session.pk]))
    assert reverse("portal-links", args=[first_session.pk]) in page.content.decode()
    assert "Send questionnaire links" in page.content.decode()


def test_a_clinician_issues_a_link_and_sees_its_qr_code(
    sign_in, ames, first_session, maria, settings
):
    settings.TETHER_SMS_BACKEND = "tether.portal.sms.LocMemSMSBackend"
    LocMemSMSBackend.outbox.clear()
    client = sign_in(ames)
    url = reverse("portal-links", args=[first_session.pk])
    form = client.get(url).content.decode()
    assert 'value="tac@1.1"' in form
    response = client.post(
        url, {"who": str(maria.pk), "instruments": ["tac@1.1"], "expires": "72"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert '<svg width="' in text
    assert 'class="segno"' in text
    match = re.search(r'value="(http://[^"]+/q/([^"/]+)/)" readonly', text)
    assert match
    token = match.group(2)
    invitation = Invitation.objects.get()
    assert services.find_invitation(token) == invitation
    assert "Send by email" in text
    assert "Send by text message" in text
    assert "no-store" in response["Cache-Control"]
    sent = client.post(
        reverse("portal-link-send", args=[first_session.pk, invitation.pk]),
        {"token": token, "via": "email"},
    )
    assert "Sent by email" in sent.content.decode()
    assert mail.outbox[-1].to == ["maria@example.org"]
    assert token in mail.outbox[-1].body
    client.post(
        reverse("portal-link-send", args=[first_session.pk, invitation.pk]),
        {"token": token, "via": "sms"},
    )
    assert LocMemSMSBackend.outbox[-1][0] == "+1 555 0100"
    forged = client.post(
        reverse("portal-link-send", args=[first_session.pk, invitation.pk]),
        {"token": "nonsense", "via": "email"},
    )
    assert forged.status_code == 302
    assert len(mail.outbox) == 1


def test_leo_without_contact_details_gets_no_send_buttons(
    sign_in, ames, first_session, leo
):
    client = sign_in(ames)
    response = client.post(
        reverse("portal-links", args=[first_session.pk]),
        {"who": str(leo.pk), "instruments": ["tac@1.1"], "expires": "24"},
    )
    text = response.content.decode()
    assert "Link for Leo" in text
    assert "Send by email" not in text
    assert "Send by text message" not in text


def test_an_instrument_without_licensed_text_is_not_offered(
    sign_in, ames, first_session, maria
):
    client = sign_in(ames)
    url = reverse("portal-links", args=[first_session.pk])
    text = client.get(url).content.decode()
    assert 'value="wai-sr@1.0"' not in text
    assert "WAI-SR (version 1.0): no licensed text is loaded" in text
    assert "wai-sr@" not in text
    response = client.post(
        url, {"who": str(maria.pk), "instruments": ["wai-sr@1.0"], "expires": "72"}
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_a_service_refusal_is_shown_on_the_form(sign_in, ames, first_session, leo):
    client = sign_in(ames)
    response = client.post(
        reverse("portal-links", args=[first_session.pk]),
        {"who": str(leo.pk), "instruments": ["tac-child@1.1"], "expires": "72"},
    )
    assert response.status_code == 200
    assert "not meant for Leo" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_clinician_revokes_a_link(sign_in, ames, maria_link, first_session, member):
    invitation, token = maria_link
    client = sign_in(ames)
    listing = client.get(reverse("portal-links", args=[first_session.pk])).content
    revoke = reverse("portal-link-revoke", args=[first_session.pk, invitation.pk])
    assert revoke.encode() in listing
    response = client.post(revoke)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert member.get(start_url(token)).status_code == 410


def test_a_supervisor_cannot_issue_or_revoke(
    sign_in, sam, maria_link, first_session, maria
):
    invitation, _ = maria_link
    client = sign_in(sam)
    url = reverse("portal-links", args=[first_session.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"who": str(maria.pk), "instruments": ["phq-9@1.0"], "expires": "72"}
    )
    assert response.status_code == 403
    revoke = reverse("portal-link-revoke", args=[first_session.pk, invitation.pk])
    assert client.post(revoke).status_code == 403
    assert Invitation.objects.count() == 1


def test_another_clinic_cannot_see_the_link_page(sign_in, cole, first_session):
    client = sign_in(cole)
    assert (
        client.get(reverse("portal-links", args=[first_session.pk])).status_code == 404
    )


def test_a_form_posted_with_origin_null_needs_its_csrf_token_and_nothing_else(
    rivera, first_session, leo, ames
):
    """Link pages are no-referrer, so browsers post with `Origin: null`."""
    from django.test import Client

    from tether.portal import services as portal

    _, token = portal.issue_invitation(ames, first_session.pk, leo.pk, ["tac"])
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/q/{token}/")
    csrf = client.cookies["csrftoken"].value
    refused = client.post(f"/q/{token}/", {"mode": "all"}, HTTP_ORIGIN="null")
    assert refused.status_code == 403
    accepted = client.post(
        f"/q/{token}/", {"mode": "all", "csrfmiddlewaretoken": csrf}, HTTP_ORIGIN="null"
    )
    assert accepted.status_code == 302
    assert page.status_code == 200


# ---- what respondents are told (issue "Safety first", items 8-9) --------------------


def test_the_tac_instructions_promise_no_sharing(member, maria_link):
    _, token = maria_link
    choose_mode(member, token, "all")
    for lang, clause in (("en", "unless you choose"), ("es", "a menos que")):
        page = visible_text(
            member.get(reverse("portal-page", args=[token, "tac"]) + f"?lang={lang}")
        )
        assert clause not in page
        assert (
            "does not see your answers" if lang == "en" else "no ve sus respuestas"
        ) in page
    for definition in library():
        for text in (definition.instructions or {}).values():
            assert "share" not in text, definition.key
            assert "compartir" not in text, definition.key


def test_the_crisis_page_says_answers_are_not_watched_live_and_offers_spanish(
    member, contacts, ames, first_session, maria
):
    text = crisis_page(member, ames, first_session, maria)
    assert "Nobody watches these answers as they come in" in text
    assert "not right away" in text
    assert "press 2" in text
    assert "para español, marque 2" in text


def test_the_spanish_crisis_heading_reads_naturally(
    member, contacts, ames, first_session, maria
):
    text = crisis_page(member, ames, first_session, maria, lang="es")
    assert "Si estás pasando por un momento difícil" in text
    assert "se sienten difíciles" not in text
    assert "Nadie ve estas respuestas en el momento" in text
    assert "Línea 988 de Prevención del Suicidio y Crisis" in text


def test_without_a_base_url_a_link_points_where_the_page_was_opened(
    sign_in, ames, first_session, maria, settings
):
    settings.TETHER_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["192.168.1.20"]
    client = sign_in(ames)
    url = reverse("portal-links", args=[first_session.pk])
    response = client.post(
        url,
        {"who": str(maria.pk), "instruments": ["tac@1.1"], "expires": "72"},
        HTTP_HOST="192.168.1.20:8123",
    )
    shown = re.search(
        r'value="(http://[^"]+/q/[^"/]+/)" readonly', response.content.decode()
    )
    assert shown
    assert shown.group(1).startswith("http://192.168.1.20:8123/q/")


def test_a_configured_base_url_wins_over_the_request(
    sign_in, ames, first_session, maria, settings
):
    settings.TETHER_BASE_URL = "https://tether.example.org/"
    client = sign_in(ames)
    url = reverse("portal-links", args=[first_session.pk])
    response = client.post(
        url, {"who": str(maria.pk), "instruments": ["tac@1.1"], "expires": "72"}
    )
    assert 'value="https://tether.example.org/q/' in response.content.decode()


# ---- problems are recognised by their code, not their words ---------------------


def sent_meanwhile(ames, first_session, maria):
    """The problem save_answer raises for a questionnaire sent meanwhile (on
    another device, say), as the service itself words it."""
    invitation, token = services.issue_invitation(
        ames, first_session.pk, maria.pk, ["tac", "phq-9"]
    )
    for item in TAC_ITEMS:
        services.save_answer(invitation, "tac", item, 3)
    services.submit(invitation, "tac")
    with pytest.raises(care.InvalidEntry) as caught:
        services.save_answer(invitation, "tac", "1", 2)
    return token, caught.value


def test_answers_sent_meanwhile_are_recognised_by_the_problems_code(
    member, ames, first_session, maria, monkeypatch
):
    token, refused = sent_meanwhile(ames, first_session, maria)
    assert refused.codes == {"already-sent"}
    # The page checked before saving; the race is in between.

    def refuse(*args):
        raise refused

    monkeypatch.setattr(services, "save_answer", refuse)
    monkeypatch.setattr("tether.portal.views.is_sent", lambda response: False)
    member.post(start_url(token), {"mode": "one"})
    page = member.post(reverse("portal-item", args=[token, "tac", 1]), {"item-1": "2"})
    text = visible_text(page)
    assert "These answers were already sent, so they cannot be changed." in text
    assert "TAC was already sent" not in text  # the service's words are not shown
