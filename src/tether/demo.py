"""`tether demo`: the app on its own SQLite database, on 127.0.0.1."""

from __future__ import annotations

import os


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
    call_command("migrate", interactive=False, verbosity=0)
    url = f"http://127.0.0.1:{port}/"
    print(f"Tether demo is starting on {url}", flush=True)
    print(f"  instrument library: {url}instruments/", flush=True)
    print(f"  data directory:     {settings.DATA_DIR}", flush=True)
    print("  stop it with Ctrl+C", flush=True)
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
    return 0
