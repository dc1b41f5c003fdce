"""Every action and kind of record the code audits has its words on the
administrators' audit log: the names are read from each call of `record` in
the source, so a new action without words fails here."""

import ast
from pathlib import Path

import tether
from tether.audit.words import (
    ACTIONS,
    BY_A_MEMBER,
    BY_TETHER,
    RECORDS,
    detail_words,
    nobody_words,
)

SOURCE = Path(tether.__file__).resolve().parent


def strings_in(node):
    """Every string constant an argument can be (`"a" if x else "b"` too)."""
    return {
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def recorded(position, keyword):
    found = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record":
                if len(node.args) > position:
                    found |= strings_in(node.args[position])
                found |= {
                    v
                    for k in node.keywords
                    if k.arg == keyword
                    for v in strings_in(k.value)
                }
    return found


def test_every_recorded_action_has_words():
    actions = recorded(1, "action")
    assert {"read", "sign-in-failed", "prune"} <= actions  # the search finds them
    assert actions - ACTIONS.keys() == set()


def test_every_kind_of_record_has_words():
    kinds = recorded(2, "object_type")
    assert {"case", "invitation", "audit-log"} <= kinds
    assert kinds - RECORDS.keys() == set()


def test_details_show_words_and_counts_but_no_ids():
    detail = {"instrument": "srs", "locked": True, "case": 7, "clinicians": [3, 4]}
    assert detail_words(detail) == "instrument: srs; locked out: yes"


def test_an_action_without_a_signed_in_user_says_who_did_it():
    assert nobody_words("submit") == "A family member (link or kiosk)"
    assert nobody_words("resolve") == "Tether, automatically"
    assert nobody_words("import") == "Tether, automatically"  # tether import scores
    assert nobody_words("sign-in-failed") == "No one signed in"
    assert set(ACTIONS) >= BY_A_MEMBER
    assert set(ACTIONS) >= BY_TETHER
