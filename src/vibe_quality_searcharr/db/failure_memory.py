"""The last database failure this process met, until something proves the cause is gone.

A full disk or a lock held by another process does not show in a `SELECT 1`: reads go on while
every write fails. So readiness cannot just ping; it asks this memory, which every failing
statement on the engine fills (`Database` hooks SQLAlchemy's `handle_error`), and which a later
successful write, or the readiness probe for that kind of failure, clears. One error line is
logged when a failure starts (and when its kind changes), one info line when it ends: a lock
held for a minute under a busy UI is two log lines, not thousands.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import structlog

from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.failures import DatabaseFailure, FailureKind

__all__ = ["FailureMemory", "RememberedFailure"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RememberedFailure:
    failure: DatabaseFailure
    first_at: datetime
    last_at: datetime
    count: int
    detail: str  # the driver's first line, for operators (see `failures.technical_detail`)


class FailureMemory:
    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last: RememberedFailure | None = None

    @property
    def last(self) -> RememberedFailure | None:
        return self._last

    def recently(self, kinds: frozenset[FailureKind], within: timedelta) -> bool:
        """Whether one of `kinds` was met less than `within` ago (and not cleared since)."""
        last = self._last
        return (
            last is not None
            and last.failure.kind in kinds
            and self._clock() - last.last_at < within
        )

    def record(self, failure: DatabaseFailure, detail: str) -> None:
        now = self._clock()
        with self._lock:
            previous = self._last
            if previous is not None and previous.failure.kind == failure.kind:
                self._last = replace(previous, last_at=now, count=previous.count + 1)
                return
            self._last = RememberedFailure(failure, now, now, 1, detail)
        log.error(
            "database_failure", kind=failure.kind.value, detail=detail, message=failure.message
        )

    def clear_after_write(self) -> None:
        """A commit that wrote went through. That ends a full disk, a lock, a lost server; not
        damage, which a write elsewhere in the file says nothing about (see `probes`)."""
        last = self._last
        if last is not None and last.failure.kind is not FailureKind.CORRUPT:
            self.clear("a write succeeded")

    def clear(self, reason: str) -> None:
        with self._lock:
            previous, self._last = self._last, None
        if previous is not None:
            log.info(
                "database_recovered",
                kind=previous.failure.kind.value,
                failures=previous.count,
                since=previous.first_at.isoformat(),
                reason=reason,
            )
