"""Risk items, disengagement, low support and low alliance."""

from tether.signals.config import SignalConfig
from tether.signals.engagement import disengagement_signals
from tether.signals.levels import low_alliance_signals, low_support_signals
from tether.signals.risk import risk_signals

from .conftest import LIBRARY, table

CONFIG = SignalConfig()


def test_phq9_item_9_at_one_is_red_each_time_it_is_endorsed():
    frame = table(
        "C1,M1,identified-client,member,1,phq-9,item:9,0",
        "C1,M1,identified-client,member,2,phq-9,item:9,1",
        "C1,M1,identified-client,member,3,phq-9,item:9,2",
    )
    out = risk_signals(frame, LIBRARY)
    assert out["session"].tolist() == [2, 3]
    assert set(out["severity"]) == {"red"}
    assert out.iloc[0]["evidence"]["label"].startswith("thoughts")


def test_pcl5_item_16_is_a_risk_item_from_moderately():
    frame = table(
        "C1,M1,identified-client,member,1,pcl-5,item:16,1",
        "C1,M1,identified-client,member,2,pcl-5,item:16,2",
    )
    assert risk_signals(frame, LIBRARY)["session"].tolist() == [2]


def test_an_item_that_is_not_a_risk_item_never_alerts():
    frame = table("C1,M1,identified-client,member,1,phq-9,item:1,3")
    assert risk_signals(frame, LIBRARY).empty


def test_two_unanswered_invitations_in_a_row_signal_disengagement():
    frame = table(
        "C1,M1,caregiver,member,1,tac,self,3",
        "C1,M1,caregiver,member,2,tac,self,",
        "C1,M1,caregiver,member,3,tac,self,",
        "C1,M1,caregiver,member,4,tac,self,3",
        "C1,M2,child,member,2,tac-child,self,",
        "C1,M2,child,member,3,tac-child,self,3",
    )
    out = disengagement_signals(frame, CONFIG)
    assert out["subject"].tolist() == ["member:M1"]
    assert out.iloc[0]["session"] == 3
    assert out.iloc[0]["evidence"] == {
        "member": "M1",
        "missed": 2,
        "since_session": 2,
        "reason": "unanswered invitations",
    }


def test_a_member_who_stops_taking_part_while_the_case_goes_on_is_disengaged():
    frame = table(
        "C1,M1,caregiver,member,1,tac,self,3",
        "C1,M2,child,member,1,tac-child,self,3",
        "C1,M2,child,member,2,tac-child,self,3",
        "C1,M2,child,member,3,tac-child,self,3",
    )
    out = disengagement_signals(frame, CONFIG)
    assert out["subject"].tolist() == ["member:M1"]
    assert out.iloc[0]["evidence"]["reason"] == "stopped attending"


def test_mspss_family_below_3_is_low_support_once_per_run_of_low_answers():
    frame = table(
        "C1,M1,caregiver,member,1,mspss,family,2.5",
        "C1,M1,caregiver,member,5,mspss,family,2.75",
        "C1,M1,caregiver,member,9,mspss,family,4",
        "C1,M1,caregiver,member,13,mspss,family,3",
    )
    out = low_support_signals(frame, CONFIG)
    assert out["session"].tolist() == [1]
    assert out.iloc[0]["evidence"]["times"] == 2


def test_srs_below_36_is_low_alliance_and_tac_without_a_cutoff_never_is():
    frame = table(
        "C1,M1,caregiver,member,1,srs,total,35.9",
        "C1,M1,caregiver,member,2,srs,total,36",
        "C1,M2,child,member,1,tac-child,self,0",
    )
    out = low_alliance_signals(frame, LIBRARY)
    assert out["session"].tolist() == [1]
    assert out.iloc[0]["evidence"]["cutoff"] == 36


def test_stopped_attending_keeps_its_session_as_the_case_goes_on():
    """Keyed to the first session missed, not the case's newest session, so
    each recompute finds the same alert (and keeps its acknowledgement)."""
    lines = [
        "C1,M1,caregiver,member,1,tac,self,3",
        *(f"C1,M2,child,member,{s},tac-child,self,3" for s in range(1, 4)),
    ]
    first = disengagement_signals(table(*lines), CONFIG)
    later = disengagement_signals(
        table(*lines, "C1,M2,child,member,4,tac-child,self,3"), CONFIG
    )
    assert first["session"].tolist() == later["session"].tolist() == [2]
    assert later.iloc[0]["evidence"]["missed"] == 3


def test_an_empty_risk_item_row_asks_in_session_and_is_not_an_alert():
    frame = table(
        "C1,M1,identified-client,member,1,phq-9,item:9,",
        "C1,M1,identified-client,member,1,phq-9,total,4",
    )
    out = risk_signals(frame, LIBRARY)
    assert out["signal"].tolist() == ["risk-item-skipped"]
    assert out.iloc[0]["severity"] == "info"
    assert out.iloc[0]["evidence"]["value"] is None


def test_risk_item_rows_do_not_count_as_taking_part():
    """An incomplete response keeps only its risk answers: the member has not
    answered that session's questionnaires."""
    frame = table(
        "C1,M1,caregiver,member,1,tac,self,3",
        "C1,M1,caregiver,member,2,tac,self,",
        "C1,M1,caregiver,member,2,phq-9,item:9,0",
        "C1,M1,caregiver,member,3,tac,self,",
        "C1,M1,caregiver,member,3,phq-9,item:9,1",
    )
    out = disengagement_signals(frame, CONFIG)
    assert out["evidence"].tolist()[0]["reason"] == "unanswered invitations"
