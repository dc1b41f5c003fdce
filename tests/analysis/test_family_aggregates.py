"""The family view's numbers: averages over the members who share, each with how
many members it covers; a member who does not share cannot change any number
(the aggregates are the same as if their rows were not there at all); only the
own-alliance scale and the outcome measures' totals count, never an item, the
family or within-family scales, or a therapist's rating."""

import pandas as pd
import pytest

from tether.analysis.family_aggregates import family_aggregates
from tether.instruments import Library, bundled_definitions
from tether.signals import check_scores

LIBRARY = Library(bundled_definitions())
COLUMNS = [
    "case_id",
    "member_id",
    "member_role",
    "respondent",
    "session",
    "instrument",
    "scale",
    "score",
    "case_kind",
    "age_band",
]
PEOPLE = {
    "1": ("caregiver", "adult"),  # Maria
    "2": ("caregiver", "adult"),  # Daniel
    "3": ("identified-client", "youth"),  # Leo
}
SELF = {"1": 3.0, "2": 3.5, "3": 1.0}
"""TAC `self` means (0–4): 75, 87.5 and 25 on 0–100."""
PCL5 = {"1": 40, "2": 30, "3": 77}


def rows(sessions=(1, 2, 3), people=PEOPLE, self_=SELF, pcl5=PCL5, extra=True):
    out = []
    for session in sessions:
        for member, (role, _band) in people.items():
            mine = (member, role, "member", str(session))
            out.append((*mine, "tac@1.1", "self", str(self_[member])))
            out.append((*mine, "pcl-5@past-week", "total", str(pcl5[member])))
            if extra:
                # Scales and items the family view never reads.
                out.append((*mine, "tac@1.1", "family", "0.5"))
                out.append((*mine, "tac@1.1", "within-family", "0"))
                out.append((*mine, "tac@1.1", "item:13", "0"))
                out.append((*mine, "pcl-5@past-week", "item:16", "4"))
                therapist = (member, role, "therapist", str(session))
                out.append((*therapist, "tac-t@1.1", "self", "0.2"))
        if extra:
            family = ("family", "family", "therapist", str(session))
            out.append((*family, "tac-t@1.1", "family", "0.1"))
    return table(out)


def table(records):
    frame = pd.DataFrame(
        [
            ("C1", m, r, who, s, i, sc, v, "family", band_of(m))
            for m, r, who, s, i, sc, v in records
        ],
        columns=COLUMNS,
    )
    return check_scores(frame, LIBRARY)


def band_of(member):
    return PEOPLE.get(member, ("", ""))[1]


def without(frame, member):
    return frame[frame["member_id"] != member]


def values(trend):
    return [(p.session, round(p.value, 2), p.members) for p in trend.points]


def test_the_family_line_averages_only_the_members_who_share_their_alliance():
    numbers = family_aggregates(rows(), LIBRARY, {"1", "2"}, set())
    family = numbers.alliance[0]
    assert family.key == "family"
    assert values(family) == [(1, 81.25, 2), (2, 81.25, 2), (3, 81.25, 2)]
    assert (family.members, numbers.alliance_members) == (2, 2)
    assert numbers.alliance_instruments == ("tac",)
    assert numbers.outcomes == ()


@pytest.mark.parametrize("private", ["1", "2", "3"])
def test_a_member_who_does_not_share_changes_no_number(private):
    sharers = {"1", "2", "3"} - {private}
    full = rows()
    assert family_aggregates(full, LIBRARY, sharers, sharers) == family_aggregates(
        without(full, private), LIBRARY, sharers, sharers
    )
    # Even their most distinctive answers.
    odd = rows(self_=SELF | {private: 0.1}, pcl5=PCL5 | {private: 79})
    assert family_aggregates(odd, LIBRARY, sharers, sharers) == family_aggregates(
        full, LIBRARY, sharers, sharers
    )


def test_items_the_family_scales_and_the_therapists_ratings_never_count():
    everyone = {"1", "2", "3"}
    assert family_aggregates(rows(), LIBRARY, everyone, everyone) == family_aggregates(
        rows(extra=False), LIBRARY, everyone, everyone
    )


def test_alliance_and_outcome_are_shared_separately():
    numbers = family_aggregates(rows(), LIBRARY, {"1", "2"}, {"1"})
    (pcl5,) = numbers.outcomes
    assert (pcl5.instrument, pcl5.scale, pcl5.low, pcl5.high) == (
        "pcl-5@past-week",
        "total",
        0,
        80,
    )
    assert not pcl5.higher_is_better
    assert values(pcl5.trend) == [(1, 40, 1), (2, 40, 1), (3, 40, 1)]
    only_outcome = family_aggregates(rows(), LIBRARY, set(), {"2", "3"})
    assert only_outcome.alliance == ()
    assert values(only_outcome.outcomes[0].trend)[0] == (1, 53.5, 2)


def test_nobody_sharing_gives_nothing_to_show():
    numbers = family_aggregates(rows(), LIBRARY, set(), set())
    assert numbers.empty
    assert numbers.alliance_members == 0


def test_subsystems_are_drawn_where_they_are_fewer_than_the_family():
    everyone = family_aggregates(rows(), LIBRARY, {"1", "2", "3"}, set())
    assert [t.key for t in everyone.alliance] == [
        "family",
        "subsystem:caregivers",
        "subsystem:children",
    ]
    caregivers, children = everyone.alliance[1:]
    assert values(caregivers)[0] == (1, 81.25, 2)
    # A subsystem of one member who shared is that member's own score.
    assert values(children)[0] == (1, 25, 1)
    # Only the caregivers share: their subsystem is the family line again.
    caregivers_only = family_aggregates(rows(), LIBRARY, {"1", "2"}, set())
    assert [t.key for t in caregivers_only.alliance] == ["family"]


def test_a_member_who_stopped_coming_counts_in_the_sessions_they_answered():
    frame = pd.concat(
        [
            rows(sessions=(1, 2, 3), people={"1": PEOPLE["1"]}),
            rows(sessions=(1, 2), people={"2": PEOPLE["2"]}),
        ],
        ignore_index=True,
    )
    numbers = family_aggregates(frame, LIBRARY, {"1", "2"}, {"1", "2"})
    assert values(numbers.alliance[0]) == [(1, 81.25, 2), (2, 81.25, 2), (3, 75, 1)]
    assert numbers.alliance[0].members == 2
    assert values(numbers.outcomes[0].trend)[-1] == (3, 40, 1)
