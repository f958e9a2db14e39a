"""Shutdown stops runs cleanly; the app's start-up closes runs a previous process left."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.search.harness import setup_search
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus, SearchRun
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
