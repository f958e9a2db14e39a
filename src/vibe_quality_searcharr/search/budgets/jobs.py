"""The periodic Prowlarr read behind the dashboard's budget bars.

Runs and previews read Prowlarr when they happen; between them the bars would age, so every
`REFRESH_EVERY` each media instance with a Prowlarr has its view read again into this process's
`ProwlarrViews`. It runs on every replica, not only the leader: each one answers its own
dashboard, and these are reads (a handful per instance every few minutes) that search nothing.
Each instance's read is bounded by `READ_TIMEOUT` on top of the client's own timeouts, so one
Prowlarr that hangs delays the next instance by at most that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.instances.connection import Connect, ConnectionTarget
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import InstanceService
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.budgets.latest import ProwlarrViews
from vibe_quality_searcharr.search.budgets.service import prowlarr_target, read_prowlarr_into
from vibe_quality_searcharr.search.budgets.snapshot import BudgetSnapshot
from vibe_quality_searcharr.security.crypto import SecretBox

__all__ = [
    "PROWLARR_REFRESH_JOB_ID",
    "READ_TIMEOUT",
    "REFRESH_EVERY",
    "ProwlarrRefresh",
    "RefreshTarget",
    "refresh_targets",
]

log = structlog.get_logger(__name__)
PROWLARR_REFRESH_JOB_ID = "prowlarr-budget-refresh"
REFRESH_EVERY = timedelta(minutes=3)
READ_TIMEOUT = 30.0


@dataclass(frozen=True)
class RefreshTarget:
    instance_id: int
    app: str
    url: str
    prowlarr: ConnectionTarget


def refresh_targets(session: Session, box: SecretBox) -> list[RefreshTarget]:
    """Every enabled media instance that has a Prowlarr (linked, or the only one)."""
    instances = session.scalars(
        select(Instance)
        .where(Instance.enabled.is_(True), Instance.app != "prowlarr")
        .order_by(Instance.id)
    ).all()
    service = InstanceService(session, box)
    found: list[RefreshTarget] = []
    for instance in instances:
        prowlarr = prowlarr_target(session, box, instance.id)
        if prowlarr is not None:
            url = service.target(instance).url
            found.append(RefreshTarget(instance.id, instance.app, url, prowlarr))
    return found


@dataclass
class ProwlarrRefresh:
    database: Database
    box: SecretBox
    connect: Connect
    clock: Callable[[], datetime]
    views: ProwlarrViews
    timeout: float = READ_TIMEOUT

    def _targets(self) -> list[RefreshTarget]:
        with self.database.session_scope() as session:
            return refresh_targets(session, self.box)

    async def run_once(self) -> int:
        """Read every target once; returns how many were read successfully."""
        targets = await anyio.to_thread.run_sync(self._targets)
        self.views.forget({target.instance_id for target in targets})
        read = 0
        for target in targets:
            now = self.clock()
            # Only the Prowlarr part of this snapshot is used; the caps are the page's business.
            snapshot = BudgetSnapshot(hourly_cap=None, daily_cap=None, spent=[], read_at=now)
            try:
                await asyncio.wait_for(
                    read_prowlarr_into(
                        snapshot,
                        target.prowlarr,
                        self.connect,
                        app=target.app,
                        url=target.url,
                        now=now,
                        views=self.views,
                        instance_id=target.instance_id,
                    ),
                    self.timeout,
                )
            except TimeoutError:
                self.views.record_error(
                    target.instance_id, f"Prowlarr did not answer within {self.timeout:g} s", now
                )
                continue
            except Exception:  # one broken instance never stops the others' refresh
                log.exception("prowlarr_refresh_failed", instance_id=target.instance_id)
                continue
            read += snapshot.prowlarr_error is None
        return read

    def install(self, scheduler: Scheduler) -> None:
        """Every `REFRESH_EVERY` on every replica (not `leader_only`): see the module doc."""

        async def job() -> None:
            await self.run_once()

        def register(started: Scheduler) -> None:
            started.aps.add_job(
                job,
                "interval",
                seconds=REFRESH_EVERY.total_seconds(),
                id=PROWLARR_REFRESH_JOB_ID,
                name="Prowlarr budget refresh",
                replace_existing=True,
                max_instances=1,
                coalesce=True,
                next_run_time=utcnow() + timedelta(seconds=5),
            )

        scheduler.on_start(register)
