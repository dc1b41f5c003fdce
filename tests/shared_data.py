"""Published data sets the statistics are checked against (docs/clinical-rules.md
§Reliable change, §Psychometrics): PCL-5 items of 221 veterans, PHQ-9 and GAD-7
items in two waves, the Claus et al. 2020 and Jacobson & Truax 1991 data.

They are GPL-licensed data of published studies, so they are not part of the
repository: they live in `shared/data/` beside the clone, or in the folder
TETHER_TEST_DATA names. A test that reads one is skipped, saying what is
missing and where it was looked for; in CI (CI=true) it fails instead, as the
browser tests do without chromium, because there the data must be present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """Read when a test runs, so a run can point it elsewhere."""
    configured = os.environ.get("TETHER_TEST_DATA")
    if configured:
        return Path(configured).expanduser()
    return REPOSITORY.parent / "shared" / "data"


def data_file(name: str) -> Path:
    """The path of a published data file; skips the test (fails it in CI)
    where the file is missing."""
    path = data_dir() / name
    if path.is_file():
        return path
    problem = (
        f"published test data {name} not found in {path.parent}: these GPL data "
        "sets are not in the repository; put them in a shared/data folder beside "
        "the clone or set TETHER_TEST_DATA to their folder"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {problem}", pytrace=False)
    pytest.skip(problem)
