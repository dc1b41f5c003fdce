"""The within-family safety alert is for clinicians only: a member who says it
does not feel safe to speak in front of their family sees only thanks, and no
other member's page shows anything of it."""

from django.test import Client
from django.urls import reverse
from tests.visible import visible_text

from tether.care.models import Signal
from tether.portal import services
from tether.signals.catalogue import catalogue
from tether.signals.within_safety import WITHIN_SAFETY

TAC_ITEMS = [str(i) for i in range(1, 14)]
SAFETY_ITEM = "13"
"""TAC 1.1: "It feels safe to speak in front of my family here."."""
ENTRY = catalogue()[WITHIN_SAFETY]
CLINICAL_WORDS = (ENTRY["title"], "coercion", "privately", "Take care", "alert")


def answer_all(browser, token, answers):
    browser.post(reverse("portal-start", args=[token]), {"mode": "all"})
    data = {f"item-{item}": value for item, value in answers.items()}
    sent = browser.post(reverse("portal-page", args=[token, "tac"]), data)
    assert sent.status_code == 302
    return browser.get(sent["Location"])


def test_a_low_safety_answer_alerts_the_clinician_and_shows_the_member_only_thanks(
    ames, first_session, maria, leo
):
    _, maria_token = services.issue_invitation(
        ames, first_session.pk, maria.pk, ["tac"]
    )
    _, leo_token = services.issue_invitation(ames, first_session.pk, leo.pk, ["tac"])
    maria_browser = Client()
    end = answer_all(
        maria_browser, maria_token, dict.fromkeys(TAC_ITEMS, "3") | {SAFETY_ITEM: "0"}
    )
    alert = Signal.objects.get(kind=WITHIN_SAFETY)
    assert alert.subject == f"member:{maria.pk}"

    assert "Thank you" in visible_text(end)
    assert "Strongly disagree" not in visible_text(end)

    leo_browser = Client()
    leos_pages = [leo_browser.get(reverse("portal-start", args=[leo_token]))]
    leo_browser.post(reverse("portal-start", args=[leo_token]), {"mode": "all"})
    leos_pages.append(leo_browser.get(reverse("portal-page", args=[leo_token, "tac"])))
    reopened = maria_browser.get(reverse("portal-start", args=[maria_token]))
    for page in [end, reopened, *leos_pages]:
        text = visible_text(page)
        assert page.status_code == 200
        for words in CLINICAL_WORDS:
            assert words not in text
    for page in leos_pages:
        assert "Maria" not in visible_text(page)
