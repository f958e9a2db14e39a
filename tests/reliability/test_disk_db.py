"""The database fails under the service: the disk fills up, another process holds the lock,
the file is removed or damaged, PostgreSQL goes away. Each time the request that hit it gets a
clear 503 (HTML for pages and forms), nothing is half-written, readiness says 503 with the
reason, the logs carry one clear line and no secret, and everything works again once the cause
is gone, without a restart.

The full disk is SQLite's `max_page_count` applied to every connection the app checks out (the
database cannot grow a page, as on a full disk; measured through SQLCipher and the pool:
SQLITE_FULL, "database or disk is full"). The lock is a second connection, as another process
would hold it, with `BEGIN EXCLUSIVE`; the app's busy timeout is shortened to 300 ms so the
test waits that long, not ten seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from tests.search.conftest import add_instance
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database, open_sqlcipher
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings
from vibe_quality_searcharr.context import AppContext

BUSY_MS = 300
SQLITE_MAX_PAGES = 1_073_741_823


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """SQLCipher only (PostgreSQL has its own test below), with a short busy timeout."""
    keys = ensure_secrets(settings)
    db = open_sqlcipher(settings.sqlite_path, keys.database_key, busy_timeout_ms=BUSY_MS)
    migrate.upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


class PageLimit:
    """`PRAGMA max_page_count` on every checkout: at `fill()` the database stops growing."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.limit: int | None = None
        event.listen(database.engine, "checkout", self._apply)

    def _apply(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {self.limit or SQLITE_MAX_PAGES}")

    def fill(self) -> None:
        with self.database.engine.connect() as connection:
            self.limit = int(connection.exec_driver_sql("PRAGMA page_count").scalar() or 0)

    def lift(self) -> None:
        self.limit = None


def queue_body(instance_id: int, name: str) -> dict[str, Any]:
    return {"name": name, "instance_id": instance_id, "batch_size": 5}


def queue_count(context: AppContext) -> int:
    with context.database.session_scope(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(SearchQueue)) or 0


def integrity(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check")]


def readiness(client: TestClient) -> tuple[int, dict[str, Any]]:
    response = client.get("/health/ready")
    return response.status_code, response.json()["checks"]["database"]


def test_a_full_disk_refuses_the_whole_write_and_readiness_waits_for_space(
    admin_client: TestClient, context: AppContext
) -> None:
    instance_id = add_instance(context)
    limit = PageLimit(context.database)
    limit.fill()
    created = 0
    for number in range(400):  # the disk fills up while queues are created
        response = admin_client.post(
            "/api/v1/queues", json=queue_body(instance_id, f"Queue {number}")
        )
        if response.status_code != 201:
            break
        created += 1
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] == "database_disk_full"
    assert "disk" in body["detail"] and "full" in body["detail"]
    assert "Nothing was changed" in body["detail"]
    assert queue_count(context) == created
    assert integrity(context.database) == ["ok"]
    status, check = readiness(admin_client)
    assert (status, check["ok"], check["kind"]) == (503, False, "disk_full")

    limit.lift()
    status, check = readiness(admin_client)
    assert (status, check["ok"]) == (200, True)
    again = admin_client.post("/api/v1/queues", json=queue_body(instance_id, "After"))
    assert again.status_code == 201
    assert queue_count(context) == created + 1
