"""The crisis page shows the national lines of the organization's country
(`Organization.crisis_region`: the United States by default, the United
Kingdom, Canada), in the member's language, and the clinic's own contacts after
them (accounts/crisis_lines.py; docs/crisis-lines.md)."""

import pytest
from django.test import Client
from django.urls import reverse
from tests.visible import visible_text

from tether.accounts.models import CrisisRegion
from tether.portal import services

CONTACTS = "Northside on-call line: 555-0199 (24 hours)"

SHOWN = {
    CrisisRegion.US: {
        "hrefs": ["tel:988", "sms:988", "sms:838255", "tel:911"],
        "en": ["Suicide & Crisis Lifeline", "press 1", "Veterans Crisis Line"],
        "es": ["Línea 988 de Prevención del Suicidio y Crisis", "marca 2"],
    },
    CrisisRegion.GB: {
        "hrefs": ["tel:116123", "sms:85258", "tel:111", "tel:999"],
        "en": ["Samaritans", "text SHOUT to 85258", "NHS 111", "call 999"],
        "es": ["llama al 116 123", "envía SHOUT", "opción de salud mental", "999"],
    },
    CrisisRegion.CA: {
        "hrefs": ["tel:988", "sms:988", "tel:18006686868", "sms:686868", "tel:911"],
        "en": ["9-8-8, the Suicide Crisis Helpline", "Kids Help Phone", "call 911"],
        "es": ["en inglés o en francés", "Kids Help Phone al 1-800-668-6868"],
    },
}
"""What each region's crisis page must show; every other region's numbers
must not."""


def crisis_page(ames, session, who, lang="en"):
    """The end page after PHQ-9 item 9 answered "several days", in `lang`."""
    member = Client()
    _, token = services.issue_invitation(ames, session.pk, who.pk, ["phq-9"])
    member.get(reverse("portal-start", args=[token]) + f"?lang={lang}")
    member.post(reverse("portal-start", args=[token]), {"mode": "all"})
    answers = {f"item-{i}": "0" for i in range(1, 10)} | {"item-9": "1"}
    sent = member.post(reverse("portal-page", args=[token, "phq-9"]), answers)
    assert sent.status_code == 302
    return member.get(sent["Location"]).content.decode()


@pytest.fixture
def clinic(northside):
    northside.crisis_contacts = CONTACTS
    northside.save()
    return northside


@pytest.mark.parametrize("region", list(SHOWN), ids=str)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_region_shows_its_own_lines_and_the_clinics_contacts(
    clinic, ames, first_session, maria, region, lang
):
    clinic.crisis_region = region
    clinic.save()
    html = crisis_page(ames, first_session, maria, lang)
    text = visible_text(html)
    for href in SHOWN[region]["hrefs"]:
        assert f'href="{href}"' in html, href
    for words in SHOWN[region][lang]:
        assert words in text, words
    others = {h for r, shown in SHOWN.items() if r != region for h in shown["hrefs"]}
    for href in others - set(SHOWN[region]["hrefs"]):
        assert f'href="{href}"' not in html, href
    assert f"Northside Clinic: {CONTACTS}" in text


def test_a_new_organization_shows_the_united_states_lines(northside):
    assert northside.crisis_region == CrisisRegion.US


def test_the_support_page_before_more_questions_shows_the_regions_lines(
    clinic, ames, first_session, maria
):
    clinic.crisis_region = CrisisRegion.GB
    clinic.save()
    member = Client()
    _, token = services.issue_invitation(
        ames, first_session.pk, maria.pk, ["phq-9", "tac"]
    )
    member.post(reverse("portal-start", args=[token]), {"mode": "all"})
    answers = {f"item-{i}": "1" for i in range(1, 10)}
    sent = member.post(reverse("portal-page", args=[token, "phq-9"]), answers)
    assert sent["Location"] == reverse("portal-support", args=[token])
    html = member.get(sent["Location"]).content.decode()
    assert 'href="tel:116123"' in html
    assert 'href="tel:988"' not in html
    assert CONTACTS in visible_text(html)
