"""The runs in progress in this process: at most one per queue, stoppable at shutdown.

`RunRegistry.start` creates the run row and hands the rest of the run to a background task, so
the API can answer 202 with the run id at once. The scheduling issue adds claims across
replicas; inside one process this registry is the guard.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from vibe_quality_searcharr.search.runs.errors import RunInProgress
from vibe_quality_searcharr.search.runs.executor import Executor

__all__ = ["RunRegistry", "StartedRun"]

log = structlog.get_logger(__name__)


class StartedRun:
    def __init__(self, run_id: int, status: str, task: asyncio.Task[str]) -> None:
        self.run_id = run_id
        self.status = status
        self.task = task


class RunRegistry:
    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self._reserved: set[int] = set()
        self._tasks: dict[int, asyncio.Task[str]] = {}

    def running(self, queue_id: int) -> bool:
        return queue_id in self._reserved

    async def start(self, queue_id: int, trigger: str = "manual") -> StartedRun:
        """Create a run of the queue and carry it out in the background; 409 while one runs.
        Call on the event loop (the reservation relies on it)."""
        if queue_id in self._reserved:
            raise RunInProgress(f"queue {queue_id} is already running; wait for that run to end")
        self._reserved.add(queue_id)
        try:
            run_id, status = await self.executor.create_run(queue_id, trigger)
        except BaseException:
            self._reserved.discard(queue_id)
            raise
        task = asyncio.create_task(self._carry_out(run_id, queue_id), name=f"search-run-{run_id}")
        self._tasks[queue_id] = task
        return StartedRun(run_id, status, task)

    async def _carry_out(self, run_id: int, queue_id: int) -> str:
        try:
            return await self.executor.execute(run_id, queue_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("search_run_crashed", run_id=run_id)
            with contextlib.suppress(Exception):
                await self.executor.fail_run(run_id, "the run stopped on an unexpected error")
            return "failed"
        finally:
            self._reserved.discard(queue_id)
            self._tasks.pop(queue_id, None)

    async def wait(self, queue_id: int) -> None:
        task = self._tasks.get(queue_id)
        if task is not None:
            with contextlib.suppress(BaseException):
                await task

    async def shutdown(self) -> None:
        """Stop every run: a send in flight completes, the rest of each plan is marked
        not_sent and the run interrupted."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
