"""Test settings: Tether's settings with a throwaway data directory."""

import os
import tempfile

os.environ.setdefault("TETHER_DATA_DIR", tempfile.mkdtemp(prefix="tether-test-"))
os.environ.setdefault("TETHER_SECRET_KEY", "tests-only-secret-key")

from tether.settings import *  # noqa: F403
