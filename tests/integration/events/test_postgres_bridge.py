"""The LISTEN/NOTIFY bridge against the local PostgreSQL: two buses on one schema stand for two
replicas. An event published on one reaches the other's subscribers once, tagged with its
origin, and never comes back to its own; another schema hears nothing; a listener whose
connection is killed reconnects and hears again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import require_postgres
from vibe_quality_searcharr.db.engine import Database, open_postgres
from vibe_quality_searcharr.events import Event, EventBus
from vibe_quality_searcharr.events_postgres import Backoff, PostgresEventBridge

pytestmark = pytest.mark.postgres
_T = TypeVar("_T")
WAIT = 10.0


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


def run(scenario: Callable[[], Awaitable[_T]]) -> _T:
    return asyncio.run(scenario())


async def _bridged(database: Database, origin: str, **options: Any) -> tuple[EventBus, Any]:
    bus = EventBus()
    bus.bind_loop(asyncio.get_running_loop())
    bridge = PostgresEventBridge(bus, database, origin=origin, **options)
    await bridge.start()
    await asyncio.wait_for(bridge.listening.wait(), timeout=WAIT)
    return bus, bridge


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
                assert own.origin is None
                assert own.data["run_id"] == 41

                bus_b.publish("item.searched", run_id=42, label="Show S01E01")
                assert (await _next(on_a)).data == {"run_id": 42, "label": "Show S01E01"}
                assert (await _next(on_b)).origin is None
                # A's own NOTIFY came back to A's listener too; the origin tag dropped it.
                await _until(lambda: bridge_a.sent == 1 and bridge_b.sent == 1)
                await _until(lambda: bridge_a.received == 1 and bridge_b.received == 1)
                assert on_a.empty()
                assert on_b.empty()
        finally:
            await bridge_a.stop()
            await bridge_b.stop()

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
                    for number in range(50):
                        bus_a.publish("item.searched", run_id=1, n=number)

                await asyncio.to_thread(publish_many)
                got = [(await _next(on_b)).data["n"] for _ in range(50)]
                assert got == list(range(50))
        finally:
            await bridge_a.stop()
            await bridge_b.stop()

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
            async with bus_b.subscribe() as on_b, bus_x.subscribe() as on_x:
                bus_a.publish("run.started", run_id=1)
                assert (await _next(on_b)).data["run_id"] == 1
                bus_x.publish("run.started", run_id=99)  # x hears its own, b never does
                await _until(lambda: bridge_x.sent == 1)
                bus_a.publish("run.started", run_id=2)
                assert (await _next(on_b)).data["run_id"] == 2
                assert [(await _next(on_x)).data["run_id"]] == [99]
                assert on_x.empty()
                assert bridge_x.received == 0
        finally:
            for bridge in (bridge_a, bridge_b, bridge_x):
                await bridge.stop()

    try:
        run(scenario)
    finally:
        other.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{other_schema}" CASCADE'))
        admin.dispose()


def _terminate(database: Database, application_name: str) -> int:
    with database.engine.begin() as connection:
        return len(
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": application_name},
            ).all()
        )


def test_a_killed_connection_is_reopened_and_events_flow_again(
    schema_database: Database,
) -> None:
    fast = {"backoff": lambda: Backoff(initial=0.05, maximum=0.2), "idle_check_seconds": 0.5}

    async def scenario() -> None:
        bus_a, bridge_a = await _bridged(schema_database, "a", **fast)
        bus_b, bridge_b = await _bridged(schema_database, "b", **fast)
        try:
            async with bus_b.subscribe() as on_b:
                terminated = await asyncio.to_thread(
                    _terminate, schema_database, "vqs-events-listen"
                )
                assert terminated == 2
                await _until(lambda: not bridge_b.listening.is_set())
                await asyncio.wait_for(bridge_b.listening.wait(), timeout=WAIT)
                await asyncio.wait_for(bridge_a.listening.wait(), timeout=WAIT)
                bus_a.publish("run.started", run_id=5)
                assert (await _next(on_b)).data["run_id"] == 5

                await asyncio.to_thread(_terminate, schema_database, "vqs-events-send")
                bus_a.publish("run.started", run_id=6)  # the sender reconnects and sends it
                assert (await _next(on_b)).data["run_id"] == 6
        finally:
            await bridge_a.stop()
            await bridge_b.stop()

    run(scenario)
