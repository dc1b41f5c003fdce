"""The instrument library pages."""

import pytest

from tether.instruments import bundled_definitions


def test_the_library_is_open_without_signing_in(client):
    assert client.get("/instruments/").status_code == 200


def test_the_list_names_every_bundled_instrument_with_its_text_status(client):
    response = client.get("/instruments/")
    assert response.status_code == 200
    page = response.content.decode()
    for definition in bundled_definitions():
        assert f"/instruments/{definition.key}/" in page
    assert "licensed text not loaded" in page
    assert "not yet validated" in page


def test_a_bundled_instrument_shows_items_options_scales_cutoff_licence_and_citation(
    client,
):
    page = client.get("/instruments/phq-9@1.0/").content.decode()
    assert "Little interest or pleasure in doing things" in page
    assert "Nearly every day" in page
    assert "Cutoff ≥ 10" in page
    assert "moderately severe" in page
    assert "risk item: answer ≥ 1" in page
    assert "Kroenke" in page
    assert "No permission required" in page


def test_the_id_alone_opens_the_default_version(client):
    page = client.get("/instruments/pcl-5/").content.decode()
    assert "pcl-5@past-week" in page
    assert "In the past week" in page


def test_spanish_text_is_shown_on_request(client):
    page = client.get("/instruments/phq-9@1.0/?lang=es").content.decode()
    assert "Poco interés o placer en hacer cosas" in page
    assert "Casi todos los días" in page


def test_a_language_without_text_falls_back_to_one_that_has_it(client):
    page = client.get("/instruments/pcl-5@past-month/?lang=es").content.decode()
    assert "In the past month" in page


def test_a_licensed_instrument_shows_its_structure_but_not_its_text(client):
    page = client.get("/instruments/wai-sr@1.0/").content.decode()
    assert page.count("licensed text not loaded") >= 12
    assert "Goal" in page or "goal" in page


def test_an_unknown_instrument_is_a_404_that_names_it(client):
    response = client.get("/instruments/pcl-9/")
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/instruments/", "/instruments/tac@1.0/"])
def test_pages_carry_a_content_security_policy(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_an_unverified_scoring_key_is_said_to_raise_no_alerts(client):
    listing = client.get("/instruments/").content.decode()
    assert listing.count("scoring key unverified: no alerts") == 3
    page = client.get("/instruments/softa-s@1.0/").content.decode()
    assert "Scoring key unverified" in page
    assert "raise no alliance alert" in page
    assert (
        "Scoring key unverified"
        not in client.get("/instruments/tac@1.0/").content.decode()
    )
