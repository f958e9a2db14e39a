"""The database fails under the service: the disk fills up, another process holds the lock,
the file is removed or damaged, PostgreSQL goes away. Each time the request that hit it gets a
clear 503 (HTML for pages and forms), nothing is half-written, readiness says 503 with the
reason, the logs carry one clear line and no secret, and everything works again once the cause
is gone, without a restart.

How each failure is made is in `dbfaults.py`. The app's busy timeout is shortened to 300 ms, so
a request meeting the lock waits that long, not ten seconds.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import structlog
import structlog.testing
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.conftest import sign_in_client
from tests.reliability.dbchaos import chaos_scenario
from tests.reliability.dbfaults import (
    PageLimit,
    TcpProxy,
    assert_html_error,
    checkpoint,
    damage_pages,
    fill_disk,
    integrity,
    locked_by_another_process,
    queue_body,
    queue_count,
    queue_form,
    queue_names,
    readiness,
    short_busy_database,
)
from tests.search.conftest import add_instance
from tests.web.pages import Mode
from vibe_quality_searcharr import error_handlers
from vibe_quality_searcharr.app import build_context, create_app
from vibe_quality_searcharr.backups.restore import restore_backup
from vibe_quality_searcharr.backups.service import create_backup
from vibe_quality_searcharr.cli import app as cli
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import failure_memory, migrate
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database, open_postgres, open_sqlcipher
from vibe_quality_searcharr.db.errors import DatabaseCorrupt, DatabaseMissing
from vibe_quality_searcharr.doctor import run_checks
from vibe_quality_searcharr.events import Event, EventBus
from vibe_quality_searcharr.library import sync as library_sync
from vibe_quality_searcharr.library.sync import LibrarySync
from vibe_quality_searcharr.scheduling import queue_jobs
from vibe_quality_searcharr.scheduling.leader import leader_for
from vibe_quality_searcharr.scheduling.queue_jobs import QueueScheduler
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings, load_settings

__all__ = ["chaos_scenario"]  # bench/chaos.py looks for it here

BUSY_MS = 300


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """SQLCipher only (PostgreSQL has its own test below), with a short busy timeout."""
    with short_busy_database(settings, BUSY_MS) as db:
        yield db


@pytest.fixture
def log_lines(
    context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[dict[str, Any]]]:
    """The structlog events of the modules that report database failures, as emitted (before
    redaction: no secret may be in one at all). Fresh loggers: the modules' own may have been
    bound, for good, by another test's logging setup."""
    for module in (failure_memory, queue_jobs, library_sync, error_handlers):
        monkeypatch.setattr(module, "log", structlog.get_logger(module.__name__))
    with structlog.testing.capture_logs() as captured:
        yield captured
    text = json.dumps(captured, default=str)
    for secret in context.secrets.values():
        assert secret not in text


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
    assert "disk" in body["detail"]
    assert "full" in body["detail"]
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


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs: a disk that really fills up. Needs the right to mount (root); else the
    full disk is only the `max_page_count` one above."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=700", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("a real full disk needs a tmpfs mount (root); the page-limit tests cover it")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=False)


def test_a_disk_that_really_fills_fails_the_commit_with_a_503_not_a_201(tiny_disk: Path) -> None:
    settings = load_settings(data_dir=tiny_disk / "data", scheduler_enabled=False)
    secrets = ensure_secrets(settings)
    database = open_sqlcipher(settings.sqlite_path, secrets.database_key, busy_timeout_ms=BUSY_MS)
    try:
        migrate.upgrade(database)
        context = AppContext(settings, secrets, database, Scheduler(), EventBus())
        instance_id = add_instance(context)
        with sign_in_client(create_app(context=context), context, "admin") as client:
            checkpoint(database)
            filler = fill_disk(tiny_disk)
            # The queue's pages wait in the page cache; the WAL append at COMMIT meets ENOSPC.
            response = client.post("/api/v1/queues", json=queue_body(instance_id, "No room"))
            assert response.status_code == 503, response.text
            assert response.json()["error"] == "database_disk_full"
            assert queue_count(context) == 0
            assert readiness(client)[0] == 503
            filler.unlink()
            assert readiness(client)[0] == 200
            response = client.post("/api/v1/queues", json=queue_body(instance_id, "Room"))
            assert response.status_code == 201
            assert queue_names(client) == ["Room"]
            assert integrity(database) == ["ok"]
    finally:
        database.dispose()


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
    admin_client: TestClient,
    context: AppContext,
    settings: Settings,
    log_lines: list[dict[str, Any]],
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
    failures = [line for line in log_lines if line["event"] == "database_failure"]
    assert len(failures) == 1  # one line for the whole episode, not one per request
    assert failures[0]["kind"] == "busy"
    assert "database is locked" in failures[0]["detail"]
    assert any(line["event"] == "database_recovered" for line in log_lines)


def test_a_scheduled_run_and_a_library_sync_meeting_the_lock_log_it_and_go_on(
    app: FastAPI, context: AppContext, settings: Settings, log_lines: list[dict[str, Any]]
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

    scheduler = QueueScheduler(
        context.database, leader_for(context.database), start_run, clock=utcnow
    )
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
        assert outcome.ok is False
        assert outcome.error is not None
        assert "another process holds its lock" in outcome.error
        assert [e.data["error"] for e in events if e.kind == "library.sync.failed"] == [
            outcome.error
        ]
        lines = log_lines
        run_lines = [line for line in lines if line["event"] == "scheduled_run_failed"]
        assert run_lines
        assert "another process holds its lock" in run_lines[0]["error"]
        assert not any("Traceback" in json.dumps(line) for line in lines)
        assert asyncio.run(scheduler.fire(queue_id)) is True  # the slot runs once it is free
        assert started == [queue_id, queue_id]
    finally:
        scheduler.leader.release()


def test_a_file_moved_away_at_runtime_is_not_replaced_by_an_empty_one_and_is_used_again(
    admin_client: TestClient, context: AppContext, settings: Settings
) -> None:
    instance_id = add_instance(context)
    assert (
        admin_client.post("/api/v1/queues", json=queue_body(instance_id, "Kept")).status_code == 201
    )
    path = settings.sqlite_path
    aside = path.with_name("moved-away.db")
    path.rename(aside)  # an operator's mv, a cleanup script, a volume remounted

    response = admin_client.get("/api/v1/queues")
    assert response.status_code == 503
    assert response.json()["error"] == "database_missing"
    assert "no empty database was created" in response.json()["detail"]
    write = admin_client.post("/api/v1/queues", json=queue_body(instance_id, "Lost"))
    assert write.status_code == 503
    page = Mode(htmx=False)
    assert_html_error(page, page.get(admin_client, "/queues"), "database file is missing")
    status, check = readiness(admin_client)
    assert (status, check["kind"]) == (503, "missing")
    assert not path.exists()  # nothing created in its place

    aside.rename(path)  # put back
    assert queue_names(admin_client) == ["Kept"]
    assert readiness(admin_client)[0] == 200
    assert (
        admin_client.post("/api/v1/queues", json=queue_body(instance_id, "After")).status_code
        == 201
    )
    assert queue_names(admin_client) == ["After", "Kept"]
    assert integrity(context.database) == ["ok"]


def restart(app: FastAPI, context: AppContext, settings: Settings) -> TestClient:
    """The service starts again on the same data directory, and an admin signs in."""
    new_context = build_context(settings, configure_logs=False)
    new_app = create_app(context=new_context)
    return sign_in_client(new_app, new_context, "admin", username="admin2")


def _queue_then_backup(
    client: TestClient, context: AppContext, settings: Settings, name: str
) -> Path:
    """A queue `name` saved through the API, then a backup that holds it."""
    instance_id = add_instance(context)
    assert client.post("/api/v1/queues", json=queue_body(instance_id, name)).status_code == 201
    return create_backup(settings, context.secrets.database_key, now=utcnow()).path


def test_a_deleted_file_with_backups_is_restored_not_silently_started_over(
    admin_client: TestClient, app: FastAPI, context: AppContext, settings: Settings
) -> None:
    key = context.secrets.database_key
    backup = _queue_then_backup(admin_client, context, settings, "Backed up")
    settings.sqlite_path.unlink()
    assert admin_client.get("/api/v1/queues").status_code == 503
    assert readiness(admin_client)[0] == 503
    admin_client.close()
    context.database.dispose()

    with pytest.raises(DatabaseMissing) as refused:  # a restart does not start over either
        build_context(settings, configure_logs=False)
    assert f"vqs restore {backup}" in str(refused.value)
    assert not settings.sqlite_path.exists()
    doctor = {result.name: result for result in run_checks(lambda: settings)}
    assert doctor["database"].ok is False
    assert f"vqs restore {backup}" in doctor["database"].fix

    restore_backup(settings, key, backup, now=utcnow())
    with restart(app, context, settings) as client:
        assert queue_names(client) == ["Backed up"]
        assert readiness(client)[0] == 200


def test_a_damaged_file_is_reported_everywhere_and_a_restore_brings_it_back(
    admin_client: TestClient, app: FastAPI, context: AppContext, settings: Settings
) -> None:
    key = context.secrets.database_key
    backup = _queue_then_backup(admin_client, context, settings, "Saved")
    damage_pages(context.database, "search_queue")

    response = admin_client.get("/api/v1/queues")
    assert response.status_code == 503
    assert response.json()["error"] == "database_corrupt"
    assert "vqs restore" in response.json()["detail"]
    page = Mode(htmx=True)
    assert_html_error(page, page.get(admin_client, "/queues"), "database file is damaged")
    status, check = readiness(admin_client)
    assert (status, check["kind"]) == (503, "corrupt")
    assert readiness(admin_client)[0] == 503  # a read elsewhere does not clear it
    admin_client.close()
    context.database.dispose()

    doctor = {result.name: result for result in run_checks(lambda: settings)}
    damaged = doctor["database integrity"]
    assert damaged.ok is False
    assert "damaged" in damaged.detail
    assert damaged.fix == f"stop the service and restore the newest backup: vqs restore {backup}"

    restore_backup(settings, key, backup, now=utcnow())
    with restart(app, context, settings) as client:
        assert queue_names(client) == ["Saved"]
        assert readiness(client)[0] == 200


@pytest.mark.parametrize("damage", ["schema pages", "truncated"])
def test_starting_on_a_damaged_file_stops_with_a_sentence_not_a_traceback(
    context: AppContext, settings: Settings, damage: str
) -> None:
    path = settings.sqlite_path
    if damage == "schema pages":
        damage_pages(context.database, "alembic_version")
    else:
        damage_pages(context.database, "app_setting")  # checkpoints: the file holds it all
        with path.open("r+b") as handle:
            handle.truncate(path.stat().st_size // 3)
    context.database.dispose()
    with pytest.raises((DatabaseCorrupt, DatabaseMissing)):
        build_context(settings, configure_logs=False)
    env = {"VQS_DATA_DIR": str(settings.data_dir)}  # `serve` goes through build_context above
    result = CliRunner().invoke(cli, ["db", "upgrade"], env=env)
    assert result.exit_code == 2, result.output
    assert "Database problem:\n  - " in result.stderr
    assert "damaged" in result.stderr
    assert "restore" in result.stderr
    assert "Traceback" not in result.output
    for secret in context.secrets.values():
        assert secret not in result.output


@pytest.mark.postgres
def test_postgresql_out_of_reach_is_a_503_and_the_service_reconnects(
    settings: Settings, postgres_schema: tuple[str, str]
) -> None:
    url, schema = postgres_schema
    server = make_url(url)
    proxy = TcpProxy(server.host or "127.0.0.1", server.port or 5432)
    through = server.set(host="127.0.0.1", port=proxy.port)
    database = open_postgres(through.render_as_string(hide_password=False), schema=schema)
    try:
        migrate.upgrade(database)
        context = AppContext(settings, ensure_secrets(settings), database, Scheduler(), EventBus())
        instance_id = add_instance(context)
        with sign_in_client(create_app(context=context), context, "admin") as client:
            assert queue_names(client) == []
            proxy.cut()
            response = client.post("/api/v1/queues", json=queue_body(instance_id, "Away"))
            assert response.status_code == 503
            assert response.json()["error"] == "database_unreachable"
            assert "does not answer" in response.json()["detail"]
            assert url not in response.text
            assert schema not in response.text
            status, check = readiness(client)
            assert (status, check["kind"]) == (503, "unreachable")
            proxy.restore()
            assert readiness(client)[0] == 200
            response = client.post("/api/v1/queues", json=queue_body(instance_id, "Back"))
            assert response.status_code == 201
            assert queue_names(client) == ["Back"]
    finally:
        database.dispose()
        proxy.close()
