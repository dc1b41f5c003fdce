"""Error pages speak plainly, look like the rest of Tether and offer a way back."""

import pytest
from django.test import Client
from django.urls import reverse
from tests.visible import visible_text

from tether.core.errors import error_page


def test_an_unknown_address_gets_a_page_not_found_with_a_way_back(sign_in, ames):
    response = sign_in(ames).get("/no-such-page/")
    assert response.status_code == 404
    text = visible_text(response.content.decode())
    assert "Page not found" in text
    assert "Back to the start" in text
    assert "Caseload" in text  # the app's own navigation, signed in


def test_opening_a_form_only_address_gets_a_page_that_says_so(sign_in, ames):
    url = reverse("alert-acknowledge", args=[1])
    response = sign_in(ames).get(url)
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    text = visible_text(response.content.decode())
    assert "This address only accepts a form" in text
    assert "Back to the start" in text


def test_another_organizations_case_is_refused_in_the_apps_style(sign_in, cole, rivera):
    response = sign_in(cole).get(reverse("case-detail", args=[rivera.pk]))
    assert response.status_code in (403, 404)
    text = visible_text(response.content.decode())
    assert "Back to the start" in text
    assert "Rivera" not in text


def test_an_expired_form_token_gets_a_page_that_says_what_to_do(ames, rivera):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ames)
    response = client.post(reverse("case-close", args=[rivera.pk]))
    assert response.status_code == 403
    text = visible_text(response.content.decode())
    assert "This form has expired" in text
    assert "reload the page" in text


@pytest.mark.django_db
def test_the_server_error_page_renders_without_a_request_or_database():
    response = error_page(None, 500)
    assert response.status_code == 500
    text = visible_text(response.content.decode())
    assert "Something went wrong on our side" in text
    assert "Nothing you had already saved is lost" in text
