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
        self._tasks: dict[int, StartedRun] = {}  # queue id -> its run in progress
        self._stopping = False

    def open(self) -> None:
        """Accept runs again (an app whose lifespan starts after an earlier shutdown)."""
        self._stopping = False

    def running(self, queue_id: int) -> bool:
        return queue_id in self._reserved

    async def start(self, queue_id: int, trigger: str = "manual") -> StartedRun:
        """Create a run of the queue and carry it out in the background; 409 while one runs.
        Call on the event loop (the reservation relies on it)."""
        if self._stopping:
            raise RunInProgress("the service is stopping; the run was not started")
        if queue_id in self._reserved:
            raise RunInProgress(f"queue {queue_id} is already running; wait for that run to end")
        self._reserved.add(queue_id)
        try:
            run_id, status = await self.executor.create_run(queue_id, trigger)
            if self._stopping:
                # Shutdown began while the row was written (a slot firing as the service
                # stops): close it now, or it stays `running` until the next start.
                await self.executor.interrupt_run(run_id)
                raise RunInProgress("the service is stopping; the run was not started")
        except BaseException:
            self._reserved.discard(queue_id)
            raise
        task = asyncio.create_task(self._carry_out(run_id, queue_id), name=f"search-run-{run_id}")
        started = self._tasks[queue_id] = StartedRun(run_id, status, task)
        return started

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
        started = self._tasks.get(queue_id)
        if started is not None:
            with contextlib.suppress(BaseException):
                await started.task

    async def shutdown(self) -> None:
        """Stop every run: a send in flight completes, the rest of each plan is marked
        not_sent and the run interrupted. A start in flight is refused (its row closed) and
        waited for, so no run is left `running` once this returns."""
        self._stopping = True
        while self._tasks or self._reserved:
            runs = dict(self._tasks)
            for started in runs.values():
                started.task.cancel()
            for queue_id, started in runs.items():
                with contextlib.suppress(BaseException):
                    await started.task
                if self._tasks.get(queue_id) is started:
                    # Cancelled before its first step: its own clean-up never ran.
                    self._tasks.pop(queue_id)
                    self._reserved.discard(queue_id)
                    with contextlib.suppress(Exception):
                        await self.executor.interrupt_run(started.run_id)
            if not runs:
                await asyncio.sleep(0.01)  # a start is writing its row in a worker thread
