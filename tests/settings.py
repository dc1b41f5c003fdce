"""Test settings: Tether's settings with a throwaway data directory."""

import os
import tempfile

os.environ.setdefault("TETHER_DATA_DIR", tempfile.mkdtemp(prefix="tether-test-"))
os.environ.setdefault("TETHER_SECRET_KEY", "tests-only-secret-key")

from tether.settings import *  # noqa: F403

# A file database, so that tests with several threads (portal concurrency) see
# one database; in-memory SQLite is private to each connection.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(DATA_DIR / "test.sqlite3")  # noqa: F405

# As a production install sets it; tests of request-built links override it.
TETHER_BASE_URL = "http://127.0.0.1:8000"

# Each test's tokens are new, but the contract tests call often: a rate they
# never reach unless a test sets a lower one.
TETHER_API_RATE = "100000/min"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api-throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
