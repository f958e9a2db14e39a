"""Scheduled queue runs: one APScheduler job per queue, only on the leader replica, each run
claimed in the database before it starts.

    every replica, every 15 s:  leadership tick -> leader? sync jobs from the DB : drop them
    a queue's job fires:        due slot? -> still leader? -> claim (row) -> start the run

The database is the source of truth: jobs are rebuilt from the queue rows at every tick (a queue
created, edited, paused or deleted through the API is picked up within one tick), nothing is
pickled. Missed slots coalesce into one run (see `slots.due_slot`); a slot is run by exactly one
replica (see `claims.claim_slot`), so a failover or a restart never runs a slot twice.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import anyio.to_thread
import structlog
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.db.failures import classify
from vibe_quality_searcharr.scheduling.claims import claim_slot, last_claimed_slot
from vibe_quality_searcharr.scheduling.leader import Leader
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.scheduling.schedules import (
    AnySchedule,
    parse_schedule,
    trigger_for,
)
from vibe_quality_searcharr.scheduling.slots import due_slot
from vibe_quality_searcharr.search.models import SearchQueue

__all__ = [
    "LEADERSHIP_JOB_ID",
    "QueueScheduler",
    "ScheduledQueue",
    "queue_job_id",
    "replica_name",
]

log = structlog.get_logger(__name__)
LEADERSHIP_JOB_ID = "scheduler-leadership"
_T = TypeVar("_T")

StartRun = Callable[[int], Awaitable[None]]


def queue_job_id(queue_id: int) -> str:
    return f"queue-{queue_id}"


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class ScheduledQueue:
    id: int
    schedule: AnySchedule
    anchor: datetime

    @property
    def fingerprint(self) -> str:
        return json.dumps(self.schedule.model_dump(mode="json"), sort_keys=True)


def active_queues(session: Session) -> list[ScheduledQueue]:
    rows = session.execute(
        select(SearchQueue.id, SearchQueue.schedule, SearchQueue.created_at)
        .where(SearchQueue.enabled.is_(True), SearchQueue.paused.is_(False))
        .order_by(SearchQueue.id)
    )
    return [
        ScheduledQueue(qid, parse_schedule(schedule), created) for qid, schedule, created in rows
    ]


class QueueScheduler:
    def __init__(
        self,
        database: Database,
        leader: Leader,
        start_run: StartRun,
        *,
        clock: Callable[[], datetime],
        misfire_grace: timedelta = timedelta(hours=6),
        tick_seconds: float = 15,
        on_lag: Callable[[int, datetime, datetime], None] | None = None,
    ) -> None:
        self.database = database
        self.leader = leader
        self.start_run = start_run
        self.clock = clock
        self.misfire_grace = misfire_grace
        self.tick_seconds = tick_seconds
        self.on_lag = on_lag
        self.name = replica_name()
        self._scheduler: Scheduler | None = None
        self._jobs: dict[int, str] = {}  # queue id -> schedule fingerprint
        # Leadership as of the last tick or fire: read by `Scheduler.is_leader` without a
        # database round trip on the event loop.
        self.leading = False

    async def _db(self, function: Callable[..., _T], *args: Any) -> _T:
        def work() -> _T:
            with self.database.session_scope() as session:
                return function(session, *args)

        return await anyio.to_thread.run_sync(work)

    def install(self, scheduler: Scheduler) -> None:
        self._scheduler = scheduler
        scheduler.leader_check = lambda: self.leading
        scheduler.aps.add_job(
            self.tick,
            "interval",
            seconds=self.tick_seconds,
            id=LEADERSHIP_JOB_ID,
            replace_existing=True,
            next_run_time=self.clock(),
        )

    @property
    def is_leader(self) -> bool:
        return self.leader.still_leader()

    async def tick(self) -> None:
        """Keep or take leadership; the leader keeps one job per active queue and catches up on
        slots missed while nobody was leader."""
        leading = await anyio.to_thread.run_sync(self.leader.try_acquire)
        self.leading = leading
        if not leading:
            self._drop_jobs()
            return
        try:
            queues = await self._db(active_queues)
        except (SQLAlchemyError, DatabaseError) as exc:
            if (failure := classify(exc)) is None:
                raise
            log.error("scheduler_tick_failed", error=failure.message)  # jobs kept as they are
            return
        newly = self._sync_jobs(queues)
        for queue_id in newly:
            await self.fire(queue_id)  # a slot missed while down runs once, now

    def _sync_jobs(self, queues: list[ScheduledQueue]) -> list[int]:
        scheduler = self._scheduler
        if scheduler is None:
            return []
        wanted = {queue.id: queue for queue in queues}
        for queue_id in list(self._jobs):
            if queue_id not in wanted:
                self._remove(queue_id)
        added: list[int] = []
        for queue in queues:
            if self._jobs.get(queue.id) == queue.fingerprint:
                continue
            scheduler.aps.add_job(
                self.fire,
                trigger_for(queue.schedule, anchor=queue.anchor),
                args=[queue.id],
                id=queue_job_id(queue.id),
                replace_existing=True,
            )
            if queue.id not in self._jobs:
                added.append(queue.id)
            self._jobs[queue.id] = queue.fingerprint
        return added

    def _remove(self, queue_id: int) -> None:
        self._jobs.pop(queue_id, None)
        if self._scheduler is not None and self._scheduler.aps.get_job(queue_job_id(queue_id)):
            self._scheduler.aps.remove_job(queue_job_id(queue_id))

    def _drop_jobs(self) -> None:
        for queue_id in list(self._jobs):
            self._remove(queue_id)

    async def fire(self, queue_id: int) -> bool:
        """Run the queue's due slot if this replica wins it; True when a run was started. A
        database that cannot serve (locked, full, gone) leaves the slot unclaimed: it is logged
        once here, and the slot runs when the database is back (within the misfire grace)."""
        try:
            return await self._fire(queue_id)
        except (SQLAlchemyError, DatabaseError) as exc:
            if (failure := classify(exc)) is None:
                raise
            log.error("scheduled_run_failed", queue_id=queue_id, error=failure.message)
            return False

    async def _fire(self, queue_id: int) -> bool:
        now = self.clock()
        slot = await self._db(self._due, queue_id, now)
        if slot is None:
            return False
        self.leading = await anyio.to_thread.run_sync(self.leader.still_leader)
        if not self.leading:
            return False
        if not await self._db(claim_slot, queue_id, slot, self.name):
            return False
        lag = (now - slot).total_seconds()
        if self.on_lag is not None:
            self.on_lag(queue_id, slot, now)
        log.info("scheduled_run_claimed", queue_id=queue_id, slot=slot.isoformat(), lag_s=lag)
        await self.start_run(queue_id)
        return True

    def _due(self, session: Session, queue_id: int, now: datetime) -> datetime | None:
        queue = session.get(SearchQueue, queue_id)
        if queue is None or not queue.enabled or queue.paused:
            return None
        return due_slot(
            parse_schedule(queue.schedule),
            now,
            anchor=queue.created_at,
            last_claimed=last_claimed_slot(session, queue_id),
            grace=self.misfire_grace,
        )
