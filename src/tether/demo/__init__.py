"""The demo: a synthetic clinic (`clinic.py`) on its own fresh SQLite database,
served with a background worker beside it (`run.py`, `tether demo`)."""

from .run import run_demo

__all__ = ["run_demo"]
