"""Wiring for executor tests: an instance pointing at a running simulator, its mirror filled,
a queue, and an executor whose clock is the simulator's and whose sleeper moves that clock
(no test ever sleeps)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.instances.conftest import make_instance
from tests.library.conftest import sim_connector
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.events import Event, EventBus
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.library.sync import LibrarySync
from vibe_quality_searcharr.search.models import (
    SearchCommand,
    SearchCommandItem,
    SearchQueue,
    SearchRun,
)
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


def setup_behind_prowlarr(
    context: AppContext, factory: Callable[..., RunningSimulator], size: int
) -> tuple[RunningSimulator, RunningSimulator, Setup]:
    """A simulated Sonarr of `size` series behind a simulated Prowlarr (both as instances), a
    queue of three one-episode searches on the Sonarr: the budget tests' world."""
    prowlarr = factory("prowlarr")
    sonarr = factory("sonarr", size=size, join=prowlarr, app_tags=[])
    setup = setup_search(
        context,
        sonarr,
        batch_size=3,
        options={"ids_per_command": 1, "season_packs": {"enabled": False}},
    )
    with context.database.session_scope() as session:
        make_instance(
            session, context, name="Prowlarr", app="prowlarr", url=prowlarr.base_url,
            api_key=prowlarr.api_key,
        )  # fmt: skip
    return prowlarr, sonarr, setup


def add_command(session: Session, instance_id: int, at: datetime, **values: Any) -> SearchCommand:
    """A completed search of episode 1 sent at `at`, with its item row, as the history, charts
    and dashboard read it (charts count items); `values` sets any other column (status,
    grabbed, label, queue...)."""
    command = SearchCommand(
        **{
            "instance_id": instance_id,
            "instance_name": "Sonarr",
            "strategy": "missing",
            "kind": "EpisodeSearch",
            "item_ids": [1],
            "label": "Show S01E01",
            "status": "completed",
            "intent_at": at,
            **values,
        }
    )
    session.add(command)
    session.flush()
    for item_id in command.item_ids:
        session.add(
            SearchCommandItem(
                command_id=command.id,
                instance_id=instance_id,
                item_id=item_id,
                grabbed=bool(command.grabbed),
            )
        )
    session.flush()
    return command
