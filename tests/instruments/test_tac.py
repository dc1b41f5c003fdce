"""TAC 1.1 beside TAC 1.0 (issue "Alerts that are right", item 12; docs/tac.md):
what each form asks, in which words and pictures, and which version is the
default."""

import re
from pathlib import Path

import pytest

from tether.instruments import PICTURES, Library, bundled_definitions

LIBRARY = Library(bundled_definitions())
TAC = LIBRARY.get("tac@1.1")
CHILD = LIBRARY.get("tac-child@1.1")
THERAPIST = LIBRARY.get("tac-t@1.1")
FORMS_1_1 = (TAC, CHILD, THERAPIST)
PICTURE_DIR = (
    Path(__file__).resolve().parents[2] / "src/tether/portal/static/portal/faces"
)


def all_text(definition, language):
    """Every text a respondent may read, in one language."""
    parts = [definition.instructions, definition.stem]
    parts += [option.label for option in definition.options]
    parts += [item.text for item in definition.items]
    parts += [v for item in definition.items for v in item.variants.values()]
    return " ".join(part[language] for part in parts if language in part)


@pytest.mark.parametrize("ident", ["tac", "tac-child", "tac-t"])
def test_the_default_is_1_1_and_1_0_stays_loadable_as_superseded(ident):
    assert LIBRARY.get(ident).key == f"{ident}@1.1"
    old = LIBRARY.get(f"{ident}@1.0")
    assert old.superseded_by == "1.1"
    assert not old.default
    assert LIBRARY.current(f"{ident}@1.0").key == f"{ident}@1.1"
    assert old not in LIBRARY.sendable()


@pytest.mark.parametrize("definition", FORMS_1_1, ids=lambda d: d.key)
def test_1_1_is_marked_not_yet_validated_like_1_0(definition):
    assert definition.validated is False
    assert "Not yet validated" in definition.citation
    assert all(scale.cutoff is None and not scale.bands for scale in definition.scales)


def test_tac_1_0_is_unchanged_for_its_stored_answers():
    old = LIBRARY.get("tac@1.0")
    assert old.item_ids == tuple(str(i) for i in range(1, 12))
    assert old.item("7").text["en"] == "Today I could go at my own pace and felt safe."
    assert old.scale("self").items == ("1", "2", "3", "4", "5", "6", "7")
    assert not any(item.reverse for item in old.items)
    assert LIBRARY.get("tac-child@1.0").score_bounds == (0, 4)


@pytest.mark.parametrize("definition", [TAC, THERAPIST], ids=lambda d: d.key)
def test_pace_and_safety_are_asked_apart_with_1_0_item_7s_mapping(definition):
    pace, safety = definition.item("7"), definition.item("8")
    assert "pace" in pace.text["en"]
    assert "safe" not in pace.text["en"]
    assert "safe" in safety.text["en"]
    assert "pace" not in safety.text["en"]
    old = LIBRARY.get(f"{definition.id}@1.0").item("7").alliance
    assert pace.alliance == safety.alliance == old
    assert {"7", "8"} <= set(definition.scale("self").items)


def test_the_direct_rupture_item_is_reverse_scored_in_the_self_scale():
    rupture = TAC.item("9")
    assert (
        rupture.text["en"] == "Something in today's session didn't sit right with me."
    )
    assert rupture.reverse is True
    assert rupture.alliance.level == "self"
    assert TAC.scale("self").items == tuple(str(i) for i in range(1, 10))
    assert [item.id for item in TAC.items if item.reverse] == ["9"]


@pytest.mark.parametrize("definition", [TAC, THERAPIST], ids=lambda d: d.key)
def test_the_stem_and_labels_are_balanced_between_agree_and_disagree(definition):
    assert "agree or disagree" in definition.stem["en"]
    assert "de acuerdo o en desacuerdo" in definition.stem["es"]
    labels = [option.label["en"] for option in definition.options]
    assert labels == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]
    assert definition.options[2].label["es"] == "Ni de acuerdo ni en desacuerdo"


@pytest.mark.parametrize(
    ("definition", "family_items"),
    [(TAC, ["10", "11", "12", "13"]), (THERAPIST, ["9", "10", "11"])],
    ids=["tac", "tac-t"],
)
def test_every_family_item_has_couple_wording(definition, family_items):
    assert [i.id for i in definition.items if "individual" not in i.applies_to] == (
        family_items
    )
    for item_id in family_items:
        item = definition.item(item_id)
        couple = item.text_for("couple")
        assert item.text_for("family") == item.text
        assert couple["en"] != item.text["en"]
        assert "famil" not in couple["en"].lower()
        assert re.search(r"partner|couple", couple["en"])
        assert "pareja" in couple["es"]


def test_tac_couple_items_say_my_partner():
    assert (
        TAC.item("10").text_for("couple")["en"]
        == "My therapist understands my partner."
    )
    assert TAC.item("10").text_for("family")["en"] == (
        "My therapist understands the others in my family."
    )


def test_the_child_form_offers_four_options_with_circle_pictures():
    assert len(CHILD.options) <= 4
    assert [o.picture for o in CHILD.options] == [f"circles-{n}" for n in range(4)]
    assert [o.value for o in CHILD.options] == [0, 1, 2, 3]
    assert CHILD.score_bounds == (0, 3)
    assert CHILD.scale_bounds(CHILD.scale("self")) == (0, 3)
    assert all(o.label["en"] and o.label["es"] for o in CHILD.options)


def test_every_picture_a_definition_may_name_is_shipped():
    for picture in PICTURES:
        svg = (PICTURE_DIR / f"{picture}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg")
    for n in range(4):
        svg = (PICTURE_DIR / f"circles-{n}.svg").read_text(encoding="utf-8")
        assert svg.count("<circle") == 3
        assert svg.count('fill="#2f4a68"') == n  # n of 3 filled


def test_the_spanish_texts_carry_the_new_wording():
    assert (
        TAC.item("3").text["es"] == "Mi terapeuta es sincero(a) y auténtico(a) conmigo."
    )
    assert TAC.item("4").text["es"] == "Le importo a mi terapeuta."
    assert TAC.item("8").text["es"] == "Hoy me sentí seguro(a) aquí."
    assert CHILD.item("4").text["es"] == "Hoy me sentí seguro(a) aquí."
    for definition in FORMS_1_1:
        spanish = all_text(definition, "es")
        for old in ("sin fingir", "se preocupa por mí", "me preocupo por", "a salvo"):
            assert old not in spanish, (definition.key, old)


def test_the_child_form_speaks_to_children_with_tu():
    spanish = all_text(CHILD, "es")
    for tu in ("Elige", "Tu terapeuta", "piensas", "Piensa", "para ti"):
        assert tu in spanish
    for usted in ("Elija", "Piense", "su terapeuta", "Su terapeuta", "usted", "está"):
        assert usted not in spanish


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_the_child_reads_a_child_friendly_title(version):
    """Issue #11 item 13: on screen the child form is "A few questions about
    today"; `title` still names it for clinicians."""
    child = LIBRARY.get(f"tac-child@{version}")
    assert child.title_for_members("en") == "A few questions about today"
    assert child.title_for_members("es") == "Unas preguntas sobre hoy"
    assert child.title["en"] == "Tether Alliance Check-in (child form)"


def test_a_form_without_a_member_title_shows_its_title():
    assert TAC.title_for_members("es") == TAC.title["es"]
