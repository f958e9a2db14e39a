"""What a background job does when the database refuses: one log line, then wait for the next run.

A disk that fills, another process holding the lock, the file moved away, PostgreSQL gone: any
job (health checks, feedback re-checks, budget refreshes, housekeeping, whatever a domain adds
later) then raises a database error. Left to APScheduler, each failed run logs a full traceback
(with the SQL that failed), which says nothing an operator can act on and buries the one
sentence that does. `JobGuard` wraps every job the scheduler is given (`Scheduler` does it in
`add_job`), so such a failure becomes one structured line instead:

    scheduled_job_failed     job, kind, error (the user's sentence from `db.failures`), failures
    scheduled_job_recovered  job, failures: the first run that went through again

The first failed run of a streak is an error, the repeats are warnings that carry the count. The
job keeps its schedule (APScheduler never drops a job that raised; here it does not even raise)
and needs nothing to recover: the engine reopens connections by itself, so the next run after
the cause is gone simply works. The sentence never holds SQL, parameters or the connection URL,
which may hold secrets; the driver's own text is logged once per outage by the engine's failure
memory (`db.failure_memory`). Errors that are not about the database being usable (a bug, a
constraint) are left alone: APScheduler's traceback is what those need.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError

from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.db.failures import DatabaseFailure, classify

__all__ = ["JobGuard"]

log = structlog.get_logger(__name__)


class JobGuard:
    """Per job, how many runs in a row the database refused (for the log lines)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # jobs that are plain functions run in worker threads
        self._streaks: dict[str, int] = {}

    def wrap(self, job: Callable[..., Any], job_id: str) -> Callable[..., Any]:
        """`job` as a callable of the same kind (APScheduler awaits only coroutine functions)
        that reports a database refusal instead of raising it."""
        if getattr(job, "__vqs_guarded__", False):
            return job
        if inspect.iscoroutinefunction(job):

            @functools.wraps(job)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                try:
                    result = await job(*args, **kwargs)
                except (SQLAlchemyError, DatabaseError) as exc:
                    return self._refused(job_id, exc)
                self._succeeded(job_id)
                return result

            guarded: Callable[..., Any] = guarded_async
        else:

            @functools.wraps(job)
            def guarded_sync(*args: Any, **kwargs: Any) -> Any:
                try:
                    result = job(*args, **kwargs)
                except (SQLAlchemyError, DatabaseError) as exc:
                    return self._refused(job_id, exc)
                self._succeeded(job_id)
                return result

            guarded = guarded_sync
        guarded.__vqs_guarded__ = True  # type: ignore[attr-defined]
        return guarded

    def failures(self, job_id: str) -> int:
        """The job's runs in a row that the database refused (0 once one went through)."""
        with self._lock:
            return self._streaks.get(job_id, 0)

    def _refused(self, job_id: str, exc: SQLAlchemyError | DatabaseError) -> None:
        failure: DatabaseFailure | None = classify(exc)
        if failure is None:
            raise exc  # a bug or a constraint: APScheduler logs it with its traceback
        with self._lock:
            count = self._streaks[job_id] = self._streaks.get(job_id, 0) + 1
        report = log.error if count == 1 else log.warning
        report(
            "scheduled_job_failed",
            job=job_id,
            kind=failure.kind.value,
            error=failure.message,
            failures=count,
        )

    def _succeeded(self, job_id: str) -> None:
        with self._lock:
            count = self._streaks.pop(job_id, 0)
        if count:
            log.info("scheduled_job_recovered", job=job_id, failures=count)
