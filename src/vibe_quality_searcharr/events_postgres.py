"""Carries the event bus between replicas over PostgreSQL LISTEN/NOTIFY.

Every replica publishes locally as before; this bridge also sends each local event as a NOTIFY
on a channel named after the schema (installs sharing one database in different schemas never
hear each other), and listens on that channel to re-publish the other replicas' events on the
local bus. Each payload carries the publishing replica's random id, so a replica drops what it
hears of its own events instead of delivering them twice. The payload format (size limit,
secrets stripped) is `events_wire`.

Two plain threads, each owning one synchronous psycopg connection outside the SQLAlchemy pool:
one LISTENs, one sends. Neither ever blocks the event loop or waits without a bound: the
listener waits for notifications in short slices (`poll_seconds`) and checks its stop flag
between them, the sender waits on a wake-up flag the same way, and every connection has a
connect timeout, TCP keepalives and a TCP user timeout. `stop()` sets the flag and joins the
threads for at most `stop_timeout` seconds; a thread still stuck in a connect after that is a
daemon and is left to finish on its own, so an app's shutdown can never hang on the bridge.
(The first design used async psycopg tasks; cancelling them from a different event loop than
theirs, as two test clients on one app do, waited forever.)

Live events are a view, not a record (pages read the database): when PostgreSQL is unreachable
the bridge reconnects with back-off, and events published meanwhile may arrive late (the sender
keeps up to `outbox_size` of them) or be missed by the other replicas (a listener hears nothing
while it is disconnected). `status()` says which: readiness reports it (`observability.health`).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import psycopg
import structlog
from psycopg import sql
from sqlalchemy import text

from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.events import Event, EventBus
from vibe_quality_searcharr.events_wire import decode_payload, encode_event

__all__ = [
    "Backoff",
    "BridgeStatus",
    "PostgresEventBridge",
    "bridge_of",
    "channel_for",
    "start_event_bridge",
    "stop_event_bridge",
]

log = structlog.get_logger(__name__)

# A payload that fails this many sends in a row is dropped, so one bad event cannot jam the rest.
_SEND_ATTEMPTS = 5


def channel_for(schema: str) -> str:
    """The NOTIFY channel of one schema: a fixed-length identifier whatever the schema's name."""
    return "vqs_events_" + hashlib.sha256(schema.encode()).hexdigest()[:16]


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


BridgeState = Literal["connecting", "connected", "disconnected", "stopped"]


@dataclass(frozen=True)
class BridgeStatus:
    """How the bridge is doing, for readiness. `disconnected`: it does not hear the other
    replicas (or cannot send them this one's events) and is retrying; `since` is when that
    began and `error` the exception's type (never its text, which may name the server)."""

    state: BridgeState
    since: datetime | None = None
    error: str | None = None
    listening: bool = False
    sending: bool = True  # False while events wait in the outbox for a failed connection


class PostgresEventBridge:
    """One per event bus: `start()` when the app starts serving, `stop()` at shutdown."""

    def __init__(
        self,
        bus: EventBus,
        database: Database,
        *,
        origin: str | None = None,
        poll_seconds: float = 0.5,
        idle_check_seconds: float = 15.0,
        connect_timeout: int = 5,
        stop_timeout: float = 3.0,
        outbox_size: int = 1000,
        backoff: Callable[[], Backoff] = Backoff,
    ) -> None:
        self.bus = bus
        self.database = database
        self.origin = origin or secrets.token_hex(8)
        self.poll_seconds = poll_seconds
        self.idle_check_seconds = idle_check_seconds
        self.connect_timeout = connect_timeout
        self.stop_timeout = stop_timeout
        self._backoff = backoff
        self._outbox: deque[Event] = deque(maxlen=outbox_size)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._channel_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.channel: str | None = None
        # Set while the listening connection is LISTENing (tests and operators look at it).
        self.listening = threading.Event()
        self.listens = 0  # successful LISTENs: more than one means it reconnected
        self.received = 0
        self.ignored = 0  # this replica's own events heard back, dropped
        self.sent = 0
        self.dropped = 0
        # Failures met since the link last worked: (since, error type), for `status()`.
        self._listen_failure: tuple[datetime, str] | None = None
        self._send_failure: tuple[datetime, str] | None = None
        self._running = False

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start both threads; never raises for a database problem (they retry on their own)."""
        self._stop.clear()
        self._listen_failure = self._send_failure = None
        self._running = True
        self.bus.add_forwarder(self.forward)
        self._threads = [
            threading.Thread(
                target=self._listen_forever, name=f"vqs-events-listen-{self.origin}", daemon=True
            ),
            threading.Thread(
                target=self._send_forever, name=f"vqs-events-send-{self.origin}", daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()
        log.info("event_bridge_started", origin=self.origin)

    def stop(self) -> bool:
        """Stop within `stop_timeout` seconds; True when both threads have ended."""
        self.bus.remove_forwarder(self.forward)
        self._running = False
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + self.stop_timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        stuck = [thread.name for thread in self._threads if thread.is_alive()]
        self.listening.clear()
        if stuck:
            log.warning("event_bridge_stop_timeout", threads=stuck)
        else:
            log.info("event_bridge_stopped", sent=self.sent, received=self.received)
        return not stuck

    def status(self) -> BridgeStatus:
        """`connecting` until the first LISTEN, `connected` while listening and sending work,
        `disconnected` while either has failed since (until it works again)."""
        if not self._running:
            return BridgeStatus("stopped")
        listening = self.listening.is_set()
        listen_failure = None if listening else self._listen_failure
        send_failure = self._send_failure if self._outbox else None
        failures = [failure for failure in (listen_failure, send_failure) if failure is not None]
        if failures:
            since, error = min(failures)
            return BridgeStatus(
                "disconnected", since, error, listening=listening, sending=send_failure is None
            )
        return BridgeStatus("connected" if listening else "connecting", listening=listening)

    # --- connections -----------------------------------------------------------------------

    def _resolve_channel(self) -> str:
        """The schema's channel, asked of the app's own engine (it knows the search_path)."""
        with self._channel_lock:
            if self.channel is None:
                with self.database.engine.connect() as connection:
                    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
                self.channel = channel_for(str(schema))
            return self.channel

    def _connect(self, purpose: str, channel: str) -> psycopg.Connection[Any]:
        engine = self.database.engine
        _, from_url = engine.dialect.create_connect_args(engine.url)
        timeout_ms = self.connect_timeout * 1000
        params: dict[str, Any] = {
            "connect_timeout": self.connect_timeout,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": timeout_ms * 2,
            **{key: value for key, value in from_url.items() if key != "context"},
        }
        params["options"] = f"{params.get('options', '')} -c statement_timeout={timeout_ms}".strip()
        params["application_name"] = f"vqs-events-{purpose}-{channel.removeprefix('vqs_events_')}"
        return psycopg.Connection.connect(autocommit=True, **params)

    # --- sending ---------------------------------------------------------------------------

    def forward(self, event: Event) -> None:
        """Called on the publishing thread: queue the event and wake the sender, nothing more."""
        if self._stop.is_set():
            return
        if len(self._outbox) == self._outbox.maxlen:
            self.dropped += 1
        self._outbox.append(event)
        self._wake.set()

    def _send_forever(self) -> None:
        backoff = self._backoff()
        connection: psycopg.Connection[Any] | None = None
        try:
            while not self._stop.is_set():
                if not self._outbox:
                    self._wake.wait(self.poll_seconds)
                    self._wake.clear()
                    continue
                try:
                    channel = self._resolve_channel()
                    if connection is None or connection.closed:
                        connection = self._connect("send", channel)
                    self._send_pending(connection, channel)
                    backoff.reset()
                    self._send_failure = None
                except Exception as exc:
                    if self._stop.is_set():
                        break
                    log.warning("event_bridge_send_failed", error=type(exc).__name__)
                    self._send_failure = self._send_failure or (utcnow(), type(exc).__name__)
                    _close(connection)
                    connection = None
                    self._stop.wait(backoff.next_delay())
        finally:
            _close(connection)

    def _send_pending(self, connection: psycopg.Connection[Any], channel: str) -> None:
        failures = 0
        while self._outbox and not self._stop.is_set():
            event = self._outbox[0]
            try:
                payload = encode_event(event, self.origin)
                connection.execute("SELECT pg_notify(%s, %s)", (channel, payload))
            except Exception as exc:
                if (
                    connection.closed
                    or connection.broken
                    or isinstance(exc, psycopg.OperationalError)
                ):
                    raise  # the connection is gone: reconnect and send this one again
                failures += 1
                if failures < _SEND_ATTEMPTS:
                    continue
                log.warning("event_bridge_event_dropped", kind=event.kind, error=type(exc).__name__)
                self.dropped += 1
            else:
                self.sent += 1
            failures = 0
            with contextlib.suppress(IndexError):
                self._outbox.popleft()

    # --- listening -------------------------------------------------------------------------

    def _listen_forever(self) -> None:
        backoff = self._backoff()
        while not self._stop.is_set():
            connection: psycopg.Connection[Any] | None = None
            try:
                channel = self._resolve_channel()
                connection = self._connect("listen", channel)
                connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                self.listens += 1
                self._listen_failure = None
                self.listening.set()
                backoff.reset()
                self._receive(connection)
            except Exception as exc:
                if not self._stop.is_set():
                    log.warning("event_bridge_listen_failed", error=type(exc).__name__)
                    self._listen_failure = self._listen_failure or (utcnow(), type(exc).__name__)
            finally:
                self.listening.clear()
                _close(connection)
            if not self._stop.is_set():
                self._stop.wait(backoff.next_delay())

    def _receive(self, connection: psycopg.Connection[Any]) -> None:
        """Re-publish what the other replicas send; after a quiet spell, prove the link is
        alive (a silently dead network would otherwise look like a quiet channel)."""
        quiet_since = time.monotonic()
        while not self._stop.is_set():
            heard = False
            for notify in connection.notifies(timeout=self.poll_seconds):
                heard = True
                self._republish(notify.payload)
            now = time.monotonic()
            if heard:
                quiet_since = now
            elif now - quiet_since >= self.idle_check_seconds:
                connection.execute("SELECT 1")
                quiet_since = now

    def _republish(self, payload: str) -> None:
        remote = decode_payload(payload)
        if remote is None:
            return
        if remote.origin == self.origin:
            self.ignored += 1
            return
        self.received += 1
        self.bus.publish_remote(remote.kind, remote.data, at=remote.at, origin=remote.origin)


def _close(connection: psycopg.Connection[Any] | None) -> None:
    if connection is not None:
        with contextlib.suppress(Exception):
            connection.close()


# One bridge per bus: two test clients (two lifespans) on one app share it instead of sending
# every event twice; the last one to stop stops it.
_shared: weakref.WeakKeyDictionary[EventBus, tuple[PostgresEventBridge, int]] = (
    weakref.WeakKeyDictionary()
)
_shared_lock = threading.Lock()


def bridge_of(bus: EventBus) -> PostgresEventBridge | None:
    """The running bridge of a bus, if any (readiness details, tests)."""
    with _shared_lock:
        bridge, _ = _shared.get(bus, (None, 0))
    return bridge


def start_event_bridge(bus: EventBus, database: Database) -> PostgresEventBridge | None:
    """Bridge the bus when the database is PostgreSQL (one SQLite file means one process)."""
    if database.backend != "postgresql":
        return None
    with _shared_lock:
        bridge, users = _shared.get(bus, (None, 0))
        if bridge is None:
            bridge = PostgresEventBridge(bus, database)
            bridge.start()
        _shared[bus] = (bridge, users + 1)
    return bridge


def stop_event_bridge(bridge: PostgresEventBridge) -> None:
    """Release one user of the bus's bridge; the last release stops it (bounded)."""
    with _shared_lock:
        current, users = _shared.get(bridge.bus, (None, 0))
        if current is bridge and users > 1:
            _shared[bridge.bus] = (bridge, users - 1)
            return
        if current is bridge:
            del _shared[bridge.bus]
    bridge.stop()
