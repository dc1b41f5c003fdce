"""What each alliance panel of the case page shows (care/charts.py), from a
table of alliance levels as tether.signals.alliance.alliance_levels makes it:
no database needed."""

from types import SimpleNamespace

import pandas as pd

from tether.care.charts import alliance_series, alliance_table, subsystem_rows
from tether.core import palette

NAMES = {"1": "Maria", "2": "Leo", "3": "Ana"}


def levels(rows):
    return pd.DataFrame(
        rows, columns=["case_id", "session", "level", "subject", "value", "n"]
    ).assign(spread=None)


def family_of_three():
    """Two sessions: Maria, Leo and Ana, then Maria and Leo only."""
    rows = []
    for session, present in ((1, "123"), (2, "12")):
        values = {"1": 80.0, "2": 60.0 - 10 * session, "3": 70.0}
        for member in present:
            rows.append((9, session, "member", f"member:{member}", values[member], 1))
        caregivers = [m for m in present if m in "13"]
        rows.append(
            (
                9,
                session,
                "subsystem",
                "subsystem:caregivers",
                sum(values[m] for m in caregivers) / len(caregivers),
                len(caregivers),
            )
        )
        rows.append((9, session, "subsystem", "subsystem:children", values["2"], 1))
        rows.append(
            (
                9,
                session,
                "family",
                "family",
                sum(values[m] for m in present) / len(present),
                len(present),
            )
        )
        rows.append((9, session, "therapist", "family", 75.0, 1))
        rows.append((9, session, "therapist", "member:2", 65.0, 1))
    return levels(rows)


def alert(kind, subject, session, severity="red"):
    return SimpleNamespace(
        kind=kind, subject=subject, session_number=session, severity=severity
    )


def by_id(groups):
    return {g.id: g for g in groups}


def test_each_level_is_its_own_panel_in_a_fixed_order():
    groups = alliance_series(family_of_three(), NAMES, [])
    assert [g.id for g in groups] == [
        "alliance-members",
        "alliance-subsystems",
        "alliance-family",
        "alliance-therapist",
    ]
    members = by_id(groups)["alliance-members"]
    assert [s.name for s in members.series] == ["Maria", "Leo", "Ana"]
    assert [s.colour for s in members.series] == list(palette.PEOPLE[:3])


def test_a_subsystem_of_one_member_is_not_drawn_again():
    groups = by_id(alliance_series(family_of_three(), NAMES, []))
    [caregivers] = groups["alliance-subsystems"].series
    assert caregivers.key == "subsystem:caregivers"
    # Session 2: Ana was away, so the caregivers were Maria alone.
    assert caregivers.points == ((1, 75.0),)


def test_a_subsystem_of_everyone_who_answered_is_the_family_line():
    rows = family_of_three()
    couple = rows[rows["subject"] != "subsystem:caregivers"].copy()
    couple.loc[couple["subject"] == "subsystem:children", "n"] = 3
    assert subsystem_rows(couple).empty


def test_the_family_panel_has_the_therapists_rating_beside_it_dashed():
    family = by_id(alliance_series(family_of_three(), NAMES, []))["alliance-family"]
    whole, therapist = family.series
    assert (whole.key, whole.colour, whole.dashed) == ("family", palette.FAMILY, False)
    assert (therapist.key, therapist.colour, therapist.dashed) == (
        "therapist:family",
        palette.THERAPIST,
        True,
    )


def test_the_therapists_rating_of_a_member_keeps_that_members_colour():
    groups = by_id(alliance_series(family_of_three(), NAMES, []))
    [rated] = groups["alliance-therapist"].series
    leo = groups["alliance-members"].series[1]
    assert (rated.name, rated.colour, rated.dashed) == ("Leo", leo.colour, True)


def test_ruptures_and_splits_are_marked_on_the_line_they_belong_to():
    alerts = [
        alert("rupture", "member:2", 2),
        alert("split-dyad", "member:2", 1, "yellow"),
        alert("split-family-therapist", "family", 2, "yellow"),
        alert("low-alliance", "member:1", 2, "yellow"),  # not a mark
    ]
    groups = by_id(alliance_series(family_of_three(), NAMES, alerts))
    maria, leo, _ana = groups["alliance-members"].series
    assert [(m.session, m.severity) for m in leo.marks] == [(2, "red"), (1, "yellow")]
    assert "possible alliance rupture" in leo.marks[0].text
    assert maria.marks == ()
    whole = groups["alliance-family"].series[0]
    assert [m.session for m in whole.marks] == [2]
    assert "the family" in whole.marks[0].text


def test_the_table_has_a_column_per_line_grouped_by_panel():
    groups = alliance_series(
        family_of_three(), NAMES, [alert("rupture", "member:2", 2)]
    )
    table = alliance_table(groups)
    assert [(g["title"], g["span"]) for g in table["groups"]] == [
        ("Each member", 3),
        ("Subsystems", 1),
        ("Whole family and therapist", 2),
        ("Therapist's rating of each member", 1),
    ]
    assert table["columns"][:3] == ["Maria", "Leo", "Ana"]
    (first, one), (second, two) = table["rows"]
    assert (first, second) == (1, 2)
    assert [c["value"] for c in one[:3]] == [80, 50, 70]
    assert [c["value"] for c in two[:3]] == [80, 40, None]
    assert "rupture" in two[1]["mark"]
    assert one[1]["mark"] == ""


def test_no_scores_no_panels():
    assert alliance_series(levels([]), NAMES, []) == []
    assert alliance_table([]) == {}
