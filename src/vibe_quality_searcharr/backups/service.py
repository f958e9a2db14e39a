"""Online backups of the SQLCipher database, their names, and retention.

A backup is a page-for-page copy encrypted with the database's own key, so it is as safe to
store as the database itself and opens with nothing but `secrets/database_key`. Names carry the
UTC time they were taken (`vqs-backup-20250102T030000Z.db`), which is also how retention and
`vqs doctor` tell their age: file times change when files are copied around, names do not.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog

from vibe_quality_searcharr.backups import sqlite
from vibe_quality_searcharr.backups.errors import BackupError, BackupUnsupported
from vibe_quality_searcharr.backups.files import (
    fsync_dir,
    parse_stamp,
    private_temp,
    publish,
    stamp,
)
from vibe_quality_searcharr.settings import Settings

__all__ = [
    "BACKUP_PREFIX",
    "BackupResult",
    "create_backup",
    "ensure_backups_dir",
    "list_backups",
    "newest_backup",
    "prune_backups",
]

log = structlog.get_logger(__name__)

BACKUP_PREFIX = "vqs-backup-"
BACKUP_SUFFIX = ".db"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    taken_at: datetime
    seconds: float


def backup_name(now: datetime) -> str:
    return f"{BACKUP_PREFIX}{stamp(now)}{BACKUP_SUFFIX}"


def backup_time(path: Path) -> datetime | None:
    """When a backup was taken, from its name; None for a file that is not one of ours."""
    name = path.name
    if not (name.startswith(BACKUP_PREFIX) and name.endswith(BACKUP_SUFFIX)):
        return None
    return parse_stamp(name[len(BACKUP_PREFIX) : -len(BACKUP_SUFFIX)])


def ensure_backups_dir(settings: Settings) -> Path:
    directory = settings.backups_dir
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        directory.chmod(0o700)
    return directory


def _destination(settings: Settings, to: Path | None, now: datetime) -> Path:
    if to is None:
        return ensure_backups_dir(settings) / backup_name(now)
    to = to.expanduser()
    if to.is_dir():
        return to / backup_name(now)
    if not to.parent.is_dir():
        raise BackupError(f"{to.parent} is not a directory; create it or choose another --to")
    return to


def create_backup(
    settings: Settings, key_hex: str, *, now: datetime, to: Path | None = None
) -> BackupResult:
    """Copy the live database to `to` (a file or a directory; default `<data>/backups/`).

    The copy is written to a private temporary file beside its destination, checked (it opens
    with the key, `quick_check` is ok), flushed, and only then given its name; an existing file
    is never overwritten.
    """
    if settings.uses_postgres:
        raise BackupUnsupported()
    source = settings.sqlite_path
    if not source.is_file():
        raise BackupError(f"there is no database at {source} yet: nothing to back up")
    destination = _destination(settings, to, now)
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose another name")
    started = time.perf_counter()
    temporary = private_temp(destination)
    try:
        sqlite.online_copy(source, key_hex, temporary)
        with sqlite.opened(temporary, key_hex) as copy:
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the copy failed its integrity check ({verdict}); nothing was kept")
        publish(temporary, destination, replace=False)
    except FileExistsError:
        raise BackupError(f"{destination} already exists; choose another name") from None
    except sqlite.SqlError as exc:
        raise BackupError(f"the copy failed: {exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    result = BackupResult(
        path=destination,
        size_bytes=destination.stat().st_size,
        taken_at=now,
        seconds=time.perf_counter() - started,
    )
    log.info("backup_taken", path=str(destination), bytes=result.size_bytes)
    return result


def list_backups(directory: Path) -> list[tuple[datetime, Path]]:
    """Our backups in `directory`, newest first."""
    if not directory.is_dir():
        return []
    found = [(taken, path) for path in directory.iterdir() if (taken := backup_time(path))]
    return sorted(found, reverse=True)


def newest_backup(directory: Path) -> tuple[datetime, Path] | None:
    backups = list_backups(directory)
    return backups[0] if backups else None


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; files of other names are never touched."""
    doomed = [path for _, path in list_backups(directory)[keep:]]
    for path in doomed:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    if doomed:
        fsync_dir(directory)
        log.info("backups_pruned", deleted=len(doomed), kept=keep)
    return doomed
