"""Real-browser tests: Playwright driving Debian's chromium (never a downloaded
browser). Skipped with a message where chromium is missing, except in CI
(CI=true), where they must run."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the main thread; without this the
# Django ORM raises SynchronousOnlyOperation in live_server tests
# (microsoft/playwright-pytest#29; docs/architecture.md §Dependencies).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    browser_items = [item for item in items if str(item.fspath).startswith(here)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(
            f"CI=true but {CHROMIUM} is missing: .ci/run installs it with apt"
        )
    skip = pytest.mark.skip(
        reason="browser tests need Debian's chromium: apt-get install chromium"
    )
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def browser_with_back_forward_cache(playwright, browser_type_launch_args):
    """Chromium as people have it. Playwright turns the back/forward cache
    off by default (--disable-back-forward-cache); with it off, Back can
    still show a page from the HTTP cache, but never a whole page kept in
    memory, which is how an ordinary browser showed the clinician's pages
    after the kiosk started (issue #12)."""
    browser = playwright.chromium.launch(
        **browser_type_launch_args,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield browser
    browser.close()
