"""Low safety within the family: a member who does not agree that it feels safe
to speak in front of their family (TAC item 11) raises a clinician-only signal."""

from tether.signals.config import SignalConfig
from tether.signals.risk import risk_signals
from tether.signals.within_safety import within_safety_signals

from .conftest import LIBRARY, table

CONFIG = SignalConfig()


def item_11(*values, member="M1", role="caregiver"):
    return [
        f"C1,{member},{role},member,{session},tac@1.0,item:11,{value}"
        for session, value in enumerate(values, 1)
    ]


def test_disagreeing_that_it_feels_safe_raises_one_signal_per_run_of_sessions():
    frame = table(*item_11(3, 1, 0, 4, 1), "C1,M2,child,member,1,tac-child@1.0,self,3")
    out = within_safety_signals(frame, LIBRARY, CONFIG)
    assert out["session"].tolist() == [2, 5]
    assert set(out["severity"]) == {"yellow"}
    assert set(out["signal"]) == {"within-family-safety"}
    assert out["subject"].tolist() == ["member:M1", "member:M1"]
    assert out.iloc[0]["evidence"] == {
        "member": "M1",
        "instrument": "tac@1.0",
        "item": "11",
        "value": 0.0,
        "answer": "Strongly disagree",
        "threshold": 1.0,
        "sessions": 2,
        "last_session": 3,
    }
    assert out.iloc[1]["evidence"]["answer"] == "Disagree"


def test_not_sure_agree_and_strongly_agree_are_not_low():
    frame = table(*item_11(2, 3, 4))
    assert within_safety_signals(frame, LIBRARY, CONFIG).empty


def test_the_threshold_is_the_clinics_to_change():
    frame = table(*item_11(2))
    strict = SignalConfig(within_safety_low_at_or_below=2)
    assert within_safety_signals(frame, LIBRARY, strict)["session"].tolist() == [1]


def test_other_items_and_the_therapists_rating_of_the_family_do_not_count():
    frame = table(
        "C1,M1,caregiver,member,1,tac@1.0,item:10,0",
        "C1,M1,caregiver,member,1,tac@1.0,item:7,0",
        "C1,family,family,therapist,1,tac-t@1.0,item:10,0",
        "C1,M1,caregiver,member,1,tac@1.0,within-family,0",
    )
    assert within_safety_signals(frame, LIBRARY, CONFIG).empty


def test_tac_item_rows_are_not_risk_items_for_the_risk_rule():
    frame = table(
        *item_11(0),
        "C1,M1,caregiver,member,1,tac@1.0,item:9,0",
        "C1,M1,caregiver,member,1,phq-9,item:9,1",
        "C1,M1,caregiver,member,2,tac@1.0,item:9,",
    )
    out = risk_signals(frame, LIBRARY)
    assert out["signal"].tolist() == ["risk-item"]
    assert out.iloc[0]["evidence"]["instrument"] == "phq-9@1.0"
