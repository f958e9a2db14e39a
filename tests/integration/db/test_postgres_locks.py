"""PostgreSQL: a request never waits without end behind a lock held elsewhere (a psql session
left in a transaction, a stuck tool). After `lock_timeout` it gets the same 503 "database busy"
as SQLite behind another process's lock, nothing is changed, and it works once the lock goes.
Migrations are exempt: they may wait for another replica's migration as long as it takes."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from tests.conftest import sign_in_client
from tests.reliability.dbfaults import queue_body, readiness
from tests.search.conftest import add_instance
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database, open_postgres
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings

pytestmark = pytest.mark.postgres
LOCK_TIMEOUT_MS = 300
# Far above the lock timeout: only a request that waits on the lock without end runs into it.
HANG = 30.0
MIGRATION_LOCK = 0x5651_5300  # `db.migrate`


@pytest.fixture
def database(postgres_schema: tuple[str, str]) -> Iterator[Database]:
    url, schema = postgres_schema
    db = open_postgres(url, schema=schema, lock_timeout_ms=LOCK_TIMEOUT_MS)
    migrate.upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


@contextlib.contextmanager
def other_session(postgres_schema: tuple[str, str]) -> Iterator[Connection]:
    """A session of another client, outside the app's pool and without its timeouts."""
    url, schema = postgres_schema
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def setting(database: Database, name: str) -> str:
    with database.engine.connect() as connection:
        return str(connection.execute(text(f"SHOW {name}")).scalar_one())


def test_pooled_connections_have_a_lock_and_a_statement_timeout(
    postgres_schema: tuple[str, str],
) -> None:
    url, schema = postgres_schema
    database = open_postgres(url, schema=schema)
    try:
        assert setting(database, "lock_timeout") == "10s"
        assert setting(database, "statement_timeout") == "5min"
        assert setting(database, "search_path") == schema
    finally:
        database.dispose()
    own = make_url(url).update_query_dict({"options": "-c lock_timeout=2s"})
    database = open_postgres(own.render_as_string(hide_password=False), schema=schema)
    try:
        assert setting(database, "lock_timeout") == "2s"  # the operator's own value wins
        assert setting(database, "statement_timeout") == "5min"
    finally:
        database.dispose()


def test_a_row_locked_elsewhere_is_a_503_database_busy_then_works_again(
    settings: Settings, database: Database, postgres_schema: tuple[str, str]
) -> None:
    context = AppContext(settings, ensure_secrets(settings), database, Scheduler(), EventBus())
    instance_id = add_instance(context)
    app = create_app(context=context)
    with sign_in_client(app, context, "admin") as client, ThreadPoolExecutor(1) as pool:
        created = client.post("/api/v1/queues", json=queue_body(instance_id, "Nightly"))
        assert created.status_code == 201, created.text
        queue_id = created.json()["id"]
        with other_session(postgres_schema) as other:
            other.execute(
                text("SELECT id FROM search_queue WHERE id = :id FOR UPDATE"), {"id": queue_id}
            )  # ... and the session sits in its transaction
            edit = pool.submit(client.patch, f"/api/v1/queues/{queue_id}", json={"name": "Renamed"})
            try:
                response: Any = edit.result(timeout=HANG)
            except FutureTimeout:
                other.rollback()  # let the request finish, then fail the test
                edit.result()
                pytest.fail("the request waited behind the lock instead of answering busy")
            assert response.status_code == 503
            assert response.json()["error"] == "database_busy"
            assert "Nothing was changed" in response.json()["detail"]
            assert response.headers["Retry-After"] == "5"
            assert "search_queue" not in response.text  # no SQL, no table names
            read = client.get(f"/api/v1/queues/{queue_id}")
            assert read.status_code == 200  # a plain read does not wait on a row lock
            assert read.json()["name"] == "Nightly"
            other.rollback()
        again = client.patch(f"/api/v1/queues/{queue_id}", json={"name": "Renamed"})
        assert again.status_code == 200, again.text
        assert again.json()["name"] == "Renamed"
        assert readiness(client)[0] == 200


def test_a_migration_waits_for_the_migration_lock_past_the_lock_timeout(
    database: Database, postgres_schema: tuple[str, str]
) -> None:
    """Another replica migrating holds the migration lock for longer than `lock_timeout`: this
    one waits for it rather than failing its start."""
    migrate.downgrade(database, "0008_dashboard")
    with other_session(postgres_schema) as other, ThreadPoolExecutor(1) as pool:
        other.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        upgrading = pool.submit(migrate.upgrade, database)
        deadline = time.monotonic() + HANG
        while not waiting_for_migration_lock(other):
            assert time.monotonic() < deadline, "the upgrade never queued for the lock"
            assert not upgrading.done(), upgrading.exception()
        # Three lock timeouts pass on the server: the upgrade is still queued, not failed.
        other.execute(text("SELECT pg_sleep(:s)"), {"s": 3 * LOCK_TIMEOUT_MS / 1000})
        assert waiting_for_migration_lock(other)
        other.rollback()
        assert upgrading.result(timeout=HANG) == "0008_dashboard"
    assert migrate.is_current(database)


def waiting_for_migration_lock(other: Connection) -> bool:
    """Whether a session is queued for the migration lock (the advisory lock's low 32 bits)."""
    return bool(
        other.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND objid = :low"
            ),
            {"low": MIGRATION_LOCK & 0xFFFFFFFF},
        ).scalar_one()
    )
