"""Reliability on a clinic's own answers (tether.analysis.reliability) against
methods §6.2: the 221 veterans' PCL-5 answers (Armour et al. 2017, BGGM's
`ptsd` data, GPL-2: read from the shared data folder, never copied into the
repository; tests/shared_data.py) loaded as responses give α .899 with
Feldt's interval [.879, .917], ω .90, SEM 4.57 and a reliable change of 12.7
points; and what too little data says instead of a number."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from tests.shared_data import data_file

from tether.analysis.needs import NotEnoughData
from tether.analysis.reliability import (
    ITEM_COLUMNS,
    MIN_PEOPLE,
    Reliability,
    clinic_reliability,
    scale_reliability,
)
from tether.instruments import load_library

LIBRARY = load_library(None)
PCL5 = LIBRARY.get("pcl-5@past-month")


def veterans() -> pd.DataFrame:
    """The veterans' answers, one column per PCL-5 item (1..20, in order)."""
    data = pd.read_csv(data_file("pcl5_items_veterans.csv"), index_col=0)
    items = data[[f"Q28_{i:02d}_MONTH" for i in range(1, 21)]]
    return items.set_axis([str(i) for i in range(1, 21)], axis=1)


def as_item_table(
    wide: pd.DataFrame, instrument: str, session: int = 1
) -> pd.DataFrame:
    """Each answer as a row of the long item table, as the clinic's stored
    responses are gathered (one response per person, on 2026-01-05)."""
    long = (
        wide.rename_axis("person")
        .reset_index()
        .melt(id_vars="person", var_name="item", value_name="answer")
    )
    return long.assign(
        person=long["person"].astype(str),
        respondent="identified-client",
        instrument=instrument,
        session=session,
        date=dt.date(2026, 1, 5),
    )[list(ITEM_COLUMNS)]


@pytest.fixture(scope="module")
def pcl5_total() -> Reliability:
    results = clinic_reliability(as_item_table(veterans(), PCL5.key), LIBRARY)
    total = next(r for r in results if r.scale == "total")
    assert isinstance(total, Reliability)
    return total


def test_the_veterans_pcl5_gives_alpha_899_with_feldt_interval_879_to_917(pcl5_total):
    assert (pcl5_total.n, pcl5_total.k) == (221, 20)
    assert pcl5_total.alpha == pytest.approx(0.899, abs=0.005)
    assert pcl5_total.alpha == pytest.approx(0.8991, abs=0.001)
    assert pcl5_total.alpha_low == pytest.approx(0.879, abs=0.001)
    assert pcl5_total.alpha_high == pytest.approx(0.917, abs=0.001)


def test_the_veterans_pcl5_gives_omega_90(pcl5_total):
    assert pcl5_total.omega == pytest.approx(0.90, abs=0.005)


def test_sem_and_the_reliable_change_in_points_follow_jacobson_and_truax(pcl5_total):
    assert pcl5_total.mean == pytest.approx(30.53, abs=0.005)
    assert pcl5_total.sd == pytest.approx(14.40, abs=0.005)
    assert pcl5_total.sem == pytest.approx(4.574, abs=0.001)
    assert pcl5_total.rc_points == pytest.approx(12.68, abs=0.005)


def test_the_corrected_item_total_correlations_run_from_313_to_651(pcl5_total):
    r = [i.r for i in pcl5_total.item_total]
    assert len(r) == 20
    assert min(r) == pytest.approx(0.313, abs=1e-3)
    assert max(r) == pytest.approx(0.651, abs=1e-3)
    assert pcl5_total.weakest_item.item == "8"  # amnesia, the usual odd one out


def test_the_date_window_is_that_of_the_responses_used(pcl5_total):
    assert pcl5_total.first_date == pcl5_total.last_date == dt.date(2026, 1, 5)


def test_each_subscale_is_reported_and_omega_needs_three_items():
    results = {
        r.scale: r
        for r in clinic_reliability(as_item_table(veterans(), PCL5.key), LIBRARY)
    }
    assert set(results) == {"total", "cluster-b", "cluster-c", "cluster-d", "cluster-e"}
    assert results["cluster-c"].k == 2
    assert results["cluster-c"].omega is None
    assert "at least 3 items" in results["cluster-c"].omega_note


def test_each_person_counts_once_with_their_first_complete_response():
    first = veterans().iloc[:40]
    later = (
        veterans().iloc[:40].replace({0: 4, 1: 3, 3: 1, 4: 0})
    )  # answers turned round
    table = pd.concat(
        [
            as_item_table(first, PCL5.key, session=1),
            as_item_table(later, PCL5.key, session=5),
        ]
    )
    total = next(r for r in clinic_reliability(table, LIBRARY) if r.scale == "total")
    alone = scale_reliability(PCL5, "total", first.to_numpy(dtype=float))
    assert total.n == 40
    assert total.alpha == pytest.approx(alone.alpha, abs=1e-12)


def test_a_response_missing_an_item_is_left_out_and_the_next_complete_one_taken():
    answers = veterans().iloc[:40].astype(float)
    gappy = answers.copy()
    gappy.iloc[0, 3] = np.nan
    table = pd.concat(
        [
            as_item_table(gappy, PCL5.key, session=1),
            as_item_table(answers.iloc[:1], PCL5.key, session=2),
        ]
    )
    total = next(r for r in clinic_reliability(table, LIBRARY) if r.scale == "total")
    assert total.n == 40
    assert total.alpha == pytest.approx(
        scale_reliability(PCL5, "total", answers.to_numpy()).alpha, abs=1e-12
    )


def test_reversed_items_are_scored_as_the_scale_scores_them():
    tac = LIBRARY.get("tac@1.1")
    rng = np.random.default_rng(4)
    level = rng.normal(2.5, 0.8, (60, 1))
    raw = np.clip(np.round(level + rng.normal(0, 0.5, (60, 13))), 0, 4)
    nine = tac.item_ids.index("9")
    raw[:, nine] = 4 - raw[:, nine]  # a rupture item: agreeing means a worse alliance
    result = scale_reliability(tac, "self", raw)
    assert isinstance(result, Reliability)
    nine_r = next(i.r for i in result.item_total if i.item == "9")
    assert nine_r > 0.5


def test_too_few_people_say_how_many_more_are_needed_instead_of_a_number():
    result = scale_reliability(
        PCL5, "total", veterans().iloc[:12].to_numpy(dtype=float)
    )
    assert isinstance(result, NotEnoughData)
    assert (result.minimum, result.current, result.more_needed) == (MIN_PEOPLE, 12, 18)
    assert (result.instrument, result.scale) == ("pcl-5@past-month", "total")
    assert result.sentence() == (
        "needs 30 people who answered every item, has 12 (18 more needed)"
    )
