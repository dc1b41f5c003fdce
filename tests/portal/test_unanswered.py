"""Links that expire unanswered count as unanswered invitations: two in a row
are a disengagement signal (docs/clinical-rules.md §Disengagement)."""

import datetime as dt

import time_machine

from tether.care import services
from tether.care.frames import score_frame
from tether.portal import services as portal


def test_two_links_expiring_unanswered_in_a_row_signal_disengagement(
    ames, rivera, maria, leo
):
    sessions = [
        services.start_session(
            ames, rivera.pk, dt.date(2026, 11, d), [maria.pk, leo.pk]
        )
        for d in (2, 9, 16)
    ]
    for session in sessions:
        portal.issue_invitation(
            ames, session.pk, leo.pk, ["tac"], expires_in=dt.timedelta(hours=1)
        )
        services.enter_paper_response(
            ames, session.pk, "tac", maria.pk, totals={"self": 3.5}
        )
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        frame = score_frame([rivera.pk])
        services.recompute_case_signals(rivera)
    unanswered = frame[(frame["member_id"] == str(leo.pk)) & frame["score"].isna()]
    assert sorted(unanswered["session"]) == [1, 2, 3]
    signal = rivera.signals.get(kind="disengagement")
    assert signal.subject == f"member:{leo.pk}"
    assert signal.evidence["missed"] == 3


def test_a_link_still_open_or_answered_on_paper_is_not_unanswered(
    ames, rivera, leo, first_session
):
    portal.issue_invitation(
        ames, first_session.pk, leo.pk, ["tac"], expires_in=dt.timedelta(hours=1)
    )
    services.enter_paper_response(
        ames, first_session.pk, "tac", leo.pk, totals={"self": 3.0}
    )
    assert score_frame([rivera.pk])["score"].notna().all()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        assert score_frame([rivera.pk])["score"].notna().all()
