"""Wiring for executor tests: an instance pointing at a running simulator, its mirror filled,
a queue, and an executor whose clock is the simulator's and whose sleeper moves that clock
(no test ever sleeps)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from tests.instances.conftest import make_instance
from tests.library.conftest import sim_connector
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.events import Event, EventBus
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.library.sync import LibrarySync
from vibe_quality_searcharr.search.models import SearchCommand, SearchQueue, SearchRun
from vibe_quality_searcharr.search.queues.options import QueueOptions
from vibe_quality_searcharr.search.runs.executor import Executor
from vibe_quality_searcharr.search.runs.polling import PollSettings
from vibe_quality_searcharr.search.runs.schemas import PreviewRead
from vibe_quality_searcharr.search.runs.service import preview_queue
from vibe_quality_searcharr.simulator.testing import RunningSimulator

_names = iter(range(1, 1_000_000))


def sim_sleeper(sim: RunningSimulator) -> Any:
    async def sleep(seconds: float) -> None:
        sim.advance(seconds)
        await asyncio.sleep(0)

    return sleep


@dataclass
class Setup:
    context: AppContext
    sim: RunningSimulator
    instance_id: int
    queue_id: int
    executor: Executor
    events: list[Event] = field(default_factory=list)

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = httpx.get(
            f"{self.sim.base_url}/__sim/stats", headers=self.sim.headers
        ).json()
        return stats

    def preview(self, skipped_limit: int = 200) -> PreviewRead:
        return asyncio.run(preview_queue(self.executor, self.queue_id, skipped_limit=skipped_limit))

    def run(self) -> tuple[int, str]:
        async def go() -> tuple[int, str]:
            run_id, _ = await self.executor.create_run(self.queue_id, "manual")
            return run_id, await self.executor.execute(run_id, self.queue_id)

        return asyncio.run(go())

    def commands(self, run_id: int) -> list[SearchCommand]:
        with self.context.database.session_scope() as session:
            rows = session.scalars(
                select(SearchCommand)
                .where(SearchCommand.run_id == run_id)
                .order_by(SearchCommand.position)
            ).all()
            session.expunge_all()
            return list(rows)

    def run_row(self, run_id: int) -> SearchRun:
        with self.context.database.session_scope() as session:
            run = session.get(SearchRun, run_id)
            assert run is not None
            session.expunge(run)
            return run

    def tune(self, **values: Any) -> None:
        httpx.post(f"{self.sim.base_url}/__sim/tuning", json=values, headers=self.sim.headers)


def make_queue(context: AppContext, instance_id: int, **overrides: Any) -> int:
    options = overrides.pop("options", {})
    values: dict[str, Any] = {
        "name": f"queue {next(_names)}",
        "instance_id": instance_id,
        "strategy": "missing",
        "order": "priority",
        "batch_size": 5,
        "options": QueueOptions.model_validate(options).model_dump(mode="json"),
        "schedule": {},
    }
    values.update(overrides)
    with context.database.session_scope() as session:
        queue = SearchQueue(**values)
        session.add(queue)
        session.flush()
        return queue.id


def make_executor(
    context: AppContext, sim: RunningSimulator, events: EventBus | None = None
) -> Executor:
    return Executor(
        database=context.database,
        events=events or context.events,
        box=api_key_box(context.secrets.master_secret),
        connect=Connector().connect,
        clock=sim.clock.now,
        sleep=sim_sleeper(sim),
        poll=PollSettings(interval_seconds=5, timeout_seconds=600),
    )


def sync_mirror(context: AppContext, instance_id: int, sim: RunningSimulator) -> int:
    """Fill the instance's mirror the way the product does (`LibrarySync`, on the simulator's
    clock); returns how many items it holds. A failed sync fails the test with its error."""
    syncer = LibrarySync(
        context.database,
        context.events,
        api_key_box(context.secrets.master_secret),
        connector=sim_connector(),
        clock=sim.clock.now,
    )
    outcome = asyncio.run(syncer.sync(instance_id))
    assert outcome.ok, outcome.error
    return outcome.items


def setup_search(context: AppContext, sim: RunningSimulator, **queue: Any) -> Setup:
    app = sim.app.replace("-", "_")
    with context.database.session_scope() as session:
        instance = make_instance(
            session, context, name=f"{app} {next(_names)}", app=app, url=sim.base_url,
            api_key=sim.api_key,
        )  # fmt: skip
        instance_id = instance.id
    sync_mirror(context, instance_id, sim)
    queue_id = make_queue(context, instance_id, **queue)
    setup = Setup(context, sim, instance_id, queue_id, make_executor(context, sim))
    context.events.add_listener(setup.events.append)
    return setup
