"""Host and data checks of `vqs doctor`: free disk, backup age, stored secrets that decrypt."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from vibe_quality_searcharr.backups.service import newest_backup
from vibe_quality_searcharr.backups.tokens import count_undecryptable
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.diagnostics.result import CheckResult
from vibe_quality_searcharr.settings import Settings

__all__ = ["MAX_BACKUP_AGE", "MIN_FREE_BYTES", "backup_age", "disk_space", "stored_secrets"]

MIN_FREE_BYTES = 1024**3  # below 1 GiB a growing WAL, a backup or the logs can fill the disk
MIN_FREE_SHARE = 0.05
MAX_BACKUP_AGE = timedelta(days=2)
DiskUsage = Callable[[Path], Any]


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def disk_space(settings: Settings, usage: DiskUsage = shutil.disk_usage) -> CheckResult:
    where = _existing(settings.data_dir)
    total, free = int(usage(where).total), int(usage(where).free)
    gib = free / 1024**3
    detail = f"{gib:.1f} GiB free on the data directory's disk ({free / max(total, 1):.0%})"
    if free < MIN_FREE_BYTES or free < total * MIN_FREE_SHARE:
        return CheckResult(
            "disk space", True, detail, "free space there, or move VQS_DATA_DIR", warning=True
        )
    return CheckResult("disk space", True, detail)


def _age(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"


def backup_age(settings: Settings, now: datetime) -> CheckResult:
    if settings.uses_postgres:
        return CheckResult("backups", True, "PostgreSQL: back it up with pg_dump")
    newest = newest_backup(settings.backups_dir)
    scheduled = settings.backup_schedule != "off"
    if newest is None:
        if not settings.sqlite_path.exists():
            return CheckResult("backups", True, "none yet (no database yet)")
        return CheckResult("backups", True, "no backup yet", "run: vqs backup", warning=scheduled)
    taken, path = newest
    detail = f"newest {path.name}, {_age(now - taken)} old"
    if scheduled and now - taken > MAX_BACKUP_AGE:
        return CheckResult(
            "backups",
            True,
            detail + f" although VQS_BACKUP_SCHEDULE is {settings.backup_schedule}",
            "check that the service runs and the logs for scheduled_backup_failed; vqs backup",
            warning=True,
        )
    if not scheduled:
        detail += " (scheduled backups are off)"
    return CheckResult("backups", True, detail)


def stored_secrets(database: Database, master_secret: str | None) -> CheckResult:
    if master_secret is None:
        return CheckResult(
            "stored secrets", False, "no master secret found", "restore secrets/master_secret"
        )
    with database.session_scope() as session:
        total, lost = count_undecryptable(session, [master_secret])
    if lost:
        return CheckResult(
            "stored secrets",
            False,
            "do not decrypt with the master secret: " + "; ".join(i.describe() for i in lost),
            "use the master secret they were stored with (after vqs rotate-keys: the new one)",
        )
    return CheckResult("stored secrets", True, f"{total} decrypt with the master secret")
