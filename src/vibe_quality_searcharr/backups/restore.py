"""`vqs restore PATH`: check a backup, then swap it in for the database, keeping the old one.

Order, each step safe to be interrupted after:
1. copy the offered file to a private temporary file beside the database (the original is
   never opened by SQLite, so never modified) and check that copy (`checks.check_backup`);
2. make sure nothing has the database open (`guard.exclusive_database`), which also folds the
   current WAL into the main file;
3. hard-link the current database to `<data>/backups/replaced-<UTC time>.db` (its stale `-wal`
   and `-shm`, if it could not be opened, are moved beside it: a WAL left next to the new file
   would be replayed into it);
4. rename the checked copy over the database (atomic) and flush the directory;
5. migrate the restored database to this build's head.
A crash before 4 leaves the old database in place; after 4, the restored one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog

from vibe_quality_searcharr.backups import checks
from vibe_quality_searcharr.backups.errors import BackupError, BackupUnsupported
from vibe_quality_searcharr.backups.files import fsync_dir, private_temp, publish, stamp
from vibe_quality_searcharr.backups.guard import exclusive_database
from vibe_quality_searcharr.backups.service import ensure_backups_dir
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.settings import Settings

__all__ = ["RestoreResult", "restore_backup"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RestoreResult:
    restored_revision: str
    revision: str | None
    replaced: Path | None


def _set_aside(database: Path, aside: Path) -> Path | None:
    # Companions first, even when the database itself is gone (deleted while the service ran):
    # a WAL of another file, left at this name, would be replayed into the restored one.
    for suffix in ("-wal", "-shm"):
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    if not database.exists():
        return None
    try:
        os.link(database, aside)
    except OSError:  # another file system (a mounted backups folder): copy instead
        shutil.copy2(database, aside)
        aside.chmod(0o600)
    fsync_dir(aside.parent)
    return aside


def restore_backup(
    settings: Settings, key_hex: str, source: Path, *, now: datetime
) -> RestoreResult:
    if settings.uses_postgres:
        raise BackupUnsupported()
    source = source.expanduser()
    database = settings.sqlite_path
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file")
    if source.resolve() == database.resolve():
        raise BackupError(f"{source} is the database itself; name a backup file")
    database.parent.mkdir(parents=True, exist_ok=True)
    staged = private_temp(database, "restoring")
    try:
        shutil.copyfile(source, staged)
        info = checks.check_backup(staged, key_hex, shown=source)
        with exclusive_database(database, key_hex):
            aside = ensure_backups_dir(settings) / f"replaced-{stamp(now)}.db"
            if aside.exists():
                raise BackupError(f"{aside} already exists; wait a second and run this again")
            replaced = _set_aside(database, aside)
            publish(staged, database, replace=True)
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()
    restored = open_sqlcipher(database, key_hex, pool_size=1)
    try:
        migrate.upgrade(restored)
        revision = migrate.current_revision(restored)
    finally:
        restored.dispose()
    log.info("backup_restored", source=str(source), revision=revision, replaced=str(replaced))
    return RestoreResult(restored_revision=info.revision, revision=revision, replaced=replaced)
