"""What a person reads when a link opens and as it goes on (issue #11 items
11-13): the welcome after a paper entry, what "Questionnaire 2 of 2"
counts, the instructions once, Spanish offered for every questionnaire that
has it (the English-only one named), the language kept on the link, and the
child form's title."""

import pytest
from django.test import Client
from django.urls import reverse
from tests.visible import visible_text

from tether.care import services as care
from tether.care.models import Response
from tether.care.services import InvalidEntry
from tether.portal import services
from tether.portal.models import Invitation

TAC_ITEMS = [str(i) for i in range(1, 14)]
"""TAC 1.1 in a family case, such as the Riveras: 13 items."""


def start_url(token):
    return reverse("portal-start", args=[token])


def item_url(token, slug, n):
    return reverse("portal-item", args=[token, slug, n])


def one_per_screen(browser, token):
    response = browser.post(start_url(token), {"mode": "one"})
    assert response.status_code == 302
    return response["Location"]


@pytest.fixture
def leo_link(ames, first_session, leo):
    """Leo, the identified client (13-17): the TAC, then the PCL-5 (English
    only), issued in English."""
    return services.issue_invitation(
        ames, first_session.pk, leo.pk, ["tac", "pcl-5"], language="en"
    )


def paper_tac(ames, first_session, leo):
    care.enter_paper_response(
        ames,
        first_session.pk,
        "tac",
        leo.pk,
        answers=dict.fromkeys(TAC_ITEMS, 3),
    )


# ---- item 12: the welcome after a paper entry ------------------------------------


def test_after_a_paper_entry_the_welcome_does_not_say_welcome_back(
    leo_link, ames, first_session, leo
):
    _, token = leo_link
    paper_tac(ames, first_session, leo)
    welcome = visible_text(Client().get(start_url(token)))
    assert "Welcome back" not in welcome
    assert "Start" in welcome
    assert "About 20 questions" in welcome  # the PCL-5 only


def test_the_welcome_says_welcome_back_to_whoever_answered_on_the_link(
    leo_link, ames, first_session, leo
):
    invitation, token = leo_link
    paper_tac(ames, first_session, leo)
    services.save_answer(invitation, "pcl-5", "1", 2)
    welcome = visible_text(Client().get(start_url(token)))
    assert "Welcome back. Your earlier answers are saved." in welcome
    assert "Continue" in welcome


def test_questionnaire_2_of_2_counts_only_what_this_person_answers(
    leo_link, ames, first_session, leo
):
    _, token = leo_link
    member = Client()
    one_per_screen(member, token)
    tac = visible_text(member.get(item_url(token, "tac", 1)))
    assert "Questionnaire 1 of 2" in tac
    paper_tac(ames, first_session, leo)
    pcl5 = visible_text(member.get(item_url(token, "pcl-5", 1)))
    assert "Question 1 of 20" in pcl5
    assert "Questionnaire" not in pcl5  # one left to answer: no count at all


def test_after_answering_the_first_on_the_link_the_second_is_2_of_2(
    leo_link, ames, first_session, leo
):
    invitation, token = leo_link
    for item in TAC_ITEMS:
        services.save_answer(invitation, "tac", item, 3)
    services.submit(invitation, "tac")
    member = Client()
    one_per_screen(member, token)
    pcl5 = visible_text(member.get(item_url(token, "pcl-5", 1)))
    assert "Questionnaire 2 of 2" in pcl5


# ---- item 11: the instructions once ------------------------------------------------


def test_the_instructions_show_on_the_first_screen_only(leo_link):
    _, token = leo_link
    member = Client()
    one_per_screen(member, token)
    first = visible_text(member.get(item_url(token, "tac", 1)))
    second = visible_text(member.get(item_url(token, "tac", 2)))
    instructions = "There are no right or wrong answers. Honest answers"
    assert instructions in first
    assert instructions not in second
    # The stem stays with every question.
    assert "How much do you agree or disagree" in second
    page = member.get(reverse("portal-page", args=[token, "tac"]))
    assert visible_text(page).count(instructions) == 1


# ---- item 13: Spanish for every questionnaire that has it --------------------------


def test_spanish_is_offered_and_the_english_only_questionnaire_is_named(leo_link):
    _, token = leo_link
    member = Client()
    english = member.get(start_url(token)).content.decode()
    assert 'href="?lang=es"' in english
    welcome = visible_text(member.get(start_url(token) + "?lang=es"))
    assert "Hola, Leo" in welcome
    assert (
        "El cuestionario «PTSD Checklist for DSM-5 (past week)» solo está "
        "disponible en inglés." in welcome
    )
    assert "Chequeo de la alianza" not in welcome  # the TAC is in Spanish
    one_per_screen(member, token)
    tac = member.get(item_url(token, "tac", 1)).content.decode()
    assert "Siento que mi terapeuta me entiende." in tac
    assert "solo en inglés" not in tac
    pcl5 = member.get(item_url(token, "pcl-5", 1)).content.decode()
    assert '<html lang="es">' in pcl5
    assert (
        '<span lang="en">PTSD Checklist for DSM-5 (past week)</span> '
        '<small class="only-in">(solo en inglés)</small>' in pcl5
    )
    assert 'lang="en"><span class="number">' not in pcl5
    assert "Repeated, disturbing, and unwanted memories" in pcl5
    assert "Prefiero no responder" in pcl5
    assert "Pregunta 1 de 20" in pcl5


def test_in_english_nothing_is_said_about_languages(leo_link):
    _, token = leo_link
    member = Client()
    welcome = visible_text(member.get(start_url(token)))
    assert "only available" not in welcome
    one_per_screen(member, token)
    pcl5 = visible_text(member.get(item_url(token, "pcl-5", 1)))
    assert "only in" not in pcl5


def test_the_chosen_language_is_kept_on_the_link_for_another_device(leo_link):
    invitation, token = leo_link
    Client().get(start_url(token) + "?lang=es")
    invitation.refresh_from_db()
    assert invitation.language == "es"
    other_phone = Client()
    assert "Hola, Leo" in visible_text(other_phone.get(start_url(token)))
    one_per_screen(other_phone, token)
    tac = visible_text(other_phone.get(item_url(token, "tac", 1)))
    assert "Pregunta 1 de 13" in tac
    # Back to English on the second phone: the first one follows.
    other_phone.get(start_url(token) + "?lang=en")
    invitation.refresh_from_db()
    assert invitation.language == "en"


def test_each_answer_records_the_language_its_questions_were_read_in(leo_link):
    _, token = leo_link
    member = Client()
    member.get(start_url(token) + "?lang=es")
    one_per_screen(member, token)
    member.post(item_url(token, "tac", 1), {"item-1": "3"})
    member.post(item_url(token, "pcl-5", 1), {"item-1": "2"})
    languages = dict(Response.objects.values_list("instrument", "language"))
    assert languages == {"tac@1.1": "es", "pcl-5@past-week": "en"}


def test_a_language_no_questionnaire_of_the_link_has_is_not_offered(
    ames, first_session, maria
):
    _, token = services.issue_invitation(ames, first_session.pk, maria.pk, ["mspss"])
    welcome = Client().get(start_url(token) + "?lang=es").content.decode()
    assert '<html lang="en">' in welcome
    assert "?lang=es" not in welcome
    assert Invitation.objects.get().language == "en"


def test_a_language_the_site_does_not_have_is_refused_plainly(leo_link):
    invitation, _ = leo_link
    with pytest.raises(InvalidEntry) as refused:
        services.choose_language(invitation, "fr")
    assert refused.value.codes == {"not-a-choice"}
    assert str(refused.value) == "Choose one of the languages offered."


# ---- item 13: the child form's title ------------------------------------------


def test_the_child_form_shows_a_child_friendly_title(ames, rivera, first_session):
    rosa = care.add_member(ames, rivera.pk, "Rosa", "child", "8-12")
    _, token = services.issue_invitation(ames, first_session.pk, rosa.pk, ["tac-child"])
    member = Client()
    one_per_screen(member, token)
    screen = member.get(item_url(token, "tac-child", 1))
    text = visible_text(screen)
    assert "A few questions about today" in text
    assert "Tether Alliance Check-in" not in text
    assert "A few questions about today" in screen.content.decode().split("</title>")[0]
    spanish = visible_text(member.get(item_url(token, "tac-child", 1) + "?lang=es"))
    assert "Unas preguntas sobre hoy" in spanish
    assert "Chequeo de la alianza" not in spanish
