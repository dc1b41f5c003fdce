"""A short help page per screen, linked from the screen's title."""

import pytest
from tests.visible import visible_text

from tether.core.views import HELP_TOPICS


@pytest.mark.parametrize("topic", list(HELP_TOPICS))
def test_each_help_page_opens_and_lists_the_others(client, topic):
    response = client.get(f"/help/{topic}/")
    assert response.status_code == 200
    text = visible_text(response)
    assert str(HELP_TOPICS[topic]) in text
    for other in HELP_TOPICS:
        assert f'href="/help/{other}/"' in response.content.decode()


def test_an_unknown_help_page_is_a_404(client):
    assert client.get("/help/nothing/").status_code == 404


@pytest.mark.parametrize(
    ("url", "topic"),
    [
        ("/cases/", "caseload"),
        ("/cases/{case}/", "case"),
        ("/sessions/{session}/links/", "sending"),
        ("/sessions/{session}/", "kiosk"),
    ],
)
def test_each_screen_links_its_help_page(
    sign_in, ames, rivera, first_session, url, topic
):
    page = sign_in(ames).get(url.format(case=rivera.pk, session=first_session.pk))
    assert f'href="/help/{topic}/"' in page.content.decode()


def test_the_kiosk_help_says_how_to_leave_it(client):
    assert "until you leave kiosk mode with your password" in visible_text(
        client.get("/help/kiosk/")
    )
