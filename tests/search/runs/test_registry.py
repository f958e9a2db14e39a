"""Shutdown stops runs cleanly; the app's start-up closes runs a previous process left."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.search.harness import setup_search
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus, SearchRun
from vibe_quality_searcharr.search.runs.errors import RunInProgress
from vibe_quality_searcharr.search.runs.registry import RunRegistry
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def test_shutdown_marks_unsent_commands_and_interrupts_the_run(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=40)
    setup = setup_search(context, sim, batch_size=3, options={"season_packs": {"enabled": False}})
    registry = RunRegistry(setup.executor)

    async def scenario() -> int:
        blocked = asyncio.Event()
        waiting = asyncio.Event()

        async def sleep(_seconds: float) -> None:
            waiting.set()
            await blocked.wait()  # the delay before the 2nd command never ends

        setup.executor.sleep = sleep
        started = await registry.start(setup.queue_id)
        await waiting.wait()
        assert registry.running(setup.queue_id)
        await registry.shutdown()
        assert not registry.running(setup.queue_id)
        return started.run_id

    run_id = asyncio.run(scenario())
    rows = setup.commands(run_id)
    assert [row.status for row in rows] == [
        CommandStatus.SENT,
        CommandStatus.NOT_SENT,
        CommandStatus.NOT_SENT,
    ]
    assert setup.run_row(run_id).status == RunStatus.INTERRUPTED
    assert len(setup.stats()["commandLog"]) == 1


def test_app_start_closes_runs_left_running(app: FastAPI, context: AppContext) -> None:
    with context.database.session_scope() as session:
        session.add(SearchRun(strategy="missing", order="priority", status=RunStatus.RUNNING))
    with TestClient(app):
        pass
    with context.database.session_scope() as session:
        run = session.query(SearchRun).one()
        assert run.status == RunStatus.INTERRUPTED
        assert run.finished_at is not None


def test_a_run_starting_while_the_service_stops_ends_interrupted(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    """A scheduled slot that fires during shutdown (its row written after the registry began
    stopping) is refused and its row closed, not left `running` until the next start."""
    sim = simulator_factory("sonarr", size=40)
    setup = setup_search(context, sim, batch_size=3, options={"season_packs": {"enabled": False}})
    registry = RunRegistry(setup.executor)
    create_run = setup.executor.create_run

    async def scenario() -> None:
        gate = asyncio.Event()

        async def slow_create(queue_id: int, trigger: str) -> tuple[int, str]:
            await gate.wait()  # the row is written once shutdown has begun
            return await create_run(queue_id, trigger)

        setup.executor.create_run = slow_create  # type: ignore[method-assign]
        starting = asyncio.ensure_future(registry.start(setup.queue_id, "schedule"))
        await asyncio.sleep(0)  # the start reserves the queue and waits on the gate
        stopping = asyncio.ensure_future(registry.shutdown())
        await asyncio.sleep(0)
        gate.set()
        with pytest.raises(RunInProgress, match="stopping"):
            await starting
        await stopping

    asyncio.run(scenario())
    with context.database.session_scope() as session:
        runs = session.query(SearchRun).all()
        assert [run.status for run in runs] == [RunStatus.INTERRUPTED]
        assert runs[0].error
        assert runs[0].finished_at is not None
    assert setup.stats()["commandLog"] == []


def test_a_run_cancelled_before_its_first_step_ends_interrupted(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=40)
    setup = setup_search(context, sim, batch_size=3, options={"season_packs": {"enabled": False}})
    registry = RunRegistry(setup.executor)

    async def scenario() -> None:
        await registry.start(setup.queue_id)  # its task has not run a step yet
        await registry.shutdown()
        assert not registry.running(setup.queue_id)

    asyncio.run(scenario())
    with context.database.session_scope() as session:
        assert [run.status for run in session.query(SearchRun)] == [RunStatus.INTERRUPTED]
    assert setup.stats()["commandLog"] == []
