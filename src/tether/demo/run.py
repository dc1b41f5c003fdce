"""`tether demo`: the app on its own fresh SQLite database, seeded with a
synthetic clinic, on 127.0.0.1."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from tether import config

DEMO_DATABASE = "demo.sqlite3"


def run_demo(port: int = 8000) -> int:
    os.environ["TETHER_DEMO"] = "True"
    # The demo always runs on its own embedded SQLite file, never on a
    # configured server database.
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tether.settings"
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    database = settings.DATABASES["default"]
    name = Path(database["NAME"])
    if database["ENGINE"] != "django.db.backends.sqlite3" or name.name != DEMO_DATABASE:
        raise SystemExit(
            f"the demo runs only on its own SQLite file ({DEMO_DATABASE}), "
            f"not on {database['ENGINE']} {name}"
        )
    _delete_demo_database(name)
    call_command("migrate", interactive=False, verbosity=0)

    from .clinic import (
        ADMINISTRATOR,
        CLINICIAN_ADMINISTRATOR,
        CLINICIANS,
        SHOWCASE_LABEL,
        SUPERVISOR,
        seed_demo_clinic,
    )

    print("Seeding the demo clinic (synthetic people and answers)...", flush=True)
    clinic = seed_demo_clinic()
    alerts = sum(clinic.alert_counts.values())
    url = f"http://127.0.0.1:{port}/"
    first, *others = (username for username, *_ in CLINICIANS)
    lines = [
        f"Tether demo is starting on {url}",
        f"  {clinic.organization.name}: {clinic.organization.cases.count()} cases, "
        f"{alerts} open alerts (seeded in {clinic.seconds:.1f} s)",
        f"  sign in at {url}accounts/login/",
        f"    clinician:     {first} / {clinic.password}"
        f"   (also {', '.join(others)}, same password)",
        f"    supervisor:    {SUPERVISOR[0]} / {clinic.password}",
        f"    administrator: {ADMINISTRATOR[0]} / {clinic.password}"
        " (accounts and settings only, no clinical data;"
        f" {CLINICIAN_ADMINISTRATOR} is a clinician and an administrator)",
        f"  Try: open the {SHOWCASE_LABEL} and read the red rupture alert.",
        "  Every page is marked Demo data: the clinic, its people and their "
        "answers are synthetic.",
        f"  instrument library: {url}instruments/",
        f"  data directory:     {settings.DATA_DIR} (a fresh {DEMO_DATABASE} "
        "every start)",
        f"  served by gunicorn ({DEMO_WORKERS} workers of {DEMO_THREADS} threads, "
        "as `tether serve` runs it), with the background worker beside it "
        "(alert recomputes, expired links)",
        "  stop it with Ctrl+C",
    ]
    print("\n".join(lines), flush=True)
    # The background worker runs beside the server, and stops with it (on
    # Ctrl+C, and on a plain kill, which would otherwise skip `finally`).
    # The server builds links from each request's address (so a phone on the
    # clinic's network gets one that answers); the worker has no request, so
    # its risk emails point to the address printed above.
    worker_env = {**os.environ, "TETHER_BASE_URL": url.rstrip("/")}
    worker = subprocess.Popen(
        [sys.executable, "-m", "tether.cli", "worker"], env=worker_env
    )
    # What a newcomer tries is what a clinic runs: gunicorn, as `tether
    # serve` runs it, not Django's development server.
    server = subprocess.Popen(demo_server_command(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        return server.wait()
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait(timeout=10)


DEMO_WORKERS = 2
DEMO_THREADS = 2


def demo_server_command(port: int) -> list[str]:
    """gunicorn with the production settings (demo mode aside) on 127.0.0.1."""
    from tether.cli import serve_command

    options = argparse.Namespace(
        bind=f"127.0.0.1:{port}", workers=DEMO_WORKERS, threads=DEMO_THREADS
    )
    return serve_command(options)


def _delete_demo_database(name: Path) -> None:
    """Remove the previous demo database (and its WAL files): every start is fresh."""
    for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm")):
        path.unlink(missing_ok=True)
    config.private_file(name)
