"""Versions of one instrument side by side: one default, `superseded_by`
names a loaded version, and a superseded version stays loadable but is not
sent (docs/instrument-format.md, docs/tac.md)."""

import pytest
import yaml

from tether.instruments import (
    DefinitionError,
    Library,
    bundled_definitions,
    load_library,
    parse_definition,
)
from tether.instruments.library import check_versions


def mini(**fields):
    return {
        "id": "mini",
        "version": "1.0",
        "title": {"en": "Mini"},
        "citation": "Tether tests",
        "licence": {"class": "project_open", "text_bundled": True, "note": "test"},
        "role": "alliance",
        "respondents": ["client"],
        "languages": ["en"],
        "response": {"options": [{"value": 0, "label": {"en": "No"}}]},
        "items": [{"id": "1", "text": {"en": "One"}}],
        "scales": [
            {
                "id": "total",
                "label": {"en": "Total"},
                "items": "all",
                "method": "sum",
                "min_answered": 1,
                "higher_is_better": True,
            }
        ],
    } | fields


def version(number, **fields):
    return parse_definition(mini(version=number, **fields), f"mini@{number}.yaml")


def test_the_bundled_definitions_have_consistent_versions():
    assert check_versions(bundled_definitions()) == []


def test_two_defaults_for_one_id_are_refused():
    problems = check_versions(
        [version("1.0", default=True), version("2.0", default=True)]
    )
    assert problems == [
        "mini: default: only one version may be the default, not 1.0, 2.0"
    ]


def test_superseded_by_must_name_a_loaded_version():
    problems = check_versions([version("1.0", superseded_by="1.5"), version("2.0")])
    assert problems == [
        "mini@1.0: superseded_by: '1.5' is not a loaded version of mini (1.0, 2.0)"
    ]


def test_versions_that_supersede_each_other_are_refused():
    problems = check_versions(
        [version("1.0", superseded_by="2.0"), version("2.0", superseded_by="1.0")]
    )
    assert problems == [
        "mini@1.0: superseded_by: the versions supersede each other in a loop",
        "mini@2.0: superseded_by: the versions supersede each other in a loop",
    ]


def test_current_follows_superseded_by_to_the_end():
    library = Library(
        (
            version("1.0", superseded_by="1.1"),
            version("1.1", superseded_by="2.0"),
            version("2.0", default=True),
        )
    )
    assert library.current("mini@1.0").key == "mini@2.0"
    assert library.current("mini").key == "mini@2.0"
    assert library.get("mini@1.0").key == "mini@1.0"  # still loadable
    assert [d.key for d in library.sendable()] == ["mini@2.0"]


def test_a_site_definition_that_makes_a_second_default_is_refused(tmp_path):
    site = tmp_path / "instruments"
    site.mkdir()
    data = mini(id="tac", version="9.0", default=True)
    (site / "tac@9.0.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_library(tmp_path)
    assert caught.value.problems == [
        "tac: default: only one version may be the default, not 1.1, 9.0"
    ]
