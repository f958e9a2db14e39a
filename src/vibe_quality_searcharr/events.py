"""In-process publish/subscribe: every step of the work is published here once.

Subscribers (SSE streams, notifications, metrics) each get their own bounded queue, so a slow
browser never slows a search run: when its queue is full the oldest event is dropped for it alone.
Events may be published from worker threads; delivery always happens on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vibe_quality_searcharr.db.base import utcnow

__all__ = ["Event", "EventBus"]

_sequence = itertools.count(1)


@dataclass(frozen=True)
class Event:
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=utcnow)
    id: int = field(default_factory=lambda: next(_sequence))


class EventBus:
    def __init__(self, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._listeners: list[Callable[[Event], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def add_listener(self, listener: Callable[[Event], None]) -> None:
        """A synchronous callback run for every event on the loop (metrics, notifications)."""
        self._listeners.append(listener)

    def publish(self, kind: str, **data: Any) -> Event:
        event = Event(kind=kind, data=data)
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or running is loop:
            self._deliver(event)
        elif not loop.is_closed():
            loop.call_soon_threadsafe(self._deliver, event)
        return event

    def _deliver(self, event: Event) -> None:
        for listener in self._listeners:
            with contextlib.suppress(Exception):
                listener(event)
        for queue in self._subscribers:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue(self._queue_size)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
