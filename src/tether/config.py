"""Where Tether keeps its data; read from the environment, no Django needed."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """`TETHER_DATA_DIR`, else `$XDG_DATA_HOME/tether` (~/.local/share/tether)."""
    configured = os.environ.get("TETHER_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tether"
