"""Hourly housekeeping: expired sessions, forgotten sign-in counters, old audit events.

Without it, an attacker cycling through names and addresses would grow the throttle table
without bound. Running twice (several replicas) is harmless: it only deletes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import anyio.to_thread
import structlog

from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.users import repository, signin

__all__ = ["prune_once", "schedule_housekeeping"]

log = structlog.get_logger(__name__)


def prune_once(context: AppContext, now: datetime) -> dict[str, int]:
    settings = context.settings
    with context.database.session_scope() as session:
        removed = repository.prune(
            session,
            now=now,
            idle_before=now - timedelta(minutes=settings.session_idle_minutes),
            throttle_before=now - signin.DEFAULT_POLICY.forget_after,
            audit_before=now - timedelta(days=settings.audit_retention_days),
        )
    if any(removed.values()):
        log.info("accounts_pruned", **removed)
    return removed


def schedule_housekeeping(context: AppContext) -> None:
    async def job() -> None:
        await anyio.to_thread.run_sync(prune_once, context, utcnow())

    def register(scheduler: Scheduler) -> None:
        scheduler.aps.add_job(
            job, "interval", hours=1, id="accounts-housekeeping", replace_existing=True
        )

    context.scheduler.on_start(register)
