"""The caseload's at-a-glance cells are stored and reused only while what
they were computed from is unchanged (care/glance.py; issue #16)."""

import pytest

from tether.care import frames, glance, services
from tether.care.models import CaseGlance

PHQ9 = {str(n): 1 for n in range(1, 10)}


def pcl5_answers(value):
    return {str(n): value for n in range(1, 21)}


@pytest.fixture
def answered(ames, rivera, leo, first_session):
    services.enter_paper_response(
        ames, first_session.pk, "pcl-5@past-month", leo.pk, answers=pcl5_answers(2)
    )
    return rivera


def cells(case):
    case = type(case).objects.prefetch_related("members").get(pk=case.pk)
    return glance.glances_of([case])[case.pk]


def test_a_glance_is_computed_once_then_read_back_while_nothing_changed(
    answered, monkeypatch
):
    first = cells(answered)
    assert first[1]["latest"] == 40
    assert CaseGlance.objects.get(case=answered).pcl5["latest"] == 40

    def no_recomputing(*args, **kwargs):
        raise AssertionError("the stored glance should have been used")

    monkeypatch.setattr(glance, "score_frame", no_recomputing)
    assert cells(answered) == first


def test_a_new_answer_changes_the_glance_on_the_next_visit(answered, ames, leo, maria):
    cells(answered)
    later = services.start_session(ames, answered.pk, None, [leo.pk])
    services.enter_paper_response(
        ames, later.pk, "pcl-5@past-month", leo.pk, answers=pcl5_answers(1)
    )
    _, pcl5 = cells(answered)
    assert (pcl5["latest"], pcl5["change"], pcl5["session"]) == (20, -20, 2)


def test_a_paper_entry_replaced_changes_the_glance(answered, ames, leo, first_session):
    cells(answered)
    services.enter_paper_response(
        ames, first_session.pk, "pcl-5@past-month", leo.pk, answers=pcl5_answers(3)
    )
    assert cells(answered)[1]["latest"] == 60


def test_a_member_who_leaves_or_changes_role_changes_the_signature(answered, maria):
    case = type(answered).objects.prefetch_related("members").get(pk=answered.pk)
    before = glance.signatures_of([case])[case.pk]
    maria.role = "identified-client"
    maria.save()
    case = type(answered).objects.prefetch_related("members").get(pk=answered.pk)
    assert glance.signatures_of([case])[case.pk] != before


def test_the_stored_glance_is_what_computing_afresh_gives(answered):
    stored = cells(answered)
    frame = frames.score_frame([answered.pk])
    from tether.care.summary import alliance_glance, latest_pcl5

    assert stored[1] == latest_pcl5(frame)[answered.pk]
    assert stored[0] == glance._json(alliance_glance(frame).get(answered.pk, {}))
