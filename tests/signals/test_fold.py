"""One event, one alert (issue "Alerts that are right", item 4)."""

from tether.signals import compute_signals
from tether.signals.alliance import Norms

from .conftest import LIBRARY, table

NORMS = Norms({}, 2.0, 10.0, True)


def couple(a_values, b_values, view=None, therapist=None):
    lines = []
    for session, (a, b) in enumerate(zip(a_values, b_values, strict=True), start=1):
        lines.append(f"C1,A,identified-client,member,{session},tac,self,{a:g}")
        lines.append(f"C1,B,partner,member,{session},tac,self,{b:g}")
        if view:
            lines.append(
                f"C1,A,identified-client,member,{session},tac,family,{view[0][session - 1]:g}"
            )
            lines.append(
                f"C1,B,partner,member,{session},tac,family,{view[1][session - 1]:g}"
            )
        if therapist:
            lines.append(
                f"C1,family,family,therapist,{session},tac-t,family,{therapist[session - 1]:g}"
            )
    return compute_signals(table(*lines), LIBRARY, norms=NORMS).signals


def test_one_partners_drop_is_one_alert_a_rupture_with_the_split_as_its_evidence():
    """One partner's drop used to raise a rupture, a dyad split and a
    family-therapist split, all red."""
    a = [3.0, 3.0, 3.0, 3.0, 1.5, 1.5, 1.5]
    b = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0]
    view_a = [3.0, 3.0, 3.0, 3.0, 1.0, 1.0, 1.0]
    out = couple(a, b, view=(view_a, b), therapist=[3.0] * 7)
    alliance = out[out["signal"].str.startswith(("rupture", "split"))]
    assert alliance["signal"].tolist() == ["rupture"]
    folded = alliance.iloc[0]["evidence"]["folded"]
    assert {f["kind"] for f in folded} == {"split-dyad", "split-family-therapist"}
    assert all(f["session"] == 5 for f in folded)


def test_a_split_that_began_before_the_rupture_stays_its_own_alert():
    a = [1.5, 1.5, 1.5, 1.5, 1.5, 0.5, 0.5]
    b = [3.0] * 7
    out = couple(a, b)
    kinds = out["signal"].tolist()
    assert "rupture" in kinds
    assert "split-dyad" in kinds


def test_a_split_after_a_repaired_rupture_is_its_own_alert():
    a = [3.0, 3.0, 3.0, 3.0, 1.5, 3.0, 3.0, 3.0, 1.8, 1.8]
    b = [3.0] * 10
    out = couple(a, b)
    rows = out[["session", "signal"]].values.tolist()
    # Session 5's split is the rupture's (repaired at 6); the low stretch from
    # session 9 began after the repair, so it is a split of its own.
    assert rows == [[5, "rupture"], [9, "split-dyad"]]
    assert out.iloc[0]["evidence"]["folded"] == [
        {"kind": "split-dyad", "session": 5, "last_session": 5}
    ]


def test_a_split_that_outlasts_the_repair_stays_an_alert_of_its_own():
    """A's drop at session 5 is repaired at 6 on A's own scale, but B, who
    rose at 5, stays far above A: the split goes on past the repair."""
    a = [3.0, 3.0, 3.0, 3.0, 1.5, 3.0, 3.0, 3.0]
    b = [3.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 4.0]
    out = couple(a, b)
    rupture = out[out["signal"] == "rupture"].iloc[0]
    assert rupture["state"] == "repaired"
    assert "folded" not in rupture["evidence"]
    splits = out[out["signal"] == "split-dyad"]
    assert splits["session"].tolist() == [5]
    assert splits.iloc[0]["evidence"]["last_session"] == 8
