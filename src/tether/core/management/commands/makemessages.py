"""`tether makemessages -l es`: Django's makemessages, made repeatable.

- It reads Tether's own package wherever it is run from (Django's reads the
  current directory, so run from the repository root it would take in the
  tests, the docs and the benchmarks).
- It never guesses: msgmerge's fuzzy matching would fill a new text with the
  translation of a different one that looks alike ("Hello %(name)s" got
  "Sesión %(number)s"), and a fuzzy guess is easily compiled by mistake.
- References name the file only (`#: portal/views.py`), so moving a line
  does not rewrite the whole catalogue; tests/test_locale.py reads them to
  tell the texts members read from the clinicians'.

See docs/translating.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.commands import makemessages

import tether


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("add_location") is None:
            options["add_location"] = "file"
        os.chdir(Path(tether.__file__).parent)
        super().handle(*args, **options)
