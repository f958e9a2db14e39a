"""Scheduled backups: due by the newest backup's age on an injected clock, pruned to N."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vibe_quality_searcharr.backups.jobs import BACKUP_JOB_ID, BackupJob, install_backup_schedule
from vibe_quality_searcharr.backups.service import list_backups
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.settings import load_settings

from .conftest import Install, make_install

START = datetime(2025, 1, 1, 3, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_daily_backups_run_when_due_and_keep_the_newest(tmp_path: Path) -> None:
    install = make_install(tmp_path / "data", backup_keep=2)
    clock = Clock(START)
    job = BackupJob(install.settings, install.secrets.database_key, clock=clock)
    taken = []
    for hours in range(0, 24 * 4, 1):  # four days of hourly wake-ups
        clock.now = START + timedelta(hours=hours)
        if job.run_once() is not None:
            taken.append(clock.now)
    assert taken == [START + timedelta(days=day) for day in range(4)]
    assert [when for when, _ in list_backups(install.settings.backups_dir)] == taken[:-3:-1]


def test_a_service_that_was_down_backs_up_as_soon_as_it_is_back(install: Install) -> None:
    clock = Clock(START)
    job = BackupJob(install.settings, install.secrets.database_key, clock=clock)
    assert job.run_once() is not None
    clock.now = START + timedelta(days=5, minutes=7)
    assert job.run_once() is not None
    assert job.run_once() is None  # not twice


def test_a_failed_backup_is_logged_and_the_job_survives(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")  # no database yet
    job = BackupJob(settings, "00" * 32, clock=Clock(START))
    assert job.run_once() is None


def _context(install: Install) -> AppContext:
    return AppContext(
        settings=install.settings,
        secrets=install.secrets,
        database=open_sqlcipher(install.settings.sqlite_path, install.secrets.database_key),
        scheduler=Scheduler(),
        events=EventBus(),
    )


def test_the_job_is_registered_when_the_scheduler_starts_and_off_means_off(
    tmp_path: Path,
) -> None:
    on = _context(make_install(tmp_path / "on"))
    assert install_backup_schedule(on) is not None

    async def jobs() -> list[tuple[str, bool]]:
        on.scheduler.start()
        try:
            # APScheduler awaits a job only when it can tell it is a coroutine function.
            return [
                (job.id, inspect.iscoroutinefunction(job.func))
                for job in on.scheduler.aps.get_jobs()
            ]
        finally:
            on.scheduler.shutdown()

    assert asyncio.run(jobs()) == [(BACKUP_JOB_ID, True)]
    on.database.dispose()
    off = _context(make_install(tmp_path / "off", backup_schedule="off"))
    assert install_backup_schedule(off) is None
    off.database.dispose()
