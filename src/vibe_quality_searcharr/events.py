"""In-process publish/subscribe: every step of the work is published here once.

Subscribers (SSE streams, notifications, metrics) each get their own bounded queue, so a slow
browser never slows a search run: when its queue is full the oldest event is dropped for it alone.
Events may be published from worker threads; delivery always happens on the event loop.

With several replicas on PostgreSQL (`events_postgres`), a forwarder hands every event published
here to the other replicas, and theirs come back through `publish_remote`, tagged with their
origin. Remote events reach the subscribers (SSE streams) and only the listeners that ask for
them (`remote=True`: views of what every replica does); side effects such as notifications,
metrics and syncs stay with the replica that did the work, so they happen once.
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
    # The replica that published it; None for this process's own events.
    origin: str | None = None


class EventBus:
    def __init__(self, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._listeners: list[tuple[Callable[[Event], None], bool]] = []
        self._forwarders: list[Callable[[Event], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def add_listener(self, listener: Callable[[Event], None], *, remote: bool = False) -> None:
        """A synchronous callback run on the loop for every event of this process (metrics,
        notifications); with `remote`, for the events of the other replicas too."""
        self._listeners.append((listener, remote))

    def add_forwarder(self, forward: Callable[[Event], None]) -> None:
        """A callback given each event published in this process (never a remote one), on the
        publishing thread: it must only hand the event over, never block."""
        self._forwarders.append(forward)

    def remove_forwarder(self, forward: Callable[[Event], None]) -> None:
        with contextlib.suppress(ValueError):
            self._forwarders.remove(forward)

    def publish(self, kind: str, **data: Any) -> Event:
        event = Event(kind=kind, data=data)
        for forward in list(self._forwarders):
            with contextlib.suppress(Exception):
                forward(event)
        self._schedule(event)
        return event

    def publish_remote(
        self, kind: str, data: dict[str, Any], *, at: datetime, origin: str
    ) -> Event:
        """Deliver an event another replica published (never forwarded again). Safe from any
        thread; dropped when no loop is bound (the process is not serving)."""
        event = Event(kind=kind, data=data, at=at, origin=origin)
        if self._loop is not None:
            self._schedule(event)
        return event

    def _schedule(self, event: Event) -> None:
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or running is loop:
            self._deliver(event)
        elif not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed in between: nobody to deliver to
                loop.call_soon_threadsafe(self._deliver, event)

    def _deliver(self, event: Event) -> None:
        local = event.origin is None
        for listener, remote in self._listeners:
            if not (local or remote):
                continue
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
