"""Puts the queue scheduler on the application: scheduled slots start runs through the run
registry (`search.runs.wiring`), under the leader lock."""

from __future__ import annotations

from typing import Any

import structlog

from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.scheduling.leader import leader_for
from vibe_quality_searcharr.scheduling.queue_jobs import QueueScheduler
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.runs.errors import RunInProgress
from vibe_quality_searcharr.search.runs.wiring import registry_of
from vibe_quality_searcharr.security.clock import app_clock

__all__ = ["install_queue_scheduler"]

log = structlog.get_logger(__name__)


def install_queue_scheduler(app: Any, database: Database, scheduler: Scheduler) -> QueueScheduler:
    """Schedule every queue through the app's run registry (`search.runs.wiring`); the leader
    lock is taken by the first tick and released at shutdown."""

    async def start_run(queue_id: int) -> None:
        try:
            await registry_of(app).start(queue_id, trigger="schedule")
        except RunInProgress:
            # Still busy with the previous slot: this slot is folded into it (coalesced).
            log.info("scheduled_run_coalesced", queue_id=queue_id)

    queue_scheduler = QueueScheduler(
        database, leader_for(database), start_run, clock=lambda: app_clock(app)()
    )
    scheduler.on_start(queue_scheduler.install)
    app.state.queue_scheduler = queue_scheduler
    return queue_scheduler
