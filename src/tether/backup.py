"""`tether backup FILE` and `tether restore FILE` (docs/operations.md §Backups).

SQLite: SQLite's online backup API, which copies a consistent snapshot while
the server goes on writing (a plain file copy of a database in WAL mode can
miss what is still in the -wal file). PostgreSQL: `pg_dump` in its custom
format and `pg_restore`, the engine's own tools.

Restoring replaces the whole database, so it refuses a database that already
holds an organization, a user or a case unless told `force`. Both commands
print the database's fingerprint — per table, its row count and a SHA-256 of
its rows in key order — so an operator can see that what came back is what
went out.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

from . import config

CONTENT_TABLES = ("accounts_organization", "accounts_user", "care_case")
"""Tables whose rows make a database one a clinic uses: a fresh `migrate`
leaves them empty."""


class BackupError(Exception):
    """A backup or restore that could not be done, with the reason."""


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    digest: str


def engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


# ---- backup ------------------------------------------------------------------------


def backup(path: Path) -> dict[str, TableFingerprint]:
    """Write the whole database to `path` (mode 600), replacing it only once
    the copy is complete; returns the fingerprint of what was copied."""
    path = path.expanduser().resolve()
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder")
    partial = path.with_name(f".{path.name}.partial")
    config.private_file(partial)
    try:
        if engine() == "sqlite":
            _sqlite_backup(partial)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"])
        fingerprint = database_fingerprint()
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return fingerprint


def _sqlite_backup(target: Path) -> None:
    connection.ensure_connection()
    source: sqlite3.Connection = connection.connection  # type: ignore[assignment]
    with sqlite3.connect(target) as copy:
        source.backup(copy)
        (check,) = copy.execute("PRAGMA integrity_check").fetchone()
    copy.close()
    if check != "ok":
        raise BackupError(f"the copy failed SQLite's integrity check: {check}")


# ---- restore -----------------------------------------------------------------------


def restore(path: Path, force: bool = False) -> dict[str, TableFingerprint]:
    """Replace the database with the backup at `path`; refused where the
    database already holds a clinic's records, unless `force`."""
    path = path.expanduser()
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    held = records_held()
    if held and not force:
        counts = ", ".join(f"{table} {rows}" for table, rows in held.items())
        raise BackupError(
            f"the database is not empty ({counts}); restoring would replace it. "
            "Use --force to replace it anyway."
        )
    if engine() == "sqlite":
        _sqlite_restore(path)
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_dsn()}",
                str(path),
            ],
            dsn=False,
        )
    connections.close_all()
    return database_fingerprint()


def _sqlite_restore(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
            (check,) = source.execute("PRAGMA integrity_check").fetchone()
            tables = {
                name
                for (name,) in source.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
            if check != "ok":
                raise BackupError(f"{path} failed SQLite's integrity check: {check}")
            if "django_migrations" not in tables:
                raise BackupError(f"{path} is not a backup of a Tether database")
            connection.ensure_connection()
            target: sqlite3.Connection = connection.connection  # type: ignore[assignment]
            source.backup(target)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not an SQLite database: {error}") from None


def records_held() -> dict[str, int]:
    """The content tables that hold rows, with their counts."""
    existing = set(connection.introspection.table_names())
    held = {}
    with connection.cursor() as cursor:
        for table in CONTENT_TABLES:
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                (rows,) = cursor.fetchone()
                if rows:
                    held[table] = rows
    return held


# ---- what a database holds ---------------------------------------------------------


def database_fingerprint() -> dict[str, TableFingerprint]:
    """Per table: its row count and the SHA-256 of its rows, in the order of
    their first column (every Tether table's key)."""
    quote = connection.ops.quote_name
    fingerprint = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")
            digest = hashlib.sha256()
            rows = 0
            for row in cursor.fetchall():
                digest.update(repr(tuple(_plain(v) for v in row)).encode())
                rows += 1
            fingerprint[table] = TableFingerprint(rows, digest.hexdigest())
    return fingerprint


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def fingerprint_lines(fingerprint: dict[str, TableFingerprint]) -> list[str]:
    rows = sum(table.rows for table in fingerprint.values())
    overall = hashlib.sha256(
        "".join(f"{name}{t.rows}{t.digest}" for name, t in fingerprint.items()).encode()
    ).hexdigest()
    return [f"{len(fingerprint)} tables, {rows} rows, fingerprint {overall[:16]}"]


# ---- PostgreSQL tools --------------------------------------------------------------


def _dsn() -> str:
    database = settings.DATABASES["default"]
    parts = {
        "host": database.get("HOST") or "",
        "port": str(database.get("PORT") or ""),
        "user": database.get("USER") or "",
        "dbname": database["NAME"],
    }
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


def _run(command: list[str], dsn: bool = True) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is not installed; on Debian: apt install postgresql-client"
        )
    if dsn:
        command = [*command, f"--dbname={_dsn()}"]
    # The password goes by environment, never on a command line others can see.
    environment = {**os.environ}
    password = settings.DATABASES["default"].get("PASSWORD")
    if password:
        environment["PGPASSWORD"] = str(password)
    with tempfile.TemporaryFile() as errors:
        finished = subprocess.run(command, env=environment, stderr=errors, check=False)
        if finished.returncode != 0:
            errors.seek(0)
            said = errors.read().decode(errors="replace").strip().splitlines()
            raise BackupError(
                f"{tool} failed: {said[-1] if said else finished.returncode}"
            )
