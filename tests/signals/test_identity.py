"""Alerts keep their identity (issue "Alerts that are right", item 5): a signal
is keyed to where its episode began, so one more session never turns it into a
new signal (which would lose its acknowledgement and note)."""

import pytest

from tether.signals import SignalConfig, check_scores, compute_signals
from tether.simulate import simulate_cohort

from .conftest import LIBRARY


def keys(table):
    instrument = table["evidence"].map(lambda e: str(e.get("instrument", "")))
    return set(
        zip(
            table["case_id"],
            table["signal"],
            table["subject"],
            table["session"],
            instrument,
            strict=True,
        )
    )


@pytest.fixture(scope="module")
def cohort():
    scores = simulate_cohort(300, seed=5).scores
    raw = scores.astype(object).where(scores.notna(), "").astype(str)
    frame = check_scores(raw, LIBRARY)
    run = compute_signals(frame, LIBRARY, SignalConfig())
    # The clinic's baseline is fixed between two recomputes of a case.
    return frame, run.norms, dict.fromkeys(run.models)


def test_one_more_session_keeps_every_signal_of_every_kind(cohort):
    frame, norms, models = cohort
    lost, seen = [], set()
    for last in range(6, 14):
        before = compute_signals(
            frame[frame["session"] <= last], LIBRARY, SignalConfig(), norms, models
        ).signals
        after = compute_signals(
            frame[frame["session"] <= last + 1], LIBRARY, SignalConfig(), norms, models
        ).signals
        seen |= set(before["signal"])
        lost += sorted(keys(before) - keys(after))
    assert lost == []
    assert {"rupture", "split-dyad", "split-family", "disengagement"} <= seen
