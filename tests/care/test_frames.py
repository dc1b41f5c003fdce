"""The score table the signals read, built from the database: each member in
their subsystem as the clinician edited it (docs/long-format.md)."""

import datetime as dt

import pytest

from tether.care import services
from tether.care.frames import score_frame
from tether.care.summary import levels_of


@pytest.fixture
def sofia(ames, rivera):
    """Leo's older sister, 19: a sibling, so among the children by her role."""
    return services.add_member(ames, rivera.pk, "Sofia", "sibling", "18+")


def tac_session(ames, case, totals):
    session = services.start_session(ames, case.pk, dt.date(2026, 11, 2))
    for member, value in totals.items():
        services.enter_paper_response(
            ames, session.pk, "tac", member.pk, totals={"self": value}
        )
    return session


def subsystem_by_name(frame, members):
    rows = frame.drop_duplicates("member_id").set_index("member_id")["subsystem"]
    return {m.first_name: rows[str(m.pk)] for m in members}


def subsystem_levels(frame):
    levels = levels_of(frame)
    rows = levels[levels["level"] == "subsystem"]
    return {r.subject: (r.value, r.n) for r in rows.itertuples()}


def test_an_edited_subsystem_reaches_the_frame_and_the_alliance_levels(
    ames, rivera, maria, leo, sofia
):
    services.set_subsystem(ames, rivera.pk, "children", [leo.pk])
    services.set_subsystem(ames, rivera.pk, "caregivers", [maria.pk, sofia.pk])
    tac_session(ames, rivera, {maria: 4, sofia: 3, leo: 1})
    frame = score_frame([rivera.pk])
    assert subsystem_by_name(frame, [maria, sofia, leo]) == {
        "Maria": "caregivers",
        "Sofia": "caregivers",
        "Leo": "children",
    }
    assert subsystem_levels(frame) == {
        "subsystem:caregivers": (87.5, 2),  # (100 + 75) / 2
        "subsystem:children": (25.0, 1),
    }


def test_by_default_each_member_is_in_the_subsystem_of_their_role(
    ames, rivera, maria, leo, sofia
):
    tac_session(ames, rivera, {maria: 4, sofia: 3, leo: 1})
    frame = score_frame([rivera.pk])
    assert subsystem_by_name(frame, [maria, sofia, leo]) == {
        "Maria": "caregivers",
        "Sofia": "children",
        "Leo": "children",
    }
    assert subsystem_levels(frame)["subsystem:children"] == (50.0, 2)


def test_a_member_taken_out_of_their_subsystem_is_in_none(ames, rivera, maria, leo):
    services.set_subsystem(ames, rivera.pk, "caregivers", [])
    tac_session(ames, rivera, {maria: 4, leo: 1})
    frame = score_frame([rivera.pk])
    assert subsystem_by_name(frame, [maria, leo]) == {"Maria": "", "Leo": "children"}
    assert set(subsystem_levels(frame)) == {"subsystem:children"}


def test_the_therapists_rating_of_a_member_carries_the_members_subsystem(
    ames, rivera, maria, leo, sofia
):
    services.set_subsystem(ames, rivera.pk, "children", [leo.pk])
    services.set_subsystem(ames, rivera.pk, "caregivers", [maria.pk, sofia.pk])
    session = tac_session(ames, rivera, {sofia: 3})
    services.enter_paper_response(
        ames, session.pk, "tac-t", sofia.pk, "therapist", totals={"self": 3}
    )
    frame = score_frame([rivera.pk])
    assert set(frame["subsystem"]) == {"caregivers"}


def test_an_adult_identified_client_counts_among_the_caregivers(ames):
    case = services.create_case(ames, "Hale family", "family")
    dan = services.add_member(ames, case.pk, "Dan", "identified-client", "18+")
    services.add_member(ames, case.pk, "Mia", "child", "8-12")
    names = {
        s.name: [m.first_name for m in s.members.all()] for s in case.subsystems.all()
    }
    assert names == {"caregivers": ["Dan"], "children": ["Mia"]}
    tac_session(ames, case, {dan: 4})
    assert subsystem_by_name(score_frame([case.pk]), [dan]) == {"Dan": "caregivers"}
    assert subsystem_levels(score_frame([case.pk])) == {
        "subsystem:caregivers": (100.0, 1)
    }
