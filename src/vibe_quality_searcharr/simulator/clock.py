"""The simulated clock every simulator dynamic reads.

Time is injectable so tests move it instead of sleeping: `advance()` jumps it forward, and
`speed` multiplies real elapsed time (0 freezes it, 10 makes ten simulated seconds pass per real
second, which is what the demo uses to show imports within a minute).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["SimClock"]


class SimClock:
    """now() = start + speed * real elapsed + manual offset, always timezone-aware UTC."""

    def __init__(
        self,
        start: datetime | None = None,
        *,
        speed: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        base = start or datetime.now(UTC)
        self._start = base.replace(microsecond=0) if start is None else base
        self._monotonic = monotonic
        self._real0 = monotonic()
        self._speed = speed
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        """Change the rate without a jump: the current simulated time is kept."""
        if speed < 0:
            raise ValueError("speed must be >= 0")
        with self._lock:
            now_real = self._monotonic()
            self._offset += (now_real - self._real0) * self._speed
            self._real0 = now_real
            self._speed = speed

    def now(self) -> datetime:
        with self._lock:
            elapsed = (self._monotonic() - self._real0) * self._speed + self._offset
        return self._start + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the simulated clock never goes back")
        with self._lock:
            self._offset += seconds
        return self.now()
