"""REDCap data dictionaries: every bundled instrument written as one reads back
as the same definition; a foreign dictionary is read where its meaning is
certain, and every field that cannot be read is named with its row."""

import csv
import dataclasses
import io

import pytest

from tether.instruments import Library, bundled_definitions, parse_definition
from tether.interop.definition_data import definition_data
from tether.interop.redcap import (
    COLUMNS,
    HEADER,
    DictionaryError,
    dictionary_csv,
    dictionary_rows,
    read_dictionary,
)
from tether.interop.redcap_names import NAME, form_names

DEFINITIONS = bundled_definitions()
LIBRARY = Library(DEFINITIONS)


def as_file(rows):
    """The dictionary as REDCap's CSV, then read back as its header and rows."""
    table = list(csv.reader(io.StringIO(dictionary_csv(rows))))
    return table[0], table[1:]


def read(header, body, **options):
    return read_dictionary(
        header, body, list(range(2, len(body) + 2)), "dictionary.csv", **options
    )


def same(definition):
    return dataclasses.replace(definition, source_path="", text_source="")


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_bundled_instrument_reads_back_as_the_same_definition(language):
    header, body = as_file(dictionary_rows(DEFINITIONS, language))
    for definition in DEFINITIONS:
        form = form_names(definition).form
        imported = read(header, body, form=form).definition
        assert same(imported) == same(definition), definition.key
        # items, answers and their scores, keys and reverse-keying, scales:
        assert imported.items == definition.items
        assert imported.options == definition.options
        assert [i.reverse for i in imported.items] == [
            i.reverse for i in definition.items
        ]
        assert imported.scales == definition.scales


def test_the_file_has_redcaps_18_columns_and_a_record_id_first():
    header, body = as_file(dictionary_rows([LIBRARY.get("phq-9")]))
    assert header == list(HEADER)
    assert len(header) == 18
    assert header[0] == "Variable / Field Name"
    assert header[5] == "Choices, Calculations, OR Slider Labels"
    assert body[0][:5] == ["record_id", "phq_9_1_0", "", "text", "Record ID"]


def test_field_and_form_names_follow_redcaps_rules_and_never_clash():
    rows = dictionary_rows(DEFINITIONS)
    names = [row["field_name"] for row in rows]
    assert all(NAME.match(name) for name in names)
    assert len(names) == len(set(names))
    forms = {row["form_name"] for row in rows}
    assert all(NAME.match(form) for form in forms)
    assert not {f"{form}_complete" for form in forms} & set(names)
    assert max(len(name) for name in names) <= 100  # REDCap's longest


def test_phq9_is_radio_fields_with_code_label_choices_and_a_calc_total():
    rows = {row["field_name"]: row for row in dictionary_rows([LIBRARY.get("phq-9")])}
    item = rows["phq_9_1_0_9"]
    assert item["field_type"] == "radio"
    assert item["field_label"] == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert item["select_choices_or_calculations"] == (
        "0, Not at all | 1, Several days | 2, More than half the days | 3, Nearly every day"
    )
    assert "branching_logic" not in item
    total = rows["phq_9_1_0_total"]
    assert total["field_type"] == "calc"
    assert total["select_choices_or_calculations"].startswith(
        'if((if([phq_9_1_0_1]<>"", 1, 0)+'
    )
    assert ">=8, mean([phq_9_1_0_1], " in total["select_choices_or_calculations"]


def test_licensed_wording_is_never_written_only_a_neutral_label():
    wai = LIBRARY.get("wai-sr")
    rows = dictionary_rows([wai])
    labels = [row["field_label"] for row in rows if row["field_type"] == "radio"]
    assert labels == [f"Item {item.id}" for item in wai.items]


def test_a_site_text_pack_never_reaches_the_dictionary():
    wai = LIBRARY.get("wai-sr")
    licensed = dataclasses.replace(
        wai,
        items=tuple(
            dataclasses.replace(item, text={"en": f"LICENSED WORDING {item.id}"})
            for item in wai.items
        ),
        text_source="Licensed from SPR",
    )
    assert "LICENSED WORDING" not in dictionary_csv(dictionary_rows([licensed]))


def test_a_label_that_looks_like_a_formula_stays_text_in_a_spreadsheet():
    phq = LIBRARY.get("phq-9")
    first = dataclasses.replace(
        phq.items[0], text={"en": "=cmd|' /C calc'!A0", "es": "x"}
    )
    tricked = dataclasses.replace(phq, items=(first, *phq.items[1:]))
    text = dictionary_csv(dictionary_rows([tricked]))
    assert ",'=cmd" in text
    assert ",=cmd" not in text


def test_negative_choice_codes_survive_the_spreadsheet_guard():
    data = definition_data(LIBRARY.get("gad-7"))
    for option in data["response"]["options"]:
        option["value"] -= 1
    data["id"] = "gad-7-shifted"
    shifted = parse_definition(data, "gad-7-shifted.yaml")
    header, body = as_file(dictionary_rows([shifted]))
    imported = read(header, body).definition
    assert [o.value for o in imported.options] == [-1, 0, 1, 2]


# ---- dictionaries from elsewhere ----------------------------------------------------

API_HEADER = [key for key, _ in COLUMNS]


def foreign(*fields):
    """A dictionary as REDCap's API exports one (snake_case column names)."""
    body = []
    for f in fields:
        row = dict.fromkeys(API_HEADER, "")
        row.update(f)
        body.append([row[k] for k in API_HEADER])
    return API_HEADER, body


CHOICES = "0, Never | 1, Sometimes | 2, <b>Often</b> | 3, Always"


def mood_form(*extra, total="sum([mood_q1], [mood_q2], [mood_q3])"):
    return foreign(
        {
            "field_name": "record_id",
            "form_name": "mood",
            "field_type": "text",
            "field_label": "ID",
        },
        {
            "field_name": "mood_q1",
            "form_name": "mood",
            "section_header": "Mood check",
            "field_type": "radio",
            "field_label": "Felt low",
            "select_choices_or_calculations": CHOICES,
        },
        {
            "field_name": "mood_q2",
            "form_name": "mood",
            "field_type": "dropdown",
            "field_label": "Felt <i>tense</i> &amp; worried",
            "select_choices_or_calculations": CHOICES,
        },
        {
            "field_name": "mood_q3",
            "form_name": "mood",
            "field_type": "radio",
            "field_label": "Felt calm",
            "select_choices_or_calculations": CHOICES,
            "branching_logic": "[mood_q1] > 0",
        },
        {
            "field_name": "mood_total",
            "form_name": "mood",
            "field_type": "calc",
            "field_label": "Mood total",
            "select_choices_or_calculations": total,
        },
        *extra,
    )


def test_a_foreign_dictionary_becomes_a_definition_with_cautious_defaults_named():
    imported = read(*mood_form(total="[mood_q1] + [mood_q2] + (3-[mood_q3])"))
    d = imported.definition
    assert d.key == "mood@1.0"
    assert d.title["en"] == "Mood check"
    assert d.item_ids == ("q1", "q2", "q3")
    assert d.items[1].text["en"] == "Felt tense & worried"
    assert [o.label["en"] for o in d.options] == [
        "Never",
        "Sometimes",
        "Often",
        "Always",
    ]
    assert [i.reverse for i in d.items] == [False, False, True]
    total = d.scale("total")
    assert (total.method, total.min_answered, total.items) == (
        "sum",
        3,
        ("q1", "q2", "q3"),
    )
    assert (d.role, d.licence.klass, d.respondents) == (
        "screen",
        "permission_required",
        ("client",),
    )
    warnings = "\n".join(imported.warnings)
    assert "row 2: record_id: skipped" in warnings
    assert "row 5: mood_q3: branching logic dropped ([mood_q1] > 0)" in warnings
    assert "citation, licence, role, respondents: not in the dictionary" in warnings
    assert "higher_is_better: not in the dictionary" in warnings
    assert "id and version: not in the dictionary; mood@1.0" in warnings


def test_the_imported_data_is_a_definition_file_the_loader_accepts():
    imported = read(*mood_form(), key="mood-check@2")
    assert parse_definition(imported.data, "mood-check@2.yaml").key == "mood-check@2"


def test_a_plain_sum_is_read_with_a_warning_that_redcap_adds_what_was_answered():
    imported = read(*mood_form())
    assert any(
        "sum() adds whatever items were answered" in w for w in imported.warnings
    )


def test_every_field_that_cannot_be_an_item_is_refused_with_its_row_and_name():
    with pytest.raises(DictionaryError) as refused:
        read(
            *mood_form(
                {
                    "field_name": "mood_when",
                    "form_name": "mood",
                    "field_type": "text",
                    "field_label": "When?",
                },
                {
                    "field_name": "mood_why",
                    "form_name": "mood",
                    "field_type": "notes",
                    "field_label": "Why?",
                },
                {
                    "field_name": "mood_which",
                    "form_name": "mood",
                    "field_type": "checkbox",
                    "field_label": "Which?",
                    "select_choices_or_calculations": "1, A | 2, B",
                },
            )
        )
    problems = "\n".join(refused.value.problems)
    assert (
        "row 7: mood_when: a text field is an item only when validated as a number"
        in problems
    )
    assert "row 8: mood_why: field type 'notes' cannot be read as an item" in problems
    assert (
        "row 9: mood_which: field type 'checkbox' cannot be read as an item" in problems
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"select_choices_or_calculations": "0, Never | x, Sometimes"},
            "choice code 'x' is not a number",
        ),
        (
            {"select_choices_or_calculations": "0, Never | 1, Rarely"},
            "its choices differ from mood_q1's (row 3)",
        ),
        (
            {"select_choices_or_calculations": "0 Never"},
            "choice '0 Never' is not 'code, label'",
        ),
        (
            {"select_choices_or_calculations": "0, A | 0, B"},
            "choice code 0 appears twice",
        ),
    ],
)
def test_choices_tether_cannot_score_are_refused(change, problem):
    header, body = mood_form()
    position = {k: i for i, k in enumerate(header)}
    for key, value in change.items():
        body[2][position[key]] = value
    with pytest.raises(DictionaryError) as refused:
        read(header, body)
    assert any(
        problem in p and p.startswith("row 4: mood_q2") for p in refused.value.problems
    ), refused.value.problems


@pytest.mark.parametrize(
    ("total", "problem"),
    [
        ("[mood_q1] + [mood_x]", "refers to mood_x, not an item of form 'mood'"),
        ("[mood_q1] * 2", "is not a sum or mean of item fields"),
        (
            "[mood_q1] + (4-[mood_q2])",
            "reverses mood_q2 as 4 − score, but its scores run 0–3",
        ),
    ],
)
def test_a_calculation_tether_cannot_read_is_refused_with_its_row(total, problem):
    with pytest.raises(DictionaryError) as refused:
        read(*mood_form(total=total))
    assert any(
        p.startswith("row 6: mood_total") and problem in p
        for p in refused.value.problems
    )


def test_an_item_reversed_in_one_total_and_not_another_is_refused():
    second = {
        "field_name": "mood_part",
        "form_name": "mood",
        "field_type": "calc",
        "field_label": "Part",
        "select_choices_or_calculations": "[mood_q1] + (3-[mood_q2])",
    }
    with pytest.raises(DictionaryError) as refused:
        read(*mood_form(second, total="[mood_q1] + [mood_q2] + [mood_q3]"))
    assert (
        "row 7: mood_part: mood_q2 is reversed here but not reversed in mood_total"
        in (refused.value.problems)
    )


def test_a_dictionary_of_several_forms_asks_which_one():
    header, body = as_file(
        dictionary_rows([LIBRARY.get("phq-9"), LIBRARY.get("gad-7")])
    )
    with pytest.raises(DictionaryError) as refused:
        read(header, body)
    assert refused.value.problems == [
        "the dictionary has 2 forms (phq_9_1_0, gad_7_1_0): choose one (--form)"
    ]
    assert read(header, body, form="gad_7_1_0").definition.key == "gad-7@1.0"


def test_a_form_without_a_total_is_refused():
    header, body = mood_form()
    with pytest.raises(DictionaryError) as refused:
        read(header, body[:-1])
    assert "form 'mood': no calc field" in refused.value.problems[0]


def test_a_file_without_the_dictionary_columns_is_refused():
    with pytest.raises(DictionaryError) as refused:
        read(["name", "type"], [["a", "radio"]])
    assert refused.value.problems[0] == (
        "dictionary.csv: not a REDCap data dictionary: no column 'Variable / Field Name'"
    )
