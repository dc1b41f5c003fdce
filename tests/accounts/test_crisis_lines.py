"""The national crisis lines as data (accounts/crisis_lines.py) and their
sources in docs/crisis-lines.md: every region an organization can choose has
lines, every button calls or texts a number, and the page lists the same
numbers, sources and date checked as the code."""

import re
from pathlib import Path

from tether.accounts.crisis_lines import CHECKED, LINES, crisis_lines
from tether.accounts.models import CrisisRegion

DOC = Path(__file__).resolve().parents[2] / "docs" / "crisis-lines.md"


def test_every_region_an_organization_can_choose_has_lines():
    assert set(LINES) == set(CrisisRegion.values)
    for region, lines in LINES.items():
        assert len(lines) >= 3, region
        assert all(line.actions for line in lines), region


def test_every_button_calls_or_texts_a_number():
    for lines in LINES.values():
        for line in lines:
            for action in line.actions:
                assert re.fullmatch(r"(tel|sms):\d{3,11}", action.href), action.href


def test_every_button_names_the_number_it_dials():
    for lines in LINES.values():
        for line in lines:
            for action in line.actions:
                digits = re.sub(r"\D", "", str(action.label))
                assert digits == action.href.split(":")[1], action.label


def test_the_emergency_number_comes_last_in_every_region():
    emergency = {"US": "tel:911", "GB": "tel:999", "CA": "tel:911"}
    for region, lines in LINES.items():
        assert [a.href for a in lines[-1].actions] == [emergency[region]]


def test_an_unknown_region_falls_back_to_the_united_states_never_to_nothing():
    assert crisis_lines("XX") == LINES[CrisisRegion.US]


def test_the_docs_list_every_number_source_and_the_date_checked():
    doc = DOC.read_text(encoding="utf-8")
    assert CHECKED.isoformat() in doc
    for lines in LINES.values():
        for line in lines:
            assert line.source in doc, line.source
            for action in line.actions:
                label = str(action.label).split(" ", 1)[1]
                assert label in doc, label
