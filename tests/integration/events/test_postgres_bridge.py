"""The LISTEN/NOTIFY bridge against the local PostgreSQL: two buses on one schema stand for two
replicas. An event published on one reaches the other's subscribers once, tagged with its
origin, and never comes back to its own; another schema hears nothing; a connection killed by
the server is reopened and events flow again; stopping is prompt even while PostgreSQL hangs."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import require_postgres
from vibe_quality_searcharr.db.engine import Database, open_postgres
from vibe_quality_searcharr.events import Event, EventBus
from vibe_quality_searcharr.events_postgres import (
    Backoff,
    PostgresEventBridge,
    start_event_bridge,
    stop_event_bridge,
)

pytestmark = pytest.mark.postgres
_T = TypeVar("_T")
WAIT = 10.0
FAST: dict[str, Any] = {
    "backoff": lambda: Backoff(initial=0.05, maximum=0.2),
    "poll_seconds": 0.05,
    "idle_check_seconds": 0.2,
}


@pytest.fixture
def schema_database(postgres_schema: tuple[str, str]) -> Iterator[Database]:
    url, schema = postgres_schema
    database = open_postgres(url, schema=schema)
    yield database
    database.dispose()


async def _next(queue: asyncio.Queue[Event]) -> Event:
    return await asyncio.wait_for(queue.get(), timeout=WAIT)


async def _until(check: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not check():  # noqa: ASYNC110 - the counters have no event to await
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout=WAIT)


async def _listening(bridge: PostgresEventBridge) -> None:
    assert await asyncio.to_thread(bridge.listening.wait, WAIT)


def run(scenario: Callable[[], Awaitable[_T]]) -> _T:
    return asyncio.run(scenario())  # type: ignore[arg-type]


async def _bridged(
    database: Database, origin: str, **options: Any
) -> tuple[EventBus, PostgresEventBridge]:
    bus = EventBus()
    bus.bind_loop(asyncio.get_running_loop())
    bridge = PostgresEventBridge(bus, database, origin=origin, **{**FAST, **options})
    bridge.start()
    await _listening(bridge)
    return bus, bridge


async def _stop(*bridges: PostgresEventBridge) -> None:
    for bridge in bridges:
        assert await asyncio.to_thread(bridge.stop)


def test_an_event_reaches_the_other_replica_once_and_never_returns(
    schema_database: Database,
) -> None:
    async def scenario() -> None:
        bus_a, bridge_a = await _bridged(schema_database, "replica-a")
        bus_b, bridge_b = await _bridged(schema_database, "replica-b")
        try:
            async with bus_a.subscribe() as on_a, bus_b.subscribe() as on_b:
                bus_a.publish("run.finished", run_id=41, status="completed", api_key="s3cret")
                heard = await _next(on_b)
                assert (heard.kind, heard.origin) == ("run.finished", "replica-a")
                assert heard.data == {"run_id": 41, "status": "completed"}
                own = await _next(on_a)
                assert (own.origin, own.data["run_id"]) == (None, 41)

                bus_b.publish("item.searched", run_id=42, label="Show S01E01")
                assert (await _next(on_a)).data == {"run_id": 42, "label": "Show S01E01"}
                assert (await _next(on_b)).origin is None
                # Each NOTIFY also came back to its sender's listener; the origin tag dropped it.
                await _until(lambda: bridge_a.sent == 1 and bridge_b.sent == 1)
                await _until(lambda: bridge_a.received == 1 and bridge_b.received == 1)
                assert on_a.empty()
                assert on_b.empty()
        finally:
            await _stop(bridge_a, bridge_b)

    run(scenario)


def test_events_published_from_worker_threads_are_bridged_in_order(
    schema_database: Database,
) -> None:
    async def scenario() -> None:
        bus_a, bridge_a = await _bridged(schema_database, "a")
        bus_b, bridge_b = await _bridged(schema_database, "b")
        try:
            async with bus_b.subscribe() as on_b:

                def publish_many() -> None:
                    for number in range(200):
                        bus_a.publish("item.searched", run_id=1, n=number)

                await asyncio.to_thread(publish_many)
                got = [(await _next(on_b)).data["n"] for _ in range(200)]
                assert got == list(range(200))
        finally:
            await _stop(bridge_a, bridge_b)

    run(scenario)


def test_a_big_event_arrives_trimmed_below_the_notify_limit(schema_database: Database) -> None:
    async def scenario() -> None:
        bus_a, bridge_a = await _bridged(schema_database, "a")
        bus_b, bridge_b = await _bridged(schema_database, "b")
        try:
            async with bus_b.subscribe() as on_b:
                bulk = {f"f{n}": "x" * 300 for n in range(100)}  # ~32 kB: NOTIFY would refuse it
                bus_a.publish("run.finished", run_id=7, status="completed", **bulk)
                bus_a.publish("run.started", run_id=8)
                big, small = await _next(on_b), await _next(on_b)
                assert big.data == {"run_id": 7, "status": "completed", "trimmed": True}
                assert small.data == {"run_id": 8}
        finally:
            await _stop(bridge_a, bridge_b)

    run(scenario)


def test_another_schema_hears_nothing(
    schema_database: Database, postgres_schema: tuple[str, str]
) -> None:
    url = require_postgres()
    other_schema = postgres_schema[1] + "_other"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{other_schema}"'))
    other = open_postgres(url, schema=other_schema)

    async def scenario() -> None:
        bus_a, bridge_a = await _bridged(schema_database, "a")
        bus_b, bridge_b = await _bridged(schema_database, "b")
        bus_x, bridge_x = await _bridged(other, "x")
        try:
            assert bridge_x.channel != bridge_a.channel
            async with bus_b.subscribe() as on_b, bus_x.subscribe() as on_x:
                bus_x.publish("run.started", run_id=99)  # x hears its own, b never does
                await _until(lambda: bridge_x.sent == 1)
                bus_a.publish("run.started", run_id=2)
                assert (await _next(on_b)).data["run_id"] == 2
                assert (await _next(on_x)).data["run_id"] == 99
                assert on_b.empty()
                assert on_x.empty()
                assert bridge_x.received == 0
        finally:
            await _stop(bridge_a, bridge_b, bridge_x)

    try:
        run(scenario)
    finally:
        other.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{other_schema}" CASCADE'))
        admin.dispose()


def _terminate(database: Database, bridge: PostgresEventBridge, purpose: str) -> int:
    assert bridge.channel is not None
    name = f"vqs-events-{purpose}-{bridge.channel.removeprefix('vqs_events_')}"
    with database.engine.begin() as connection:
        return len(
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).all()
        )


def test_killed_connections_are_reopened_and_events_flow_again(
    schema_database: Database,
) -> None:
    async def scenario() -> None:
        bus_a, bridge_a = await _bridged(schema_database, "a")
        bus_b, bridge_b = await _bridged(schema_database, "b")
        try:
            async with bus_b.subscribe() as on_b:
                bus_a.publish("run.started", run_id=4)  # the sender has a connection to kill
                assert (await _next(on_b)).data["run_id"] == 4
                killed = await asyncio.to_thread(_terminate, schema_database, bridge_a, "listen")
                assert killed == 2  # both listeners share the schema's name
                await _until(lambda: bridge_a.listens == 2 and bridge_b.listens == 2)
                bus_a.publish("run.started", run_id=5)
                assert (await _next(on_b)).data["run_id"] == 5

                killed = await asyncio.to_thread(_terminate, schema_database, bridge_a, "send")
                assert killed == 1  # only A has sent anything yet
                bus_a.publish("run.started", run_id=6)  # the sender reconnects and sends it
                assert (await _next(on_b)).data["run_id"] == 6
                async with bus_a.subscribe() as on_a:  # and the other way round
                    bus_b.publish("run.started", run_id=7)
                    heard = [(await _next(on_a)) for _ in range(1)]
                    assert [(e.data["run_id"], e.origin) for e in heard] == [(7, "b")]
        finally:
            await _stop(bridge_a, bridge_b)

    run(scenario)


def test_lifespans_sharing_one_bus_share_one_bridge(schema_database: Database) -> None:
    bus = EventBus()
    first = start_event_bridge(bus, schema_database)
    second = start_event_bridge(bus, schema_database)
    assert first is not None
    assert second is first
    stop_event_bridge(second)
    assert first.listening.wait(WAIT)  # still running for the other user
    stop_event_bridge(first)
    assert not first.listening.is_set()
    assert [thread.is_alive() for thread in first._threads] == [False, False]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never answers: a hung PostgreSQL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_stop_is_prompt_while_postgres_hangs(silent_server: int) -> None:
    database = open_postgres(f"postgresql+psycopg://vqs@127.0.0.1:{silent_server}/vqs")
    bridge = PostgresEventBridge(EventBus(), database, connect_timeout=30, stop_timeout=0.5)
    try:
        bridge.start()
        bridge.forward(Event("run.started", {"run_id": 1}))
        # Both threads are now stuck connecting (schema lookup, 5 s connect timeout of the app's
        # engine); stop still returns at its bound, reporting the threads it left behind.
        assert bridge.stop() is False
        assert not bridge.listening.is_set()
    finally:
        database.dispose()
