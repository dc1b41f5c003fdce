"""Speed of `tether signals` on a large simulated cohort.

Writes a simulated cohort (default 10,000 cases) to CSV, then times, in this
process: the floor (pandas reading the same CSV, which any implementation must
do) and the whole `tether signals` path (read and check the table, run every
rule, format the output rows). Reports seconds and the ratio to the floor.

Usage: python bench/speed.py [--cases 10000] [--seed 1]
Writes bench/results/speed.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

from tether.instruments import load_library
from tether.signals import compute_signals, read_scores
from tether.signals.report import signal_rows
from tether.simulate import simulate_cohort, write_cohort

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_SECONDS = 60.0


def timed(function):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def run(cases: int, seed: int) -> dict[str, float]:
    library = load_library()
    cohort, simulate_seconds = timed(lambda: simulate_cohort(cases, seed))
    with tempfile.TemporaryDirectory() as folder:
        scores_path, _ = write_cohort(cohort, Path(folder))
        _, floor = timed(
            lambda: pd.read_csv(scores_path, dtype=str, keep_default_na=False)
        )
        frame, read_seconds = timed(lambda: read_scores(scores_path, library))
        result, rules_seconds = timed(lambda: compute_signals(frame, library))
        _, output_seconds = timed(lambda: signal_rows(result.signals))
    total = read_seconds + rules_seconds + output_seconds
    return {
        "cases": cases,
        "score_rows": len(cohort.scores),
        "signals": len(result.signals),
        "simulate_seconds": simulate_seconds,
        "floor_read_csv_seconds": floor,
        "read_and_check_seconds": read_seconds,
        "rules_seconds": rules_seconds,
        "output_seconds": output_seconds,
        "total_seconds": total,
        "ratio_to_floor": total / floor,
        "target_seconds": TARGET_SECONDS,
        "within_target": total < TARGET_SECONDS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    summary = run(args.cases, args.seed)
    print(
        f"tether signals on {summary['cases']:,} simulated cases ({summary['score_rows']:,} score rows)"
    )
    for name in (
        "floor_read_csv_seconds",
        "read_and_check_seconds",
        "rules_seconds",
        "output_seconds",
        "total_seconds",
    ):
        print(f"  {name:<26} {summary[name]:8.2f} s")
    print(f"  {'ratio to floor':<26} {summary['ratio_to_floor']:8.1f} ×")
    print(
        f"  {'target':<26} < {TARGET_SECONDS:.0f} s: {'met' if summary['within_target'] else 'NOT met'}"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "speed.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
