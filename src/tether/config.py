"""Where Tether keeps its data, and keeping it private; read from the
environment, no Django needed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_UMASK = 0o077
"""What Tether creates has no group or other permission bits: the database
holds clinical records, the data directory the secret key."""

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def data_dir() -> Path:
    """`TETHER_DATA_DIR`, else `$XDG_DATA_HOME/tether` (~/.local/share/tether)."""
    configured = os.environ.get("TETHER_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tether"


def keep_files_private() -> None:
    """Every file and folder this process creates from now on is its user's
    alone (the `tether` command and the WSGI application call it at start)."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """`path`, created 700 if it is missing; an existing folder keeps its mode
    (the start-up check warns if others can read it)."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """`path`, created empty and 600 if it is missing. SQLite accepts an empty
    file as an empty database, and gives its -wal and -shm files the mode of
    the database file, whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    os.close(descriptor)
    return path


def open_to_others(paths: list[Path]) -> list[tuple[Path, int]]:
    """(path, mode) of each existing path that its group or other users may
    read, write or enter."""
    found = []
    for path in paths:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            continue
        if mode & 0o077:
            found.append((path, mode))
    return found


RESEARCH_SECRET_FILE = "research-secret"
"""The key of the research export's pseudonyms (docs/research-export.md)."""


def research_secret(data_dir: Path) -> bytes:
    """The deployment's research secret: 32 random bytes kept (as hex) in
    `research-secret` in the data directory, made 600 on first use. Written
    to a temporary file and linked into place, so two exports starting at
    once agree on one secret and none reads a half-written one."""
    path = private_dir(data_dir) / RESEARCH_SECRET_FILE
    if not path.exists():
        temporary = path.with_name(f".{RESEARCH_SECRET_FILE}.{os.getpid()}")
        descriptor = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE
        )
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            temporary.unlink()
    text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < 32:
        raise ValueError(
            f"{path}: not a research secret (64 hex digits); restore it from a "
            "backup, or delete it to start new pseudonyms that will not link to "
            "earlier exports"
        )
    return secret
