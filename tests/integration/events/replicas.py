"""Helpers for tests that stand up several replicas: a real HTTP server per app (uvicorn in a
thread, its own event loop, as in production) and a reader of server-sent events."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine

from vibe_quality_searcharr.events_postgres import channel_for

__all__ = ["SseReader", "listeners_on", "poll", "serve", "wait_for"]

WAIT = 15.0


def poll(check: Callable[[], bool], timeout: float) -> bool:
    """Poll a readiness condition (not a timing assertion) until it holds or the deadline."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def wait_for(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """`poll`, failing the test with `what` at the deadline."""
    if not poll(check, timeout):
        pytest.fail(f"timed out waiting for {what}")


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve `app` on a free loopback port for the block; the server's shutdown is bounded."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), "the server to start")
    if not thread.is_alive():
        pytest.fail("the server did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        assert not thread.is_alive(), "the server did not shut down"


def listeners_on(engine: Engine, schema: str) -> int:
    """How many replicas' bridges are connected to listen on this schema's channel."""
    name = "vqs-events-listen-" + channel_for(schema).removeprefix("vqs_events_")
    with engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = :name AND (query ILIKE 'LISTEN%' OR query = 'SELECT 1')"
                ),
                {"name": name},
            ).scalar_one()
        )


@dataclass
class SseReader:
    """Reads one event stream in a daemon thread; `next()` returns (event, data) messages."""

    url: str
    cookies: dict[str, str]
    connected: threading.Event = field(default_factory=threading.Event)
    status: int = 0
    _messages: queue.Queue[tuple[str, str]] = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None

    def start(self) -> SseReader:
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self.connected.wait(WAIT), "the event stream did not answer"
        return self

    def next(self, timeout: float = WAIT) -> tuple[str, str]:
        try:
            return self._messages.get(timeout=timeout)
        except queue.Empty:
            pytest.fail("no server-sent event arrived")

    def empty(self) -> bool:
        return self._messages.empty()

    def _read(self) -> None:
        headers = {"Accept": "text/event-stream"}
        timeout = httpx.Timeout(30.0, read=60.0)
        try:
            with (
                httpx.Client(cookies=self.cookies, timeout=timeout) as client,
                client.stream("GET", self.url, headers=headers) as response,
            ):
                self.status = response.status_code
                self.connected.set()
                event, data = "message", []
                for line in response.iter_lines():
                    if not line:
                        if data:
                            self._messages.put((event, "\n".join(data)))
                        event, data = "message", []
                    elif line.startswith("event:"):
                        event = line.removeprefix("event:").strip()
                    elif line.startswith("data:"):
                        data.append(line.removeprefix("data:").strip())
        except httpx.HTTPError:
            pass  # the server went away at the end of the test
        finally:
            self.connected.set()
