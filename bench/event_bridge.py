"""Figures for the PostgreSQL event bridge: how long an event takes from `publish` on one
replica to a subscriber of another, one at a time and in a burst, and how long `stop()` takes.

Prints figures; never asserts a time. Needs PostgreSQL:
  VQS_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
    PYTHONPATH=src .venv/bin/python bench/event_bridge.py
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import time

from sqlalchemy import create_engine, text

from vibe_quality_searcharr.db.engine import Database, open_postgres
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.events_postgres import PostgresEventBridge

SINGLE = 200
BURST = 1000  # the sender's outbox holds 1000 unsent events; beyond, the oldest go


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


async def _bridged(database: Database, origin: str) -> tuple[EventBus, PostgresEventBridge]:
    bus = EventBus()
    bus.bind_loop(asyncio.get_running_loop())
    bridge = PostgresEventBridge(bus, database, origin=origin)
    bridge.start()
    assert await asyncio.to_thread(bridge.listening.wait, 10)
    return bus, bridge


async def _measure(database: Database) -> None:
    bus_a, bridge_a = await _bridged(database, "a")
    bus_b, bridge_b = await _bridged(database, "b")
    async with bus_b.subscribe() as on_b:
        latencies = []
        for number in range(SINGLE):
            started = time.perf_counter()
            bus_a.publish("item.searched", run_id=1, n=number, label="Show S01E01")
            await asyncio.wait_for(on_b.get(), timeout=10)
            latencies.append(time.perf_counter() - started)
        latencies.sort()
        print(
            f"one event, A -> B subscriber ({SINGLE} samples): median "
            f"{_ms(statistics.median(latencies))}, p95 {_ms(latencies[int(0.95 * SINGLE)])}"
        )
        started = time.perf_counter()
        for number in range(BURST):
            bus_a.publish("library.sync.progress", instance_id=1, n=number)
        for _ in range(BURST):
            await asyncio.wait_for(on_b.get(), timeout=30)
        took = time.perf_counter() - started
        print(
            f"burst of {BURST} events published at once: all heard on B in {took:.2f} s "
            f"({BURST / took:,.0f}/s; dropped by the outbox: {bridge_a.dropped})"
        )
    for name, bridge in (("A", bridge_a), ("B", bridge_b)):
        started = time.perf_counter()
        stopped = await asyncio.to_thread(bridge.stop)
        print(f"stop() of {name}: {_ms(time.perf_counter() - started)} (clean: {stopped})")


def main() -> None:
    url = os.environ.get("VQS_TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("set VQS_TEST_POSTGRES_URL to a PostgreSQL the bench may add a schema to")
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = open_postgres(url, schema=schema)
    try:
        asyncio.run(_measure(database))
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
