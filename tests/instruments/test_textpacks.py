"""Licensed text packs: stored after a check, then carried by definitions."""

import pytest
import yaml

from tether.cli import main
from tether.instruments import load_library

WAI_ITEMS = {str(i): {"en": f"Licensed WAI-SR item {i}"} for i in range(1, 13)}


def write_pack(path, **fields):
    document = {
        "instrument": "wai-sr",
        "source": "Licensed from SPR (test)",
        "items": WAI_ITEMS,
    }
    document.update(fields)
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("TETHER_DATA_DIR", str(folder))
    return folder


def test_without_a_pack_licensed_items_have_no_text(data_dir):
    wai = load_library(data_dir).get("wai-sr")
    assert not wai.has_text
    assert wai.items[0].content


def test_a_valid_pack_is_stored_and_later_definitions_carry_its_text(
    tmp_path, data_dir, capsys
):
    pack = write_pack(tmp_path / "wai.yaml")
    assert main(["instruments", "add-text", "wai-sr", str(pack)]) == 0
    assert "stored text for wai-sr@1.0 (en)" in capsys.readouterr().out
    wai = load_library(data_dir).get("wai-sr")
    assert wai.has_text
    assert wai.items[11].text["en"] == "Licensed WAI-SR item 12"
    assert wai.text_source == "Licensed from SPR (test)"
    assert wai.languages == ("en",)


def test_a_csv_pack_works_the_same(tmp_path, data_dir):
    rows = ["item,en,es"] + [f"{i},Item {i},Ítem {i}" for i in range(1, 13)]
    pack = tmp_path / "wai.csv"
    pack.write_text("\n".join(rows), encoding="utf-8")
    assert main(["instruments", "add-text", "wai-sr", str(pack)]) == 0
    wai = load_library(data_dir).get("wai-sr")
    assert wai.items[0].text == {"en": "Item 1", "es": "Ítem 1"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"items": {**WAI_ITEMS, "13": {"en": "extra"}}},
            "item '13' is not an item of wai-sr@1.0",
        ),
        (
            {"items": {k: v for k, v in WAI_ITEMS.items() if k != "7"}},
            "item '7' has no text in the pack",
        ),
        (
            {"items": {**WAI_ITEMS, "3": {"es": "solo español"}}},
            "item '3' has no text in en",
        ),
        ({"instrument": "srs"}, "the pack is for instrument 'srs', not 'wai-sr'"),
        (
            {"options": {"9": {"en": "Never"}}},
            "option '9' is not an answer value of wai-sr@1.0",
        ),
        ({"version": "2.0"}, "the pack is for version '2.0'; wai-sr has version '1.0'"),
        ({"colour": "red"}, "colour: is not a known field"),
    ],
)
def test_an_invalid_pack_is_refused_with_a_clear_message_and_nothing_is_stored(
    tmp_path, data_dir, capsys, fields, message
):
    pack = write_pack(tmp_path / "wai.yaml", **fields)
    assert main(["instruments", "add-text", "wai-sr", str(pack)]) == 2
    assert message in capsys.readouterr().err
    assert not (data_dir / "text-packs").exists()
    assert not load_library(data_dir).get("wai-sr").has_text


def test_a_csv_without_the_item_header_is_refused(tmp_path, data_dir, capsys):
    pack = tmp_path / "wai.csv"
    pack.write_text("1,text\n", encoding="utf-8")
    assert main(["instruments", "add-text", "wai-sr", str(pack)]) == 2
    assert "the first row must be a header: item,<language>" in capsys.readouterr().err


def test_a_pack_for_an_unknown_instrument_id_is_refused(tmp_path, data_dir, capsys):
    pack = write_pack(tmp_path / "wai.yaml")
    assert main(["instruments", "add-text", "wai-xl", str(pack)]) == 2
    assert "unknown instrument 'wai-xl'" in capsys.readouterr().err


def test_a_second_pack_replaces_the_first(tmp_path, data_dir):
    main(["instruments", "add-text", "wai-sr", str(write_pack(tmp_path / "a.yaml"))])
    newer = {k: {"en": f"Revised {k}"} for k in WAI_ITEMS}
    main(
        [
            "instruments",
            "add-text",
            "wai-sr",
            str(write_pack(tmp_path / "b.yaml", items=newer)),
        ]
    )
    assert load_library(data_dir).get("wai-sr").items[0].text["en"] == "Revised 1"
    assert len(list((data_dir / "text-packs").iterdir())) == 1
