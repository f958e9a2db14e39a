"""A state machine over random schedules, queues and indexer limits, driven by the simulator's
clock (the executor's and the scheduler's clock are the simulator's; `QueueScheduler.fire` is
called directly instead of waiting for APScheduler):

- no indexer ever takes more queries than its limit (`/__sim/stats` limitExcess and each
  indexer's own window);
- no queue runs twice for one slot (every claimed slot is unique per queue);
- misfires coalesce: after any gap, one fire starts at most one run per queue.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.instances.conftest import make_instance
from tests.search.harness import make_executor, make_queue, sync_mirror
from vibe_quality_searcharr.app import build_context
from vibe_quality_searcharr.scheduling.leader import FileLeader
from vibe_quality_searcharr.scheduling.queue_jobs import QueueScheduler
from vibe_quality_searcharr.search.budgets.models import InstanceLimits
from vibe_quality_searcharr.settings import Settings
from vibe_quality_searcharr.simulator.indexers import Indexer
from vibe_quality_searcharr.simulator.testing import RunningSimulator, start_simulator


class Scheduling(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._tmp = tempfile.TemporaryDirectory()
        self.context = build_context(Settings(data_dir=Path(self._tmp.name)), configure_logs=False)
        self.sims: list[RunningSimulator] = []
        self.instances: list[int] = []
        self.queues: list[int] = []
        self.claimed: set[tuple[int, object]] = set()

    @initialize(
        limits=st.lists(
            st.tuples(st.integers(3, 30), st.sampled_from([0, 1])), min_size=1, max_size=3
        ),
        instances=st.integers(1, 2),
    )
    def start(self, limits: list[tuple[int, int]], instances: int) -> None:
        self.prowlarr = start_simulator("prowlarr")
        self.sims.append(self.prowlarr)
        now = self.prowlarr.clock.now()
        self.prowlarr.state.pool.indexers[:] = [
            Indexer(i + 1, f"Idx{i + 1}", protocol="usenet", query_limit=limit,
                    limits_unit=unit, added=now)
            for i, (limit, unit) in enumerate(limits)
        ]  # fmt: skip
        context = self.context
        with context.database.session_scope() as session:
            make_instance(
                session, context, name="Prowlarr", app="prowlarr", url=self.prowlarr.base_url,
                api_key=self.prowlarr.api_key,
            )  # fmt: skip
        for number in range(instances):
            sim = start_simulator(
                "sonarr", size=80, seed=number + 1, join=self.prowlarr, app_tags=[]
            )
            self.sims.append(sim)
            with context.database.session_scope() as session:
                instance = make_instance(
                    session, context, name=f"Sonarr {number}", app="sonarr", url=sim.base_url,
                    api_key=sim.api_key,
                )  # fmt: skip
                session.add(
                    InstanceLimits(instance_id=instance.id, hourly_cap=None, daily_cap=None)
                )
                self.instances.append(instance.id)
            sync_mirror(context, instance.id, sim)
        self.executor = make_executor(context, self.sims[1])

        async def start_run(queue_id: int) -> None:
            run_id, _ = await self.executor.create_run(queue_id, "schedule")
            await self.executor.execute(run_id, queue_id)

        self.started: list[int] = []

        async def record(queue_id: int) -> None:
            self.started.append(queue_id)
            await start_run(queue_id)

        leader = FileLeader(Path(self._tmp.name) / "scheduler.lock")
        self.scheduler = QueueScheduler(
            context.database, leader, record, clock=self.prowlarr.clock.now,
            on_lag=lambda queue_id, slot, _now: self._claim(queue_id, slot),
        )  # fmt: skip
        assert leader.try_acquire()

    async def _record_only(self, queue_id: int) -> None:
        self.started.append(queue_id)

    def _claim(self, queue_id: int, slot: object) -> None:
        key = (queue_id, slot)
        assert key not in self.claimed, f"slot {slot} of queue {queue_id} ran twice"
        self.claimed.add(key)

    @rule(
        which=st.integers(0, 1),
        kind=st.sampled_from(["interval", "daily", "cron"]),
        minutes=st.sampled_from([30, 60, 90, 240]),
        batch=st.integers(1, 6),
        packs=st.booleans(),
    )
    def add_queue(self, which: int, kind: str, minutes: int, batch: int, packs: bool) -> None:
        if len(self.queues) >= 4:
            return
        instance_id = self.instances[which % len(self.instances)]
        schedule: dict[str, object] = {"kind": kind, "jitter_minutes": 0}
        if kind == "interval":
            schedule["minutes"] = minutes
        elif kind == "daily":
            schedule["at"] = "03:30"
        else:
            schedule["expression"] = f"*/{min(minutes, 59)} * * * *"
        self.queues.append(
            make_queue(
                self.context, instance_id, batch_size=batch, schedule=schedule,
                created_at=self.prowlarr.clock.now(),
                options={"ids_per_command": 1, "season_packs": {"enabled": packs},
                         "delay_seconds": 0},
            )
        )  # fmt: skip

    @rule(minutes=st.integers(1, 24 * 60))
    def advance_and_fire(self, minutes: int) -> None:
        self.prowlarr.advance(minutes * 60)
        self.started.clear()
        for queue_id in self.queues:
            asyncio.run(self.scheduler.fire(queue_id))
        # Coalesced: one fire after any gap starts at most one run of each queue.
        assert len(self.started) == len(set(self.started))
        # Firing again at the same moment finds every slot taken. The runs above polled their
        # commands on the simulated clock, which may have moved it past a new slot; so the
        # check fires twice without executing runs (the clock then stands still) and the second
        # pass must start nothing.
        executing = self.scheduler.start_run
        self.scheduler.start_run = self._record_only
        try:
            for _ in range(2):
                self.started.clear()
                for queue_id in self.queues:
                    asyncio.run(self.scheduler.fire(queue_id))
            assert self.started == []
        finally:
            self.scheduler.start_run = executing

    @invariant()
    def no_indexer_over_its_limit(self) -> None:
        if not self.sims:
            return
        stats = httpx.get(
            f"{self.prowlarr.base_url}/__sim/stats", headers=self.prowlarr.headers
        ).json()
        assert stats["limitExcess"] == 0
        now = self.prowlarr.clock.now()
        for indexer in self.prowlarr.state.pool.indexers:
            window = timedelta(hours=1) if indexer.limits_unit == 1 else timedelta(days=1)
            recent = [at for at in indexer.recent_queries if at > now - window]
            assert indexer.query_limit is None or len(recent) <= indexer.query_limit

    def teardown(self) -> None:
        for sim in self.sims:
            sim.stop()
        self.context.database.dispose()
        self._tmp.cleanup()


Scheduling.TestCase.settings = settings(
    max_examples=6,
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestScheduling = Scheduling.TestCase
