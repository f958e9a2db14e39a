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


def _shape(path: Path, name: Path) -> int:
    if not path.is_file():
        raise NotADatabase(f"{name} is not a file")
    size = path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(16)
    if header == sqlite.SQLITE_HEADER:
        raise NotADatabase(
            f"{name} is an unencrypted SQLite database, not a backup of this app "
            "(its backups are always encrypted)"
        )
    if size < _PAGE_MULTIPLE or size % _PAGE_MULTIPLE:
        raise NotADatabase(f"{name} is not a database ({size} bytes is not whole pages)")
    return size


def check_backup(path: Path, key_hex: str, *, shown: Path | None = None) -> BackupInfo:
    """Raise a BackupRejected subclass naming what is wrong, or describe the file.

    Opening a file can rewrite it (a hot journal is rolled back), so callers pass a private
    copy, never the operator's original; `shown` is the name messages use for it.
    """
    name = shown or path
    size = _shape(path, name)
    connection = sqlite.connect(path, key_hex, busy_ms=0, verify=False)
    try:
        failures = sqlite.page_failures(connection)
        if any(failure.endswith(" page 1") for failure in failures):
            raise ForeignBackup(
                f"{name} does not decrypt with this install's database key: it was made by "
                "another install, or before a key rotation (put that install's "
                "secrets/database_key and master_secret back first), or it is not a backup at all"
            )
        if failures:
            raise CorruptBackup(f"{name} is damaged: {'; '.join(failures[:3])}")
        try:
            problems = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
        except sqlite.SqlError as exc:
            raise CorruptBackup(f"{name} is damaged: {exc}") from None
        if problems != ["ok"]:
            raise CorruptBackup(
                f"{name} is damaged: integrity_check says {'; '.join(problems[:3])}"
            )
        try:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite.SqlError:
            rows = []
    finally:
        connection.close()
    if len(rows) != 1:
        raise IncompatibleSchema(f"{name} has no schema version: it is not a database of this app")
    revision = str(rows[0][0])
    if revision not in migrate.known_revisions():
        raise IncompatibleSchema(
            f"{name} has schema revision {revision}, newer than this version knows "
            f"(head {migrate.head_revision()}): upgrade vibe-quality-searcharr first, then restore"
        )
    return BackupInfo(
        revision=revision, size_bytes=size, at_head=revision == migrate.head_revision()
    )
