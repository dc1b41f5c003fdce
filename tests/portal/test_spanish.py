"""Every page a member reads, and the link's email and text message, in
Spanish: what a person sees (text and the labels a screen reader says), with
no English text of the catalogue left on it (docs/translating.md)."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

import tether
from tether.care import services as care
from tether.portal import services
from tether.portal.sms import LocMemSMSBackend

from ..test_locale import CLIENT_FACING, LOCALE, PLACEHOLDER, read_po

ANA_TAC = {str(i): "3" for i in range(1, 14)}
"""TAC 1.1 in a family case: 13 items."""


class Visible(HTMLParser):
    """The text a person sees or hears: text outside scripts and styles, and
    aria-label and alt attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts += [v or "" for k, v in attrs if k in ("aria-label", "alt")]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(response) -> str:
    parser = Visible()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def english_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each English text members may read, as a pattern (a placeholder
    matches anything)."""
    patterns = []
    for entry in read_po(LOCALE / "django.po"):
        if not CLIENT_FACING & set(entry.references):
            continue
        for msgid in filter(None, (entry.msgid, entry.plural)):
            parts = PLACEHOLDER.split(msgid)[::2]  # the text between placeholders
            body = ".+?".join(re.escape(" ".join(p.split())) for p in parts)
            patterns.append((msgid, re.compile(rf"(?<!\w){body}(?!\w)")))
    return patterns


ENGLISH = english_patterns()


def spanish(response) -> str:
    """The visible text of a Spanish page; fails on any English text of the
    catalogue on it."""
    assert response.status_code in (200, 404, 410), response.status_code
    text = visible(response)
    assert response.content.decode().startswith('<!doctype html>\n<html lang="es">')
    left = [msgid for msgid, pattern in ENGLISH if pattern.search(text)]
    assert left == [], text
    return text


def test_the_english_check_finds_english():
    english = Client().get(reverse("portal-start", args=["nonsense"]))
    found = [msgid for msgid, pattern in ENGLISH if pattern.search(visible(english))]
    assert "This link cannot be used" in found


@pytest.fixture
def ana(ames, rivera, first_session, maria, leo):
    """A Spanish-speaking adult member of the Rivera family, at the session."""
    ana = care.add_member(
        ames,
        rivera.pk,
        "Ana",
        "other",
        "18+",
        language="es",
        email="ana@example.org",
        phone="+1 555 0142",
    )
    care.set_attendance(ames, first_session.pk, [maria.pk, leo.pk, ana.pk])
    return ana


@pytest.fixture
def phone():
    """A member's own phone: no session, no sign-in."""
    return Client()


def link(ames, session, who, instruments):
    _invitation, token = services.issue_invitation(
        ames, session.pk, who.pk, instruments
    )
    return token


def start(token):
    return reverse("portal-start", args=[token])


# ---- the questionnaire pages ---------------------------------------------------


def test_the_welcome_page(phone, ames, first_session, ana):
    token = link(ames, first_session, ana, ["tac"])
    text = spanish(phone.get(start(token)))
    assert "Hola, Ana" in text
    assert "Aquí tienes unas preguntas breves." in text
    assert "Las demás personas de tu familia no ven tus respuestas." in text
    assert "Unas 13 preguntas. Toma unos minutos." in text
    assert "Puedes parar en cualquier momento." in text
    assert "¿Cómo prefieres ver las preguntas?" in text
    assert "Una pregunta por pantalla" in text
    assert "Todas las preguntas en una página" in text
    assert "Empezar" in text
    assert "Tus preguntas" in text  # the title
    assert "Idioma" in text  # the label of the language menu


def test_one_question_per_screen(phone, ames, first_session, ana):
    token = link(ames, first_session, ana, ["tac", "phq-9"])
    phone.post(start(token), {"mode": "one"})
    first = reverse("portal-item", args=[token, "tac", 1])
    text = spanish(phone.get(first))
    assert "Cuestionario 1 de 2" in text
    assert "Pregunta 1 de 13" in text
    assert "Siento que mi terapeuta me entiende." in text
    assert "Prefiero no responder" in text
    assert "Siguiente" in text
    assert "Atrás" not in text  # nothing before the first question
    missing = spanish(phone.post(first, {}))
    assert "Por favor, elige una respuesta, o «Prefiero no responder»." in missing
    phone.post(first, {"item-1": "3"})
    second = spanish(phone.get(reverse("portal-item", args=[token, "tac", 2])))
    assert "Pregunta 2 de 13" in second
    assert "Atrás" in second
    last = spanish(phone.get(reverse("portal-item", args=[token, "tac", 13])))
    assert "Enviar mis respuestas" in last


def test_all_questions_on_one_page(phone, ames, first_session, ana):
    token = link(ames, first_session, ana, ["tac"])
    phone.post(start(token), {"mode": "all"})
    url = reverse("portal-page", args=[token, "tac"])
    text = spanish(phone.get(url))
    assert text.count("Prefiero no responder") == 13
    assert "Enviar mis respuestas" in text
    unfinished = spanish(phone.post(url, {"item-1": "3"}))
    assert (
        "Por favor, revisa las preguntas marcadas abajo. "
        "Tus demás respuestas están guardadas." in unfinished
    )
    refused = spanish(phone.post(url, {"item-1": "9"}))
    assert (
        "No se pudo guardar esta respuesta. Por favor, elige una de las "
        "respuestas que se muestran." in refused
    )


def test_saving_an_answer_says_so(phone, ames, first_session, ana):
    token = link(ames, first_session, ana, ["tac"])
    saved = phone.post(
        reverse("portal-autosave", args=[token, "tac"]),
        {"item": "1", "item-1": "2"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.content.decode().strip() == "Guardado"


def test_coming_back_to_a_link(phone, ames, first_session, ana):
    token = link(ames, first_session, ana, ["tac"])
    phone.post(start(token), {"mode": "one"})
    phone.post(reverse("portal-item", args=[token, "tac", 1]), {"item-1": "3"})
    text = spanish(phone.get(start(token)))
    assert "Bienvenido(a) de nuevo. Tus respuestas anteriores están guardadas." in text
    assert "Continuar" in text


@pytest.fixture
def site_scale(settings, tmp_path):
    """A site's own instrument, in English and Spanish, with trauma content
    and a number to type (0-10): the bundled ones with Spanish text have
    neither."""
    bundled = Path(tether.__file__).parent / "instruments/definitions/ors@1.0.yaml"
    text = bundled.read_text(encoding="utf-8")
    for old, new in [
        ("id: ors\n", "id: mood-line\n"),
        (
            "title: {en: Outcome Rating Scale}",
            "title: {en: Mood line, es: Línea del ánimo}",
        ),
        ("short_title: ORS", "short_title: ML"),
        ("languages: []", "languages: [en, es]"),
        ("  text_bundled: false", "  text_bundled: true"),
        ("trauma_content: false", "trauma_content: true"),
        ("allow_skip: false ", "allow_skip: true #"),
        ("min_answered: 4", "min_answered: 3"),
        *(
            (
                f'  - id: "{n}"\n',
                f'  - id: "{n}"\n    text: {{en: "Line {n}", es: "Línea {n}"}}\n',
            )
            for n in range(1, 5)
        ),
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "mood-line@1.0.yaml").write_text(text, encoding="utf-8")
    settings.DATA_DIR = tmp_path
    return "mood-line"


def test_the_notice_before_trauma_questions_and_a_number_to_type(
    phone, ames, first_session, ana, site_scale
):
    token = link(ames, first_session, ana, [site_scale])
    welcome = spanish(phone.get(start(token)))
    assert "Antes de empezar" in welcome
    assert (
        "Algunas de las próximas preguntas tratan sobre experiencias difíciles o dolorosas."
        in welcome
    )
    assert "Donde veas «Prefiero no responder», puedes saltar la pregunta." in welcome
    phone.post(start(token), {"mode": "one"})
    url = reverse("portal-item", args=[token, site_scale, 1])
    first = spanish(phone.get(url))
    assert "Antes de empezar" in first  # the notice's label
    assert "Tu respuesta: un número del 0 al 10" in first
    wrong = spanish(phone.post(url, {"item-1": "11"}))
    assert "Por favor, escribe un número del 0 al 10." in wrong


def test_the_end_page(phone, ames, first_session, ana):
    token = link(ames, first_session, ana, ["tac"])
    phone.post(start(token), {"mode": "all"})
    sent = phone.post(
        reverse("portal-page", args=[token, "tac"]),
        {f"item-{n}": v for n, v in ANA_TAC.items()},
    )
    text = spanish(phone.get(sent["Location"]))
    assert "Gracias" in text
    assert "Tus respuestas se enviaron. Ya puedes cerrar esta página." in text
    assert "988" not in text


def test_the_crisis_page_after_a_risk_answer_and_more_questions(
    phone, ames, first_session, ana, northside
):
    northside.crisis_contacts = "Línea de guardia de Northside: 555-0199"
    northside.save()
    token = link(ames, first_session, ana, ["phq-9", "tac"])
    phone.post(start(token), {"mode": "all"})
    sent = phone.post(
        reverse("portal-page", args=[token, "phq-9"]),
        {f"item-{n}": "1" for n in range(1, 10)},
    )
    assert sent["Location"] == reverse("portal-support", args=[token])
    text = spanish(phone.get(sent["Location"]))
    assert "Si estás pasando por un momento difícil" in text
    assert "Nadie ve estas respuestas en el momento en que las das" in text
    assert "No tienes que esperar. Puedes hablar con alguien ahora mismo" in text
    assert "Línea 988 de Prevención del Suicidio y Crisis" in text
    assert "Para hablar en español, marca 2 al llamar." in text
    assert "Línea de Crisis para Veteranos" in text
    assert "Si tú u otra persona están en peligro ahora mismo, llama al 911." in text
    for button in (
        "Llamar al 988",
        "Mensaje al 988",
        "Mensaje al 838255",
        "Llamar al 911",
    ):
        assert button in text
    assert "Northside Clinic: Línea de guardia de Northside: 555-0199" in text
    assert "Continuar con las siguientes preguntas" in text
    end = phone.post(
        reverse("portal-page", args=[token, "tac"]),
        {f"item-{n}": v for n, v in ANA_TAC.items()},
    )
    last = spanish(phone.get(end["Location"]))
    assert "Si estás pasando por un momento difícil" in last  # the title
    assert "Tus respuestas se enviaron. Ya puedes cerrar esta página." in last
    assert "Llamar al 988" in last


# ---- links that cannot be used -------------------------------------------------


def test_a_link_that_is_not_valid(phone, db):
    text = spanish(phone.get(start("nonsense") + "?lang=es"))
    assert "Este enlace no se puede usar" in text
    assert (
        "Este enlace no es válido. Por favor, pídele uno nuevo a tu terapeuta." in text
    )


def test_a_link_that_has_expired(phone, ames, first_session, ana):
    token = link(ames, first_session, ana, ["tac"])
    phone.get(start(token))  # this phone read the link (in Spanish) before
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=4)):
        text = spanish(phone.get(start(token)))
    assert "Este enlace ha vencido. Por favor, pídele uno nuevo a tu terapeuta." in text


def test_a_link_answered_or_revoked(phone, ames, first_session, ana):
    invitation, token = services.issue_invitation(
        ames, first_session.pk, ana.pk, ["tac"]
    )
    for n, value in ANA_TAC.items():
        services.save_answer(invitation, "tac", n, int(value))
    services.submit(invitation, "tac")
    answered = spanish(phone.get(start(token) + "?lang=es"))
    assert "Estas preguntas ya se respondieron. Gracias." in answered
    revoked = link(ames, first_session, ana, ["phq-9"])
    services.revoke_invitation(ames, services.find_invitation(revoked).pk)
    # A browser that never opened it: the link's own language.
    text = spanish(Client().get(start(revoked)))
    assert (
        "Este enlace ya no está activo. Por favor, pídele uno nuevo a tu terapeuta."
        in text
    )


def test_a_page_that_does_not_exist(phone, ames, first_session, ana):
    token = link(ames, first_session, ana, ["tac"])
    phone.get(start(token))
    text = spanish(phone.get(reverse("portal-item", args=[token, "tac", 99])))
    assert (
        "Esta página no existe. Por favor, revisa el enlace o pídele uno nuevo "
        "a tu terapeuta." in text
    )


# ---- the kiosk -----------------------------------------------------------------


@pytest.fixture
def kiosk(sign_in, ames, first_session, ana):
    client = sign_in(ames)
    assert client.post(f"/sessions/{first_session.pk}/kiosk/start/").status_code == 302
    return client


def test_the_kiosk_list_speaks_the_languages_of_the_people_on_it(kiosk, ana):
    response = kiosk.get("/kiosk/")
    assert response.status_code == 200
    text = visible(response)
    assert "Who is answering now? · ¿Quién responde ahora?" in text  # the title
    assert "Tap your name." in text
    assert "¿Quién responde ahora? Toca tu nombre." in text
    assert "Ana" in text


def test_a_kiosk_turn_in_spanish(kiosk, ana):
    tapped = kiosk.post(f"/kiosk/members/{ana.pk}/")
    token = tapped["Location"].split("/")[2]
    welcome = spanish(kiosk.get(tapped["Location"]))
    assert "Puedes parar en cualquier momento: solo devuelve la tableta." in welcome
    assert "este mismo enlace" not in welcome
    kiosk.post(start(token), {"mode": "all"})
    sent = kiosk.post(
        reverse("portal-page", args=[token, "tac"]),
        {f"item-{n}": v for n, v in ANA_TAC.items()},
    )
    assert kiosk.get(sent["Location"])["Location"] == "/kiosk/next/"
    handover = visible(kiosk.get("/kiosk/next/"))
    assert "Thank you · Gracias" in handover
    assert "Por favor, devuelve la tableta o pásala a la siguiente persona." in handover
    assert "Please give the tablet back, or to the next person." in handover
    assert "Back to the list · Volver a la lista" in handover
    after = visible(kiosk.get("/kiosk/"))
    assert "Ana · Listo" in after


@pytest.fixture
def phq9_for_ana(rivera, ana):
    """Ana answers PHQ-9 on the tablet (ask for it before `kiosk`)."""
    rivera.measure_plans.create(
        organization=rivera.organization, instrument="phq-9", roles=["other"]
    )


def test_the_kiosk_end_page_after_a_risk_answer(phq9_for_ana, kiosk, ana):
    tapped = kiosk.post(f"/kiosk/members/{ana.pk}/")
    token = tapped["Location"].split("/")[2]
    kiosk.post(start(token), {"mode": "all"})
    sent = kiosk.post(
        reverse("portal-page", args=[token, "phq-9"]),
        {f"item-{n}": "0" for n in range(1, 9)} | {"item-9": "2"},
    )
    text = spanish(kiosk.get(sent["Location"]))
    assert "Tus respuestas se enviaron." in text
    assert "Ya puedes cerrar esta página" not in text
    assert "Llamar al 988" in text
    assert "Listo" in text


def test_a_name_that_cannot_start_says_so_in_the_persons_language(
    kiosk, ana, monkeypatch
):
    def refuse(*args, **kwargs):
        raise care.InvalidEntry(["tac: not for the family's eyes"])

    monkeypatch.setattr("tether.portal.kiosk.start_kiosk_turn", refuse)
    back = kiosk.post(f"/kiosk/members/{ana.pk}/", follow=True)
    text = visible(back)
    assert (
        "Esto no se puede empezar aquí. Por favor, pregúntale a tu terapeuta." in text
    )
    assert "family's eyes" not in text


# ---- the email and text message ------------------------------------------------


@pytest.fixture
def ana_link(ames, first_session, ana):
    return services.issue_invitation(ames, first_session.pk, ana.pk, ["tac"])


def test_the_invitation_email_in_spanish(ana_link):
    invitation, token = ana_link
    services.send_invitation(invitation, token, via="email")
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert message.subject == "Tu enlace privado"
    lines = message.body.splitlines()
    assert lines[0] == "Hola, Ana:"
    assert lines[2] == "Aquí tienes unas preguntas breves para responder en privado:"
    assert lines[3] == services.link_url(token)
    expiry = lines[5]
    assert re.fullmatch(
        r"El enlace funciona hasta el \d+ de \w+ de \d{4} a las \d\d:\d\d \(UTC\)\. "
        r"Por favor, no lo compartas\.",
        expiry,
    ), expiry
    assert "Hello" not in message.body


def test_the_invitation_sms_in_spanish(ana_link, settings):
    settings.TETHER_SMS_BACKEND = "tether.portal.sms.LocMemSMSBackend"
    LocMemSMSBackend.outbox.clear()
    invitation, token = ana_link
    services.send_invitation(invitation, token, via="sms")
    ((to, body),) = LocMemSMSBackend.outbox
    assert to == "+1 555 0142"
    assert body.startswith("Hola, Ana:\n\nAquí tienes unas preguntas breves")
    assert "Por favor, no lo compartas." in body


def test_the_risk_email_stays_in_the_clinicians_language(ames, rivera):
    """It is sent while a Spanish page is being answered."""
    with translation.override("es"):
        services.alert_clinicians(rivera.pk)
    assert {m.subject for m in mail.outbox} == {"Tether: please sign in today"}
    assert all(
        m.body.startswith("A questionnaire in one of your cases") for m in mail.outbox
    )


def test_answers_sent_meanwhile_are_recognised_in_spanish_too(
    phone, ames, first_session, ana, monkeypatch
):
    """The page tells the problem by its code, not by English words: with the
    page in Spanish the service's message is Spanish too."""
    invitation, token = services.issue_invitation(
        ames, first_session.pk, ana.pk, ["tac", "phq-9"]
    )
    for item in ANA_TAC:
        services.save_answer(invitation, "tac", item, 3)
    services.submit(invitation, "tac")
    with pytest.raises(care.InvalidEntry) as caught:
        services.save_answer(invitation, "tac", "1", 2)
    with translation.override("es"):
        assert "already sent" not in str(caught.value)

    def refuse(*args):
        raise caught.value

    monkeypatch.setattr(services, "save_answer", refuse)
    monkeypatch.setattr("tether.portal.views.is_sent", lambda response: False)
    phone.post(start(token), {"mode": "one"})
    text = spanish(
        phone.post(reverse("portal-item", args=[token, "tac", 1]), {"item-1": "2"})
    )
    assert "Estas respuestas ya se enviaron, así que no se pueden cambiar." in text
