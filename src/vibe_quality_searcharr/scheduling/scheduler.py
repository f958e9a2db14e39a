"""The process's scheduler. The database is the source of truth for jobs; nothing is pickled.

Every job runs with `max_instances=1` and `coalesce=True`, so a slow run is never overlapped by
the next one and a process that was down runs a missed job once, not once per missed slot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

__all__ = ["JOB_DEFAULTS", "Scheduler"]

JOB_DEFAULTS: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600}


class Scheduler:
    def __init__(self, *, timezone: str = "UTC") -> None:
        self._scheduler = AsyncIOScheduler(job_defaults=JOB_DEFAULTS, timezone=timezone)
        self._starters: list[Callable[[Scheduler], None]] = []

    @property
    def aps(self) -> AsyncIOScheduler:
        return self._scheduler

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def on_start(self, register: Callable[[Scheduler], None]) -> None:
        """Let a domain add its jobs when the scheduler starts (rebuilt from the DB each time)."""
        self._starters.append(register)

    def start(self) -> None:
        self._scheduler.start()
        for register in self._starters:
            register(self)

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
