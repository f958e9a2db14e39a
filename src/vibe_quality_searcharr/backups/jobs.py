"""Scheduled backups: the running service copies its database into `<data>/backups/`.

The job wakes every 15 minutes and takes a backup when the newest one is older than the
schedule's period (hourly, daily, weekly), then prunes to `VQS_BACKUP_KEEP`. Deciding from the
newest backup's name instead of a wall-clock slot means a service that was down at the usual
hour backs up as soon as it is back, and a restart never takes an extra one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
import structlog

from vibe_quality_searcharr.backups.errors import BackupError
from vibe_quality_searcharr.backups.service import (
    BackupResult,
    create_backup,
    newest_backup,
    prune_backups,
)
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.settings import Settings

__all__ = ["BACKUP_JOB_ID", "PERIODS", "BackupJob", "install_backup_schedule"]

log = structlog.get_logger(__name__)

BACKUP_JOB_ID = "backups"
PERIODS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(days=7)}
_WAKE_MINUTES = 15
# A backup taken a little early (the job wakes every 15 min) still counts for its slot.
_SLACK = timedelta(minutes=_WAKE_MINUTES)


@dataclass
class BackupJob:
    settings: Settings
    key_hex: str
    clock: Callable[[], datetime] = utcnow

    @property
    def period(self) -> timedelta | None:
        return PERIODS.get(self.settings.backup_schedule)

    def due(self, now: datetime) -> bool:
        if self.period is None or self.settings.uses_postgres:
            return False
        newest = newest_backup(self.settings.backups_dir)
        return newest is None or now - newest[0] >= self.period - _SLACK

    def run_once(self) -> BackupResult | None:
        """Take a backup if one is due and prune; never raises (the next wake tries again)."""
        now = self.clock()
        if not self.due(now):
            return None
        try:
            result = create_backup(self.settings, self.key_hex, now=now)
            prune_backups(self.settings.backups_dir, self.settings.backup_keep)
        except (BackupError, OSError) as exc:
            log.error("scheduled_backup_failed", error=str(exc))
            return None
        return result

    async def __call__(self) -> None:
        await anyio.to_thread.run_sync(self.run_once)


def install_backup_schedule(
    context: AppContext, *, clock: Callable[[], datetime] = utcnow
) -> BackupJob | None:
    """Register the backup job for when the scheduler starts; None when there is nothing to do
    (backups off, or PostgreSQL, which pg_dump backs up)."""
    settings = context.settings
    if settings.backup_schedule == "off" or context.database.sqlite_path is None:
        return None
    job = BackupJob(settings=settings, key_hex=context.secrets.database_key, clock=clock)

    def register(scheduler: Scheduler) -> None:
        scheduler.aps.add_job(
            job.__call__,  # the bound method: APScheduler awaits only what it sees is async
            "interval",
            minutes=_WAKE_MINUTES,
            id=BACKUP_JOB_ID,
            name="Database backups",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            next_run_time=utcnow() + timedelta(minutes=1),
        )

    context.scheduler.on_start(register)
    return job
