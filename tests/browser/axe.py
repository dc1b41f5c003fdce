"""axe-core in the page (from the axe-playwright-python package, never a CDN):
the one scan every browser test uses, and the list of what it found."""

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
SCANNED: dict[str, list[str]] = {}
"""Every page scanned in this run, with the ids of all its violations (minor
and moderate included), printed at the end for the closing note."""


def scan(page, name):
    """axe-core on the page as it is now; serious and critical must be none."""
    results = AXE.run(page)
    violations = results.response["violations"]
    SCANNED[name] = [f"{v['id']} ({v['impact']})" for v in violations]
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: " + "; ".join(
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}" for v in bad
    )
