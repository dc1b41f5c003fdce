"""`tether worker`: the background worker (django-tasks' database backend,
`db_worker`). On start it queues a recompute for every case whose alerts are
stale, since the tasks of a crashed worker may have been lost."""

from __future__ import annotations

import os


def run_worker(batch: bool = False) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tether.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from tether.care.recompute import requeue_stale

    requeue_stale()
    options = ["--batch"] if batch else []
    call_command("db_worker", *options, "--no-startup-delay", "--no-reload")
    return 0
