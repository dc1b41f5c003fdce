"""The instrument library through the API."""

from tether.care.frames import library


def test_every_instrument_of_the_library_is_listed_in_pages(as_ames):
    first = as_ames.get("/instruments", page_size=15).json()
    second = as_ames.client.get(first["next"], headers=as_ames.headers).json()
    keys = [i["key"] for i in first["results"] + second["results"]]
    assert keys == sorted(d.key for d in library())
    assert (first["previous"], second["next"]) == (None, None)
    back = as_ames.client.get(second["previous"], headers=as_ames.headers).json()
    assert back["results"] == first["results"]


def test_a_cursor_the_api_did_not_give_is_a_page_that_does_not_exist(as_ames):
    assert as_ames.get("/instruments", cursor="bm9wZUAx").status_code == 404
    assert as_ames.get("/instruments", cursor="%%%").status_code == 404


def test_an_instrument_shows_its_items_and_scales(as_ames):
    phq9 = as_ames.get("/instruments/phq-9").json()
    assert phq9["key"] == "phq-9@1.0"
    assert [i["id"] for i in phq9["items"]] == [str(n) for n in range(1, 10)]
    assert phq9["items"][8]["risk_at_or_above"] == 1
    assert phq9["items"][0]["text"].startswith("Little interest")


def test_item_text_the_licence_does_not_let_us_bundle_is_not_shown(as_ames):
    srs = as_ames.get("/instruments/srs").json()
    assert srs["text_bundled"] is False
    assert {i["text"] for i in srs["items"]} == {""}


def test_an_unknown_instrument_is_404(as_ames):
    assert as_ames.get("/instruments/nope").status_code == 404
