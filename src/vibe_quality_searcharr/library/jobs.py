"""When libraries are synced: every `library_sync_hours` per instance, right after an instance
is added (the `instance.created` event), and on demand (`POST /api/v1/instances/{id}/sync`).

The scheduled job wakes every `CHECK_MINUTES` and syncs, one after another, the enabled media
instances whose last sync started more than `library_sync_hours` ago, so a restart does not
resync everything at once and a new interval applies without rebuilding jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import anyio
import structlog
from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError

from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.db.failures import classify
from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.library.repository import LibraryRepository
from vibe_quality_searcharr.library.sync import (
    LibrarySync,
    SyncAlreadyRunning,
    SyncNotPossible,
    release_interrupted_syncs,
)
from vibe_quality_searcharr.scheduling.scheduler import Scheduler

__all__ = [
    "CHECK_MINUTES",
    "INSTANCE_CREATED",
    "SYNC_JOB_ID",
    "get_library_sync",
    "install_library_sync",
    "sync_due",
]

log = structlog.get_logger(__name__)
SYNC_JOB_ID = "library-sync"
CHECK_MINUTES = 15
INSTANCE_CREATED = "instance.created"
# Wanted lists of 50,000 records take a while to render on a small *arr host.
SYNC_OPTIONS = ClientOptions(read_timeout=120.0)


async def sync_due(
    syncer: LibrarySync, hours: int, clock: Callable[[], datetime] = utcnow
) -> list[int]:
    """Sync every due instance once, in turn; returns the ids attempted."""

    def due() -> list[int]:
        with syncer.database.session_scope(read_only=True) as session:
            return LibraryRepository(session).due_instance_ids(clock() - timedelta(hours=hours))

    try:
        due_ids = await anyio.to_thread.run_sync(due)
    except (SQLAlchemyError, DatabaseError) as exc:
        if (failure := classify(exc)) is None:
            raise
        log.error("library_sync_check_failed", error=failure.message)
        return []
    attempted: list[int] = []
    for instance_id in due_ids:
        try:
            await syncer.sync(instance_id)
        except (SyncAlreadyRunning, SyncNotPossible) as exc:
            log.info("library_sync_skipped", instance_id=instance_id, reason=str(exc))
            continue
        attempted.append(instance_id)
    return attempted


def install_library_sync(context: AppContext, *, connector: Connector | None = None) -> LibrarySync:
    """Build the process's syncer, register the schedule and the after-create trigger."""
    settings = context.settings
    syncer = LibrarySync(
        context.database,
        context.events,
        api_key_box(context.secrets.master_secret),
        connector=connector or Connector(options=SYNC_OPTIONS),
    )

    # Background work belongs to the process that runs the scheduler (one per deployment).
    syncer.sync_new_instances = settings.scheduler_enabled

    def on_event(event: Event) -> None:
        if event.kind != INSTANCE_CREATED or not syncer.sync_new_instances:
            return
        instance_id = event.data.get("instance_id")
        if isinstance(instance_id, int) and event.data.get("app") != "prowlarr":
            try:
                syncer.start(instance_id)
            except RuntimeError:  # no running loop (a CLI process): the schedule catches up
                log.info("library_sync_deferred", instance_id=instance_id)

    context.events.add_listener(on_event)

    async def job() -> None:
        await sync_due(syncer, settings.library_sync_hours)

    def register(scheduler: Scheduler) -> None:
        released = release_interrupted_syncs(context.database, utcnow())
        if released:
            log.info("library_sync_released", instance_ids=released)
        scheduler.aps.add_job(
            scheduler.leader_only(job),  # replicas must not sync twice
            "interval",
            minutes=CHECK_MINUTES,
            id=SYNC_JOB_ID,
            name="Library sync",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            next_run_time=utcnow() + timedelta(seconds=60),
        )

    context.scheduler.on_start(register)
    return syncer


def get_library_sync(request: Request) -> LibrarySync:
    syncer: LibrarySync = request.app.state.library_sync
    return syncer
