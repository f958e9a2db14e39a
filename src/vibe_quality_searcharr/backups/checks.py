"""What makes a file fit to restore: it decrypts with this install's key, passes SQLite's full
`integrity_check`, and carries a schema revision this build knows (so it can be migrated up)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vibe_quality_searcharr.backups import sqlite
from vibe_quality_searcharr.backups.errors import (
    CorruptBackup,
    ForeignBackup,
    IncompatibleSchema,
    NotADatabase,
)
from vibe_quality_searcharr.db import migrate

__all__ = ["BackupInfo", "check_backup"]

_PAGE_MULTIPLE = 512  # every SQLite page size is a multiple of it; a database file is whole pages


@dataclass(frozen=True)
class BackupInfo:
    revision: str
    size_bytes: int
    at_head: bool


def _shape(path: Path) -> int:
    if not path.is_file():
        raise NotADatabase(f"{path} is not a file")
    size = path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(16)
    if header == sqlite.SQLITE_HEADER:
        raise NotADatabase(
            f"{path} is an unencrypted SQLite database, not a backup of this app "
            "(its backups are always encrypted)"
        )
    if size < _PAGE_MULTIPLE or size % _PAGE_MULTIPLE:
        raise NotADatabase(f"{path} is not a database ({size} bytes is not whole pages)")
    return size


def check_backup(path: Path, key_hex: str) -> BackupInfo:
    """Raise a BackupRejected subclass naming what is wrong, or describe the file.

    Opening a file can rewrite it (a hot journal is rolled back), so callers pass a private
    copy, never the operator's original.
    """
    size = _shape(path)
    try:
        connection = sqlite.connect(path, key_hex, busy_ms=0)
    except sqlite.SqlError:
        raise ForeignBackup(
            f"{path} does not decrypt with this install's database key: it was made by another "
            "install, or before a key rotation (put that install's secrets/database_key and "
            "master_secret back first), or it is not a backup at all"
        ) from None
    try:
        try:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        except sqlite.SqlError as exc:
            raise CorruptBackup(f"{path} is damaged: {exc}") from None
        if problems != ["ok"]:
            shown = "; ".join(str(problem) for problem in problems[:3])
            raise CorruptBackup(f"{path} is damaged: integrity_check says {shown}")
        try:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite.SqlError:
            rows = []
    finally:
        connection.close()
    if len(rows) != 1:
        raise IncompatibleSchema(f"{path} has no schema version: it is not a database of this app")
    revision = str(rows[0][0])
    if revision not in migrate.known_revisions():
        raise IncompatibleSchema(
            f"{path} has schema revision {revision}, newer than this version knows "
            f"(head {migrate.head_revision()}): upgrade vibe-quality-searcharr first, then restore"
        )
    return BackupInfo(
        revision=revision, size_bytes=size, at_head=revision == migrate.head_revision()
    )
