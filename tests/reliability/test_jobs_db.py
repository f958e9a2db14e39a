"""Background jobs meet a database that refuses (another process's lock, the file moved away):
each run logs one structured line and no traceback, the job keeps its schedule, and the first
run after the cause is gone works again and says so. Every job the app registers is run the way
APScheduler runs it (`run_coroutine_job`, which logs a traceback for any job that raises).

The faults are those of `test_disk_db.py` (`dbfaults.py`); runs and library syncs have their
own tests there.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
from collections.abc import Callable, Iterator, MutableMapping
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog
import structlog.testing
from apscheduler.events import EVENT_JOB_EXECUTED
from apscheduler.executors.base import run_coroutine_job
from fastapi import FastAPI
from sqlalchemy import text as sql

from tests.reliability.dbfaults import locked_by_another_process, short_busy_database
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.instances.health import HEALTH_JOB_ID
from vibe_quality_searcharr.scheduling import job_guard
from vibe_quality_searcharr.scheduling.wiring import FEEDBACK_JOB_ID
from vibe_quality_searcharr.search.budgets.jobs import PROWLARR_REFRESH_JOB_ID
from vibe_quality_searcharr.settings import Settings

BUSY_MS = 300
HOUSEKEEPING_JOB_ID = "accounts-housekeeping"
# The jobs that write, or begin a transaction that may write, on each run: they meet the lock.
# (The library sync check and the backup only read, which WAL allows beside the lock.)
WRITERS = {HEALTH_JOB_ID, FEEDBACK_JOB_ID, PROWLARR_REFRESH_JOB_ID, HOUSEKEEPING_JOB_ID}
APSCHEDULER_LOGGER = "apscheduler.executors.default"
Line = MutableMapping[str, Any]


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """SQLCipher with a short busy timeout: a job meeting the lock waits 300 ms, not 10 s."""
    with short_busy_database(settings, BUSY_MS) as db:
        yield db


@contextlib.contextmanager
def file_moved_away(settings: Settings) -> Iterator[None]:
    path = settings.sqlite_path
    aside = path.with_name("moved-away.db")
    path.rename(aside)
    try:
        yield
    finally:
        aside.rename(path)


def fault_of(
    name: str, settings: Settings, context: AppContext
) -> contextlib.AbstractContextManager[None]:
    if name == "locked":
        return locked_by_another_process(settings.sqlite_path, context.secrets.database_key)
    return file_moved_away(settings)


async def run_as_apscheduler(job: Any) -> int:
    """One run of the job exactly as APScheduler's asyncio executor does it; its event code."""
    assert inspect.iscoroutinefunction(job.func), job.id
    events = await run_coroutine_job(job, "default", [datetime.now(UTC)], APSCHEDULER_LOGGER)
    return int(events[0].code)


def lines_of(captured: list[Line], event: str) -> list[Line]:
    return [line for line in captured if line["event"] == event]


@pytest.mark.parametrize("fault", ["locked", "missing"])
def test_every_background_job_logs_one_line_when_the_database_refuses_and_recovers(
    app: FastAPI,
    context: AppContext,
    settings: Settings,
    fault: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A fresh logger: the module's own may have been bound for good by another test's setup.
    monkeypatch.setattr(job_guard, "log", structlog.get_logger(job_guard.__name__))
    scheduler = context.scheduler

    async def scenario() -> tuple[dict[str, int], dict[str, int], list[Line]]:
        scheduler.start(paused=True)  # the jobs are registered; only this test runs them
        app.state.queue_scheduler.leading = True  # the leader-only jobs run here
        jobs = sorted(scheduler.aps.get_jobs(), key=lambda job: str(job.id))
        assert {HEALTH_JOB_ID, FEEDBACK_JOB_ID, PROWLARR_REFRESH_JOB_ID} <= {j.id for j in jobs}
        try:
            with structlog.testing.capture_logs() as captured:
                with fault_of(fault, settings, context):
                    during = {job.id: await run_as_apscheduler(job) for job in jobs}
                after = {job.id: await run_as_apscheduler(job) for job in jobs}
            still = {job.id for job in scheduler.aps.get_jobs() if job.next_run_time}
            assert still == {job.id for job in jobs}  # every job keeps its schedule
            return during, after, captured
        finally:
            scheduler.shutdown()

    caplog.set_level(logging.INFO, logger="apscheduler")
    during, after, captured = asyncio.run(scenario())

    assert set(during.values()) == {EVENT_JOB_EXECUTED}, during  # no job raised
    assert set(after.values()) == {EVENT_JOB_EXECUTED}, after
    assert not [record for record in caplog.records if record.exc_info], "a traceback was logged"
    failed = lines_of(captured, "scheduled_job_failed")
    # The backup and the library sync check report a refusal themselves, in one line each.
    assert {line["job"] for line in failed} == WRITERS
    assert len(failed) == len(WRITERS)  # one line per failed run
    kind = "busy" if fault == "locked" else "missing"
    for line in failed:
        assert line["log_level"] == "error"
        assert line["kind"] == kind
        assert line["failures"] == 1
        assert "Nothing was changed" in line["error"]
    recovered = lines_of(captured, "scheduled_job_recovered")
    assert {line["job"] for line in recovered} == WRITERS
    text = json.dumps(captured, default=str)
    assert "Traceback" not in text
    assert "SELECT" not in text  # no SQL in the lines
    assert "INSERT" not in text
    for secret in context.secrets.values():
        assert secret not in text


def test_repeated_refusals_count_up_and_a_bug_keeps_its_traceback(
    context: AppContext, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second failed run in a row is a warning with the count; an error that is not about
    the database being usable (here a query bug) still raises, for APScheduler to report."""
    monkeypatch.setattr(job_guard, "log", structlog.get_logger(job_guard.__name__))
    scheduler = context.scheduler

    def query(statement: str) -> Callable[[], Any]:
        async def job() -> None:
            def work() -> None:
                with context.database.session_scope() as session:
                    session.execute(sql(statement))

            await asyncio.to_thread(work)

        return job

    scheduler.aps.add_job(query("DELETE FROM app_setting"), "interval", minutes=5, id="writer")
    scheduler.aps.add_job(query("SELECT * FROM no_such_table"), "interval", minutes=5, id="bug")

    async def scenario() -> list[Line]:
        scheduler.start(paused=True)
        try:
            writer, bug = scheduler.aps.get_job("writer"), scheduler.aps.get_job("bug")
            with structlog.testing.capture_logs() as captured:
                with locked_by_another_process(settings.sqlite_path, context.secrets.database_key):
                    for _ in range(3):
                        assert await run_as_apscheduler(writer) == EVENT_JOB_EXECUTED
                assert await run_as_apscheduler(bug) != EVENT_JOB_EXECUTED
                assert await run_as_apscheduler(writer) == EVENT_JOB_EXECUTED
            assert scheduler.guard.failures("writer") == 0
            return captured
        finally:
            scheduler.shutdown()

    captured = asyncio.run(scenario())
    failed = lines_of(captured, "scheduled_job_failed")
    assert [(line["log_level"], line["failures"]) for line in failed] == [
        ("error", 1),
        ("warning", 2),
        ("warning", 3),
    ]
    assert {line["job"] for line in failed} == {"writer"}
    assert [line["failures"] for line in lines_of(captured, "scheduled_job_recovered")] == [3]
