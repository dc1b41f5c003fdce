"""Every loader error names the file, the field and the reason."""

import copy

import pytest
import yaml

from tether.instruments import DefinitionError, load_definition, parse_definition

VALID = {
    "id": "mini",
    "version": "1.0",
    "title": {"en": "Mini check-in", "es": "Mini"},
    "citation": "Tether tests",
    "licence": {"class": "project_open", "text_bundled": True, "note": "test only"},
    "role": "alliance",
    "respondents": ["client"],
    "languages": ["en", "es"],
    "allow_skip": True,
    "response": {
        "options": [
            {"value": 0, "label": {"en": "No", "es": "No"}},
            {"value": 1, "label": {"en": "Yes", "es": "Sí"}},
        ]
    },
    "items": [
        {
            "id": "1",
            "text": {"en": "One", "es": "Uno"},
            "risk": {"at_or_above": 1, "label": {"en": "r"}},
        },
        {"id": "2", "text": {"en": "Two", "es": "Dos"}},
    ],
    "scales": [
        {
            "id": "total",
            "label": {"en": "Total"},
            "items": "all",
            "method": "sum",
            "min_answered": 1,
            "higher_is_better": True,
            "bands": [
                {"from": 0, "label": {"en": "low"}},
                {"from": 1, "label": {"en": "high"}},
            ],
            "bands_source": "test",
        }
    ],
}


def problems_for(change):
    data = copy.deepcopy(VALID)
    change(data)
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, "mini.yaml")
    return caught.value.problems


def test_the_valid_example_loads():
    definition = parse_definition(copy.deepcopy(VALID), "mini.yaml")
    assert definition.key == "mini@1.0"
    assert definition.scales[0].items == ("1", "2")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("id"), "mini.yaml: id: is required"),
        (
            lambda d: d.update(id="Mini_1"),
            "mini.yaml: id: 'Mini_1' must be kebab-case, e.g. pcl-5",
        ),
        (lambda d: d.update(colour="blue"), "mini.yaml: colour: is not a known field"),
        (
            lambda d: d.update(role="mood"),
            "mini.yaml: role: 'mood' is not one of alliance, symptom, support, outcome, screen",
        ),
        (
            lambda d: d.update(respondents=["client", "teacher"]),
            "mini.yaml: respondents[1]: 'teacher' is not one of client, child, caregiver, therapist",
        ),
        (
            lambda d: d["licence"].update({"class": "free"}),
            "mini.yaml: licence.class: 'free' is not one of public_domain, blanket_permission, project_open, free_use_confirm, permission_required, licensed_local_text_only",
        ),
        (
            lambda d: d.update(title="Mini"),
            "mini.yaml: title: must be a mapping, not 'Mini'",
        ),
        (
            lambda d: d.update(title={"english": "Mini"}),
            "mini.yaml: title: 'english' is not a language code such as en or es",
        ),
        (
            lambda d: d["items"].append({"id": "2", "text": {"en": "x", "es": "x"}}),
            "mini.yaml: items: item id '2' appears more than once",
        ),
        (
            lambda d: d["items"][1]["text"].pop("es"),
            "mini.yaml: items[1].text: has no text in es",
        ),
        (
            lambda d: d["items"][0].update(reverse="yes"),
            "mini.yaml: items[0].reverse: must be true or false, not 'yes'",
        ),
        (
            lambda d: d["items"][0]["risk"].update(at_or_above=3),
            "mini.yaml: items[0].risk.at_or_above: 3 is not an answer value ({0, 1})",
        ),
        (
            lambda d: d["items"][0].update(
                alliance={"level": "team", "dimension": "goal"}
            ),
            "mini.yaml: items[0].alliance.level: 'team' is not one of self, other, group, within",
        ),
        (
            lambda d: d["scales"][0].update(items=["1", "9"]),
            "mini.yaml: scales[0].items: item '9' is not an item of this instrument",
        ),
        (
            lambda d: d["scales"][0].update(items="every"),
            "mini.yaml: scales[0].items: must be 'all' or a list of item ids, not 'every'",
        ),
        (
            lambda d: d["scales"][0].update(min_answered=3),
            "mini.yaml: scales[0].min_answered: must be a whole number from 1 to 2, not 3",
        ),
        (
            lambda d: d["scales"][0].update(method="median"),
            "mini.yaml: scales[0].method: 'median' is not one of sum, mean",
        ),
        (
            lambda d: d["scales"][0]["bands"].reverse(),
            "mini.yaml: scales[0].bands: must be in increasing order of `from`",
        ),
        (
            lambda d: d["scales"][0].update(change={"source": "x", "reliability": 1.2}),
            "mini.yaml: scales[0].change.reliability: must be at least 0 and below 1, not 1.2",
        ),
        (
            lambda d: d["scales"][0].update(
                higher_is_better=False,
                change={
                    "source": "x",
                    "recovery": {"below": 10, "at_or_below": 9, "source": "x"},
                },
            ),
            "mini.yaml: scales[0].change.recovery.below: give exactly one of below or at_or_below",
        ),
        (
            lambda d: d["scales"][0].update(
                change={"source": "x", "recovery": {"below": 1, "source": "x"}}
            ),
            "mini.yaml: scales[0].change.recovery: is for scales where lower is better",
        ),
        (
            lambda d: d["scales"][0].update(
                change={"source": "x", "meaningful_change_points": 10}
            ),
            "mini.yaml: scales[0].change.meaningful_change_label: goes with meaningful_change_points",
        ),
        (
            lambda d: d["scales"][0].update(
                change={
                    "source": "x",
                    "reliable_change_points": 15,
                    "meaningful_change_points": 10,
                    "meaningful_change_label": "x",
                    "possible_change_points": 12,
                    "possible_change_label": "x",
                }
            ),
            "mini.yaml: scales[0].change.meaningful_change_points: must lie between possible_change_points and reliable_change_points",
        ),
        (
            lambda d: d["scales"][0].update(
                cutoff={
                    "value": 1,
                    "direction": "above",
                    "label": {"en": "x"},
                    "source": "x",
                }
            ),
            "mini.yaml: scales[0].cutoff.direction: 'above' is not one of at_or_above, below",
        ),
        (
            lambda d: d["response"].update(range={"min": 0, "max": 10, "step": 1}),
            "mini.yaml: response.options: give exactly one of options or range",
        ),
        (
            lambda d: d["response"]["options"].append(
                {"value": 1, "label": {"en": "x", "es": "x"}}
            ),
            "mini.yaml: response.options: value 1 appears more than once",
        ),
        (
            lambda d: d["response"]["options"][1]["label"].pop("es"),
            "mini.yaml: response.options[1].label: has no text in es",
        ),
        (
            lambda d: d["licence"].update(text_bundled=False),
            "mini.yaml: items[0].text: licence.text_bundled is false, so no item text may be bundled",
        ),
        (
            lambda d: d["scales"][0].update(min_answered=2),
            "mini.yaml: allow_skip: no scale allows a missing answer (min_answered), so skipping cannot be offered",
        ),
        (
            lambda d: d.update(ages={"min": 12.5}),
            "mini.yaml: ages.min: must be a whole number of years, not 12.5",
        ),
        (
            lambda d: d["items"][1].update(
                text_for={"couples": {"en": "x", "es": "x"}}
            ),
            "mini.yaml: items[1].text_for.couples: is not one of individual, couple, family",
        ),
        (
            lambda d: d["items"][1].update(
                applies_to=["family"], text_for={"couple": {"en": "x", "es": "x"}}
            ),
            "mini.yaml: items[1].text_for.couple: the item is not asked in couple cases (applies_to: family)",
        ),
        (
            lambda d: d["items"][1].update(text_for={"couple": {"en": "x"}}),
            "mini.yaml: items[1].text_for.couple: has no text in es",
        ),
        (
            lambda d: d["items"][1].update(text_for={"couple": "my partner"}),
            "mini.yaml: items[1].text_for.couple: must be a mapping, not 'my partner'",
        ),
        (
            lambda d: d["response"]["options"][0].update(picture="smiley"),
            "mini.yaml: response.options[0].picture: 'smiley' is not one of face-0, face-1, face-2, face-3, face-4, circles-0, circles-1, circles-2, circles-3",
        ),
        (
            lambda d: d.update(superseded_by="1.0"),
            "mini.yaml: superseded_by: must name another version than this one",
        ),
        (
            lambda d: d.update(superseded_by="1.1", default=True),
            "mini.yaml: superseded_by: a superseded version cannot be the default (default: true)",
        ),
    ],
)
def test_each_invalid_field_is_reported_with_file_field_and_reason(change, expected):
    assert expected in problems_for(change)


def test_every_problem_is_reported_at_once():
    def break_three(d):
        d.pop("citation")
        d["role"] = "mood"
        d["scales"][0]["method"] = "median"

    assert sorted(problems_for(break_three)) == [
        "mini.yaml: citation: is required",
        "mini.yaml: role: 'mood' is not one of alliance, symptom, support, outcome, screen",
        "mini.yaml: scales[0].method: 'median' is not one of sum, mean",
    ]


def test_couple_wording_cannot_be_bundled_without_bundled_text():
    def unbundle(d):
        d["licence"]["text_bundled"] = False
        d["languages"] = []
        for item in d["items"]:
            item.pop("text")
            item["content"] = "an item"
        d["items"][1]["text_for"] = {"couple": {"en": "my partner"}}

    assert problems_for(unbundle) == [
        "mini.yaml: items[1].text_for.couple: licence.text_bundled is false, so no item text may be bundled"
    ]


def test_an_item_is_worded_for_the_case_kind_and_falls_back_to_its_text():
    data = copy.deepcopy(VALID)
    data["items"][1]["text_for"] = {"couple": {"en": "Two of us", "es": "Los dos"}}
    item = parse_definition(data, "mini.yaml").item("2")
    assert item.text_for("couple")["en"] == "Two of us"
    assert item.text_for("couple")["es"] == "Los dos"
    assert item.text_for("family")["en"] == "Two"
    assert item.text_for("individual") == item.text


def test_structure_only_items_need_a_content_descriptor():
    def unbundle(d):
        d["licence"]["text_bundled"] = False
        d["languages"] = []
        for item in d["items"]:
            item.pop("text")
        d["items"][1]["content"] = "Second item"

    assert problems_for(unbundle) == [
        "mini.yaml: items[0].content: is required when the item text is not bundled"
    ]


def test_a_file_that_is_not_yaml_is_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(
        DefinitionError, match=r"^broken.yaml: \(file\): is not valid YAML"
    ):
        load_definition(path)


def test_a_yaml_list_is_not_a_definition(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text(yaml.safe_dump([1, 2]), encoding="utf-8")
    with pytest.raises(
        DefinitionError,
        match=r"^list.yaml: \(file\): must be a YAML mapping of fields$",
    ):
        load_definition(path)


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(
        DefinitionError, match=r"^absent.yaml: \(file\): cannot be read"
    ):
        load_definition(tmp_path / "absent.yaml")


def test_a_member_title_needs_every_language_the_file_lists():
    problems = problems_for(lambda d: d.update(member_title={"en": "A few questions"}))
    assert problems == ["mini.yaml: member_title: has no text in es"]


def test_a_definition_speaks_a_language_only_where_every_item_has_it():
    data = copy.deepcopy(VALID)
    data["languages"] = ["en"]
    data["title"] = {"en": "Mini"}
    for option in data["response"]["options"]:
        option["label"].pop("es")
    data["items"][1]["text"].pop("es")
    english_only = parse_definition(data, "mini.yaml")
    both = parse_definition(copy.deepcopy(VALID), "mini.yaml")
    assert both.speaks("es")
    assert not english_only.speaks("es")
    assert both.text_language("es") == "es"
    assert english_only.text_language("es") == "en"
    assert english_only.text_language("fr", fallback="en") == "en"
