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

import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import structlog
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from tests.search.conftest import add_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database, open_sqlcipher
from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.library.sync import LibrarySync
from vibe_quality_searcharr.observability.logging import configure_logging, recent_logs
from vibe_quality_searcharr.scheduling.leader import leader_for
from vibe_quality_searcharr.scheduling.queue_jobs import QueueScheduler
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.queues.presets import PresetName
from vibe_quality_searcharr.search.queues.views import new_queue_values
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings

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


@pytest.fixture
def log_file(settings: Settings, context: AppContext) -> Iterator[Path]:
    """The service's own logging (JSON, secrets redacted) into the data directory's logs."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    logs = settings.data_dir / "logs"
    configure_logging(level="INFO", fmt="json", log_dir=logs, secrets=context.secrets.values())
    try:
        yield logs / "vqs.log"
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            if handler is not recent_logs:
                handler.close()
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        structlog.reset_defaults()


def log_events(path: Path, context: AppContext) -> list[dict[str, Any]]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    for secret in context.secrets.values():
        assert secret not in text
    return [json.loads(line) for line in text.splitlines()]


_HOLDER = """
import sys, sqlcipher3
connection = sqlcipher3.dbapi2.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA key = \\"x'" + sys.stdin.readline().strip() + "'\\"")
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
connection.close()
print("released", flush=True)
"""


@contextlib.contextmanager
def locked_by_another_process(path: Path, key_hex: str) -> Iterator[None]:
    """Another process takes the database's write lock and keeps it until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        holder.stdin.write(key_hex + "\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "locked"
        yield
        holder.stdin.write("release\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def queue_form(instance_id: int, name: str) -> dict[str, Any]:
    """What a browser posts from the new-queue page (unchecked boxes absent)."""
    values = dict(new_queue_values(PresetName.STEADY_MISSING, instance_id).items())
    values["name"] = name
    form = {key: value for key, value in values.items() if value is not False}
    return {key: ("on" if value is True else value) for key, value in form.items()}


def assert_html_error(mode: Mode, response: Any, *words: str) -> str:
    page = mode.page(response, 503)
    assert "Database unavailable" in page
    for word in words:
        assert word in page
    assert "Traceback" not in page and "sqlalchemy" not in page.lower()
    return page


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


@pytest.mark.parametrize("mode", [Mode(htmx=False), Mode(htmx=True)], ids=["page", "htmx"])
def test_a_form_posted_on_a_full_disk_gets_an_html_error_page(
    admin_client: TestClient, context: AppContext, mode: Mode
) -> None:
    instance_id = add_instance(context)
    limit = PageLimit(context.database)
    limit.fill()
    for number in range(400):
        response = mode.post(
            admin_client, "/queues/new", data=queue_form(instance_id, f"Form {number}")
        )
        if response.status_code == 503:
            break
        assert response.status_code in (200, 303), response.text[:500]
    assert_html_error(mode, response, "disk holding the data directory is full")
    before = queue_count(context)
    limit.lift()
    again = mode.post(admin_client, "/queues/new", data=queue_form(instance_id, "Saved"))
    assert again.status_code in (200, 303)
    assert queue_count(context) == before + 1


def test_a_lock_held_by_another_process_is_a_clear_busy_and_passes(
    admin_client: TestClient, context: AppContext, settings: Settings, log_file: Path
) -> None:
    instance_id = add_instance(context)
    path, key = settings.sqlite_path, context.secrets.database_key
    with locked_by_another_process(path, key):
        response = admin_client.post("/api/v1/queues", json=queue_body(instance_id, "Locked"))
        assert response.status_code == 503
        assert response.json()["error"] == "database_busy"
        assert "another process holds its lock" in response.json()["detail"]
        assert response.headers["Retry-After"] == "5"
        assert admin_client.get("/api/v1/queues").status_code == 200  # reads go on (WAL)
        status, check = readiness(admin_client)
        assert (status, check["kind"]) == (503, "busy")
        page = Mode(htmx=False)
        form = page.post(admin_client, "/queues/new", data=queue_form(instance_id, "Form"))
        assert_html_error(page, form, "another process holds its lock")
    assert queue_count(context) == 0
    assert readiness(admin_client)[0] == 200
    response = admin_client.post("/api/v1/queues", json=queue_body(instance_id, "Unlocked"))
    assert response.status_code == 201
    failures = [line for line in log_events(log_file, context) if line["event"] == "database_failure"]
    assert len(failures) == 1  # one line for the whole episode, not one per request
    assert failures[0]["kind"] == "busy" and "database is locked" in failures[0]["detail"]
    assert any(line["event"] == "database_recovered" for line in log_events(log_file, context))


def test_a_scheduled_run_and_a_library_sync_meeting_the_lock_log_it_and_go_on(
    app: FastAPI, context: AppContext, settings: Settings, log_file: Path
) -> None:
    instance_id = add_instance(context)
    with context.database.session_scope() as session:
        created = utcnow() - timedelta(hours=2, minutes=5)
        queue = SearchQueue(
            name="Hourly", instance_id=instance_id, strategy="missing", order="priority",
            batch_size=5, options={}, created_at=created,
            schedule={"kind": "interval", "minutes": 60, "jitter_minutes": 0},
        )  # fmt: skip
        session.add(queue)
        session.flush()
        queue_id = queue.id
    started: list[int] = []

    async def start_run(started_queue: int) -> None:
        started.append(started_queue)

    scheduler = QueueScheduler(context.database, leader_for(context.database), start_run, clock=utcnow)
    scheduler.install(Scheduler())
    asyncio.run(scheduler.tick())  # leader, and the slot missed at start is run once
    assert started == [queue_id]
    syncer: LibrarySync = app.state.library_sync
    events: list[Event] = []
    context.events.add_listener(events.append)
    try:
        with locked_by_another_process(settings.sqlite_path, context.secrets.database_key):
            scheduler.clock = lambda: utcnow() + timedelta(hours=1)
            assert asyncio.run(scheduler.fire(queue_id)) is False
            outcome = asyncio.run(syncer.sync(instance_id))
        assert outcome.ok is False and outcome.error is not None
        assert "another process holds its lock" in outcome.error
        assert [e.data["error"] for e in events if e.kind == "library.sync.failed"] == [
            outcome.error
        ]
        lines = log_events(log_file, context)
        run_lines = [line for line in lines if line["event"] == "scheduled_run_failed"]
        assert run_lines and "another process holds its lock" in run_lines[0]["error"]
        assert not any("Traceback" in json.dumps(line) for line in lines)
        assert asyncio.run(scheduler.fire(queue_id)) is True  # the slot runs once it is free
        assert started == [queue_id, queue_id]
    finally:
        scheduler.leader.release()
