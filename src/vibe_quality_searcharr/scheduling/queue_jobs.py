"""Scheduled queue runs: one APScheduler job per queue, only on the leader replica, each run
claimed in the database before it starts.

    every replica, every tick:  leadership tick -> leader? reconcile dead replicas' runs,
                                sync jobs from the DB, fire every queue whose slot is due
                                : drop the jobs
    a queue's job fires:        due slot? -> still leader? -> claim (row) -> start the run

The database is the source of truth: jobs are rebuilt from the queue rows at every tick (a queue
created, edited, paused or deleted through the API is picked up within one tick), nothing is
pickled. Missed slots coalesce into one run (see `slots.due_slot`); a slot is run by exactly one
replica (see `claims.claim_slot`), so a failover or a restart never runs a slot twice.

The APScheduler job fires a slot on time, by the wall clock. The tick also fires every due slot,
by the process's clock (`app.state.clock`): that catches up after a failover or downtime, and is
what drives a process whose clock is injected and runs faster than real time (the simulated
week, the two-replica test), which the wall-clock triggers never see. Both are safe together:
`fire` re-checks the due slot and the claim, so a slot never runs twice.

A claim names its claimant by the process's run owner id (`search.runs.owners`), the id its runs
record in `search_run.owner`: a slot's claim and the run it started join on it, and whether the
claimant is still alive is the same question as for its runs (`RunOwners.alive`). Owner ids are
at most 77 characters; `claimed_by` holds 100, so no migration was needed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import anyio.to_thread
import structlog
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.db.base import utcnow
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
from vibe_quality_searcharr.search.runs.owners import new_owner_id

__all__ = [
    "LEADERSHIP_JOB_ID",
    "QueueScheduler",
    "ScheduledQueue",
    "queue_job_id",
]

log = structlog.get_logger(__name__)
LEADERSHIP_JOB_ID = "scheduler-leadership"
_T = TypeVar("_T")

StartRun = Callable[[int], Awaitable[None]]
LeaderTick = Callable[[bool], Awaitable[object]]
"""Called on each tick this replica leads, with True on the tick that acquired leadership."""


def queue_job_id(queue_id: int) -> str:
    return f"queue-{queue_id}"


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
        on_leader_tick: LeaderTick | None = None,
        claimant: str | None = None,
    ) -> None:
        """`claimant`: this process's run owner id (`RunOwners.me`); a new one when the caller
        has none (a scheduler without runs, in a test)."""
        self.database = database
        self.leader = leader
        self.start_run = start_run
        self.clock = clock
        self.misfire_grace = misfire_grace
        self.tick_seconds = tick_seconds
        self.on_lag = on_lag
        self.on_leader_tick = on_leader_tick
        self.name = claimant or new_owner_id()
        self._scheduler: Scheduler | None = None
        self._jobs: dict[int, str] = {}  # queue id -> schedule fingerprint
        # Leadership as of the last tick or fire: read by `Scheduler.is_leader` without a
        # database round trip on the event loop.
        self.leading = False
        self._led_last_tick = False

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
            # APScheduler runs on the wall clock; the injected clock may be far ahead of it.
            next_run_time=utcnow(),
        )

    @property
    def is_leader(self) -> bool:
        return self.leader.still_leader()

    async def tick(self) -> None:
        """Keep or take leadership; the leader keeps one job per active queue and fires every
        slot that is due by its clock (missed while nobody led, or passed in simulated time)."""
        leading = await anyio.to_thread.run_sync(self.leader.try_acquire)
        acquired = leading and not self._led_last_tick
        self.leading = self._led_last_tick = leading
        if not leading:
            self._drop_jobs()
            return
        if self.on_leader_tick is not None:
            try:
                await self.on_leader_tick(acquired)
            except Exception:  # a failed reconciliation never stops the schedules
                log.exception("scheduler_leader_tick_failed", acquired=acquired)
        try:
            queues = await self._db(active_queues)
            self._sync_jobs(queues)
            due = await self._db(self._due_queues, queues, self.clock())
        except (SQLAlchemyError, DatabaseError) as exc:
            if (failure := classify(exc)) is None:
                raise
            log.error("scheduler_tick_failed", error=failure.message)  # jobs kept as they are
            return
        for queue_id in due:
            await self.fire(queue_id)

    def _due_queues(
        self, session: Session, queues: list[ScheduledQueue], now: datetime
    ) -> list[int]:
        """One session for the whole check: a leader with many queues stays cheap per tick."""
        return [
            queue.id
            for queue in queues
            if due_slot(
                queue.schedule,
                now,
                anchor=queue.anchor,
                last_claimed=last_claimed_slot(session, queue.id),
                grace=self.misfire_grace,
            )
            is not None
        ]

    def _sync_jobs(self, queues: list[ScheduledQueue]) -> None:
        scheduler = self._scheduler
        if scheduler is None:
            return
        wanted = {queue.id: queue for queue in queues}
        for queue_id in list(self._jobs):
            if queue_id not in wanted:
                self._remove(queue_id)
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
            self._jobs[queue.id] = queue.fingerprint

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
