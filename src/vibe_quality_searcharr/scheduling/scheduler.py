"""The process's scheduler. The database is the source of truth for jobs; nothing is pickled.

Every job runs with `max_instances=1` and `coalesce=True`, so a slow run is never overlapped by
the next one and a process that was down runs a missed job once, not once per missed slot. Every
job is also guarded (`job_guard`): a run the database refuses logs one line, not a traceback,
and the next run tries again. Both hold for any job a domain adds, through `aps.add_job`.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler

from vibe_quality_searcharr.scheduling.job_guard import JobGuard

__all__ = ["JOB_DEFAULTS", "Scheduler"]

_P = ParamSpec("_P")

JOB_DEFAULTS: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600}


class _GuardedScheduler(AsyncIOScheduler):  # type: ignore[misc]
    """APScheduler's asyncio scheduler whose jobs all go through the `JobGuard`, and whose
    shutdown, called on its own loop, is done when the call returns. (APScheduler defers it to
    a later turn of the loop, in which a job that fell due can still be handed to the executor:
    the app's shutdown relies on nothing firing once the scheduler is stopped.)"""

    def __init__(self, guard: JobGuard, **options: Any) -> None:
        super().__init__(**options)
        self.guard = guard

    def add_job(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        if callable(func):
            job_id = kwargs.get("id") or getattr(func, "__qualname__", repr(func))
            func = self.guard.wrap(func, str(job_id))
        return super().add_job(func, *args, **kwargs)

    def shutdown(self, wait: bool = True) -> None:
        try:
            on_own_loop = asyncio.get_running_loop() is getattr(self, "_eventloop", None)
        except RuntimeError:
            on_own_loop = False
        if not on_own_loop:
            super().shutdown(wait)  # from another thread: on the loop, as APScheduler does it
            return
        BaseScheduler.shutdown(self, wait)  # executors stop: running jobs are cancelled
        self._stop_timer()  # no wake-up left to hand out due jobs
        self._eventloop = None


class Scheduler:
    def __init__(self, *, timezone: str = "UTC") -> None:
        self.guard = JobGuard()
        self._scheduler = _GuardedScheduler(
            self.guard, job_defaults=JOB_DEFAULTS, timezone=timezone
        )
        self._starters: list[Callable[[Scheduler], None]] = []
        # Who leads among the replicas; set by the queue scheduler (`scheduling.queue_jobs`).
        # Without one (a single process, a test) this process leads.
        self.leader_check: Callable[[], bool] = lambda: True

    @property
    def aps(self) -> AsyncIOScheduler:
        return self._scheduler

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    @property
    def is_leader(self) -> bool:
        """True while this replica holds the scheduler leadership: the one place jobs that call
        the *arr apps (health checks, library syncs, feedback) ask before they do anything."""
        return self.leader_check()

    def leader_only(self, job: Callable[_P, Awaitable[Any]]) -> Callable[_P, Awaitable[None]]:
        """Wrap a job so that it does nothing on a replica that is not the leader, so replicas
        never duplicate calls to the *arr apps."""

        @functools.wraps(job)
        async def guarded(*args: _P.args, **kwargs: _P.kwargs) -> None:
            if self.is_leader:
                await job(*args, **kwargs)

        return guarded

    def on_start(self, register: Callable[[Scheduler], None]) -> None:
        """Let a domain add its jobs when the scheduler starts (rebuilt from the DB each time)."""
        self._starters.append(register)

    def start(self, *, paused: bool = False) -> None:
        """Start and let every domain add its jobs; `paused`: nothing fires until `aps.resume()`
        (a test that runs the jobs itself, as APScheduler would)."""
        self._scheduler.start(paused=paused)
        for register in self._starters:
            register(self)

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
