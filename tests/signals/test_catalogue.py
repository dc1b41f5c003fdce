"""Every signal comes with its rule, source, explanation and suggestions."""

from tether.signals.catalogue import describe
from tether.signals.model import Signal


def test_a_rupture_is_explained_with_its_numbers_and_state():
    signal = Signal(
        "rupture",
        "red",
        "C1",
        "member:M2",
        4,
        {
            "member": "M2",
            "previous": 81.3,
            "current": 58.3,
            "drop": 23.0,
            "threshold": 14.4,
            "prior_mean": 80.2,
            "repaired_session": None,
        },
        "unrepaired",
    )
    explained = describe(signal, names={"M2": "Leo"})
    assert explained.title == "Possible alliance rupture"
    assert "Leo" in explained.explanation
    assert "58.3" in explained.explanation
    assert "unrepaired" in explained.explanation
    assert "methods.md §3.3" in explained.source
    assert 2 <= len(explained.suggestions) <= 4


def test_missing_evidence_reads_as_a_dash_not_an_error():
    signal = Signal(
        "not-on-track", "yellow", "C1", "member:M1", 5, {"member": "M1", "score": 40.0}
    )
    assert "—" in describe(signal).explanation
