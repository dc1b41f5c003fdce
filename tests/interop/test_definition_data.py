"""A definition as the data of its file: read back by the loader, it is the
same definition."""

import dataclasses

import pytest

from tether.instruments import bundled_definitions, parse_definition
from tether.interop.definition_data import definition_data


@pytest.mark.parametrize("definition", bundled_definitions(), ids=lambda d: d.key)
def test_every_bundled_definition_reads_back_from_its_data_unchanged(definition):
    back = parse_definition(definition_data(definition), f"{definition.key}.yaml")
    assert (
        dataclasses.replace(
            back, source_path=definition.source_path, text_source=definition.text_source
        )
        == definition
    )


def test_licensed_wording_is_left_out_unless_asked_for():
    wai = next(d for d in bundled_definitions() if d.key == "wai-sr@1.0")
    licensed = dataclasses.replace(
        wai,
        items=tuple(
            dataclasses.replace(i, text={"en": "licensed words"}) for i in wai.items
        ),
    )
    assert "licensed words" not in str(definition_data(licensed))
    assert "licensed words" in str(definition_data(licensed, with_text=True))
