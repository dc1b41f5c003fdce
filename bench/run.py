"""`make bench`: every benchmark, each printing its table and writing JSON to
bench/results/."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for name in ("accuracy", "speed", "submit", "case_page"):
    print(f"\n=== {name} ===", flush=True)
    sys.argv = [name]
    runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
