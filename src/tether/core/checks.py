"""Start-up checks (Django's system check framework: runserver, migrate, the
worker and `tether serve` run them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.checks import Warning as CheckWarning
from django.core.mail.backends.console import EmailBackend as DjangoConsoleEmail
from django.utils.module_loading import import_string

from tether import config
from tether.portal.sms import ConsoleSMSBackend

BASE_URL_MISSING = "tether.E001"
MESSAGES_TO_CONSOLE = "tether.W010"


@register()
def base_url_is_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A production server must know its public address: links in emails,
    text messages and QR codes are read on another device, where the address
    of whatever request happened to issue them (a proxy's, an internal
    host's) may not answer."""
    if settings.DEBUG or settings.DEMO or settings.TETHER_BASE_URL:
        return []
    return [
        Error(
            "TETHER_BASE_URL is not set: Tether does not know the address "
            "that links in emails, text messages and QR codes should point to.",
            hint="Set it to the address people open Tether at, e.g. "
            "TETHER_BASE_URL=https://tether.example.org",
            id=BASE_URL_MISSING,
        )
    ]


@register(deploy=True)
def messages_are_delivered(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """A console backend prints messages instead of delivering them: nobody
    gets their link or their reset email (and in debug mode the console holds
    them whole)."""
    backends = [
        ("TETHER_EMAIL_BACKEND", settings.EMAIL_BACKEND, DjangoConsoleEmail),
        ("TETHER_SMS_BACKEND", settings.TETHER_SMS_BACKEND, ConsoleSMSBackend),
    ]
    return [
        CheckWarning(
            f"{name} is a console backend ({path}): messages are printed to "
            "the server's output, not delivered.",
            hint=f"Set {name} to a backend that delivers them (docs/security.md "
            "§Logs and messages).",
            id=MESSAGES_TO_CONSOLE,
        )
        for name, path, console in backends
        if _is_subclass(path, console)
    ]


def _is_subclass(path: str, base: type) -> bool:
    try:
        backend = import_string(path)
    except ImportError:  # the backend itself says so when first used
        return False
    return isinstance(backend, type) and issubclass(backend, base)


DATA_NOT_PRIVATE = "tether.W002"


@register()
def data_is_private(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The data directory, the SQLite database with its -wal and -shm files,
    the secret key and the research export's secret: no other user of the machine may read them. Tether
    creates them so; an older install, a copy or a restored backup may not
    be."""
    if os.name != "posix":
        return []
    return open_data_warnings(settings.DATA_DIR, settings.DATABASES["default"])


def open_data_warnings(data_dir: Path, database: dict[str, Any]) -> list[CheckMessage]:
    paths = [data_dir, data_dir / "secret-key", data_dir / config.RESEARCH_SECRET_FILE]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = str(database["NAME"])
        paths += [Path(name), Path(f"{name}-wal"), Path(f"{name}-shm")]
    return [
        CheckWarning(
            f"{path} can be read or changed by other users of this machine "
            f"(mode {mode:03o}); it holds clinical records or the secret key.",
            hint=f"chmod {'700' if path.is_dir() else '600'} {path}",
            id=DATA_NOT_PRIVATE,
        )
        for path, mode in config.open_to_others(paths)
    ]
