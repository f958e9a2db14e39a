"""Scheduled runs: only the leader fires, missed slots coalesce, failover never repeats a slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.instances.conftest import make_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.scheduling.leader import leader_for
from vibe_quality_searcharr.scheduling.queue_jobs import QueueScheduler, queue_job_id
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.queues.options import QueueOptions

pytestmark = pytest.mark.anyio
CREATED = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def add_queue(database: Database, context: AppContext, **overrides: object) -> int:
    with database.session_scope() as session:
        instance = make_instance(session, context, name=f"Sonarr {overrides.get('name', 'q')}")
        values: dict[str, object] = {
            "name": "steady",
            "instance_id": instance.id,
            "strategy": "missing",
            "order": "priority",
            "options": QueueOptions().model_dump(),
            "schedule": {"kind": "interval", "minutes": 60, "jitter_minutes": 0},
            "created_at": CREATED,
        }
        values.update(overrides)
        queue = SearchQueue(**values)
        session.add(queue)
        session.flush()
        return queue.id


def replica(
    database: Database, clock: Clock, started: list[tuple[str, int]], name: str
) -> QueueScheduler:
    async def start_run(queue_id: int) -> None:
        started.append((name, queue_id))

    queue_scheduler = QueueScheduler(database, leader_for(database), start_run, clock=clock)
    queue_scheduler.install(Scheduler())
    return queue_scheduler


async def test_only_the_leader_schedules_and_missed_slots_coalesce(
    database: Database, context: AppContext
) -> None:
    queue_id = add_queue(database, context)
    clock = Clock(CREATED + timedelta(hours=5, minutes=10))  # five slots passed while down
    started: list[tuple[str, int]] = []
    a, b = replica(database, clock, started, "a"), replica(database, clock, started, "b")

    await a.tick()
    await b.tick()
    assert started == [("a", queue_id)]  # one catch-up run for the newest slot, on the leader
    assert a._scheduler is not None
    assert a._scheduler.aps.get_job(queue_job_id(queue_id))
    assert b._scheduler is not None
    assert b._scheduler.aps.get_job(queue_job_id(queue_id)) is None

    assert not await a.fire(queue_id)  # the same slot again: nothing
    assert not await b.fire(queue_id)  # not the leader
    clock.now += timedelta(hours=1)
    assert await a.fire(queue_id)
    assert started == [("a", queue_id), ("a", queue_id)]
    a.leader.release()
    b.leader.release()


async def test_failover_does_not_repeat_the_slot_the_old_leader_ran(
    database: Database, context: AppContext
) -> None:
    queue_id = add_queue(database, context)
    clock = Clock(CREATED + timedelta(hours=2, minutes=1))
    started: list[tuple[str, int]] = []
    a, b = replica(database, clock, started, "a"), replica(database, clock, started, "b")
    await a.tick()
    assert started == [("a", queue_id)]

    a.leader.release()  # the leader dies
    await b.tick()  # b takes over and catches up: the slot is already claimed
    assert started == [("a", queue_id)]
    clock.now += timedelta(hours=1)
    await b.fire(queue_id)
    assert started == [("a", queue_id), ("b", queue_id)]
    b.leader.release()


async def test_paused_disabled_and_deleted_queues_lose_their_jobs(
    database: Database, context: AppContext
) -> None:
    keep = add_queue(database, context, name="keep")
    paused = add_queue(database, context, name="paused")
    clock = Clock(CREATED + timedelta(minutes=30))
    started: list[tuple[str, int]] = []
    a = replica(database, clock, started, "a")
    await a.tick()
    with database.session_scope() as session:
        row = session.get(SearchQueue, paused)
        assert row is not None
        row.paused = True
    await a.tick()
    assert a._scheduler is not None
    assert a._scheduler.aps.get_job(queue_job_id(keep))
    assert a._scheduler.aps.get_job(queue_job_id(paused)) is None
    clock.now = CREATED + timedelta(hours=1, minutes=1)
    assert not await a.fire(paused)
    a.leader.release()


async def test_each_leader_tick_fires_the_due_slot_by_the_injected_clock(
    database: Database, context: AppContext
) -> None:
    """A clock faster than real time: APScheduler's wall-clock trigger never comes round, the
    ticks alone run every slot, once each."""
    queue_id = add_queue(database, context)
    clock = Clock(CREATED + timedelta(minutes=30))
    started: list[tuple[str, int]] = []
    ticks: list[bool] = []

    async def on_leader_tick(acquired: bool) -> None:
        ticks.append(acquired)

    a = replica(database, clock, started, "a")
    a.on_leader_tick = on_leader_tick
    await a.tick()
    assert started == []  # the first slot is an hour after creation
    for hour in (1, 2, 3):
        clock.now = CREATED + timedelta(hours=hour, minutes=1)
        await a.tick()
        await a.tick()  # the same slot on the next tick: claimed already, nothing
    assert started == [("a", queue_id)] * 3
    assert ticks == [True] + [False] * 6  # told once that it acquired leadership

    a.leader.release()  # a loses the lock, b leads a while, then a leads again
    b = replica(database, clock, started, "b")
    await b.tick()
    await a.tick()
    assert len(ticks) == 7  # not leading: the hook is not called
    b.leader.release()
    await a.tick()
    assert ticks[-1] is True
    a.leader.release()


async def test_a_failing_leader_tick_hook_does_not_stop_the_schedules(
    database: Database, context: AppContext
) -> None:
    queue_id = add_queue(database, context)
    clock = Clock(CREATED + timedelta(hours=1, minutes=1))
    started: list[tuple[str, int]] = []

    async def broken(_acquired: bool) -> None:
        raise RuntimeError("reconciliation failed")

    a = replica(database, clock, started, "a")
    a.on_leader_tick = broken
    await a.tick()
    assert started == [("a", queue_id)]
    a.leader.release()
