"""Keeps the SQLite file the service opened the one it uses, and never makes up an empty one.

SQLite creates a database file wherever it is asked to open one. If `vqs.db` is deleted or
moved while the service runs, the next new connection would quietly start an empty database
and the user would "lose" every instance and queue; connections already open would go on
writing into the deleted file, where nothing survives a restart. So:

- after start, connections open with `mode=rw` (`runtime_uri`): a missing file is an error;
- every checkout compares the file at the path with the one the connection opened (device and
  inode, `identity`): the file gone is `DatabaseMissing`; a different file (put back, or
  restored) makes SQLAlchemy drop that connection and open the new file;
- at start, a missing database beside existing backups is refused (`refuse_missing_database`):
  the user restores instead of starting over by accident;
- a file that does not decrypt is told apart from a damaged one (`unreadable_file_error`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from vibe_quality_searcharr.db.errors import DatabaseCorrupt, DatabaseKeyError, DatabaseMissing
from vibe_quality_searcharr.db.failures import MESSAGES, FailureKind

__all__ = [
    "IDENTITY_KEY",
    "identity",
    "missing_error",
    "refuse_missing_database",
    "runtime_uri",
    "unreadable_file_error",
]

IDENTITY_KEY = "vqs_file_identity"


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, or None when there is none."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def runtime_uri(path: Path) -> str:
    """An SQLite URI that opens `path` read-write and fails instead of creating it."""
    return f"file:{quote(str(path.absolute()))}?mode=rw"


def missing_error() -> DatabaseMissing:
    return DatabaseMissing(MESSAGES[FailureKind.MISSING])


def refuse_missing_database(path: Path, backups: list[Path]) -> None:
    """Raise when the database is absent but backups say there was one (`backups`: newest
    first). A first start, with no backups, creates the database as usual."""
    if (path.exists() and path.stat().st_size > 0) or not backups:
        return
    raise DatabaseMissing(
        f"the database {path} is missing, but there are backups of it in {backups[0].parent} "
        f"(newest: {backups[0].name}). Restore one with: vqs restore {backups[0]} . "
        "No empty database was created. To really start over, move the backups folder away."
    )


def unreadable_file_error(path: Path, connection: Any) -> DatabaseKeyError | DatabaseCorrupt:
    """Why an opened file cannot be read: SQLCipher checks each page's HMAC, so a wrong key
    fails page 1 (and every other), while damage fails only the pages it hit. A damaged page 1
    looks like a wrong key; the message says both."""
    try:
        failures = [str(row[0]) for row in connection.execute("PRAGMA cipher_integrity_check")]
    except Exception:
        failures = ["page 1"]
    if not failures or any(failure.endswith(" page 1") for failure in failures):
        return DatabaseKeyError(
            f"cannot decrypt {path}: the database key does not match this file (or the file's "
            "first page is damaged). Restore the key it was created with (VQS_DATABASE_KEY, "
            "VQS_DATABASE_KEY_FILE or secrets/database_key in the data directory), or restore a "
            "backup made with the current key."
        )
    return DatabaseCorrupt(
        f"the database {path} is damaged ({len(failures)} page(s) fail their check, e.g. "
        f"{failures[0]}). Restore the newest backup: vqs restore <backup file> "
        "(the backups are in the data directory's backups folder; vqs doctor lists them)."
    )
