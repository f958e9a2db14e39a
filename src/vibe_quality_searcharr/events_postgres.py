"""Carries the event bus between replicas over PostgreSQL LISTEN/NOTIFY.

Every replica publishes locally as before; this bridge also sends each local event as a
NOTIFY on a channel named after the schema (installs sharing one database in different schemas
never hear each other), and listens on that channel to re-publish the other replicas' events on
the local bus. Each payload carries the publishing replica's random id, so a replica drops what
it hears of its own events instead of delivering them twice.

Live events are a view, not a record (pages read the database): when PostgreSQL is unreachable
the bridge reconnects with back-off and a few events may be missed or arrive late, never
duplicated. Payloads stay below PostgreSQL's 8000-byte limit (large fields are shortened, then
dropped) and never carry a field whose name suggests a secret.

Two async psycopg connections per process, outside the SQLAlchemy pool: one listens, one sends.
Every network wait is bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread
import psycopg
import structlog
from sqlalchemy import text

from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.events import Event, EventBus

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "Backoff",
    "PostgresEventBridge",
    "RemoteEvent",
    "channel_for",
    "decode_payload",
    "encode_event",
    "start_event_bridge",
]

log = structlog.get_logger(__name__)

# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; keep a margin.
MAX_PAYLOAD_BYTES = 7900
_SECRET_NAME = re.compile(
    r"key|token|secret|password|passwd|cookie|session|authorization|credential|url", re.I
)
_SHORT_TEXT = 300
_SHORT_LIST = 50
# The fields a minimal event keeps when everything else is too large.
_ESSENTIAL = ("run_id", "queue_id", "queue", "instance_id", "command_id", "status", "name")


def channel_for(schema: str) -> str:
    """The NOTIFY channel of one schema: a fixed-length identifier whatever the schema's name."""
    return "vqs_events_" + hashlib.sha256(schema.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class RemoteEvent:
    origin: str
    kind: str
    data: dict[str, Any]
    at: datetime


def _public(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if not _SECRET_NAME.search(key)}


def _shorten(value: Any) -> Any:
    if isinstance(value, str):
        return value[:_SHORT_TEXT]
    if isinstance(value, list | tuple):
        return [_shorten(item) for item in value[:_SHORT_LIST]]
    if isinstance(value, dict):
        return {str(k): _shorten(v) for k, v in list(value.items())[:_SHORT_LIST]}
    return value


def _as_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def encode_event(event: Event, origin: str) -> str:
    """The compact JSON payload of a local event, always under MAX_PAYLOAD_BYTES."""
    data = _public(event.data)
    candidates: tuple[dict[str, Any], ...] = (
        data,
        {key: _shorten(value) for key, value in data.items()},
        {key: _shorten(data[key]) for key in _ESSENTIAL if key in data},
        {},
    )
    payload = ""
    for candidate in candidates:
        payload = json.dumps(
            {"o": origin, "k": event.kind[:100], "t": event.at.isoformat(), "d": candidate},
            separators=(",", ":"),
            default=_as_text,
        )
        if len(payload.encode()) <= MAX_PAYLOAD_BYTES:
            break
    return payload


def decode_payload(payload: str) -> RemoteEvent | None:
    """A payload heard on the channel, or None when it is not one of ours."""
    try:
        raw = json.loads(payload)
        origin, kind, data = raw["o"], raw["k"], raw["d"]
        at = datetime.fromisoformat(raw["t"])
    except (ValueError, TypeError, KeyError):
        return None
    if not (isinstance(origin, str) and isinstance(kind, str) and isinstance(data, dict)):
        return None
    return RemoteEvent(origin=origin, kind=kind, data=data, at=at)


@dataclass
class Backoff:
    """Delays between reconnection attempts: doubling from `initial` up to `maximum`."""

    initial: float = 0.5
    maximum: float = 30.0
    attempts: int = 0

    def next_delay(self) -> float:
        delay: float = min(self.maximum, self.initial * 2.0**self.attempts)
        self.attempts += 1
        return delay

    def reset(self) -> None:
        self.attempts = 0


class PostgresEventBridge:
    """One per process: `start()` on the event loop, `stop()` at shutdown."""

    def __init__(
        self,
        bus: EventBus,
        database: Database,
        *,
        origin: str | None = None,
        connect_timeout: float = 5.0,
        statement_timeout: float = 5.0,
        idle_check_seconds: float = 15.0,
        outbox_size: int = 1000,
        backoff: Callable[[], Backoff] = Backoff,
    ) -> None:
        self.bus = bus
        self.database = database
        self.origin = origin or secrets.token_hex(8)
        self.connect_timeout = connect_timeout
        self.statement_timeout = statement_timeout
        self.idle_check_seconds = idle_check_seconds
        self._backoff = backoff
        self._outbox: deque[str] = deque(maxlen=outbox_size)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.channel = ""
        # Set while the listening connection is LISTENing (tests and readiness wait on it).
        self.listening = asyncio.Event()
        self.received = 0
        self.sent = 0

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        schema = await anyio.to_thread.run_sync(self._current_schema)
        self.channel = channel_for(schema)
        self.bus.add_forwarder(self._forward)
        self._tasks = [
            asyncio.create_task(self._listen_forever(), name="events-listen"),
            asyncio.create_task(self._send_forever(), name="events-send"),
        ]
        log.info("event_bridge_started", channel=self.channel, origin=self.origin)

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        self.listening.clear()

    def _current_schema(self) -> str:
        with self.database.engine.connect() as connection:
            return str(connection.execute(text("SELECT current_schema()")).scalar_one())

    async def _connect(self, purpose: str) -> psycopg.AsyncConnection[Any]:
        engine = self.database.engine
        _, params = engine.dialect.create_connect_args(engine.url)
        params = {k: v for k, v in params.items() if k != "context"}
        params.setdefault("connect_timeout", int(self.connect_timeout))
        return await asyncio.wait_for(
            psycopg.AsyncConnection.connect(
                autocommit=True, application_name=f"vqs-events-{purpose}", **params
            ),
            timeout=self.connect_timeout + 1,
        )

    # --- sending ---------------------------------------------------------------------------

    def _forward(self, event: Event) -> None:
        """Called on the publishing thread: queue the payload and wake the sender."""
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return
        self._outbox.append(encode_event(event, self.origin))
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wake.set()
        else:
            loop.call_soon_threadsafe(wake.set)

    async def _send_forever(self) -> None:
        assert self._wake is not None
        backoff = self._backoff()
        connection: psycopg.AsyncConnection[Any] | None = None
        try:
            while True:
                if not self._outbox:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                try:
                    if connection is None or connection.closed:
                        connection = await self._connect("send")
                    await self._send_pending(connection)
                    backoff.reset()
                except (psycopg.Error, OSError, TimeoutError) as exc:
                    log.warning("event_bridge_send_failed", error=type(exc).__name__)
                    await _close(connection)
                    connection = None
                    await asyncio.sleep(backoff.next_delay())
        finally:
            await _close(connection)

    async def _send_pending(self, connection: psycopg.AsyncConnection[Any]) -> None:
        while self._outbox:
            payload = self._outbox[0]
            await asyncio.wait_for(
                connection.execute("SELECT pg_notify(%s, %s)", (self.channel, payload)),
                timeout=self.statement_timeout,
            )
            with contextlib.suppress(IndexError):
                self._outbox.popleft()
            self.sent += 1

    # --- listening -------------------------------------------------------------------------

    async def _listen_forever(self) -> None:
        backoff = self._backoff()
        while True:
            connection: psycopg.AsyncConnection[Any] | None = None
            try:
                connection = await self._connect("listen")
                await asyncio.wait_for(
                    connection.execute(f'LISTEN "{self.channel}"'), timeout=self.statement_timeout
                )
                self.listening.set()
                backoff.reset()
                await self._receive(connection)
            except (psycopg.Error, OSError, TimeoutError) as exc:
                self.listening.clear()
                log.warning("event_bridge_listen_failed", error=type(exc).__name__)
                await _close(connection)
                await asyncio.sleep(backoff.next_delay())
            except BaseException:
                self.listening.clear()
                await _close(connection)
                raise

    async def _receive(self, connection: psycopg.AsyncConnection[Any]) -> None:
        """Re-publish what the other replicas send; between bursts, prove the link is alive
        (a silently dead network would otherwise look like a quiet channel)."""
        while True:
            async for notify in connection.notifies(timeout=self.idle_check_seconds):
                self._republish(notify.payload)
            await asyncio.wait_for(connection.execute("SELECT 1"), timeout=self.statement_timeout)

    def _republish(self, payload: str) -> None:
        remote = decode_payload(payload)
        if remote is None or remote.origin == self.origin:
            return
        self.received += 1
        self.bus.publish_remote(remote.kind, remote.data, at=remote.at, origin=remote.origin)


async def _close(connection: psycopg.AsyncConnection[Any] | None) -> None:
    if connection is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(connection.close(), timeout=5)


async def start_event_bridge(bus: EventBus, database: Database) -> PostgresEventBridge | None:
    """Bridge the bus when the database is PostgreSQL (one SQLite file means one process)."""
    if database.backend != "postgresql":
        return None
    bridge = PostgresEventBridge(bus, database)
    await bridge.start()
    return bridge
